"""Reading files as exact text; the edits that the transaction writes all-or-nothing.

Text is decoded without newline translation, so CRLF, a BOM and a missing final newline
survive a read/modify/write cycle byte for byte.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FileFormatError

BOM = "\ufeff"


def read_bytes(
    path: Path | str, display: str | None = None, *, missing: str = "file not found"
) -> bytes:
    """Return a file's bytes.

    Raises:
        FileFormatError: the file does not exist (``missing`` says so) or cannot be read.
    """
    name = display or str(path)
    try:
        return _read_all(path, name)
    except FileNotFoundError:
        raise FileFormatError(f"{name}: {missing}") from None
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFDIR: "a directory", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}  # fmt: skip
# O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; the open returns at
# once, and fstat of what was opened (no race with a swap) refuses it. No effect on a file.
_OPEN_FLAGS = (os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))  # fmt: skip
_READ_SIZE = 1 << 16  # under malloc's mmap threshold: no mmap/munmap per small file
_ONE_READ_MAX = 1 << 28


def _read_all(path: Path | str, name: str) -> bytes:
    """A regular file's bytes through ``os.open``/``os.read``: a glob reads thousands of small
    files, and ``Path.read_bytes`` (a file object, a buffer and an fstat each) costs twice as
    much; the one fstat here is what refuses a FIFO, a directory or a device."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
            raise FileFormatError(
                f"{name}: not a regular file ({kind}); releasekit reads only regular files"
            )
        # A large file in one read of its size (+1, so a file that grew is still read to its
        # end by the loop): 64 KiB chunks and a join cost a 3 MB changelog 2.6 ms, one read 0.3.
        # Capped: a sparse file claiming a terabyte does not ask for that much memory at once.
        data = os.read(fd, max(_READ_SIZE, min(info.st_size + 1, _ONE_READ_MAX)))
        if not data:
            return data
        chunks = [data]
        while chunk := os.read(fd, _READ_SIZE):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return data if len(chunks) == 1 else b"".join(chunks)


def read_text(path: Path | str, display: str | None = None) -> str:
    """Return the exact text of a UTF-8 file (a BOM is kept as the first character).

    Raises:
        FileFormatError: the file cannot be read or is not UTF-8.
    """
    return read_text_and_bytes(path, display)[0]


def read_text_and_bytes(path: Path | str, display: str | None = None) -> tuple[str, bytes]:
    """:func:`read_text` and the bytes it decoded (``text.encode()`` is those bytes again:
    a writer that keeps them compares the file with them without encoding a copy).

    Raises:
        FileFormatError: the file cannot be read or is not UTF-8.
    """
    name = display or str(path)
    data = read_bytes(path, name)
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileFormatError(f"{name}:{line}: not UTF-8 text ({exc.reason})") from None


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


_YAML_LINE_BREAK = re.compile(r"\r\n?|\n")


def offset_of(text: str, line: int, column: int) -> int:
    """Character offset of a 0-based (line, column) pair as ruamel.yaml reports them.

    Counted the way ruamel's reader counts: a lone CR is a line break too (even inside a
    quoted string), and a U+FEFF inside a line takes no column.
    """
    pos = 0
    for _ in range(line):
        found = _YAML_LINE_BREAK.search(text, pos)
        if found is None:
            raise ValueError(f"line {line} is past the end of the text")
        pos = found.end()
    remaining = column
    while remaining:
        if text[pos] != BOM:
            remaining -= 1
        pos += 1
    while text.startswith(BOM, pos):
        pos += 1
    return pos


@dataclass(frozen=True)
class FileEdit:
    """New content for one file; ``path`` is what users see, ``real_path`` what is written.

    ``created``: the file does not exist yet (``old`` is then empty) and must not appear
    before it is written. ``deleted``: the file goes (``new`` is then empty; release.unpin
    removes a generated Chart.lock).
    """

    path: str
    real_path: Path
    old: str
    new: str
    created: bool = False
    deleted: bool = False
    # ``old`` as the file's bytes, when the reader kept them (``old.encode()`` otherwise): a
    # 3 MB changelog is then compared without encoding a copy of it first.
    old_bytes: bytes | None = field(default=None, compare=False, repr=False)


def write_all(edits: Sequence[FileEdit], root: Path | None = None) -> None:
    """Write every edit or none, through the edit transaction (transaction.py).

    Raises:
        ReleaseError: an edit is invalid, a file changed underneath us, or writing failed;
            no file changed.
    """
    from .transaction import commit_edits

    commit_edits(root, edits)


def render_diff(edits: Sequence[FileEdit]) -> str:
    """Unified diffs (``git diff`` style headers) of every edit, for dry runs."""
    import difflib

    chunks: list[str] = []
    for edit in edits:
        chunks.extend(
            difflib.unified_diff(
                edit.old.splitlines(keepends=True),
                edit.new.splitlines(keepends=True),
                fromfile=f"a/{edit.path}",
                tofile="/dev/null" if edit.deleted else f"b/{edit.path}",
            )
        )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in chunks
    )
    return text
