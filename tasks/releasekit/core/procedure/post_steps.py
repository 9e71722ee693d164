"""The steps that edit files around the tag (seed 004, seed 003): the image pins on the
release branch and the unpin after the release (core/pins), CITATION.cff citing the release
(core/pins/citation), and the suite release manifest (core/manifest).

The checks read the files at the commit they concern — the release tag's, the merged main,
the release branch — never the work tree (which may be on any branch): ``git archive`` of the
configured paths into a temporary directory, where the pins core reads them as it reads a
work tree. Pins are committed on the release branch; unpin and citation are post-release
commits on the main branch, pushed.
"""

from __future__ import annotations

import fnmatch
import io
import shutil
import tarfile
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from ..common import git
from ..common.errors import CommandError, GitError, ReleaseError
from ..common.network import run_git, settings
from ..common.process import run, run_bytes
from .state import Facts, State, Unreachable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..manifest.run import ManifestPlan
    from ..pins.config import PinsConfig
    from ..pins.keys import Change


def _tree_at(f: Facts, commit: str, patterns: list[str]) -> Path:
    """The files of ``commit`` that ``patterns`` (globs) select, in a temporary directory that
    lives until the facts are forgotten."""

    def extract() -> Path:
        root = str(f.cfg.root)
        listed = run(["git", "-C", root, "ls-tree", "-r", "-z", "--name-only", commit]).stdout
        names = [
            n for n in listed.split("\0") if n and any(fnmatch.fnmatchcase(n, p) for p in patterns)
        ]
        where = Path(tempfile.mkdtemp(prefix="releasekit-tree-"))
        weakref.finalize(f, shutil.rmtree, where, True)  # with the facts, or at exit
        if names:
            data = run_bytes(["git", "-C", root, "archive", "--format=tar", commit, "--", *names])
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                archive.extractall(where, filter="data")
        return where

    tree: Path = f.once(f"tree:{commit}", extract)
    return tree


def _pins(f: Facts) -> PinsConfig | None:
    pins = f.cfg.pins
    return pins if pins is not None and (pins.targets or pins.release) else None


def _pin_paths(pins: PinsConfig) -> list[str]:
    return [t.path for t in pins.targets] + [p.path for p in pins.release]


# --- pins: the release's image pins on the release branch (seed 004) ------------------------


def _pinned_commit(f: Facts) -> tuple[str, str, bool] | None:
    """(commit, what it is, whether it is published) the release's files are read at."""
    tagged = f.remote_tags().get(f.tag) or f.local_tag(f.tag)
    if tagged is not None:
        return tagged, f.tag, True
    merged = f.merged() if "merge" in f.steps or "prepare" in f.steps else None
    if merged is not None:
        return merged, f"{f.remote}/{f.cfg.main_branch}", True
    tip = f.branch_tip()
    return (tip, f"branch {f.branch}", False) if tip is not None else None


def check_pins(f: Facts) -> State:
    from ..pins.pinning import plan_pin, plan_unpin

    pins = _pins(f)
    if pins is None:
        return State("skipped", "no pins.targets or pins.release configured; nothing to pin")
    found = _pinned_commit(f)
    if found is None:
        return State("todo", f"the pins go on the release branch {f.branch}; it is not made yet")
    commit, where, published = found
    tree = _tree_at(f, commit, _pin_paths(pins))
    try:
        held = plan_unpin(tree, pins)
    except ReleaseError as exc:  # targets hold different pinned values
        return State("conflict" if published else "todo", f"at {where}: {exc}".splitlines()[0],
                     plan=() if published else (f"pin every target on {f.branch} again",))  # fmt: skip
    value = None if held.is_noop else held.value
    if value is not None and plan_pin(tree, pins, value, tag=(f.tag, f.version)).is_noop:
        return State("done", f"the files at {where} carry the pins of {value}")
    if published:
        return State("conflict", f"{where} at {commit[:12]} does not carry every pin of the "
                     "release; published tags are immutable — pin on main by hand (release.pin) "
                     "and release the next patch")  # fmt: skip
    return State("todo", f"branch {f.branch} does not carry the pins yet",
                 plan=(f"pin {_pin_value(f)[:12]} (the commit {f.branch} starts from) into "
                       f"{len(pins.targets) + len(pins.release)} targets",
                       f"commit on {f.branch}: chore: pin the release images of {f.tag}"))  # fmt: skip


