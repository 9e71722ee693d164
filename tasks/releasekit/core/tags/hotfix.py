"""After a release: hotfix branches from a release tag, and superseding a bad release.

Seed 003 cuts ``hotfix/2026.04.1`` from ``suite-2026.04``, tags it and cherry-picks the fix
onto main; seed 001 never retags a bad release but cuts a new patch and marks the bad one
superseded. Both work for every tag scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..common import git
from ..common.confine import confine
from ..common.errors import CommandError, GitError, VersionError
from ..common.network import settings
from ..common.textfile import FileEdit, read_text, write_all
from ..config import Config
from .config import tags_config
from .schemes import ParsedTag, TagScheme, next_patch, precedes
from .tagging import RemoteState, read_remote, release_scheme


@dataclass(frozen=True)
class HotfixPlan:
    """A hotfix branch from a release tag and the steps that follow it."""

    source: ParsedTag
    commit: str
    tag: str  # the hotfix release tag to make later
    branch: str
    branch_exists: bool
    commits: tuple[tuple[str, str], ...]  # (sha, subject) on the branch since the tag
    remote: RemoteState  # what the remote said about the hotfix tag, or why it was not asked

    @property
    def version(self) -> str:
        return str(next_patch(self.source.version))


def plan_hotfix(config: Config, tag: str, *, offline: bool = False) -> HotfixPlan:
    """Work out the hotfix branch for ``tag``.

    The remote is asked where it pushes to (never a stale fetch mirror), unless ``offline``.

    Raises:
        VersionError: the tag does not follow the scheme or is a pre-release.
        GitError: the tag does not exist, its hotfix release is already tagged (locally or on
            the remote), the hotfix branch is on the remote but not fetched, or the remote
            cannot be asked.
    """
    scheme = release_scheme(config)
    source = scheme.require(tag)
    if source.is_prerelease:
        raise VersionError(f"{tag} is a pre-release; hotfixes start from a release tag")
    refs = {r.name: r.commit for r in git.tag_refs(config.root)}
    if tag not in refs:
        raise GitError(f"there is no tag {tag} here; run git fetch --tags, or name a release tag")
    state = read_remote(config, config.remote, offline=offline, need=False)
    following = next_patch(source.version)
    new_tag = scheme.render(following, source.parts)
    _refuse_released(scheme, source, new_tag, refs, state)
    template = tags_config(config).hotfix_branch
    branch = template.replace("{version}", str(following)).replace("{tag}", new_tag)
    head = branch if git.branch_exists(config.root, branch) else None
    if head is None:
        # A colleague may have cut (and pushed fixes to) this hotfix branch already: a fresh
        # local branch at the tag would leave their commits out of the hotfix release.
        tracking = git.remote_branches(config.root, branch)
        head = tracking[0] if tracking else None
    if head is None and state.checked and _remote_has_branch(config, branch):
        raise GitError(
            f"branch {branch} already exists on {config.remote} (not fetched here): a "
            f"colleague cut this hotfix; git fetch {config.remote}, then rerun releasekit "
            f"release.hotfix {tag}"
        )
    exists = head is not None
    commits: tuple[tuple[str, str], ...] = ()
    if head is not None:
        out = git.git(config.root, "log", "--reverse", "--format=%H%x00%s", f"{tag}..{head}")
        commits = tuple(tuple(line.split("\0", 1)) for line in out.splitlines())  # type: ignore[misc]
    return HotfixPlan(source, refs[tag], new_tag, branch, exists, commits, state)


def _remote_has_branch(config: Config, branch: str) -> bool:
    try:
        return git.remote_has_branch(config.root, config.remote, branch)
    except CommandError as exc:
        raise GitError(
            f"cannot ask {config.remote} whether branch {branch} exists ({exc}); fix the "
            "network or remote, or pass --offline to skip the check"
        ) from None


def _refuse_released(
    scheme: TagScheme,
    source: ParsedTag,
    new_tag: str,
    local: dict[str, str],
    state: RemoteState,
) -> None:
    """Refuse a hotfix whose release tag exists, naming the next free patch and where from."""
    remote = state.tags or {}
    where = [w for w, has in (("locally", local), (f"on {state.name}", remote)) if new_tag in has]
    if not where:
        return
    start = next_patch(source.version)  # the newest taken patch: the hotfix to start from
    while scheme.render(next_patch(start), source.parts) in local.keys() | remote.keys():
        start = next_patch(start)
    start_tag = scheme.render(start, source.parts)
    free = scheme.render(next_patch(start), source.parts)
    fetch = "" if start_tag in local else f"git fetch --tags {state.name}, then "
    raise GitError(
        f"{new_tag} already exists {' and '.join(where)}, so the hotfix of {source.tag} was "
        f"released; the next free patch is {free}: {fetch}releasekit release.hotfix {start_tag}"
    )


def create_hotfix_branch(config: Config, plan: HotfixPlan) -> None:
    """Create the branch on the tag's commit (the work tree is not touched)."""
    if plan.branch_exists:
        raise GitError(
            f"branch {plan.branch} already exists; switch to it: git switch {plan.branch}"
        )
    git.git(config.root, "branch", "--", plan.branch, plan.commit)


