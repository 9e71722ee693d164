"""The journal of an edit in progress, under ``<gitdir>/releasekit/``.

``txn/originals`` holds the original bytes of every target, ``txn/journal.json`` what each
target was, where its staged file is and (for release.prepare) which branch to return to. The
journal is complete only once ``journal.json`` exists; it is written (and fsynced) before any
staged file exists and deleted only after the last rename is durable, so a journal found later
always means "put the old state back". ``lock`` (never deleted) is held with ``flock`` for as
long as a command writes: a journal whose lock is free belongs to a process that died.
"""

from __future__ import annotations

import binascii
import contextlib
import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import JournalError, ReleaseError
from .gitdir import find_git_dir, state_dir, txn_dir

FORMAT = 2  # 2: CRC-32 sums ("crc32:XXXXXXXX:LENGTH"); 1 (still read): SHA-256 hex
FORMATS = (1, 2)
JOURNAL = "journal.json"
ORIGINALS = "originals"


@dataclass(frozen=True)
class BranchUndo:
    """release.prepare's git state to return to: ``branch`` at ``head``; ``created`` goes."""

    branch: str
    head: str
    created: str


@dataclass(frozen=True)
class Entry:
    """One target of the edit, paths relative to the work tree (POSIX)."""

    path: str  # as the task showed it
    target: str
    staged: str
    original: tuple[int, int] | None  # (offset, length) in ``originals``; None: did not exist
    original_sum: str | None  # checksum() of the original bytes
    new_sum: str  # checksum() of the new bytes
    mode: int | None
    deleted: bool = False  # the edit removes the target (its new state is "absent")


@dataclass(frozen=True)
class Journal:
    directory: Path
    work_tree: Path
    pid: int
    entries: tuple[Entry, ...]
    dirs: tuple[str, ...]  # directories the edit created, outermost first
    branch: BranchUndo | None


def git_dir_of(tree: Path) -> Path | None:
    """The git directory of a work tree: its own ``.git`` entry (a directory, or a file naming
    one: a linked worktree, a submodule), read as :func:`.gitdir.pending_journal` reads it, so
    a journal is written where every task looks for one; else (``tree`` below the work tree's
    top, or GIT_DIR set, which git resolves against the tree) ``git rev-parse
    --absolute-git-dir``; None outside git (nothing is journaled).

    The ``.git`` entry is read first, without a git process (~5 ms a write: the process and
    the runner's import): rev-parse names the same directory for such a tree, except for a
    ``.git`` directory git does not recognise inside another repository, where rev-parse named
    the outer one — a journal there was one the probe never found.
    """
    found = find_git_dir(tree)
    own = found[1] if found is not None and found[0] == tree else None
    if own is not None and not os.environ.get("GIT_DIR"):
        return own.resolve()  # a symlinked .git: its target, as rev-parse names it
    from .process import run

    result = run(["git", "-C", str(tree), "rev-parse", "--absolute-git-dir"], check=False)
    if result.returncode == 0 and result.stdout.strip():
        return Path(result.stdout.strip())
    return own


class Lock:
    """``flock`` on ``<gitdir>/releasekit/lock``: one writer per repository at a time."""

    def __init__(self, git_dir: Path) -> None:
        self.path = state_dir(git_dir) / "lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when a live process holds it."""
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return True

    def holder(self) -> str:
        """The pid written by the process holding the lock, for messages."""
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return self.path.read_text(encoding="utf-8").strip() or "?"
        return "?"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def checksum(data: bytes) -> str:
    """What the journal records of a file's bytes: CRC-32 and length.

    The journal guards against damage and tells releasekit's new content from anything else
    after a crash; it is not a defence against someone who can write the repository (they
    could rewrite the journal too). So, like the journals of ext4 and PostgreSQL's WAL, it
    uses a CRC: binascii is loaded already, where SHA-256 meant loading OpenSSL (~3.5 ms) and
    hashing at half the speed — ~6 ms of every write of a 3 MB changelog. With the length, a
    different content passes for ours with odds of 1 in 2**32.
    """
    return f"crc32:{binascii.crc32(data):08x}:{len(data)}"


def matches(data: bytes, recorded: str | None) -> bool:
    """Whether ``data`` is what ``recorded`` (a checksum(), or a format-1 SHA-256) describes."""
    if recorded is None:
        return False
    if recorded.startswith("crc32:"):
        return checksum(data) == recorded
    import hashlib  # a journal written by releasekit before format 2

    return hashlib.sha256(data).hexdigest() == recorded