def _pin_value(f: Facts) -> str:
    """The tested value: the main commit the release branch starts from (its image is the one
    CI built and tested; seed 004 pins "the commit SHA-1 of the last built image")."""
    tip = f.branch_tip()  # here, or only on the remote (pushed from elsewhere)
    assert tip is not None  # the callers checked the branch is made
    return git.git(f.cfg.root, "merge-base", f"refs/heads/{f.cfg.main_branch}", tip).strip()


def apply_pins(f: Facts) -> list[str]:
    from ..common.textfile import write_all
    from ..pins.pinning import plan_pin

    pins = _pins(f)
    assert pins is not None  # the check said todo
    root = f.cfg.root
    if f.branch_tip() is None:
        raise GitError(f"the pins go on the release branch {f.branch}, which is not made yet; "
                       "list the prepare step before pins (or run release.prepare)")  # fmt: skip
    if git.current_branch(root) != f.branch:
        _clean(f, f"switch to {f.branch}")
        git.switch(root, f.branch)
    _clean(f, "run again", _pin_paths(pins))  # a pin written before an interrupt is kept
    value = _pin_value(f)
    plan = plan_pin(root, pins, value, tag=(f.tag, f.version))
    write_all(plan.edits, root)
    subject = f"chore: pin the release images of {f.tag}"
    made = _commit(f, _touched(plan.changes), subject)
    return [f"pinned {value} in {len(_touched(plan.changes))} files", *made]


# --- unpin: the development values back on main after the release ---------------------------


def check_unpin(f: Facts) -> State:
    from ..pins.pinning import plan_unpin

    pins = _pins(f)
    if pins is None:
        return State("skipped", "no pins.targets or pins.release configured; nothing to unpin")
    if f.tag not in f.remote_tags():
        return State("todo", f"the unpin comes after the release: {f.tag} is not on {f.remote}")
    main = f.remote_main()
    where = f"{f.remote}/{f.cfg.main_branch}"
    try:
        plan = plan_unpin(_tree_at(f, main, _pin_paths(pins)), pins)
    except ReleaseError as exc:  # changed since the pin: unpin never overwrites that
        return State("conflict", f"at {where}: {exc}")
    if plan.is_noop:
        return State("done", f"{where} holds the development values again")
    return State("todo", f"{where} still carries the pins of {plan.value}",
                 plan=(*plan.lines(), f"commit: chore: unpin after {f.tag}",
                       f"git push {f.remote} {f.cfg.main_branch}"))  # fmt: skip


def apply_unpin(f: Facts) -> list[str]:
    from ..common.textfile import write_all
    from ..pins.pinning import plan_unpin

    pins = _pins(f)
    assert pins is not None  # the check said todo
    _on_main(f, _pin_paths(pins))
    plan = plan_unpin(f.cfg.root, pins)
    write_all(plan.edits, f.cfg.root)
    subject = f"chore: unpin after {f.tag}"
    made = _commit(f, [*_touched(plan.changes), *plan.removed], subject)
    said = [f"unpinned {plan.value} in {len(plan.edits)} files"] if plan.edits else []
    return [*said, *made, *_push_main(f)]


# --- citation: CITATION.cff cites the release (seed 004's post-release) ----------------------


