"""The steps a release is made of: each a check over :class:`.state.Facts` and an apply that
reuses the task's own core (release.prepare, --open-pr, release.tag, release.go-tag,
release.publish; the registry's steps are in :mod:`.registry_steps`, the artifacts and notes in
:mod:`.artifact_steps`, pins, unpin, citation and manifest in :mod:`.post_steps`). A check
never changes anything but a fetched ref.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.errors import CommandError, ConfigError, ConfinementError, GitError, ReleaseError
from . import artifact_steps as artifacts
from . import post_steps as post
from .registry_steps import apply_promote, check_charts, check_images, check_promote
from .state import Facts, State, Step, Unreachable

if TYPE_CHECKING:
    from ..forge.client import PullRequest
    from ..versioning.prepare import PreparePlan

# --- prepare: the release branch with the bump in one commit -------------------------------


def check_prepare(f: Facts) -> State:
    _need_changelog(f)  # a config error is unknown, not a todo that refuses
    if f.tag in f.remote_tags():
        return State("done", f"{f.tag} is already on {f.remote}")
    if f.merged():
        return State("done", f"{f.prepare_subject!r} is merged into {f.remote}/{f.cfg.main_branch}")
    tip = f.branch_tip()
    if tip is not None:
        if f.carries_prepare(tip):
            return State("done", f"branch {f.branch} at {tip[:12]} holds {f.prepare_subject!r}")
        return State("conflict", f"branch {f.branch} exists at {tip[:12]} without "
                     f"{f.prepare_subject!r}; finish it by hand or delete it (git branch -D {f.branch})")  # fmt: skip
    try:
        plan = _plan_prepare(f)
    except ReleaseError as exc:
        return State("todo", f"no branch {f.branch} yet, and release.prepare refuses now: {exc}")
    files = ", ".join(e.path for e in plan.edits)
    return State("todo", f"no branch {f.branch} yet",
                 plan=(f"create {plan.branch} from {f.cfg.main_branch}", f"update {files}",
                       f"commit: {f.prepare_subject}"))  # fmt: skip


def _need_changelog(f: Facts) -> None:
    proc = f.cfg.procedure
    if proc is not None and proc.kind == "changelog-driven" and f.cfg.changelog is None:
        raise ConfigError(f"{f.cfg.where()}: the changelog-driven procedure moves the Unreleased "
                          "entries into the release's section in the prepare commit; add "
                          "changelog: {path: CHANGELOG.md}")  # fmt: skip


def _plan_prepare(f: Facts) -> PreparePlan:
    from ..versioning.prepare import changelog_edits, plan_prepare

    _need_changelog(f)
    extra = changelog_edits(f.cfg, f.version, f.today)
    return plan_prepare(f.cfg, f.version, today=f.today, check_remote=True, extra_edits=extra)


def apply_prepare(f: Facts) -> list[str]:
    from ..versioning.prepare import apply_prepare as commit

    plan = _plan_prepare(f)
    sha = commit(f.cfg, plan)
    return [f"created {plan.branch} with {sha[:12]} {f.prepare_subject}"]


# --- pull-request: the branch pushed and its pull request open -------------------------------


def check_pull_request(f: Facts) -> State:
    if f.tag in f.remote_tags() or f.merged():
        return State("done", f"merged into {f.remote}/{f.cfg.main_branch}")
    pull = _find_pull(f)
    if pull is not None:
        return State("done", f"pull request #{pull.number} is open: {pull.url}")
    return State("todo", f"no pull request for {f.branch}",
                 plan=(f"git push {f.remote} {f.branch}",
                       f"open a pull request {f.branch} -> {f.cfg.main_branch}"))  # fmt: skip


def _find_pull(f: Facts) -> PullRequest | None:
    try:
        return f.forge().find_pull(f.branch, f.cfg.main_branch)
    except CommandError as exc:
        raise Unreachable(
            f"cannot ask the forge for the pull request of {f.branch} ({exc})"
        ) from None


def apply_pull_request(f: Facts) -> list[str]:
    from ..forge.run import open_pull_request

    return open_pull_request(f.cfg, f.branch)


# --- merge: a human reviews and merges -------------------------------------------------------


def check_merge(f: Facts) -> State:
    if f.tag in f.remote_tags():
        return State("done", f"{f.tag} is already on {f.remote}")
    merged = f.merged()
    if merged:
        return State(
            "done", f"{f.remote}/{f.cfg.main_branch} at {merged[:12]} holds the prepare commit"
        )
    pull = _find_pull(f)
    if pull is None:
        return State("todo", "no pull request to review yet (the pull-request step opens it)")
    return State(
        "waiting", f"pull request #{pull.number} waits for review and merge", watch=pull.url
    )


# --- tag: the annotated release tag, pushed ---------------------------------------------------


def check_tag(f: Facts) -> State:
    remote = f.remote_tags().get(f.tag)
    local = f.local_tag(f.tag)
    if remote is not None:
        if local is not None and local != remote:
            return State("conflict", f"{f.tag} is on {remote[:12]} on {f.remote} but on "
                         f"{local[:12]} here; published tags are immutable — delete the local "
                         f"one (git tag -d {f.tag}) and fetch it")  # fmt: skip
        if "prepare" in f.steps and not f.carries_prepare(remote):
            return State("conflict", f"{f.tag} on {f.remote} points at {remote[:12]}, which does "
                         f"not hold {f.prepare_subject!r}; published tags are immutable — "
                         "release the next patch (release.supersede)")  # fmt: skip
        return State("done", f"{f.tag} is on {f.remote} at {remote[:12]}")
    if local is not None:
        if "prepare" in f.steps and not f.carries_prepare(local):
            return State("conflict", f"{f.tag} was made here at {local[:12]}, which does not "
                         f"hold {f.prepare_subject!r}; it is not on {f.remote} yet — delete it "
                         f"(git tag -d {f.tag}) and run again")  # fmt: skip
        return State("todo", f"{f.tag} was made here at {local[:12]} but is not on {f.remote}",
                     plan=(f"git push --atomic {f.remote} refs/tags/{f.tag}",))  # fmt: skip
    target = _tag_target(f)
    if target is None:
        return State("todo", f"{f.tag} waits for the merge into {f.cfg.main_branch}")
    return State("todo", f"{f.tag} is not on {f.remote}",
                 plan=(f"tag {f.tag} on {target[:12]} ({_target_name(f)})",
                       f"git push --atomic {f.remote} refs/tags/{f.tag}"))  # fmt: skip


def _tag_target(f: Facts) -> str | None:
    """The commit to tag: the merged main on the remote, or (no prepare step) HEAD."""
    if "prepare" in f.steps or "merge" in f.steps:
        return f.merged()
    from ..common.git import resolve_commit

    return resolve_commit(f.cfg.root, "HEAD")


def _target_name(f: Facts) -> str:
    merged = "prepare" in f.steps or "merge" in f.steps
    return f"{f.remote}/{f.cfg.main_branch}" if merged else "HEAD"


def apply_tag(f: Facts) -> list[str]:
    from ..tags.tagging import create_and_push, plan_release_tag, push_atomic

    local = f.local_tag(f.tag)
    if local is not None:
        push_atomic(f.cfg, f.remote, [f.tag], local)
        return [f"pushed {f.tag} ({local[:12]}) to {f.remote}"]
    target = _tag_target(f)
    if target is None:
        raise GitError(f"{f.tag} has nothing to point at: {f.cfg.main_branch} on {f.remote} does "
                       f"not hold {f.prepare_subject!r} yet")  # fmt: skip
    parts = _tag_parts(f)
    plan = plan_release_tag(f.cfg, f.version, ref=target, push=True, parts=parts,
                            channel=parts.pop("channel", None))  # fmt: skip
    if plan.tag != f.tag:  # the scheme spells it otherwise: never push a tag nobody asked for
        raise GitError(f"{f.tag} is spelled {plan.tag} by tag_format; pass --tag {plan.tag}")
    create_and_push(
        f.cfg, [plan.tag], plan.commit, remote=f.remote, message=plan.message, sign=plan.sign
    )
    return [f"tagged {plan.tag} on {plan.commit[:12]} and pushed it to {f.remote}"]


def _tag_parts(f: Facts) -> dict[str, str]:
    from ..notes.run import scheme_of

    parts = dict(scheme_of(f.cfg).require(f.tag).parts)
    parts.pop("version", None)
    return parts


# --- go-tag: every Go module's tag, in dependency order --------------------------------------


def _go_tags(f: Facts) -> tuple[str, list[str]] | None:
    """The release tag's commit and every module tag it needs, dependencies first (None: the
    release tag is not made yet)."""
    from ..tags.config import tags_config
    from ..tags.gomodules import check_major, find_modules, order_modules
    from ..versioning.versions import parse_version

    commit = f.remote_tags().get(f.tag) or f.local_tag(f.tag)
    if commit is None:
        return None
    settings = tags_config(f.cfg)
    modules = order_modules(find_modules(f.cfg.root, settings.go_include, settings.go_exclude,
                                         commit=commit))  # fmt: skip
    if not modules:
        raise GitError(f"no Go modules at {f.tag}: git tracks no go.mod there that "
                       "tags.go_modules.include/exclude select")  # fmt: skip
    check_major(modules, parse_version(f.tag))
    return commit, [m.tag(f.tag) for m in modules if m.tag(f.tag) != f.tag]


def check_go_tag(f: Facts) -> State:
    found = _go_tags(f)
    if found is None:
        return State("todo", f"the Go module tags wait for {f.tag}")
    commit, tags = found
    remote = f.remote_tags()
    elsewhere = [
        t for t in tags if remote.get(t, commit) != commit or f.local_tag(t) not in (None, commit)
    ]
    if elsewhere:
        where = remote.get(elsewhere[0]) or f.local_tag(elsewhere[0]) or ""
        return State("conflict", f"{elsewhere[0]} is on {where[:12]}, not on {f.tag}'s commit "
                     f"{commit[:12]}; published tags are immutable — release the next patch")  # fmt: skip
    missing = [t for t in tags if t not in remote]
    if not missing:
        return State("done", f"{len(tags)} module tags on {commit[:12]}")
    return State("todo", f"{len(missing)} of {len(tags)} module tags not on {f.remote}",
                 plan=(*(f"tag {t} on {commit[:12]}" for t in missing if f.local_tag(t) is None),
                       f"git push --atomic {f.remote} " + " ".join(f"refs/tags/{t}" for t in missing)))  # fmt: skip


def apply_go_tag(f: Facts) -> list[str]:
    from ..tags.tagging import create_and_push, push_atomic

    found = _go_tags(f)
    if found is None:
        raise GitError(f"{f.tag} is not made yet; the Go module tags go on its commit")
    commit, tags = found
    missing = [t for t in tags if t not in f.remote_tags()]
    new = [t for t in missing if f.local_tag(t) is None]
    create_and_push(f.cfg, new, commit, remote=None, message=None, sign=False)
    push_atomic(f.cfg, f.remote, missing, commit)
    return [f"pushed {', '.join(missing)}"]


# --- publish: the forge release with its notes and assets ------------------------------------


def check_publish(f: Facts) -> State:
    from ..forge.publish import asset_matches, find_release
    from ..forge.run import release_assets

    try:
        release = find_release(f.forge(), f.tag)
        try:
            assets = release_assets(f.cfg, f.tag, "")
        except ConfinementError as exc:  # a link out of the tree or into .git: no build fixes it
            return State("conflict", str(exc))
        except ReleaseError as exc:  # not built yet: the tag's workflow (or you) builds them
            if release is None and f.tag not in f.remote_tags():
                return State("todo", f"no release {f.tag} yet; its assets are not built ({exc})")
            return State("waiting", f"the assets of {f.tag} are not built yet ({exc})",
                         watch=f.watch_workflow())  # fmt: skip
        remote = {a.name: a for a in f.forge().list_assets(release)} if release else {}
        different = [a.name for a in assets
                     if a.name in remote and not asset_matches(f.forge(), remote[a.name], a)]  # fmt: skip
    except CommandError as exc:
        raise Unreachable(f"cannot ask the forge for release {f.tag} ({exc})") from None
    if different and release is not None and not release.draft:
        return State("conflict", f"release {f.tag} holds {different[0]} with other bytes than the "
                     "local file; published assets are immutable — release the next patch")  # fmt: skip
    missing = [a.name for a in assets if a.name not in remote]
    if release is None:
        return State("todo", f"no release {f.tag} on the forge",
                     plan=(f"create release {f.tag} with its notes", *(f"upload {a.name}" for a in assets)))  # fmt: skip
    if release.draft or missing or different:
        return State("todo", f"release {f.tag} is {'a draft' if release.draft else 'published'}"
                     + (f", {len(missing)} assets to upload" if missing else ""),
                     plan=tuple(f"upload {n}" for n in missing) + (("publish it",) if release.draft else ()))  # fmt: skip
    return State("done", f"release {f.tag} is published with {len(assets)} assets")


def apply_publish(f: Facts) -> list[str]:
    from ..common.confine import confine
    from ..forge.run import publish_release

    proc = f.cfg.procedure
    if proc is not None and proc.notes:
        path = proc.notes.replace("{tag}", f.tag).replace("{version}", f.version)
        # repository content: a link leading out (a runner's credentials) is never published
        notes = str(confine(f.cfg.root, path, what="procedure.notes file"))
        return publish_release(f.cfg, f.tag, notes_file=notes)[0].steps
    if proc is not None and proc.kind == "changelog-driven":  # the notes step's text: the
        # changelog section in its outline, not notes.outline's
        return publish_release(f.cfg, f.tag, notes=artifacts.generated_notes(f).text)[0].steps
    return publish_release(f.cfg, f.tag)[0].steps


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("prepare", "release branch with the version bump", check_prepare, apply_prepare),
        Step(
            "pull-request",
            "branch pushed, pull request open",
            check_pull_request,
            apply_pull_request,
        ),
        Step("merge", "pull request reviewed and merged", check_merge),
        Step("tag", "release tag on the merged commit, pushed", check_tag, apply_tag),
        Step("go-tag", "Go module tags in dependency order", check_go_tag, apply_go_tag),
        Step("images", "images published by the release workflow", check_images),
        Step(
            "promote",
            "the tested build promoted to the release tags by digest",
            check_promote,
            apply_promote,
        ),
        Step("charts", "published charts pulled back, rendered and checked", check_charts),
        Step(
            "assets",
            "release files present, sha256 as the checksums file says",
            artifacts.check_assets,
        ),
        Step("signatures", "Sigstore bundles and attestations verify", artifacts.check_signatures),
        Step(
            "notes",
            "release notes written in the outline",
            artifacts.check_notes,
            artifacts.apply_notes,
        ),
        Step(
            "pins",
            "the release's image pins on the release branch",
            post.check_pins,
            post.apply_pins,
        ),
        Step(
            "manifest",
            "the suite release manifest written",
            post.check_manifest,
            post.apply_manifest,
        ),
        Step("publish", "forge release with notes and assets", check_publish, apply_publish),
        Step(
            "unpin",
            "development values back on main after the release",
            post.check_unpin,
            post.apply_unpin,
        ),
        Step(
            "citation",
            "CITATION.cff cites the release on main",
            post.check_citation,
            post.apply_citation,
        ),
    )
}
