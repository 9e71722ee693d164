"""read_bytes reads a file whole at every size: below, at and above the 64 KiB chunk, and a
large file in one read of its size (issue 16); ``cat`` is the oracle. A file that grows while
it is read is read to its end, as the chunked loop read it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from releasekit.core.common.textfile import read_bytes, read_text


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 7])
def test_every_size_reads_as_cat_does(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f"
    path.write_bytes(os.urandom(size))
    cat = subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout
    assert read_bytes(path) == cat
    assert len(cat) == size


def test_a_growing_file_is_read_to_its_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The file grows by 100 kB between the fstat (which sizes the first read) and the reads: a
    # real append, timed by wrapping fstat, so the race happens every run.
    path = tmp_path / "log"
    path.write_bytes(b"a" * 200_000)
    fstat = os.fstat

    def fstat_then_grow(fd: int) -> os.stat_result:
        info = fstat(fd)
        with path.open("ab") as f:
            f.write(b"b" * 100_000)
        return info

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    data = read_bytes(path)
    monkeypatch.undo()
    assert data == b"a" * 200_000 + b"b" * 100_000


def test_a_large_changelog_decodes_whole(tmp_path: Path) -> None:
    text = "".join(f"- entry {n} \u00e9\n" for n in range(100_000))
    path = tmp_path / "CHANGELOG.md"
    path.write_bytes(text.encode())
    assert read_text(path) == text