def check_citation(f: Facts) -> State:
    from ..pins.citation import citation_path
    from ..versioning.locate import KeyNotFound, locate_key

    if f.cfg.citation is None:
        return State("skipped", "no citation section configured; nothing to cite")
    tagged = f.local_tag(f.tag)
    if tagged is None or f.tag not in f.remote_tags():
        return State("todo", f"the citation comes after the release: {f.tag} is not on {f.remote}")
    path = citation_path(f.cfg)
    main, where = f.remote_main(), f"{f.remote}/{f.cfg.main_branch}"
    shown = run(["git", "-C", str(f.cfg.root), "show", f"{main}:{path}"], check=False)
    if shown.returncode != 0:
        raise GitError(f"{where} has no {path}; add it (citation.path names it)")

    def token(key: str) -> str:  # as the file spells it (a YAML reader makes 0123 a number)
        try:
            start, end = locate_key(shown.stdout, path, (key,))
        except KeyNotFound:
            return ""
        return shown.stdout[start:end]

    version, commit = token("version"), token("commit")
    if version.removeprefix("v") == f.version and commit == tagged:
        return State("done", f"{path} on {where} cites {f.tag} ({tagged[:12]})")
    if _later(f, version):  # a re-run for an older release never cites it over a newer one
        return State("done", f"{path} on {where} cites {version}, a later release than {f.tag}")
    return State("todo", f"{path} on {where} cites {version or 'no version'}, not {f.tag}",
                 plan=(f"write version {f.version}, date-released {f.today}, commit {tagged[:12]}",
                       f"commit: chore: cite {f.tag} in {path}",
                       f"git push {f.remote} {f.cfg.main_branch}"))  # fmt: skip


def _later(f: Facts, cited: str) -> bool:
    """Whether the version the file cites is a later release than ``f.version``."""
    from ..common.errors import VersionError
    from ..tags.config import tags_config
    from ..tags.schemes import parse_any_version

    versioning = tags_config(f.cfg).versioning
    try:
        newer = parse_any_version(versioning, cited.removeprefix("v"))
        ours = parse_any_version(versioning, f.version)
    except VersionError:  # not a version of the scheme: cite this release
        return False
    return type(newer) is type(ours) and bool(newer > ours)  # type: ignore[operator]


def apply_citation(f: Facts) -> list[str]:
    from ..common.textfile import write_all
    from ..pins.citation import citation_path, plan_citation

    path = citation_path(f.cfg)
    _on_main(f, [path])
    plan = plan_citation(f.cfg, f.tag, f.today)
    write_all(plan.edits, f.cfg.root)
    subject = f"chore: cite {f.tag} in {plan.path}"
    return [*plan.lines(), *_commit(f, [plan.path], subject), *_push_main(f)]


# --- manifest: the suite release manifest (seed 003) -----------------------------------------


def _plan_manifest(f: Facts) -> ManifestPlan:
    from ..manifest.run import plan_manifest

    return plan_manifest(f.cfg, f.version, plain_http=f.plain_http)


def check_manifest(f: Facts) -> State:
    from ..manifest.build import manifest_path, suite_release

    if f.cfg.manifest is None:
        return State("skipped", "no manifest section configured; nothing to write")
    if f.local_tag(f.tag) is None and f.tag not in f.remote_tags():
        return State("todo", f"the manifest waits for {f.tag} (it names its codename and channel)")
    path = manifest_path(f.cfg, suite_release(f.cfg, f.version, "", ""))
    try:
        plan = _plan_manifest(f)
    except CommandError as exc:
        raise Unreachable(f"cannot ask the registry for the manifest's digests ({exc})") from None
    except ReleaseError as exc:
        if (f.cfg.root / path).is_file():  # written, and it says otherwise now
            return State("conflict", str(exc))
        return State("waiting", f"the manifest cannot be made yet: {exc}", watch=f.watch_workflow())
    if plan.edit is None:
        return State("done", f"{plan.path} lists the release as it is published")
    return State("todo", f"{plan.path} is not written yet", plan=(f"write {plan.path}",))


def apply_manifest(f: Facts) -> list[str]:
    from ..common.textfile import write_all

    plan = _plan_manifest(f)
    write_all([plan.edit] if plan.edit else [], f.cfg.root)
    return [f"wrote {plan.path}"]