def write(
    git_dir: Path,
    work_tree: Path,
    entries: Sequence[tuple[Entry, bytes | None]],
    dirs: Sequence[str],
    branch: BranchUndo | None,
) -> Path:
    """Write the journal (originals first, then journal.json), fsynced; return its directory.

    The caller holds the lock and has made sure that no journal exists.
    """
    from .interrupts import failpoint

    directory = txn_dir(git_dir)
    directory.mkdir(parents=True)
    blob = b"".join(data for _, data in entries if data is not None)
    _write_synced(directory / ORIGINALS, blob)
    failpoint("journal:originals")
    record = {
        "releasekit_journal": FORMAT,
        "work_tree": str(work_tree),
        "pid": os.getpid(),
        "files": [
            {
                "path": e.path,
                "target": e.target,
                "staged": e.staged,
                "original": list(e.original) if e.original is not None else None,
                "original_sum": e.original_sum,
                "new_sum": e.new_sum,
                "mode": e.mode,
                "deleted": e.deleted,
            }
            for e, _ in entries
        ],
        "dirs": list(dirs),
        "branch": None if branch is None else dataclasses.asdict(branch),
    }
    _write_synced(directory / f"{JOURNAL}.tmp", json.dumps(record, indent=1).encode())
    os.replace(directory / f"{JOURNAL}.tmp", directory / JOURNAL)
    fsync_dir(directory)
    fsync_dir(directory.parent)
    failpoint("journal:written")
    return directory


def delete(directory: Path) -> None:
    """Delete the journal: journal.json first (from then on nothing is in progress), then the
    rest; a crash in between leaves an incomplete journal that recovery just removes."""
    if not directory.exists():  # interrupted before it was made
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(directory / JOURNAL)
    fsync_dir(directory)
    # What a journal holds is files (originals, a journal.json.tmp): they go one by one through
    # the directory's descriptor, opened without following a link (a txn that is a symlink is
    # left to rmtree, which refuses it, as it always did). Anything else (a directory someone
    # put there) needs shutil, whose import (bz2, lzma, zlib: ~3-7 ms) a write pays otherwise.
    if not _remove_files(directory):
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
    with contextlib.suppress(OSError):
        fsync_dir(directory.parent)


def _remove_files(directory: Path) -> bool:
    """Unlink every entry of ``directory`` and remove it; False if that was not all files."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        with os.scandir(fd) as entries:
            names = [entry.name for entry in entries]
        for name in names:
            os.unlink(name, dir_fd=fd)
        os.rmdir(directory)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def read(directory: Path) -> Journal | None:
    """The complete journal in ``directory``; None when it never got (or no longer has) its
    journal.json.

    Raises:
        JournalError: journal.json is not a releasekit journal this version can apply.
    """
    path = directory / JOURNAL
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise corrupt(directory, f"cannot read {JOURNAL}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
        version = data.get("releasekit_journal")
        if version not in FORMATS:
            raise ValueError(f"format {version!r}, expected one of {FORMATS}")
        keys = ("original_sha256", "new_sha256") if version == 1 else ("original_sum", "new_sum")
        entries = tuple(_entry(item, *keys) for item in data["files"])
        branch = data.get("branch")
        undo = None
        if branch is not None:
            undo = BranchUndo(str(branch["branch"]), str(branch["head"]), str(branch["created"]))
        return Journal(
            directory,
            Path(str(data["work_tree"])),
            int(data["pid"]),
            entries,
            tuple(str(d) for d in data["dirs"]),
            undo,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise corrupt(directory, f"{JOURNAL} is not a releasekit journal ({exc})") from None


def _entry(item: Any, original_key: str, new_key: str) -> Entry:
    original = item["original"]
    return Entry(
        str(item["path"]),
        str(item["target"]),
        str(item["staged"]),
        None if original is None else (int(original[0]), int(original[1])),
        None if item[original_key] is None else str(item[original_key]),
        str(item[new_key]),
        None if item["mode"] is None else int(item["mode"]),
        bool(item.get("deleted", False)),
    )


def original_bytes(journal: Journal, entry: Entry) -> bytes | None:
    """The target's bytes before the edit (None: it did not exist), checked against the hash.

    Raises:
        JournalError: the copy is missing or does not match its hash.
    """
    if entry.original is None:
        return None
    offset, length = entry.original
    try:
        with open(journal.directory / ORIGINALS, "rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
    except OSError as exc:
        raise corrupt(journal.directory, f"cannot read {ORIGINALS}: {exc.strerror}") from None
    if len(data) != length or not matches(data, entry.original_sum):
        raise corrupt(journal.directory, f"the saved copy of {entry.target} is damaged")
    return data


def corrupt(directory: Path, what: str) -> ReleaseError:
    return JournalError(
        f"{directory}: {what}; releasekit did not apply it and changed nothing. Check the files "
        f"of the interrupted command with `git status` and `git diff`, restore them by hand "
        f"(git checkout -- FILE), then delete the journal: rm -r {directory}"
    )
