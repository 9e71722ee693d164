"""Reading files as exact text and writing many of them all-or-nothing.

Text is decoded without newline translation, so CRLF, a BOM and a missing final newline
survive a read/modify/write cycle byte for byte.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import FileFormatError, ReleaseError

BOM = "\ufeff"


def read_text(path: Path, display: str | None = None) -> str:
    """Return the exact text of a UTF-8 file (a BOM is kept as the first character).

    Raises:
        FileFormatError: the file cannot be read or is not UTF-8.
    """
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(f"{name}: file not found") from None
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
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
    """New content for one file; ``path`` is what users see, ``real_path`` what is written."""

    path: str
    real_path: Path
    old: str
    new: str


def write_all(edits: Sequence[FileEdit]) -> None:
    """Write every edit or none.

    Each new content goes to a temporary file in the target's directory (same file system),
    is fsynced and given the target's mode; only when all are staged are they renamed over
    their targets. A file that changed on disk since it was read aborts the whole write.

    Raises:
        ReleaseError: a file changed underneath us, or staging/renaming failed (all renames
            already done are rolled back to the old content).
    """
    seen: dict[Path, FileEdit] = {}
    for edit in edits:
        if edit.real_path in seen:  # two contents for one file: the later would drop the first
            raise ReleaseError(
                f"{seen[edit.real_path].path} and {edit.path} are two edits of the same file "
                f"{edit.real_path}; nothing was written — merge them into one edit"
            )
        seen[edit.real_path] = edit
    staged: list[tuple[FileEdit, str]] = []
    try:
        for edit in edits:
            staged.append((edit, _stage(edit)))
        for edit, _ in staged:
            current = edit.real_path.read_bytes().decode("utf-8", errors="surrogateescape")
            if current != edit.old:
                raise ReleaseError(
                    f"{edit.path} changed on disk while releasekit was running; "
                    "nothing was written — run the task again"
                )
        done: list[FileEdit] = []
        try:
            for edit, tmp in staged:
                os.replace(tmp, edit.real_path)
                done.append(edit)
        except OSError as exc:
            for edit in done:
                _stage_and_replace(edit.real_path, edit.old)
            raise ReleaseError(
                f"could not write {edit.path}: {exc.strerror}; no file changed"
            ) from None
        _fsync_dirs(edit.real_path.parent for edit, _ in staged)
    finally:
        for _, tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _stage(edit: FileEdit) -> str:
    try:
        return _write_temp(edit.real_path, edit.new)
    except OSError as exc:
        raise ReleaseError(
            f"could not stage {edit.path}: {exc.strerror}; no file changed"
        ) from None


def _write_temp(target: Path, text: str) -> str:
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".releasekit", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", errors="surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _stage_and_replace(target: Path, text: str) -> None:
    os.replace(_write_temp(target, text), target)


def _fsync_dirs(directories: Iterable[Path]) -> None:
    for directory in set(directories):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
                tofile=f"b/{edit.path}",
            )
        )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in chunks
    )
    return text
