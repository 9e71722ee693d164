"""release.prepare: a release branch with the version bump in one signed-off commit (seed 000)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..common import git, interrupts
from ..common.confine import confine, work_tree
from ..common.errors import CommandError, GitError, ReleaseError, TargetError
from ..common.interrupts import Interrupted, failpoint
from ..common.journal import BranchUndo
from ..common.network import settings
from ..common.recovery import undo_branch
from ..common.textfile import FileEdit
from ..common.transaction import Transaction
from ..config import Config
from ..tags.schemes import render_tag
from .bump import BumpPlan, plan_bump


@dataclass(frozen=True)
class PreparePlan:
    """What release.prepare will do, validated before anything changes."""

    tag: str
    branch: str
    message: str
    bump: BumpPlan
    edits: tuple[FileEdit, ...]
    remote_checked: bool


def next_patch_hint(plan_tag: str) -> str:
    return f"published tags are immutable — release the next patch instead of reusing {plan_tag}"


def ensure_tag_free(
    config: Config, tag: str, *, check_remote: bool, branch: str | None = None
) -> bool:
    """Refuse a tag that exists locally or on the configured remote (where it pushes to),
    and a ``branch`` the remote has although it was not fetched here.

    A tag only this repository has was never published: the advice is to push or delete it,
    not to skip the version — and only after the remote was asked.

    Returns:
        Whether the remote was asked (False when there is no such remote or checks are off).
    """
    local = git.local_tag_exists(config.root, tag)
    remote = config.remote
    asked = check_remote and remote in git.remotes(config.root)
    if asked:
        net = settings(config)
        try:
            on_remote = git.remote_tags(config.root, remote, [tag], net=net)
            branch_there = branch is not None and git.remote_has_branch(
                config.root, remote, branch, net=net
            )
        except CommandError as exc:
            raise GitError(
                f"cannot ask {remote} whether tag {tag} exists ({exc}); "
                "check the network or pass --offline to skip the remote check"
            ) from None
        if on_remote:
            raise GitError(f"tag {tag} already exists on {remote}; {next_patch_hint(tag)}")
        if branch_there:
            raise GitError(
                f"branch {branch} already exists on {remote} (not fetched here); someone "
                f"prepared this release: git fetch {remote} && git switch {branch}, or "
                "release another version"
            )
    if not local:
        return asked
    fix = f"push it (git push --atomic {remote} refs/tags/{tag}) or delete it (git tag -d {tag})"
    if asked:
        raise GitError(
            f"tag {tag} already exists in this repository but not on {remote} (asked just now), "
            f"so it was never published and {tag} is still free — {fix}"
        )
    why = "--offline" if not check_remote else f"no remote named {remote}"
    raise GitError(
        f"tag {tag} already exists in this repository; published tags are immutable, but "
        f"{remote} was not asked ({why}), so releasekit cannot tell whether {tag} was published "
        f"— if `git ls-remote --tags {remote} {tag}` lists it, release the next patch instead "
        f"of reusing {tag}; if not, {fix}"
    )


def changelog_edits(config: Config, requested: str, today: dt.date) -> tuple[FileEdit, ...]:
    """changelog.release's edit when a changelog is configured (version resolved as bump does)."""
    if config.changelog is None:
        return ()
    from ..changelog.releasing import release_changelog

    version = plan_bump(
        config.root, config.version_files, requested, today=today,
        prerelease_token=config.prerelease_token,
    ).new_version  # fmt: skip
    edit = release_changelog(
        config.root, config.changelog.path, str(version), today=today, tag_format=config.tag_format
    )
    return (edit,)


def plan_prepare(
    config: Config,
    requested: str,
    *,
    today: dt.date,
    check_remote: bool = True,
    extra_edits: Sequence[FileEdit] = (),
) -> PreparePlan:
    """Check the preconditions and compute the bump for a release branch.

    Raises:
        GitError: not on the main branch, a dirty tree, an existing branch or tag.
        ReleaseError: the bump is invalid or there is nothing to change.
    """
    root = config.root
    branch_now = git.current_branch(root)
    if branch_now != config.main_branch:
        raise GitError(
            f"release.prepare starts from {config.main_branch}, but HEAD is "
            f"{'detached' if branch_now is None else 'on ' + branch_now}; "
            f"run: git switch {config.main_branch} && git pull"
        )
    dirty = git.dirty_paths(root)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise GitError(f"the work tree is not clean ({shown}); commit or stash first")
    bump = plan_bump(
        root, config.version_files, requested, today=today, prerelease_token=config.prerelease_token
    )
    tag = render_tag(config.tag_format, bump.new_version)
    branch = config.release_branch.replace("{tag}", tag).replace("{version}", str(bump.new_version))
    if git.branch_exists(root, branch):
        raise GitError(f"branch {branch} already exists; delete it or finish that release first")
    pushed = git.remote_branches(root, branch)
    if pushed:  # someone prepared this release already; a second branch would diverge from it
        raise GitError(
            f"branch {branch} already exists on the remote ({pushed[0]}); finish that release "
            f"(git switch {branch}) or release another version"
        )
    remote_checked = ensure_tag_free(config, tag, check_remote=check_remote, branch=branch)
    bumped = {edit.real_path: edit for edit in bump.edits}
    for extra in extra_edits:
        if extra.real_path in bumped:
            # Both were computed from the same bytes; writing both would silently lose one.
            raise TargetError(
                f"{extra.path} is both a version_files target and rewritten by the changelog "
                f"release; remove its version_files entry from {config.where()} (the changelog "
                "release writes the new version there), or keep the version in another file"
            )
    edits = (*bump.edits, *extra_edits)
    if not edits:
        raise ReleaseError(
            f"every version file already says {bump.new_version}; nothing to prepare"
        )
    subject = config.commit_message.replace("{tag}", tag).replace(
        "{version}", str(bump.new_version)
    )
    body = "\n".join(f"- Update {edit.path}" for edit in edits)
    return PreparePlan(tag, branch, f"{subject}\n\n{body}\n", bump, edits, remote_checked)


def apply_prepare(config: Config, plan: PreparePlan) -> str:
    """Create the branch, write the edits and commit, as one transaction.

    Any failure after the branch exists (a commit hook that fails, perhaps after reformatting
    files; a failed commit; SIGINT/SIGTERM/SIGHUP, which are deferred to the next consistent
    point) puts back the original files, returns to the main branch and deletes the release
    branch; the error says exactly what was restored. After a SIGKILL the journal records the
    same, and the next releasekit command does it.

    Returns:
        The sha of the prepare commit.
    """
    root = config.root
    tree = work_tree(root)
    undo = BranchUndo(config.main_branch, git.resolve_commit(root, "HEAD"), plan.branch)
    # git add through the real paths: a changelog reached through CHANGELOG.md -> docs/... is
    # committed as docs/..., and the link stays as it is (no typechange).
    paths = [str(confine(root, edit.real_path)) for edit in plan.edits]
    txn = Transaction(
        root,
        plan.edits,
        branch=undo,
        force_rollback=True,  # the tree was clean: whatever a hook did to these files goes too
        on_rollback=lambda: undo_branch(tree, undo, restore_others=True),
    )
    try:
        with interrupts.deferred(), txn:
            git.create_branch(root, plan.branch)
            failpoint("prepare:branch")
            interrupts.check()
            txn.apply()
            sha = git.commit_paths(root, paths, plan.message, signoff=config.signoff)
            interrupts.check()
    except Interrupted as exc:
        if not exc.detail and txn.committed:
            exc.detail = f"it came after the prepare commit; {plan.branch} is complete"
        raise
    return sha
