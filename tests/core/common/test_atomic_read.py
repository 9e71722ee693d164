"""atomic.read_exact reads a file in one read of its size, and all of it when the size fstat
gives is short (a file that grew, or one like /proc's that reports 0)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from releasekit.core.common import atomic


@pytest.mark.parametrize("size", [0, 1, 4095, 1 << 20, (1 << 20) + 1, 3_177_071])
def test_read_exact_is_the_file_s_bytes(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    assert atomic.read_exact(tmp_path / "f") == data


def test_a_file_longer_than_its_reported_size_is_read_to_its_end() -> None:
    status = Path("/proc/self/maps")
    if not status.exists() or os.stat(status).st_size != 0:
        pytest.skip("needs a /proc file that reports size 0 (Linux)")
    data = atomic.read_exact(status)
    assert data is not None and data.count(b"\n") > 5 and data.endswith(b"\n")


def test_a_file_that_grows_between_fstat_and_read_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a" * 10)
    real_fstat = os.fstat

    def grown(fd: int) -> os.stat_result:  # the size as it was before 2 MiB were appended
        info = real_fstat(fd)
        with open(path, "ab") as handle:
            handle.write(b"b" * (2 << 20))
        return info

    monkeypatch.setattr(atomic.os, "fstat", grown)
    assert atomic.read_exact(path) == b"a" * 10 + b"b" * (2 << 20)


@pytest.mark.parametrize("size", [0, 1, 4096, (1 << 20) + 3])
def test_holds_is_read_exact_compared(tmp_path: Path, size: int) -> None:
    """Against the oracle (read the bytes, compare), each way a file can differ; the shared
    buffer holds a longer file's bytes from the call before, which must not count."""
    data = os.urandom(size)
    path = tmp_path / "f"
    path.write_bytes(data + b"tail" * 1000)
    assert atomic.holds(path, data) is False  # longer (and fills the buffer first)
    for content in (data, data[:-1], data + b"x", bytes([*data[:-1], (data[-1:] or b"a")[0] ^ 1])):
        path.write_bytes(content)
        assert atomic.holds(path, data) == (atomic.read_exact(path) == data)
    assert atomic.holds(tmp_path / "missing", data) is False
    (tmp_path / "link").symlink_to(path)
    assert atomic.holds(tmp_path / "link", atomic.read_exact(path) or b"") is False  # not followed


def test_holds_compares_a_file_of_several_pieces_at_each_offset(tmp_path: Path) -> None:
    """A 3.5 MiB file is read in 1 MiB pieces: a change in the last piece, or in the first
    byte of the second, is seen; the same bytes are."""
    data = os.urandom((7 << 19) + 5)
    path = tmp_path / "f"
    for at in (0, 1 << 20, len(data) - 1):
        changed = bytearray(data)
        changed[at] ^= 1
        path.write_bytes(changed)
        assert atomic.holds(path, data) is False
    path.write_bytes(data)
    assert atomic.holds(path, data) is True


def test_a_read_the_kernel_cuts_short_is_not_taken_for_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linux returns at most 0x7ffff000 bytes a read: a larger file comes back in pieces. With
    reads cut at 1,000 bytes, a 10,000-byte file is still read whole and compared whole."""
    data = os.urandom(10_000)
    path = tmp_path / "f"
    path.write_bytes(data)
    real_pread, real_preadv = os.pread, os.preadv

    def capped_pread(fd: int, n: int, offset: int) -> bytes:
        return real_pread(fd, min(n, 1000), offset)

    def capped_preadv(fd: int, buffers: list[memoryview], offset: int) -> int:
        return real_preadv(fd, [buffers[0][:1000]], offset)

    monkeypatch.setattr(atomic.os, "pread", capped_pread)
    monkeypatch.setattr(atomic.os, "preadv", capped_preadv)
    assert atomic.read_exact(path) == data
    assert atomic.holds(path, data) is True
    assert atomic.holds(path, data[:-1]) is False


def test_holds_on_two_threads_at_once_each_compares_its_own_file(tmp_path: Path) -> None:
    """preadv lets go of the GIL: each thread reads into its own buffer."""
    import threading

    files = []
    for n in range(2):
        data = os.urandom(3 << 20)
        (tmp_path / f"f{n}").write_bytes(data)
        files.append((tmp_path / f"f{n}", data))
    wrong: list[int] = []

    def compare(n: int) -> None:
        path, data = files[n]
        other = files[1 - n][1]
        for _ in range(20):
            if not atomic.holds(path, data) or atomic.holds(path, other):
                wrong.append(n)

    threads = [threading.Thread(target=compare, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
