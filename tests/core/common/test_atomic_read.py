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
