"""File primitives of the edit transaction: stage bytes beside a target, swap them in only if
the target still holds what was read.

On Linux the swap is ``renameat2(RENAME_EXCHANGE)``: the staged file and the target trade places
in one step, and the bytes that were displaced are compared with what releasekit read. So a
change made by another program at any moment up to the swap (in place or by its own rename) is
caught and put back, never silently overwritten. Elsewhere (or on a file system without it) the
target is re-read just before ``os.replace`` and the replaced inode is read again after it.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final

_AT_FDCWD: Final = -100
_RENAME_NOREPLACE: Final = 1
_RENAME_EXCHANGE: Final = 2
_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP)


class Conflict(Exception):
    """The target does not hold the expected bytes; it was left as found."""


ANY: Final = object()  # ``expect`` for a swap that replaces whatever is there


def stage(path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None) -> None:
    """Write ``data`` to a new file ``path``, fsynced; ``mode`` None keeps the umask default."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o666 if mode is None else 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mode is not None:
            os.fchmod(fd, mode)
        if owner is not None and owner != (os.geteuid(), os.getegid()):
            with contextlib.suppress(OSError):  # only root may give a file away; keep trying
                os.fchown(fd, *owner)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
    os.close(fd)


def read_exact(path: Path) -> bytes | None:
    """The bytes of a regular file, not following a symlink; None when nothing is there.

    Raises:
        Conflict: something other than a regular file is there.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Conflict(f"{path} is now a symlink") from None
        raise
    try:
        return _read_fd(fd)
    finally:
        os.close(fd)


def holds(path: Path, expect: bytes) -> bool:
    """Whether the regular file at ``path`` (a symlink is not followed) holds exactly
    ``expect``; False when nothing is there, a symlink is, or the bytes differ (a directory or
    a FIFO raises OSError, as :func:`read_exact` does: callers check the file type first).

    Read 1 MiB at a time into a buffer each thread keeps, each piece compared where it
    lies in ``expect``: a comparison of a 3 MB file makes no 3 MB object (whose fresh pages
    cost ~2 ms on a VM) and copies nothing.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP):
            return False
        raise
    try:
        return _fd_holds(fd, expect)
    finally:
        os.close(fd)


_ONE_READ = 1 << 30
_local = threading.local()  # each thread its own buffer: preadv lets go of the GIL


def _fd_holds(fd: int, expect: bytes) -> bool:
    if not hasattr(os, "preadv"):
        return _read_fd(fd) == expect
    scratch = getattr(_local, "scratch", None)
    if scratch is None:
        scratch = _local.scratch = bytearray(1 << 20)
    offset = 0
    with memoryview(scratch) as view:
        while count := os.preadv(fd, [view], offset):
            # bytes.startswith(piece, offset): expect[offset:offset + count] == piece, a memcmp
            if offset + count > len(expect) or not expect.startswith(view[:count], offset):
                return False
            offset += count
    return offset == len(expect)


def _read_fd(fd: int) -> bytes:
    # One read of the size fstat gives (a 3 MB changelog: no chunks to join), then chunks for
    # a file that grew. A short read is not the end by itself (Linux reads at most 0x7ffff000
    # bytes a call, macOS refuses more than INT_MAX): the first read is capped at 1 GiB and
    # only an empty read ends the file.
    size = os.fstat(fd).st_size
    first = os.pread(fd, min(size + 1, _ONE_READ), 0)
    if len(first) <= size and not os.pread(fd, 1, len(first)):
        return first
    chunks = [first]
    offset = len(first)
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


@functools.cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _rename2(source: Path, target: Path, flags: int) -> bool:
    """renameat2; False when the system or file system does not offer ``flags``."""
    function = _renameat2()
    if function is None:
        return False
    import ctypes

    if function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(target))


def swap_in(staged: Path, target: Path, expect: bytes | object | None) -> None:
    """Put ``staged`` at ``target`` if the target holds ``expect`` (None: nothing is there;
    :data:`ANY`: whatever it holds). ``staged`` is gone afterwards.

    Raises:
        Conflict: the target holds something else; it is left exactly as it was.
        OSError: the rename failed.
    """
    if expect is ANY:
        os.replace(staged, target)
    elif expect is None:
        _create(staged, target)
    else:
        assert isinstance(expect, bytes)
        _replace(staged, target, expect)


def remove(target: Path, aside: Path, expect: bytes) -> None:
    """Delete ``target`` if it holds ``expect``: it is renamed to ``aside`` in one step (so a
    change made up to that moment is caught), its displaced bytes compared, and it is put
    back when they differ.

    Raises:
        Conflict: the target was removed or holds something else; it is left as found (in
            the one case where it reappeared meanwhile, the displaced file stays at ``aside``).
        OSError: the rename failed.
    """
    try:
        os.rename(target, aside)  # aside is a fresh random name: nothing is clobbered
    except FileNotFoundError:
        raise Conflict(f"{target} was removed") from None
    try:
        displaced = read_exact(aside)
    except (Conflict, OSError):
        displaced = None
    if displaced != expect:
        _create(aside, target)
        raise Conflict(f"{target} changed")
    os.unlink(aside)


def _create(staged: Path, target: Path) -> None:
    if not _rename2(staged, target, _RENAME_NOREPLACE):
        try:
            os.link(staged, target)  # fails if the target appeared: never clobbers it
        except FileExistsError:
            raise Conflict(f"{target} appeared") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            if os.path.lexists(target):
                raise Conflict(f"{target} appeared") from None
            os.replace(staged, target)
            return
        os.unlink(staged)


def _replace(staged: Path, target: Path, expect: bytes) -> None:
    try:
        exchanged = _rename2(staged, target, _RENAME_EXCHANGE)
    except FileNotFoundError:
        if not os.path.lexists(staged):
            raise  # our staged file went missing: a write failure, not someone else's change
        raise Conflict(f"{target} was removed") from None
    if exchanged:
        try:
            same = holds(staged, expect)
        except OSError:
            same = False
        if not same:
            _rename2(staged, target, _RENAME_EXCHANGE)  # theirs back in place, ours out
            raise Conflict(f"{target} changed")
        os.unlink(staged)  # the original, now displaced
        return
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        raise Conflict(f"{target} was removed or replaced") from None
    try:
        if not _fd_holds(fd, expect):
            raise Conflict(f"{target} changed")
        os.replace(staged, target)
        late = _read_fd(fd)  # written in place between the read and the rename?
        if late != expect:
            stage(staged, late, os.fstat(fd).st_mode & 0o7777, None)
            os.replace(staged, target)
            raise Conflict(f"{target} changed")
    finally:
        os.close(fd)
