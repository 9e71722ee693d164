"""Conventional Commits from git history, grouped into releases by their tags.

The history is read with one ``git log`` call and the tags with one ``git for-each-ref``
call; no per-commit process or object lookup, so 100k commits stay close to git's own speed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import semver

from ..common import git
from ..common.errors import GitError
from ..common.process import run, stream
from ..tags.schemes import TagScheme

# type(scope)!: description — scopes may hold "/", "-", "," and spaces, not parentheses.
_HEADER_RE = re.compile(r"([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?:[ \t]+(\S.*)")
_BREAKING_FOOTER_RE = re.compile(r"^BREAKING[ -]CHANGE:[ \t]*(?P<text>.*)$", re.MULTILINE)
# At most 9 digits: int() refuses 4,300, and no forge numbers pull requests past a billion.
_PR_RE = re.compile(r"\(#([0-9]{1,9})\)")
# A footer line (git-trailer style, "Token: value" or "Token #value") ends a breaking description.
_FOOTER_LINE_RE = re.compile(r"[\w-]+(?:: | #)|BREAKING[ -]CHANGE:")
_FIELD = "\x1f"  # for-each-ref fields: a refname cannot hold a control character
# One record per commit: sha, parents, committer date, author, trailers (git's own parser, one
# unfolded trailer per line), message — NUL-separated, and `git log -z` ends each record with
# a NUL. A commit message cannot contain NUL (git stops at one), so no message, however
# crafted, can end its field early and forge a commit; any other separator (\x1e, \x1f) can.
LOG_FORMAT = "%H%x00%P%x00%cs%x00%an%x00%(trailers:unfold)%x00%B"
LOG_OPTIONS = ("-z",)
_FIELDS = 6


# Message and Commit are NamedTuples rather than frozen dataclasses: immutable all the same,
# but built three times faster (0.6 µs against 1.7 µs), which matters once per commit of a
# 100k-commit history.


class Message(NamedTuple):
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
    message = message.lstrip("\n")
    commit = _commit("", "", "", "", "", message)
    body = message.partition("\n")[2].strip("\n")
    return Message(
        commit.type,
        commit.scope,
        commit.description,
        body,
        commit.breaking,
        commit.breaking_description,
        commit.prs,
    )


def _commit(sha: str, parents: str, date: str, author: str, trailers: str, message: str) -> Commit:
    """A commit with its message parsed, its fields in ``LOG_FORMAT``'s order. The hot path:
    it runs once per commit of the history (100k: ~2 µs each), so cheap substring tests guard
    every regex, the body is not split out and the tuple is built without NamedTuple's
    Python-level ``__new__``."""
    if message.startswith("\n"):
        message = message.lstrip("\n")
    subject = message.partition("\n")[0].strip()
    prs = tuple(int(n) for n in _PR_RE.findall(subject)) if "(#" in subject else ()
    breaking_text = None
    footer = _BREAKING_FOOTER_RE.search(message) if "BREAKING" in message else None
    if footer is not None and footer.start() == 0:  # the subject line itself is no footer
        footer = _BREAKING_FOOTER_RE.search(message, message.find("\n") + 1 or len(message))
    if footer is not None:
        breaking_text = _breaking_text(footer, message)
    match = _HEADER_RE.fullmatch(subject) if ":" in subject else None
    if match is None:
        return _new(Commit, (sha, parents, date, author, subject, None, None, subject,
                             footer is not None, breaking_text, prs, trailers, message))  # fmt: skip
    kind, scope, bang, description = match.groups()
    return _new(
        Commit,
        (
            sha,
            parents,
            date,
            author,
            subject,
            kind.lower(),
            (scope.strip() or None) if scope else None,
            description.strip(),
            bang is not None or footer is not None,
            breaking_text,
            prs,
            trailers,
            message,
        ),
    )


_new = tuple.__new__


def _breaking_text(footer: re.Match[str], body: str) -> str | None:
    """The footer's text plus its continuation lines, up to a blank line or the next footer."""
    continuation = []
    for line in body[footer.end() :].split("\n\n", 1)[0].splitlines():
        if _FOOTER_LINE_RE.match(line):
            break
        if line.strip():
            continuation.append(line.strip())
    return " ".join([footer.group("text").strip(), *continuation]).strip() or None


class Commit(NamedTuple):
    """One commit of the history with its parsed message (the fields of :class:`Message`)."""

    sha: str
    parents: str  # space-separated, as git prints them
    date: str
    author: str
    subject: str
    type: str | None
    scope: str | None
    description: str
    breaking: bool
    breaking_description: str | None
    prs: tuple[int, ...]
    raw_trailers: str  # git's %(trailers:unfold) output, one trailer per line
    raw_message: str

    @property
    def body(self) -> str:
        """The message after the subject line (split out only for commits that are shown)."""
        return self.raw_message.partition("\n")[2].strip("\n")

    @property
    def is_merge(self) -> bool:
        return " " in self.parents

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def conventional(self) -> bool:
        return self.type is not None

    @property
    def trailers(self) -> tuple[tuple[str, str], ...]:
        """``(key, value)`` pairs as git's trailer parser found them."""
        pairs = []
        for item in self.raw_trailers.split("\n"):
            key, sep, value = item.partition(":")
            if sep:
                pairs.append((key.strip(), value.strip()))
        return tuple(pairs)


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
    found.sort(key=lambda t: t.version, reverse=True)
    return found


