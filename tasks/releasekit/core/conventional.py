"""Conventional Commits from git history, grouped into releases by their tags.

The history is read with one ``git log`` call and the tags with one ``git for-each-ref``
call; no per-commit process or object lookup, so 100k commits stay close to git's own speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import semver

from . import git
from .errors import GitError
from .process import run
from .tags import parse_tag

# type(scope)!: description — scopes may hold "/", "-", "," and spaces, not parentheses.
_HEADER_RE = re.compile(
    r"(?P<type>[A-Za-z][\w-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?:[ \t]+(?P<desc>\S.*)"
)
_BREAKING_FOOTER_RE = re.compile(r"^BREAKING[ -]CHANGE:[ \t]*(?P<text>.*)$", re.MULTILINE)
_PR_RE = re.compile(r"\(#(\d+)\)")
# A footer line (git-trailer style, "Token: value" or "Token #value") ends a breaking description.
_FOOTER_LINE_RE = re.compile(r"[\w-]+(?:: | #)|BREAKING[ -]CHANGE:")
_FIELD = "\x1f"
_RECORD = "\x1e"
_TRAILER = "\x1d"
# One record per commit: sha, parents, committer date, author, trailers (git's own parser), message.
LOG_FORMAT = "%x1e%H%x1f%P%x1f%cs%x1f%an%x1f%(trailers:unfold,separator=%x1d)%x1f%B"


@dataclass(frozen=True)
class Message:
    """What a commit message says under the Conventional Commits grammar."""

    type: str | None  # lower-cased; None when the subject is not conventional
    scope: str | None
    description: str  # the text after "type(scope): ", or the whole subject
    body: str
    breaking: bool
    breaking_description: str | None
    prs: tuple[int, ...]

    @property
    def conventional(self) -> bool:
        return self.type is not None


def parse_message(message: str) -> Message:
    """Parse ``type(scope)!: description``, its body and ``BREAKING CHANGE:`` footers."""
    subject, _, body = message.strip("\n").partition("\n")
    subject = subject.strip()
    body = body.strip("\n")
    prs = tuple(int(n) for n in _PR_RE.findall(subject))
    match = _HEADER_RE.fullmatch(subject)
    footer = _BREAKING_FOOTER_RE.search(body)
    breaking_text = None
    if footer is not None:
        continuation = []
        for line in body[footer.end() :].split("\n\n", 1)[0].splitlines():
            if _FOOTER_LINE_RE.match(line):
                break
            if line.strip():
                continuation.append(line.strip())
        breaking_text = " ".join([footer.group("text").strip(), *continuation]).strip() or None
    if match is None:
        return Message(None, None, subject, body, footer is not None, breaking_text, prs)
    scope = (match.group("scope") or "").strip() or None
    return Message(
        match.group("type").lower(),
        scope,
        match.group("desc").strip(),
        body,
        match.group("bang") is not None or footer is not None,
        breaking_text,
        prs,
    )


@dataclass(frozen=True)
class Commit:
    """One commit of the history with its parsed message."""

    sha: str
    parents: tuple[str, ...]
    date: str
    author: str
    subject: str
    message: Message
    trailers: tuple[tuple[str, str], ...] = ()

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class ReleaseTag:
    """A tag that spells a release under ``tag_format``."""

    name: str
    version: semver.Version
    commit: str
    date: str


@dataclass(frozen=True)
class Release:
    """The commits of one release (``version`` None: Unreleased), newest first."""

    version: semver.Version | None
    tag: str | None
    date: str | None
    previous_tag: str | None = None
    commits: tuple[Commit, ...] = field(default=())


def release_tags(root: Path, tag_format: str, rev: str = "HEAD") -> list[ReleaseTag]:
    """The release tags reachable from ``rev``, highest SemVer first (one for-each-ref call).

    Tags that do not parse under ``tag_format`` (``volumes/csi-wrapper/v0.7.0``) are ignored.
    """
    out = git.git(
        root,
        "for-each-ref",
        f"--merged={rev}",
        "--format=%(refname:strip=2)%1f%(objectname)%1f%(*objectname)%1f%(creatordate:short)",
        "refs/tags",
    )
    found = []
    for line in out.splitlines():
        name, obj, peeled, date = line.split(_FIELD)
        version = parse_tag(tag_format, name)
        if version is not None:
            found.append(ReleaseTag(name, version, peeled or obj, date))
    found.sort(key=lambda t: t.version, reverse=True)
    return found


def parse_log(output: str) -> list[Commit]:
    """Commits from ``git log --format=LOG_FORMAT`` output."""
    commits = []
    for record in output.split(_RECORD)[1:]:
        sha, parents, date, author, trailers, message = record.split(_FIELD, 5)
        subject = message.split("\n", 1)[0].strip()
        pairs = []
        for item in trailers.split(_TRAILER):
            key, sep, value = item.partition(":")
            if sep:
                pairs.append((key.strip(), value.strip()))
        commits.append(
            Commit(
                sha,
                tuple(parents.split()),
                date,
                author,
                subject,
                parse_message(message),
                tuple(pairs),
            )
        )
    return commits


def read_log(root: Path, *revs: str) -> list[Commit]:
    """Every commit of ``git log --topo-order revs`` in one call, newest first."""
    if run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"], check=False).returncode:
        raise GitError(f"{root} has no commits yet; commit something before generating a changelog")
    return parse_log(git.git(root, "log", "--topo-order", f"--format={LOG_FORMAT}", *revs, "--"))


def prepare_pattern(commit_message: str) -> re.Pattern[str]:
    """The subject of release.prepare's commit as a regex (``chore: prepare {tag} release``)."""
    subject = commit_message.splitlines()[0] if commit_message.strip() else commit_message
    escaped = re.escape(subject)
    for placeholder in ("{tag}", "{version}"):
        escaped = escaped.replace(re.escape(placeholder), r"\S+")
    return re.compile(escaped)


