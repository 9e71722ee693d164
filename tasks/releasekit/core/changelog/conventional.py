"""Conventional Commits from git history, grouped into releases by their tags.

The history is read with one ``git log`` walk (:mod:`.commits`) and the tags with one
``git for-each-ref`` call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import semver

from ..common import git
from ..common.errors import GitError
from ..common.process import Started, run
from ..tags.schemes import TagScheme
from ..versioning.versions import precedence
from .commits import Commit, read_log

_FIELD = "\x1f"  # for-each-ref fields: a refname cannot hold a control character


@dataclass(frozen=True)
class ReleaseTag:
    """A tag that spells a release under ``tag_format``."""

    name: str
    version: semver.Version
    commit: str
    date: str
    object: str = ""  # the tag object's id (annotated), else the commit's: the ref's target


@dataclass(frozen=True)
class Release:
    """The commits of one release (``version`` None: Unreleased), newest first."""

    version: semver.Version | None
    tag: str | None
    date: str | None
    previous_tag: str | None = None
    commits: tuple[Commit, ...] = field(default=())  # the commits kept (see group_releases)
    total: int = 0  # every commit of the release, kept or not


def release_tags(root: Path, tag_format: str) -> list[ReleaseTag]:
    """Every release tag, highest SemVer first (one ``git for-each-ref`` call).

    Tags that do not parse under ``tag_format`` (``volumes/csi-wrapper/v0.7.0``) are ignored.
    Whether a tag is reachable from HEAD is left to the caller: the history walk sees it.
    """
    out = git.git(root, "for-each-ref", f"--format={TAG_REF_FORMAT}", "refs/tags")
    return release_tags_of(out.splitlines(), tag_format, root)


# refname, object, peeled object (annotated tags), creator date, the peeled object's type (a
# tag of a tag peels to another tag: one more call finds its commit); refnames hold no \x1f.
TAG_REF_FORMAT = (
    "%(refname)%1f%(objectname)%1f%(*objectname)%1f%(creatordate:short)%1f%(*objecttype)"
)


def release_tags_of(lines: Iterable[str], tag_format: str, root: Path) -> list[ReleaseTag]:
    """The release tags among ``for-each-ref --format=TAG_REF_FORMAT`` lines, highest first."""
    found: list[ReleaseTag] = []
    lines = list(lines)
    if not lines:
        return found
    scheme = TagScheme(tag_format)  # compiled once, not per tag (parse_tag builds one per call)
    nested: list[str] = []
    for line in lines:
        ref, obj, peeled, date, inner = line.split(_FIELD)
        if not ref.startswith("refs/tags/"):
            continue
        name = ref[len("refs/tags/") :]
        parsed = scheme.parse(name)
        version = parsed.version if parsed is not None else None
        if isinstance(version, semver.Version):
            found.append(ReleaseTag(name, version, peeled or obj, date, obj))
            if inner == "tag":
                nested.append(name)
    if nested:  # git's "nested tags" (`git tag -a v2.1.0 build-7`): the commit, not the tag
        commits = git.peel_nested(root, nested)
        found = [replace(t, commit=commits[t.name]) if t.name in commits else t for t in found]
    found.sort(key=lambda t: precedence(t.version), reverse=True)
    return found


def prepare_pattern(commit_message: str) -> re.Pattern[str]:
    """The subject of release.prepare's commit as a regex (``chore: prepare {tag} release``)."""
    subject = commit_message.splitlines()[0] if commit_message.strip() else commit_message
    escaped = re.escape(subject)
    for placeholder in ("{tag}", "{version}"):
        escaped = escaped.replace(re.escape(placeholder), r"\S+")
    return re.compile(escaped)


def group_releases(
    commits: Iterable[Commit],
    tags: Sequence[ReleaseTag],
    *,
    since: ReleaseTag | None = None,
    keep: Callable[[Commit], bool] | None = None,
) -> list[Release]:
    """Split commits (newest first) at release tags: Unreleased first, then highest SemVer first.

    Args:
        since: the tag the range started at (only Unreleased is wanted); it becomes
            Unreleased's previous tag.
        keep: which commits to hold on to; the others are only counted (so 100k commits of
            history do not stay in memory for a changelog that shows 60k).
    """
    return releases_of(list(walk_groups(commits, tags, keep=keep)), since=since)


