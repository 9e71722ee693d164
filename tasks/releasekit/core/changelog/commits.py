"""Commits as ``git log`` prints them, their messages parsed under Conventional Commits.

One ``git log -z`` record per commit, parsed while git writes (:func:`read_log`); no
per-commit process or object lookup, so 100k commits stay close to git's own speed.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from ..common.errors import GitError
from ..common.process import Started, stream

# type(scope)!: description — scopes may hold "/", "-", "," and spaces, not parentheses.
_HEADER_RE = re.compile(r"([A-Za-z][\w-]*)(?:\(([^()\r\n]*)\))?(!)?:[ \t]+(\S.*)")
_BREAKING_FOOTER_RE = re.compile(r"^BREAKING[ -]CHANGE:[ \t]*(?P<text>.*)$", re.MULTILINE)
# At most 9 digits: int() refuses 4,300, and no forge numbers pull requests past a billion.
_PR_RE = re.compile(r"\(#([0-9]{1,9})\)")
# A footer line (git-trailer style, "Token: value" or "Token #value") ends a breaking description.
_FOOTER_LINE_RE = re.compile(r"[\w-]+(?:: | #)|BREAKING[ -]CHANGE:")

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


def start_log(root: Path) -> Started:
    """The first git process of ``read_log(root, "HEAD", started=...)``, started now: its
    output is read ahead while the caller gets ready (:class:`.process.Started`). The caller
    closes it, read or not."""
    return Started(_log_argv(root, "HEAD"), env=_BUFFERED)


def read_log(root: Path, *revs: str, started: Started | None = None) -> Iterator[Commit]:
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

    ``started``: :func:`start_log` of ``root`` (``revs`` is then ``("HEAD",)``), read
    instead of starting git again unless something read it already.
    """
    if started is not None and revs != ("HEAD",):
        raise RuntimeError(f"a started log reads HEAD, not {revs}")
    if len(revs) != 1 or not _SINGLE_TIP.fullmatch(revs[0]) or ".." in revs[0]:
        yield from _records(root, "--topo-order", *revs)
        return
    records = _records(root, revs[0], started=started)
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


def _log_argv(root: Path, *revs: str) -> list[str]:
    return ["git", "-C", str(root), "log", *LOG_OPTIONS, f"--format={LOG_FORMAT}", *revs, "--"]


def _records(
    root: Path, *revs: str, started: Started | None = None
) -> Generator[Commit, None, None]:
    """The commits of ``git log [options] revs``, parsed chunk by chunk while git writes
    (``started``: that git process, already running)."""
    argv = _log_argv(root, *revs)
    if started is not None and started.argv != argv:
        raise RuntimeError(f"started {started.argv}, not {argv}")
    fields: list[str] = [""]  # the last item is always the unfinished one
    # GIT_FLUSH=0: git writes whole buffers; to a pipe it would flush after every commit,
    # 100k writes and as many wake-ups of this reader (66k reads of ~400 bytes measured).
    chunks = started.chunks() if started is not None and started.unread else None
    for chunk in chunks or stream(argv, env=_BUFFERED):
        head, *rest = chunk.split("\0")
        fields[-1] += head
        fields.extend(rest)
        done = (len(fields) - 1) // _FIELDS * _FIELDS
        if done:
            yield from parse_fields(fields[:done])
            del fields[:done]