def group_releases(
    commits: Iterable[Commit], tags: Sequence[ReleaseTag], *, since: ReleaseTag | None = None
) -> list[Release]:
    """Split commits (newest first) at release tags: Unreleased first, then highest SemVer first.

    Args:
        since: the tag the range started at (only Unreleased is wanted); it becomes
            Unreleased's previous tag.
    """
    by_commit: dict[str, ReleaseTag] = {}
    for tag in tags:  # highest first, so the highest tag on a commit wins
        by_commit.setdefault(tag.commit, tag)
    current: tuple[ReleaseTag | None, list[Commit]] = (None, [])
    groups: list[tuple[ReleaseTag | None, list[Commit]]] = [current]
    for commit in commits:
        at = by_commit.get(commit.sha)
        if at is not None:
            current = (at, [])
            groups.append(current)
        current[1].append(commit)
    ordered = [groups[0], *sorted(groups[1:], key=_tag_version, reverse=True)]
    releases = []
    for index, (start, items) in enumerate(ordered):
        older = ordered[index + 1][0] if index + 1 < len(ordered) else since
        releases.append(
            Release(
                start.version if start else None,
                start.name if start else None,
                start.date if start else None,
                older.name if older else None,
                tuple(items),
            )
        )
    return releases


def _tag_version(group: tuple[ReleaseTag | None, list[Commit]]) -> semver.Version:
    assert group[0] is not None  # every group after Unreleased starts at a tag
    return group[0].version


def read_releases(root: Path, tag_format: str, *, everything: bool) -> list[Release]:
    """Unreleased (commits since the newest release tag), or with ``everything`` every release.

    Raises:
        GitError: the repository has no commits.
    """
    head = run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"], check=False)
    if head.returncode != 0:
        raise GitError(f"{root} has no commits yet; commit something before generating a changelog")
    tags = release_tags(root, tag_format)
    if everything or not tags:
        return group_releases(read_log(root, "HEAD"), tags)
    latest = tags[0]
    commits = read_log(root, f"{latest.commit}..HEAD")
    return group_releases(commits, (), since=latest)[:1]
