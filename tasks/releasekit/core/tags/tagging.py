"""Release tags done safely: create, push atomically, list, and delete only what was never pushed.

Published is immutable (seeds 001, 004): nothing here moves, deletes or force-pushes a tag
that exists on a remote. A tag that is taken is refused with the next free patch version.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..common import git
from ..common.errors import CommandError, ConfigError, GitError, UsageError
from ..common.network import NetworkTimeout, settings
from ..common.starters import STARTER_DOCS
from ..config import Config
from .config import tags_config
from .schemes import (
    CalVer,
    Channel,
    ParsedTag,
    TagScheme,
    Version,
    check_channel,
    next_patch,
    parse_any_version,
)


def release_scheme(config: Config, tag_format: str | None = None) -> TagScheme:
    """The scheme of the repository's release tags (``tag_format`` + ``tags.versioning``)."""
    versioning = tags_config(config).versioning
    fmt = tag_format if tag_format is not None else config.tag_format
    try:
        return TagScheme(fmt, "calver" if versioning == "calver" else "semver")
    except ConfigError as exc:
        where = "--format" if tag_format is not None else config.where()
        raise ConfigError(f"{where}: {exc}; every key: {STARTER_DOCS}") from None


def render_message(template: str, tag: str, version: Version) -> str:
    return template.replace("{tag}", tag).replace("{version}", str(version))


def next_free(
    scheme: TagScheme, version: Version, parts: Mapping[str, str], taken: Collection[str]
) -> str:
    """The first tag after ``version`` (by patch) that is in none of ``taken``."""
    candidate = next_patch(version)
    while scheme.render(candidate, parts) in taken:
        candidate = next_patch(candidate)
    return scheme.render(candidate, parts)


@dataclass(frozen=True)
class RemoteState:
    """What a remote holds, or why it was not asked."""

    name: str
    tags: Mapping[str, str] | None  # tag -> commit; None when not asked
    reason: str = ""

    @property
    def checked(self) -> bool:
        return self.tags is not None


def read_remote(root_config: Config, remote: str, *, offline: bool, need: bool) -> RemoteState:
    """Ask ``remote`` for its tags (one ``git ls-remote``).

    Args:
        need: the caller will push there, so the remote must exist and answer.

    Raises:
        GitError: the remote is missing or unreachable when it must be asked.
    """
    root = root_config.root
    if offline:
        if need:
            raise UsageError("--offline cannot be combined with pushing (--push, --execute)")
        return RemoteState(remote, None, "--offline")
    if remote not in git.remotes(root):
        if need:
            raise GitError(f"there is no remote named {remote!r}; add it or pass --remote NAME")
        return RemoteState(remote, None, f"no remote named {remote}")
    try:
        return RemoteState(remote, git.remote_tag_commits(root, remote, net=settings(root_config)))
    except CommandError as exc:
        raise GitError(
            f"cannot ask {remote} which tags it has ({exc}); published tags are immutable, so "
            "releasekit checks before tagging: fix the network or remote"
            + ("" if need else ", or pass --offline to skip the check")
        ) from None