def hotfix_steps(config: Config, plan: HotfixPlan) -> list[str]:
    """What to do after the branch exists: fix, tag, cherry-pick onto main."""
    # Every part release.tag takes as a flag, so step 2 makes exactly plan.tag
    # (without --channel, a -lts suite's hotfix would get the configured default channel).
    flags = "".join(
        f" --{k} {v}"
        for k, v in plan.source.parts.items()
        if k in ("module", "codename", "channel")
    )
    lines = [
        f"1. git switch {plan.branch}; commit the fix and run the tests",
        f"2. releasekit release.tag {plan.version}{flags} --ref {plan.branch} --push"
        f"   # tags {plan.tag}",
        f"3. cherry-pick the fix onto {config.main_branch}:",
        f"     git switch {config.main_branch}",
    ]
    if plan.commits:
        lines.append("     git cherry-pick -x " + " ".join(sha[:12] for sha, _ in plan.commits))
        lines += [f"       # {sha[:12]} {subject}" for sha, subject in plan.commits]
    else:
        lines.append(
            f"     git cherry-pick -x <commits>   # none on {plan.branch} yet; "
            f"rerun release.hotfix {plan.source.tag} to list them"
        )
    return lines


# --- supersede ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupersedePlan:
    """The release-note addition that marks ``bad`` as replaced by ``good``."""

    bad: str
    good: str
    path: str
    note: str
    edit: FileEdit | None  # None when the file already says exactly this


def supersede_text(bad: str, good: str) -> str:
    return (
        f"> [!WARNING]\n"
        f"> **Superseded by {good}.** Do not use {bad}: upgrade to {good}.\n"
        f"> Published tags are immutable, so {bad} was not changed or re-tagged;\n"
        f"> {good} is the release that replaces it.\n"
    )


def plan_supersede(config: Config, bad: str, good: str, *, offline: bool = False) -> SupersedePlan:
    """Check both releases and compute the note file.

    Raises:
        GitError: the replacement (or the bad release) tag does not exist.
        VersionError: a tag does not follow the scheme, or the replacement is not newer.
    """
    scheme = release_scheme(config)
    old, new = scheme.require(bad), scheme.require(good)
    local = {r.name for r in git.tag_refs(config.root)}
    remote: set[str] = set()
    where = f"locally or on {config.remote}"
    if offline or config.remote not in git.remotes(config.root):
        where = f"locally; {config.remote} was not asked"
    else:
        try:
            remote = set(git.remote_tag_commits(config.root, config.remote, net=settings(config)))
        except CommandError as exc:
            # Never claim the remote lacks a tag it was not asked about.
            where = f"locally; {config.remote} could not be asked ({exc}) — fetch the tags first"
    for tag, role in ((good, "replacement"), (bad, "superseded")):
        if tag not in local and tag not in remote:
            raise GitError(
                f"the {role} release tag {tag} does not exist ({where}); "
                + (
                    f"release it first: releasekit release.tag {new.version} --push"
                    if role == "replacement"
                    else "check the tag name"
                )
            )
    if not precedes(old.version, new.version):
        raise VersionError(
            f"{good} does not come after {bad}; a replacement must be a newer release"
        )
    rel = tags_config(config).supersede_note.replace("{tag}", bad.replace("/", "-"))
    real = confine(config.root, rel, what="tags.supersede_note")
    text = supersede_text(bad, good)
    exists = real.is_file()
    old_text = read_text(real, rel) if exists else ""
    edit = None if old_text == text else FileEdit(rel, real, old_text, text, created=not exists)
    return SupersedePlan(bad, good, rel, text, edit)


def write_supersede(root: Path, plan: SupersedePlan) -> None:
    """Write the note file (created, with its directories, if needed) all-or-nothing."""
    if plan.edit is not None:
        write_all([plan.edit], root)


def publish_supersede(config: Config, plan: SupersedePlan, *, dry_run: bool = False) -> list[str]:
    """Put the note at the top of the bad release's notes on the forge (``forge:``), with
    release.publish's client; a dry run gives the requests it would send.

    Raises:
        ReleaseError: no forge section, no token, no release for the tag, or the forge failed.
    """
    from ..forge.publish import append_note
    from ..forge.run import forge_for

    forge = forge_for(config, dry_run=dry_run)
    said = append_note(forge, plan.bad, plan.note)
    return [*forge.planned, said]