def make_commit(
    sha: str, parents: str, date: str, author: str, message: str, trailers: str = ""
) -> Commit:
    """A commit with its message parsed."""
    return _commit(sha, parents, date, author, trailers, message)


def parse_fields(fields: Sequence[str]) -> Iterator[Commit]:
    """Commits from the NUL-separated fields of ``git log -z --format=LOG_FORMAT``, six per
    commit (a partial record at the end is ignored: the caller keeps it for the next chunk)."""
    items = iter(fields[: len(fields) - len(fields) % _FIELDS])
    return map(_commit, *[items] * _FIELDS)  # one iterator six times: six fields a call


def parse_log(output: str) -> list[Commit]:
    """Commits from the whole output of ``git log -z --format=LOG_FORMAT``."""
    return list(parse_fields(output.split("\0")))


def read_log(root: Path, *revs: str) -> Iterator[Commit]:
    """Every commit of ``git log --topo-order revs``, newest first, parsed while git is still
    writing.

    ``--topo-order`` makes git walk the whole history before it prints the first commit
    (unless the repository has a commit-graph), so nothing could be parsed beside its walk:
    0.5 s of a 100k-commit history spent waiting. For one tip the order of a stretch without
    merges is the same in any walk (a chain has one order), so that stretch comes from git's
    plain log, which prints from its first commit on; at the first merge, git's own
    ``--topo-order`` walk from that merge gives the rest. Why that is the same order as one
    ``--topo-order`` walk from the tip: with a single tip git's topological sort is a stack
    (children before parents, a parent pushed once its last child is out) that holds one commit
    at a time along the chain, so after the merge it holds what a walk starting at the merge
    holds. ``tests/core/changelog/test_read_log.py`` compares both on random histories, with
    and without a commit-graph.
    """
    if len(revs) != 1 or not _SINGLE_TIP.fullmatch(revs[0]) or ".." in revs[0]:
        yield from _records(root, "--topo-order", *revs)
        return
    records = _records(root, revs[0])
    merge = None
    last = None
    try:
        for last in records:
            yield last
            if " " in last.parents:  # a merge: the orders may part from here on
                merge = last.sha
                break
    finally:
        records.close()  # git stops at its next write (a closed pipe)
    if merge is None:
        # A chain ends at a root (or a shallow clone's boundary: no parents either). One whose
        # last commit has a parent loops back into itself: a replace ref or graft made a
        # commit its own ancestor, and git's topological walk prints nothing at all there.
        if last is not None and last.parents:
            raise GitError(_cycle_message(root, revs[0], last.sha))
        return
    rest = _records(root, "--topo-order", merge)
    first = next(rest, None)
    if first is None:  # a walk starts at its tip, unless the tip is on a cycle
        raise GitError(_cycle_message(root, revs[0], merge))
    if first.sha != merge:  # never
        raise GitError(f"git log --topo-order {merge} did not start at {merge}")
    yield from rest


def _cycle_message(root: Path, rev: str, sha: str) -> str:
    return (
        f"{root}: the history of {rev} loops back into itself at {sha[:12]} (a replace ref or "
        "a graft makes a commit its own ancestor), so it has no order to read; see "
        "`git replace --list` and .git/info/grafts, and delete the one that closes the loop"
    )


_BUFFERED = {"GIT_FLUSH": "0"}

# One revision naming one commit (HEAD, a tag, a sha), not a range or an exclusion.
_SINGLE_TIP = re.compile(r"[\w][\w./@{}~-]*")


def _records(root: Path, *revs: str) -> Generator[Commit, None, None]:
    """The commits of ``git log [options] revs``, parsed chunk by chunk while git writes."""
    argv = ["git", "-C", str(root), "log", *LOG_OPTIONS, f"--format={LOG_FORMAT}", *revs, "--"]
    fields: list[str] = [""]  # the last item is always the unfinished one
    # GIT_FLUSH=0: git writes whole buffers; to a pipe it would flush after every commit,
    # 100k writes and as many wake-ups of this reader (66k reads of ~400 bytes measured).
    for chunk in stream(argv, env=_BUFFERED):
        head, *rest = chunk.split("\0")
        fields[-1] += head
        fields.extend(rest)
        done = (len(fields) - 1) // _FIELDS * _FIELDS
        if done:
            yield from parse_fields(fields[:done])
            del fields[:done]


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


def _tag_version(group: Group) -> semver.Version:
    assert group[0] is not None  # every group after Unreleased starts at a tag
    return group[0].version


def read_releases(
    root: Path,
    tag_format: str,
    *,
    everything: bool,
    keep: Callable[[Commit], bool] | None = None,
) -> list[Release]:
    """Unreleased (commits since the newest release tag), or with ``everything`` every release.

    Raises:
        GitError: the repository has no commits.
    """
    if everything:
        tags = every_release_tag(root, tag_format)
        return group_releases(read_log(root, "HEAD"), tags, keep=keep)
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