def walk_groups(
    commits: Iterable[Commit],
    tags: Sequence[ReleaseTag],
    *,
    keep: Callable[[Commit], bool] | None = None,
) -> Iterator[Group]:
    """The commits (newest first) cut at release tags, in walk order: Unreleased's group first
    (empty when a tag is on the first commit), each group as soon as the walk has left it."""
    by_commit: dict[str, ReleaseTag] = {}
    for tag in tags:  # highest first, so the highest tag on a commit wins
        by_commit.setdefault(tag.commit, tag)
    current: Group = (None, [], [0])
    for commit in commits:
        at = by_commit.get(commit.sha)
        if at is not None:
            yield current
            current = (at, [], [0])
        current[2][0] += 1
        if keep is None or keep(commit):
            current[1].append(commit)
    yield current


def releases_of(groups: Sequence[Group], *, since: ReleaseTag | None = None) -> list[Release]:
    """The releases of :func:`walk_groups`' groups: Unreleased, then highest SemVer first, each
    with the next lower one as its previous tag (the last: ``since``)."""
    ordered = [groups[0], *sorted(groups[1:], key=_tag_version, reverse=True)]
    return [
        release_of(group, ordered[index + 1][0] if index + 1 < len(ordered) else since)
        for index, group in enumerate(ordered)
    ]


def release_of(group: Group, older: ReleaseTag | None) -> Release:
    """The release of one group, ``older`` its previous tag."""
    start, items, count = group
    return Release(
        start.version if start else None,
        start.name if start else None,
        start.date if start else None,
        older.name if older else None,
        tuple(items),
        count[0],
    )


Group = tuple[ReleaseTag | None, list[Commit], list[int]]  # (tag, kept commits, [count])


def _tag_version(group: Group) -> tuple[int, int, int, semver.Version]:
    assert group[0] is not None  # every group after Unreleased starts at a tag
    return precedence(group[0].version)


def read_releases(
    root: Path,
    tag_format: str,
    *,
    everything: bool,
    keep: Callable[[Commit], bool] | None = None,
    log: Started | None = None,
) -> list[Release]:
    """Unreleased (commits since the newest release tag), or with ``everything`` every release
    (``log``: commits.start_log of ``root``, if the caller started it).

    Raises:
        GitError: the repository has no commits.
    """
    if everything:
        tags = every_release_tag(root, tag_format)
        return group_releases(read_log(root, "HEAD", started=log), tags, keep=keep)
    tags, shallow = _head_tags(root, tag_format)
    latest = next((t for t in tags if _is_ancestor(root, t.commit)), None)
    if latest is None:
        if shallow:  # the last release tag may lie beyond the clone's depth
            raise GitError(_shallow_message(root, "no release tag is in the fetched history"))
        return group_releases(read_log(root, "HEAD"), (), keep=keep)[:1]
    commits = read_log(root, f"{latest.commit}..HEAD")
    return group_releases(commits, (), since=latest, keep=keep)[:1]


def every_release_tag(root: Path, tag_format: str) -> list[ReleaseTag]:
    """:func:`release_tags`, for a changelog of every release (``read_log(root, "HEAD")``).

    Raises:
        GitError: the repository has no commits, or is a shallow clone.
    """
    tags, shallow = _head_tags(root, tag_format)
    if shallow:
        raise GitError(_shallow_message(root, "every release needs the whole history"))
    return tags


def _head_tags(root: Path, tag_format: str) -> tuple[list[ReleaseTag], bool]:
    """The release tags and whether the clone is shallow, once HEAD is known to exist."""
    head = run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"], check=False)
    if head.returncode != 0:
        raise GitError(f"{root} has no commits yet; commit something before generating a changelog")
    return release_tags(root, tag_format), git.is_shallow(root)


def _shallow_message(root: Path, why: str) -> str:
    return (
        f"{root} is a shallow clone and {why}, so the changelog would be wrong; fetch the "
        "history and tags (`git fetch --tags --unshallow`, or actions/checkout with "
        "fetch-depth: 0)"
    )


def _is_ancestor(root: Path, commit: str) -> bool:
    # Usually the first (highest) tag is reachable, so this runs once; a tag on an unmerged
    # branch (a hotfix line) costs one more call.
    argv = ["git", "-C", str(root), "merge-base", "--is-ancestor", commit, "HEAD"]
    return run(argv, check=False).returncode == 0
