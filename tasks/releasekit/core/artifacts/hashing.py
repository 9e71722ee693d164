"""Hashing files in parallel for the checksum tasks: small files on the calling thread, large
ones handed, already open, to helper threads (hashlib releases the GIL only for updates above
2047 bytes). Names are bytes or str, opened as given; see :mod:`.checksums` for the lists.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Files up to this size are hashed by the calling thread: hashlib holds the GIL for small
# updates (CPython releases it only above 2047 bytes), so threads on small files only fight
# over it, and opening a file costs more than hashing 4 KiB.
THREADED_SIZE = 256 << 10
# Large reads keep the per-call overhead negligible; hashlib releases the GIL for each update.
CHUNK = 1 << 20
# The first read of a file: more than THREADED_SIZE tells a large file, and a multiple of 64 KiB
# keeps every read after it at a page-aligned offset. After a first read of THREADED_SIZE + 1
# bytes each later read started one byte into a page, and the kernel's copy of 1 GiB took
# 0.35 s instead of 0.13 s (hash_paths, 1 GiB in the page cache: 0.94 -> 0.72 s; openssl 0.75 s).
FIRST_READ = THREADED_SIZE + (64 << 10)

Progress = Callable[[int], None]
PathArg = str | bytes | os.PathLike[str]

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# Opening with O_NOFOLLOW fails on a symlink (ELOOP on Linux and macOS, EMLINK on FreeBSD):
# the check for a link out costs nothing for the files that are not links.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LINK_ERRORS = (errno.ELOOP, errno.EMLINK)
# Whether hash_paths(links=...) can see a symlink at open (not on Windows: lstat it first).
LINKS_AT_OPEN = bool(_NOFOLLOW)
_local = threading.local()


def _buffer() -> tuple[bytearray, memoryview]:
    """This thread's read buffer: allocating (and zeroing) 1 MiB per file costs more than
    hashing a small file."""
    if not hasattr(_local, "buf"):
        _local.buf = bytearray(CHUNK)
        _local.view = memoryview(_local.buf)
    return _local.buf, _local.view


def _readinto_file(fd: int, buffers: tuple[bytearray | memoryview]) -> int:
    """``os.readv`` for a system without it (Windows): a file object around the descriptor."""
    with open(fd, "rb", buffering=0, closefd=False) as handle:
        return handle.readinto(buffers[0])


# (fd, (buffer,)) -> bytes read; os.readv itself where there is one: no Python frame per read.
_read_into: Callable[[int, tuple[bytearray | memoryview]], int] = getattr(
    os, "readv", _readinto_file
)


def _digest(path: PathArg, algorithm: str, progress: Progress | None, large: bool) -> str:
    """Hex digest of one file: ``os.open`` and reads into this thread's buffer (a Path and a
    file object per file cost more than hashing a 4 KiB file)."""
    h = hashlib.new(algorithm)
    buf, view = _buffer()
    buffers = (buf,)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if large and hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while n := _read_into(fd, buffers):
            h.update(view[:n])
            if progress is not None:
                progress(n)
    finally:
        os.close(fd)
    return h.hexdigest()


def file_digest(path: PathArg, algorithm: str = "sha256", progress: Progress | None = None) -> str:
    """Hex digest of a file, read in large chunks (hashlib releases the GIL while hashing)."""
    return _digest(path, algorithm, progress, large=True)


def hash_paths(
    paths: Sequence[bytes],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    links: Callable[[bytes], bool] | None = None,
) -> dict[bytes, str | OSError | None]:
    """sha256 of each path (bytes, as the OS takes them), an OSError in place of a failed read.

    The calling thread opens every file and reads its first :data:`THREADED_SIZE` bytes: a
    file that ends there is hashed on the spot (no stat, no thread: hashlib keeps the GIL
    for small updates, so threads on small files only fight over it). A larger one is handed,
    still open, to helper threads started at the first such file (at most ``jobs - 1``, and a
    few files queued at a time: past that the calling thread hashes it itself); the calling
    thread joins them when the list is done. A future per file would cost more than hashing a
    1 MiB file.

    ``links``: when given, a path whose last component is a symlink is read only if
    ``links(path)`` is true (its target is where it may be read); otherwise its result is None.
    """
    unique = list(dict.fromkeys(paths))
    results: dict[bytes, str | OSError | None] = {}
    cpus = jobs or os.cpu_count() or 1
    workers = max(1, min(cpus, len(unique)))
    handoff = _Handoff(workers - 1, results, progress)
    # A core no helper uses (a list of one large file): a thread reads ahead while this one
    # hashes, so the reads (the kernel's copy: ~0.13 s a GiB) no longer add to the hashing.
    ahead = cpus > 1 and workers == 1
    flags = _OPEN_FLAGS | (_NOFOLLOW if links is not None else 0)
    buf, view = _buffer()
    first = (view[:FIRST_READ],)  # more than THREADED_SIZE tells a larger file
    rest = (buf,)
    open_, close, read_into, new = os.open, os.close, _read_into, hashlib.sha256
    for path in unique:
        try:
            fd = open_(path, flags)
        except OSError as exc:
            if links is None or exc.errno not in _LINK_ERRORS:
                results[path] = exc
                continue
            if not links(path):
                results[path] = None
                continue
            try:  # a symlink that stays inside: read through it
                fd = open_(path, _OPEN_FLAGS)
            except OSError as again:
                results[path] = again
                continue
        owned = True
        try:
            n = read_into(fd, first)
            if n > THREADED_SIZE and handoff.take(path, fd):
                owned = False  # a helper closes it
                continue
            h = new(view[:n])
            if progress is not None:
                progress(n)
            if ahead and n > THREADED_SIZE:
                _hash_read_ahead(fd, h, progress)
            else:
                while n := read_into(fd, rest):
                    h.update(view[:n])
                    if progress is not None:
                        progress(n)
            results[path] = h.hexdigest()
        except OSError as exc:
            results[path] = exc
        finally:
            if owned:
                close(fd)
    handoff.finish()
    return {path: results[path] for path in unique}


def _hash_read_ahead(fd: int, h: Any, progress: Progress | None) -> None:
    """Hash the rest of ``fd`` (from its offset) while a thread reads the next piece.

    Two buffers go round: the reader fills a free one and hands it over, the hasher hashes it
    and gives it back, so the reader is one piece ahead at most and the pieces are hashed in
    order. Both sides let go of the GIL (``readv``; ``update`` of more than 2 KiB). A read
    error is raised here. The reader has its own descriptor (a dup) and buffers made for this
    call, so a reader left behind (a read that blocks when Ctrl-C comes) can only ever read
    this file into these buffers, never the next call's: it is told to stop and, when an
    exception is on its way, waited for a second at most.
    """
    buffers = (bytearray(CHUNK), bytearray(CHUNK))

    def alone() -> None:  # no descriptor or thread to be had: this thread reads the rest
        while n := _read_into(fd, (buffers[0],)):
            h.update(memoryview(buffers[0])[:n])
            if progress is not None:
                progress(n)

    free: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    ready: queue.SimpleQueue[tuple[int, int] | BaseException] = queue.SimpleQueue()
    free.put(0)
    free.put(1)
    try:
        own = os.dup(fd)  # shares the offset; closed by the reader whenever it ends
    except OSError:
        return alone()

    def read() -> None:
        try:
            while (index := free.get()) is not None:
                n = _read_into(own, (buffers[index],))
                ready.put((index, n))
                if not n:
                    return
        except BaseException as exc:  # handed to the hasher, which raises it
            ready.put(exc)
        finally:
            os.close(own)

    reader = threading.Thread(target=read, name="sha256-read-ahead", daemon=True)
    try:
        reader.start()
    except RuntimeError:  # the thread was not made
        os.close(own)
        return alone()
    except BaseException:  # Ctrl-C while it starts: if it runs, it stops at once
        free.put(None)
        raise
    finished = False
    try:
        while True:
            item = ready.get()
            if isinstance(item, BaseException):
                raise item
            index, n = item
            if not n:
                break
            with memoryview(buffers[index]) as piece:
                h.update(piece[:n])
            if progress is not None:
                progress(n)
            free.put(index)
        finished = True
    finally:
        # Only the reader closes its descriptor: closed here, its number could be the next
        # file's by the time a late read used it.
        free.put(None)
        reader.join(None if finished else 1.0)


class _Handoff:
    """Large files, open, from the calling thread to helper threads (see :func:`hash_paths`)."""

    def __init__(
        self,
        helpers: int,
        results: dict[bytes, str | OSError | None],
        progress: Progress | None,
    ) -> None:
        self.helpers = helpers
        self.results = results
        self.progress = progress
        self.queue: queue.SimpleQueue[tuple[bytes, int] | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []

    def take(self, path: bytes, fd: int) -> bool:
        """Queue an open file for a helper; False when there are no helpers or enough queued
        (open descriptors stay few; the calling thread hashes this one)."""
        if self.helpers < 1 or self.queue.qsize() >= 2 * self.helpers:
            return False
        if not self.threads:
            self.threads = [
                threading.Thread(target=self.work, name=f"sha256-{i}") for i in range(self.helpers)
            ]
            for thread in self.threads:
                thread.start()
        self.queue.put((path, fd))
        return True

    def work(self) -> None:
        while (item := self.queue.get()) is not None:
            self.hash(*item)

    def hash(self, path: bytes, fd: int) -> None:
        h = hashlib.sha256()
        buf, view = _buffer()
        buffers = (buf,)
        try:
            os.lseek(fd, 0, os.SEEK_SET)  # the calling thread read the start to see the size
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            while n := _read_into(fd, buffers):
                h.update(view[:n])
                if self.progress is not None:
                    self.progress(n)
            self.results[path] = h.hexdigest()
        except OSError as exc:
            self.results[path] = exc
        finally:
            os.close(fd)

    def finish(self) -> None:
        """The calling thread helps with what is queued, then waits for the helpers."""
        if not self.threads:
            return
        while True:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.hash(*item)
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()


def hash_files(
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> dict[Path, str | OSError]:
    """:func:`hash_paths` for Paths (symlinks followed)."""
    encoded = {path: os.fsencode(path) for path in paths}
    digests = hash_paths(list(encoded.values()), jobs=jobs, progress=progress)
    out: dict[Path, str | OSError] = {}
    for path, name in encoded.items():
        digest = digests[name]
        assert digest is not None  # only ``links`` refuses a path
        out[path] = digest
    return out
