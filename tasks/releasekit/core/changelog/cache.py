"""The cache of ``changelog --all``: walks and released sections, under the git directory.

Published release tags are immutable, so a released section's text is a pure function of its
commits, its tag objects, the configuration and the template. Two kinds of entry live in
``$(git rev-parse --git-common-dir)/releasekit/changelog-cache/``:

- ``walk``: one slot holding the shas of ``git log --topo-order HEAD`` for the HEAD it was
  taken at (the order releases are cut from). A commit's ancestry never changes, so the walk of
  one commit is fixed. A HEAD that is a chain of single-parent commits on top of the cached
  one walks that chain, then exactly the cached walk: git's topological sort reaches the old
  HEAD with nothing else queued and every commit below it has the same children as before.
  Replace refs, grafts and the git settings that change ``git log``'s output
  (``i18n.*``, ``trailer.*``) are part of the key.
- ``sections``: the rendered texts of the released sections, each under a key of everything
  its text can depend on (generate.section_key): the tag objects of both ends (tag object id
  *and* peeled commit, so a moved or re-created tag misses), a digest of the section's commits
  in walk order, the effective configuration, the template's bytes, the Jinja2 and releasekit
  versions and :data:`.store.FORMAT`. One file per configuration and template (one read, at most one
  write per run, instead of one file per section: 500 opens cost more than the rendering they
  save), holding the sections of the latest run only, so it never grows past one changelog.

- ``templates``: Jinja2's compiled code of the changelog template (:func:`.store.bytecode_cache`),
  under Jinja2's own key (template name and file) and checked against the source's checksum by
  Jinja2; compiling the template is ~0.15 s of every run.

The entries are kept by :class:`.store.Store` (verified on every read, written atomically).
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import semver

from ..common import git
from ..common.errors import GitError
from ..common.process import run
from ..versioning.versions import precedence
from .commits import LOG_FORMAT, LOG_OPTIONS, Commit, parse_log, read_log
from .conventional import (
    TAG_REF_FORMAT,
    Group,
    Release,
    ReleaseTag,
    _shallow_message,
    release_tags_of,
)
from .store import Store, commits_digest, digest

# --- the walk: which commits each release holds ---------------------------------------------


@dataclass(frozen=True)
class Cut:
    """One release of a walk: ``walk[start:stop]``, started by ``tag`` (None: Unreleased)."""

    tag: ReleaseTag | None
    start: int
    stop: int
    previous: ReleaseTag | None


def cut_walk(walk: Sequence[str], tags: Sequence[ReleaseTag]) -> list[Cut]:
    """The walk split at release tags, ordered as :func:`conventional.group_releases` orders
    releases: Unreleased first, then highest SemVer first (the highest tag on a commit wins)."""
    by_commit: dict[str, ReleaseTag] = {}
    for tag in tags:
        by_commit.setdefault(tag.commit, tag)
    starts: list[tuple[ReleaseTag | None, int]] = [(None, 0)]
    starts += [(by_commit[sha], index) for index, sha in enumerate(walk) if sha in by_commit]
    stops = [start for _, start in starts[1:]] + [len(walk)]
    return _ordered([(tag, start, stop) for (tag, start), stop in zip(starts, stops, strict=True)])


def cut_groups(groups: Sequence[Group]) -> list[Cut]:
    """:func:`cut_walk` of a walk that :func:`.conventional.walk_groups` cut into ``groups``
    with the same tags: the bounds are the groups' counts, so the walk's 10⁵ shas are not
    looked up again (the streamed cold run has them grouped already)."""
    bounds: list[tuple[ReleaseTag | None, int, int]] = []
    start = 0
    for tag, _, count in groups:
        bounds.append((tag, start, start + count[0]))
        start += count[0]
    return _ordered(bounds)


def _ordered(groups: list[tuple[ReleaseTag | None, int, int]]) -> list[Cut]:
    ordered = [groups[0], *sorted(groups[1:], key=_version, reverse=True)]
    return [
        Cut(tag, start, stop, ordered[n + 1][0] if n + 1 < len(ordered) else None)
        for n, (tag, start, stop) in enumerate(ordered)
    ]


def _version(group: tuple[ReleaseTag | None, int, int]) -> tuple[int, int, int, semver.Version]:
    assert group[0] is not None
    return precedence(group[0].version)


@dataclass(frozen=True)
class History:
    """The releases of ``git log --topo-order HEAD`` (cut as group_releases cuts them), with
    the commits of the ``needed`` ones (the others have none, but their count)."""

    releases: list[Release]
    cuts: list[Cut]
    commits: list[str]  # per release, the digest of its commits' shas in walk order
    view: str  # digest of what else shapes git log's output (replace refs, grafts, settings)


@dataclass(frozen=True)
class Probe:
    """What a run learns before it walks: HEAD, the release tags, the git view and the cached
    walk of HEAD (None when there is none to trust)."""

    head: str
    tags: list[ReleaseTag]
    view: str
    walk: list[str] | None


def read_history(
    root: Path,
    tag_format: str,
    store: Store,
    *,
    keep: Callable[[Commit], bool],
    need: Callable[[list[Cut], list[str], str], Collection[int]],
) -> History:
    """Every release, reading from git only the commits of the releases (indices) that
    ``need(cuts, commits digests, view)`` says are needed when the walk is cached; else the
    whole history once, caching its walk.

    Raises:
        GitError: the repository has no commits, or is shallow.
    """
    return history_of(root, store, probe_history(root, tag_format, store), keep=keep, need=need)


def probe_history(root: Path, tag_format: str, store: Store) -> Probe:
    """HEAD, the tags, the view and the cached walk, in three git processes.

    Raises:
        GitError: the repository has no commits, or is shallow.
    """
    # One rev-parse for three answers (a process is 5-50 ms, and this is the cached run's path).
    argv = ["git", "-C", str(root), "rev-parse", "--is-shallow-repository",
            "--git-path", "info/grafts", "-q", "--verify", "HEAD"]  # fmt: skip
    probe = run(argv, check=False)
    answers = probe.stdout.splitlines()
    if probe.returncode != 0 or len(answers) != 3:
        raise GitError(f"{root} has no commits yet; commit something before generating a changelog")
    shallow, grafts, head_sha = answers
    refs = git.git(root, "for-each-ref", f"--format={TAG_REF_FORMAT}", "refs/tags", "refs/replace")
    lines = refs.splitlines()
    tags = release_tags_of(lines, tag_format, root)
    if shallow.strip() == "true":
        raise GitError(_shallow_message(root, "every release needs the whole history"))
    view = _view(root, [line for line in lines if line.startswith("refs/replace/")], grafts)
    return Probe(head_sha, tags, view, _cached_walk(root, store, head_sha, view))


def history_of(
    root: Path,
    store: Store,
    probe: Probe,
    *,
    keep: Callable[[Commit], bool],
    need: Callable[[list[Cut], list[str], str], Collection[int]],
) -> History:
    """:func:`read_history` after :func:`probe_history`."""
    head_sha, tags, view, walk = probe.head, probe.tags, probe.view, probe.walk
    if walk is None:
        return _full_history(root, store, head_sha, view, tags, keep)
    cuts = cut_walk(walk, tags)
    digests = [commits_digest(walk[c.start : c.stop]) for c in cuts]
    needed = set(need(cuts, digests, view))
    wanted = sum(cuts[n].stop - cuts[n].start for n in needed)
    if wanted * 4 > len(walk):  # most of the history: one walk reads it faster than by name
        return _full_history(root, store, head_sha, view, tags, keep)
    shas = [
        sha
        for n in sorted(needed, key=lambda n: cuts[n].start)
        for sha in walk[cuts[n].start : cuts[n].stop]
    ]
    commits = {c.sha: c for c in _read_commits(root, shas)}
    releases = []
    for n, cut in enumerate(cuts):
        kept: tuple[Commit, ...] = ()
        if n in needed:
            kept = tuple(c for sha in walk[cut.start : cut.stop] if keep(c := commits[sha]))
        releases.append(_release(cut, kept))
    return History(releases, cuts, digests, view)


def _release(cut: Cut, kept: tuple[Commit, ...]) -> Release:
    tag, older = cut.tag, cut.previous
    return Release(
        tag.version if tag else None,
        tag.name if tag else None,
        tag.date if tag else None,
        older.name if older else None,
        kept,
        cut.stop - cut.start,
    )


def _full_history(
    root: Path,
    store: Store,
    head: str,
    view: str,
    tags: Sequence[ReleaseTag],
    keep: Callable[[Commit], bool],
) -> History:
    """One ``git log`` of the whole history (parsed while git writes); its walk is cached."""
    walk: list[str] = []
    kept: list[tuple[int, Commit]] = []
    for index, commit in enumerate(read_log(root, "HEAD")):
        walk.append(commit.sha)
        if keep(commit):
            kept.append((index, commit))
    store_walk(store, head, view, walk)
    cuts = cut_walk(walk, tags)
    # The kept commits are in walk order: each release's are one slice, found by bisection.
    positions = [index for index, _ in kept]
    commits = [commit for _, commit in kept]
    releases = [
        _release(
            cut,
            tuple(commits[bisect_left(positions, cut.start) : bisect_left(positions, cut.stop)]),
        )
        for cut in cuts
    ]
    digests = [commits_digest(walk[c.start : c.stop]) for c in cuts]
    return History(releases, cuts, digests, view)


def _read_commits(root: Path, shas: Sequence[str]) -> list[Commit]:
    """The named commits, in one ``git log --no-walk`` (same format as the walk's)."""
    if not shas:
        return []
    argv = ["git", "-C", str(root), "log", *LOG_OPTIONS, "--no-walk=unsorted", "--stdin",
            f"--format={LOG_FORMAT}"]  # fmt: skip
    out = run(argv, input_text="".join(f"{sha}\n" for sha in shas))
    return parse_log(out.stdout)


def _view(root: Path, replace_refs: Sequence[str], grafts: str) -> str:
    """What, beside the commits, shapes ``git log``'s walk and output: replace refs, grafts
    (``grafts``: the file's path as ``rev-parse --git-path`` says it), and the settings that
    change the format's text (log output encoding, trailer parsing)."""
    settings = run(
        ["git", "-C", str(root), "config", "--get-regexp", r"^(i18n|trailer)\."], check=False
    ).stdout
    graft_path = Path(grafts.strip())
    if grafts.strip() and not graft_path.is_absolute():
        graft_path = root / graft_path
    try:
        graft_bytes = graft_path.read_bytes() if grafts.strip() else b""
    except OSError:
        graft_bytes = b""
    environment = [f"{k}={os.environ.get(k, '')}" for k in _GIT_VIEW_ENV]
    return digest(*replace_refs, "\0", settings, "\0", graft_bytes, "\0", *environment)


# Environment variables that change which objects git log walks or how it prints them.
_GIT_VIEW_ENV = ("GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS", "GIT_GRAFT_FILE")


def _walk_key() -> str:
    return "latest"  # one slot: a walk is megabytes, and only the newest HEAD's is reused


def has_walk(store: Store) -> bool:
    """Whether a walk is stored at all (trusted or not: :func:`_cached_walk` decides)."""
    return store.has("walk", _walk_key())


def store_walk(store: Store, head: str, view: str, walk: Sequence[str]) -> None:
    store.put("walk", _walk_key(), "\n".join([head, view, *walk]).encode())


def _cached_walk(root: Path, store: Store, head: str, view: str) -> list[str] | None:
    """The walk of ``head``: the cached one, or a chain of single-parent commits on top of it
    followed by the cached one; None when neither holds."""
    payload = store.get("walk", _walk_key())
    if payload is None:
        return None
    cached_head, cached_view, *walk = payload.decode().split("\n")
    if cached_view != view or not walk or walk[0] != cached_head:
        return None
    if cached_head == head:
        return walk
    out = run(["git", "-C", str(root), "rev-list", "--parents", f"^{cached_head}", head, "--"],
              check=False)  # fmt: skip
    if out.returncode != 0:
        return None
    chain = []
    expect = head
    for line in out.stdout.splitlines():
        sha, *parents = line.split(" ")
        if sha != expect or len(parents) != 1:
            return None
        chain.append(sha)
        expect = parents[0]
    if not chain or expect != cached_head:
        return None
    walk = chain + walk
    store_walk(store, head, view, walk)
    return walk