def refuse_taken(
    wanted: Sequence[str],
    local: Mapping[str, str],
    remote: RemoteState,
    next_hint: str,
    *,
    commit: str | None = None,
    push_also: Sequence[str] = (),
) -> None:
    """Raise naming every tag of ``wanted`` that exists locally or on the remote.

    A version is burnt only when the remote has one of its tags. Tags that exist only locally
    were never published (a push that failed, say): with the remote asked, the advice is to
    push them (all on ``commit``) or delete them, never to skip the version; with the remote
    not asked, the message says that it cannot tell.

    Args:
        commit: the commit being tagged; enables the advice for local-only tags.
        push_also: tags the retry command must push too (go-tag's kept root tag).
    """
    problems = []
    for tag in wanted:
        where = []
        if tag in local:
            where.append(f"locally on {local[tag][:12]}")
        if remote.tags is not None and tag in remote.tags:
            where.append(f"on {remote.name} at {remote.tags[tag][:12]}")
        if where:
            problems.append(f"{tag} ({' and '.join(where)})")
    if not problems:
        return
    taken = ", ".join(problems)
    published = [t for t in wanted if remote.tags is not None and t in remote.tags]
    if published or commit is None:
        raise GitError(
            f"tag {taken} already exists; published tags are immutable and are "
            f"never moved or re-created — {next_hint}"
        )
    only_local = [t for t in wanted if t in local]
    refs = " ".join(f"refs/tags/{t}" for t in [*wanted, *push_also])
    push = f"git push --atomic {remote.name} {refs}"
    delete = f"git tag -d {' '.join(only_local)}"
    if not remote.checked:
        raise GitError(
            f"tag {taken} already exists locally; {remote.name} was not asked "
            f"({remote.reason}), so releasekit cannot tell whether it was published — "
            f"if `git ls-remote --tags {remote.name}` lists it, {next_hint}; if not, push it "
            f"({push}) or delete it ({delete})"
        )
    if all(local.get(t) == commit for t in wanted):
        raise GitError(
            f"tag {taken} already exists locally but not on {remote.name} (asked just now): "
            "an earlier push did not publish it, so the version is still free — retry the "
            f"push: {push}"
        )
    raise GitError(
        f"tag {taken} already exists locally but not on {remote.name} (asked just now), so it "
        f"was never published — to release the commit it names, push it: {push}; to tag "
        f"{commit[:12]} instead, delete it first: {delete}"
    )


@dataclass(frozen=True)
class TagPlan:
    """One release tag, validated before anything is created."""

    tag: str
    version: Version
    commit: str
    message: str
    sign: bool
    channel: Channel | None
    remote: RemoteState
    push: bool


def plan_release_tag(
    config: Config,
    version_text: str,
    *,
    ref: str = "HEAD",
    parts: Mapping[str, str] | None = None,
    channel: str | None = None,
    sign: bool | None = None,
    message: str | None = None,
    remote: str | None = None,
    push: bool = False,
    offline: bool = False,
) -> TagPlan:
    """Check everything ``release.tag`` needs and resolve the commit once.

    Raises:
        VersionError: the version or channel is not valid for the scheme.
        GitError: the ref is not a commit, or the tag exists locally or on the remote.
    """
    settings = tags_config(config)
    scheme = release_scheme(config)
    version = parse_any_version(scheme.versioning, version_text)
    given = dict(parts or {})
    chosen: Channel | None = None
    if isinstance(version, CalVer) or channel is not None:
        chosen = check_channel(version, channel if channel is not None else settings.channel)
        if "channel" in scheme.parts:
            given["channel"] = chosen
    tag = scheme.render(version, given)
    commit = git.resolve_commit(config.root, ref)
    remote_name = remote if remote is not None else config.remote
    state = read_remote(config, remote_name, offline=offline, need=push)
    local = {r.name: r.commit for r in git.tag_refs(config.root)}
    taken = set(local) | set(state.tags or {})
    hint = f"release {next_free(scheme, version, given, taken)} instead"
    refuse_taken([tag], local, state, hint, commit=commit)
    template = message if message is not None else settings.message
    return TagPlan(
        tag,
        version,
        commit,
        render_message(template, tag, version),
        sign if sign is not None else settings.sign,
        chosen,
        state,
        push,
    )


def create_and_push(
    config: Config,
    tags: Sequence[str],
    commit: str,
    *,
    remote: str | None,
    message: str | None,
    sign: bool,
) -> None:
    """Create ``tags`` on ``commit`` and, with a remote, push them in one atomic push.

    Raises:
        GitError: the push failed; the message says which tags the remote has.
    """
    if not tags:
        return  # a push without refspecs would push the current branch instead
    created: list[str] = []
    try:
        for tag in tags:
            git.create_tag(config.root, tag, commit, message=message, sign=sign)
            created.append(tag)
    except CommandError as exc:
        for tag in created:  # made by this run a moment ago and never pushed
            git.delete_local_tag(config.root, tag)
        raise GitError(f"could not create the tags ({exc}); none were kept") from None
    if remote is not None:
        push_atomic(config, remote, tags, commit)