# --- commits on a branch ----------------------------------------------------------------------


def _clean(f: Facts, then: str, mine: Sequence[str] = ()) -> None:
    """No tracked change but in the step's own files (``mine``, globs): one an interrupted
    apply wrote before its commit is the step's work, and is committed now."""
    out = git.git(f.cfg.root, "status", "--porcelain=v1", "-z", "--untracked-files=no")
    others = [
        e[3:] for e in out.split("\0") if e and not any(fnmatch.fnmatchcase(e[3:], p) for p in mine)
    ]
    if others:
        raise GitError(
            f"the work tree has changes ({others[0]}); commit or stash them, then {then}"
        )


def _on_main(f: Facts, mine: Sequence[str]) -> None:
    """HEAD on the main branch, clean but for the step's own files, fast-forwarded to the
    remote's main (a commit of this step made here and not pushed yet stays)."""
    root, main = f.cfg.root, f.cfg.main_branch
    if git.current_branch(root) != main:
        _clean(f, f"switch to {main}")
        git.switch(root, main)
    _clean(f, "run again", mine)
    remote = f.remote_main()
    merged = run(["git", "-C", str(root), "merge", "-q", "--ff-only", remote], check=False)
    if merged.returncode != 0:
        raise GitError(f"{main} here has commits {f.remote}/{main} does not; push or drop them "
                       f"(git status), then run again: {merged.stderr.strip()}")  # fmt: skip
    # What is pushed is the step's commits only: one of someone's own, not pushed yet, would
    # go out with them (an unpin or citation commit an interrupt left unpushed may stay).
    ours = (f"chore: unpin after {f.tag}", f"chore: cite {f.tag} in {_citation_path(f)}")
    ahead = git.git(root, "log", "--format=%h %s", f"{remote}..HEAD").splitlines()
    other = next((c for c in ahead if c.split(" ", 1)[-1] not in ours), None)
    if other is not None:
        sha, _, subject = other.partition(" ")
        raise GitError(f"{main} here has a commit {f.remote}/{main} does not ({subject}, {sha}); "
                       f"releasekit pushes only its own commits — push it yourself or move it "
                       f"to a branch (git branch keep {sha}; git reset --keep {f.remote}/{main}), then "
                       "run again")  # fmt: skip


def _citation_path(f: Facts) -> str:
    from ..pins.citation import citation_path

    return citation_path(f.cfg) if f.cfg.citation is not None else "CITATION.cff"


def _touched(changes: Sequence[Change]) -> list[str]:
    """Every file a pin or unpin plan concerns, written now or before an interrupt."""
    return sorted({c.spot.path for c in changes})


def _commit(f: Facts, paths: list[str], subject: str) -> list[str]:
    """Commit ``paths`` (signed off) when they hold changes; nothing to commit is no error:
    the commit was made before an interrupt."""
    root = str(f.cfg.root)
    if paths:
        git.git(f.cfg.root, "add", "-A", "--", *paths)
    if run(["git", "-C", root, "diff", "--cached", "--quiet"], check=False).returncode == 0:
        return []
    run(["git", "-C", root, "commit", "-q", "-s", "-m", subject])
    return [f"committed on {git.current_branch(f.cfg.root)}: {subject}"]


def _push_main(f: Facts) -> list[str]:
    main = f.cfg.main_branch
    result = run_git(f.cfg.root, ["push", "--porcelain", f.remote, f"refs/heads/{main}:refs/heads/{main}"],
                     net=settings(f.cfg), remote=f.remote, read=False)  # fmt: skip
    if result.returncode != 0:
        raise CommandError(f"git push {f.remote} {main} failed: {result.stderr.strip()}; the "
                           f"commit stays on {main} here — push it (or open a pull request from "
                           "it), then run again")  # fmt: skip
    return [f"pushed {main} to {f.remote}"]
