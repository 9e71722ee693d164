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
  versions and :data:`FORMAT`. One file per configuration and template (one read, at most one
  write per run, instead of one file per section: 500 opens cost more than the rendering they
  save), holding the sections of the latest run only, so it never grows past one changelog.

- ``templates``: Jinja2's compiled code of the changelog template (:func:`bytecode_cache`),
  under Jinja2's own key (template name and file) and checked against the source's checksum by
  Jinja2; compiling the template is ~0.15 s of every run.

Every entry file starts with a header naming :data:`FORMAT`, a digest of the key it was stored
under, its payload's length and SHA-256; an entry whose header, key, length or checksum does
not match (corrupt, truncated, foreign, from another version) is ignored and overwritten by the
next write, never trusted. Writes go to a temporary file in the same directory that is renamed
into place, so a concurrent run reads either the old entry or the new one, never a torn one.
The cache is best effort: a git directory that cannot be written only means no cache.
"""

from __future__ import annotations

import hashlib
import os
from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common import git
from ..common.errors import GitError
from ..common.process import run
from .commits import LOG_FORMAT, LOG_OPTIONS, Commit, parse_log, read_log
from .conventional import (
    TAG_REF_FORMAT,
    Release,
    ReleaseTag,
    _shallow_message,
    precedence,
    release_tags_of,
)

MAGIC = b"releasekit-changelog-cache"
# Bump when an entry's layout or what a key covers changes: older entries then miss.
FORMAT = 1
KINDS = ("walk", "sections", "templates")


def digest(*parts: str | bytes) -> str:
    """SHA-256 of ``parts``, each length-prefixed (so no two part lists share a digest)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def commits_digest(shas: Sequence[str]) -> str:
    """SHA-256 of commit ids in order (hex ids of one length, newline-joined: unambiguous)."""
    return hashlib.sha256("\n".join(shas).encode()).hexdigest()


def pack(sections: dict[str, str]) -> bytes:
    """Texts by key as one payload: ``<key> <length>\\n<text>`` for each."""
    out = []
    for key, text in sections.items():
        data = text.encode("utf-8", "surrogateescape")
        out += [b"%s %d\n" % (key.encode(), len(data)), data]
    return b"".join(out)


def unpack(payload: bytes) -> dict[str, str]:
    """The texts of a :func:`pack` payload; {} when it is not one (never half of one)."""
    sections: dict[str, str] = {}
    at = 0
    while at < len(payload):
        end = payload.find(b"\n", at)
        head = payload[at:end].split(b" ") if end != -1 else []
        if len(head) != 2 or not head[1].isdigit():
            return {}
        start, at = end + 1, end + 1 + int(head[1])
        if at > len(payload):
            return {}
        try:
            sections[head[0].decode()] = payload[start:at].decode("utf-8", "surrogateescape")
        except UnicodeDecodeError:
            return {}
    return sections


class Store:
    """Entries under ``directory`` (``<git dir>/releasekit/changelog-cache``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def for_repo(cls, root: Path) -> Store | None:
        """The store of ``root``'s repository (shared by its worktrees), or None outside git."""
        out = run(["git", "-C", str(root), "rev-parse", "--git-common-dir"], check=False)
        if out.returncode != 0 or not out.stdout.strip():
            return None
        common = Path(out.stdout.strip())
        if not common.is_absolute():
            common = root / common
        return cls(common / "releasekit" / "changelog-cache")

    def _path(self, kind: str, key: str) -> Path:
        assert kind in KINDS
        return self.directory / kind / key

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``key``, or None when absent or not to be trusted."""
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        header, sep, payload = data.partition(b"\n\n")
        fields = header.split(b" ")
        if not sep or len(fields) != 5 or fields[0] != MAGIC or fields[1] != b"%d" % FORMAT:
            return None
        if fields[2] != key.encode() or fields[3] != b"%d" % len(payload):
            return None
        if fields[4] != hashlib.sha256(payload).hexdigest().encode():
            return None
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` atomically (temporary file, then rename)."""
        path = self._path(kind, key)
        checksum = hashlib.sha256(payload).hexdigest().encode()
        header = b" ".join([MAGIC, b"%d" % FORMAT, key.encode(), b"%d" % len(payload), checksum])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # here: a cached run writes nothing (tempfile imports shutil, random)

            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(header + b"\n\n" + payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only git directory: no cache, same output


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
    groups = [(tag, start, stop) for (tag, start), stop in zip(starts, stops, strict=True)]
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


def bytecode_cache(store: Store) -> Any:
    """A ``jinja2.BytecodeCache`` keeping compiled templates in ``store`` (entries verified
    like every other; Jinja2 checks the source checksum and its own format inside)."""
    from jinja2.bccache import Bucket, BytecodeCache

    class StoreBytecodeCache(BytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            data = store.get("templates", bucket.key)
            if data is not None:
                try:
                    bucket.bytecode_from_string(data)
                except Exception:
                    bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            store.put("templates", bucket.key, bucket.bytecode_to_string())

    return StoreBytecodeCache()