def push_atomic(config: Config, remote: str, tags: Sequence[str], commit: str) -> None:
    """One ``git push --atomic``; on failure, say what was and was not pushed."""
    net = settings(config)
    try:
        result = git.push_tags_atomic(config.root, remote, tags, net=net)
    except NetworkTimeout as exc:
        detail = str(exc)
    else:
        if result.returncode == 0:
            return
        detail = " ".join((result.stderr or result.stdout).split())[-400:]
    refs = " ".join(f"refs/tags/{t}" for t in tags)
    next_step = (
        f"the tags exist locally on {commit[:12]}; when {remote} is reachable run: "
        f"git push --atomic {remote} {refs}"
    )
    try:
        present = git.remote_tag_commits(config.root, remote, net=net)
        # A tag the remote has on another commit was published by someone else meanwhile:
        # it is not ours, so it is "not pushed", and pushing again can never succeed.
        pushed = [t for t in tags if present.get(t) == commit]
        missing = [t for t in tags if t not in pushed]
        state = (
            f"pushed: {', '.join(pushed) or 'none'}; not pushed: {', '.join(missing) or 'none'} "
            f"(checked {remote} after the failure)"
        )
        taken = [t for t in tags if t in present and present[t] != commit]
        if taken:
            scheme = release_scheme(config)
            for t in taken:
                parsed = scheme.parse(t)
                hint = (
                    f"release {next_free(scheme, parsed.version, parsed.parts, present)} instead"
                    if parsed is not None
                    else "tag the next patch instead"
                )
                state += (
                    f"\n{t} is on {remote} at {present[t][:12]}, not {commit[:12]}: it was "
                    f"published meanwhile and is immutable — {hint}"
                )
            next_step = (
                f"delete the local tag{'s' if len(tags) > 1 else ''}: git tag -d {' '.join(tags)}"
            )
    except CommandError:
        state = (
            f"pushed: unknown, {remote} did not answer afterwards; the push was atomic, "
            f"so {remote} holds all {len(tags)} or none of: {', '.join(tags)} "
            f"(check: git ls-remote --tags {remote})"
        )
    raise GitError(f"git push --atomic {remote} failed: {detail}\n{state}\n{next_step}")


def untag(config: Config, tag: str, *, dry_run: bool = False) -> list[str]:
    """Delete a local tag after proving that no remote has it (only prove it with ``dry_run``).

    Returns:
        The remotes that were asked.

    Raises:
        GitError: the tag does not exist, a remote has it, or a remote cannot be asked.
    """
    root = config.root
    if not git.local_tag_exists(root, tag):
        raise GitError(f"there is no local tag {tag}; nothing to delete")
    asked = []
    for remote in git.remotes(root):
        try:
            # Deleting: a tag that either URL serves was published (the mirror copies it).
            present = git.remote_tag_commits(root, remote, fetch_url_too=True, net=settings(config))
        except CommandError as exc:
            raise GitError(
                f"cannot prove that {remote} does not have {tag} ({exc}); release.untag only "
                "deletes tags that no remote has — retry when the remote answers"
            ) from None
        if tag in present:
            raise GitError(
                f"tag {tag} is published on {remote}; published tags are immutable and "
                "releasekit never deletes them — release the next patch instead"
            )
        split = git.pushes_elsewhere(root, remote)
        asked.append(f"{remote} (push and fetch URLs)" if split else remote)
    if not dry_run:
        git.delete_local_tag(root, tag)
    return asked


@dataclass(frozen=True)
class Release:
    """A release tag in the repository: the parsed tag and the commit it names."""

    parsed: ParsedTag
    commit: str
    annotated: bool


def list_releases(config: Config, tag_format: str | None = None) -> list[Release]:
    """The tags that follow the scheme, newest (highest precedence) first."""
    scheme = release_scheme(config, tag_format)
    refs = {r.name: r for r in git.tag_refs(config.root)}
    return [Release(p, refs[p.tag].commit, refs[p.tag].annotated) for p in scheme.releases(refs)]
