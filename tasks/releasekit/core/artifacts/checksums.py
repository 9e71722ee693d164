"""sha256 checksum lists: the GNU/BSD line format and parallel hashing.

Checking a list is :mod:`.checksum_check`; writing a release's list is :mod:`.checksum_file`.

The parser is a port of coreutils' ``split_3``/``bsd_split_3`` (src/digest.c) because no
Python library reproduces GNU's exact rules (escaped names, BSD lines, "BSD reversed"
lines, the minimum line length) and verdicts must match ``sha256sum -c`` line for line;
tests/core/artifacts/test_checksums_differential.py holds it to coreutils on generated corpora.
Names are bytes throughout (a checksum list may name files in any encoding) and become
paths through :func:`os.fsdecode`.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

HEX_LENGTH = 64
# coreutils: DIGEST_HEX_BYTES + 1 blank + 1 character of file name.
_MIN_LINE = HEX_LENGTH + 2
_WHITE = b" \t"
_HEX_RE = re.compile(rb"[0-9a-fA-F]{%d}" % HEX_LENGTH)
# A GNU line as sha256sum writes it: digest, then the blank that ends it (see _split_line).
_GNU_START_RE = re.compile(rb"[0-9a-fA-F]{%d}[ \t]" % HEX_LENGTH)
# Files up to this size are hashed by the calling thread: hashlib holds the GIL for small
# updates (CPython releases it only above 2047 bytes), so threads on small files only fight
# over it, and opening a file costs more than hashing 4 KiB.
THREADED_SIZE = 256 << 10
_GNU_LINE_RE = re.compile(rb"([0-9a-fA-F]{%d})[ \t]([ *])([^\0\r\n]+)\n" % HEX_LENGTH)
# Large reads keep the per-call overhead negligible; hashlib releases the GIL for each update.
CHUNK = 1 << 20

Progress = Callable[[int], None]


class Entry(NamedTuple):
    """One properly formatted line of a checksum list (a NamedTuple: lists have 10⁵ lines)."""

    line: int
    digest: str  # lower-case hex
    name: bytes  # unescaped file name
    binary: bool = False

    @property
    def display_name(self) -> str:
        return os.fsdecode(self.name)


@dataclass(frozen=True)
class ChecksumList:
    """A parsed checksum list: its entries and the numbers of improperly formatted lines."""

    source: str
    entries: tuple[Entry, ...]
    misformatted: tuple[int, ...]


def _unescape(name: bytes) -> bytes | None:
    """Undo GNU's name escaping (``\\n``, ``\\r``, ``\\\\``); None for an invalid escape."""
    out = bytearray()
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == 0x5C:  # backslash
            if i == len(name) - 1:
                return None
            i += 1
            nxt = name[i : i + 1]
            if nxt == b"n":
                out += b"\n"
            elif nxt == b"r":
                out += b"\r"
            elif nxt == b"\\":
                out += b"\\"
            else:
                return None
        elif ch == 0:
            return None
        else:
            out.append(ch)
        i += 1
    return bytes(out)


def _valid_hex(digest: bytes) -> bool:
    return _HEX_RE.fullmatch(digest) is not None


def _c_string(data: bytes) -> bytes:
    """What C sees of ``data``: everything up to the first NUL."""
    return data.split(b"\0", 1)[0]


def _split_bsd(s: bytes, escaped: bool) -> tuple[bytes, bytes] | None:
    """``name) = hex`` after ``SHA256 (``: the last ``)`` ends the name."""
    close = s.rfind(b")")
    if close < 0:
        return None
    name = s[:close]
    if escaped:
        unescaped = _unescape(name)
        if unescaped is None:
            return None
        name = unescaped
    i = close + 1
    while i < len(s) and s[i] in _WHITE:
        i += 1
    if s[i : i + 1] != b"=":
        return None
    i += 1
    while i < len(s) and s[i] in _WHITE:
        i += 1
    digest = s[i:]
    if not _valid_hex(digest):
        return None
    return digest, _c_string(name)


@dataclass
class _ParseState:
    # coreutils' bsd_reversed: -1 undecided, 0 GNU lines seen, 1 "hex name" lines seen.
    bsd_reversed: int = -1


def _split_line(s: bytes, state: _ParseState) -> Entry | None:
    i = 0
    while i < len(s) and s[i] in _WHITE:
        i += 1
    escaped = s[i : i + 1] == b"\\"
    if escaped:
        i += 1
    if s.startswith(b"SHA256", i):
        j = i + 6
        if s[j : j + 1] == b" ":
            j += 1
        if s[j : j + 1] == b"(":
            bsd = _split_bsd(s[j + 1 :], escaped)
            if bsd is None:
                return None
            return Entry(0, bsd[0].decode("ascii").lower(), bsd[1], binary=False)
    if len(s) - i < _MIN_LINE + (s[i : i + 1] == b"\\"):
        return None
    if i == 0 and _GNU_START_RE.match(s):  # the usual line: what the loop below would find
        digest = s[:HEX_LENGTH]
        i = HEX_LENGTH + 1
    else:
        start = i
        while i < len(s) and s[i] != 0 and s[i] not in _WHITE:
            i += 1
        if i == len(s) or s[i] not in _WHITE:
            return None
        digest = s[start:i]
        i += 1
        if not _valid_hex(digest):
            return None
    rest = s[i:]
    binary = False
    if len(rest) == 1 or rest[:1] not in (b" ", b"*"):
        # "hex name" (one separator): only if no "hex  name" line came first.
        if state.bsd_reversed == 0:
            return None
        state.bsd_reversed = 1
    elif state.bsd_reversed != 1:
        state.bsd_reversed = 0
        binary = rest[:1] == b"*"
        rest = rest[1:]
    if escaped:
        unescaped = _unescape(rest)
        if unescaped is None:
            return None
        name = unescaped
    else:
        name = _c_string(rest)
    return Entry(0, digest.decode("ascii").lower(), name, binary)


def parse_checksums(data: bytes, source: str = "checksums") -> ChecksumList:
    """Parse a checksum list the way ``sha256sum --check`` does.

    Comment lines (``#``) and blank lines are skipped; a trailing CR is dropped; other lines
    that are not ``<hex>  <name>``, ``<hex> *<name>``, ``SHA256 (<name>) = <hex>`` (or
    their escaped forms) are counted as improperly formatted.
    """
    found = _GNU_LINE_RE.findall(data)
    if sum(len(name) for _, _, name in found) + (HEX_LENGTH + 3) * len(found) == len(data):
        # The matches cover every byte, so every line is "<hex> <blank><name>" or
        # "<hex> *<name>" with nothing the loop below treats specially (no comment, blank
        # line, CR, NUL, escape or BSD line): entries as it would make them, in one regex pass.
        make = Entry._make
        return ChecksumList(
            source,
            tuple(
                make((number, digest.decode("ascii").lower(), name, mark == b"*"))
                for number, (digest, mark, name) in enumerate(found, 1)
            ),
            (),
        )
    return parse_lines(data, source)


def parse_lines(data: bytes, source: str = "checksums") -> ChecksumList:
    """:func:`parse_checksums` line by line, for any list (the port of coreutils' rules)."""
    state = _ParseState()
    entries: list[Entry] = []
    bad: list[int] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if line.startswith(b"#"):
            continue
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            continue
        entry = _split_line(line, state)
        if entry is None:
            bad.append(number)
        else:
            entries.append(Entry(number, entry.digest, entry.name, entry.binary))
    return ChecksumList(source, tuple(entries), tuple(bad))


# --- hashing ---------------------------------------------------------------------------------


_local = threading.local()


def _buffer() -> tuple[bytearray, memoryview]:
    """This thread's read buffer: allocating (and zeroing) 1 MiB per file costs more than
    hashing a small file."""
    if not hasattr(_local, "buf"):
        _local.buf = bytearray(CHUNK)
        _local.view = memoryview(_local.buf)
    return _local.buf, _local.view


def file_digest(
    path: Path | str, algorithm: str = "sha256", progress: Progress | None = None
) -> str:
    """Hex digest of a file, read in large chunks (hashlib releases the GIL while hashing)."""
    h = hashlib.new(algorithm)
    buf, view = _buffer()
    with Path(path).open("rb", buffering=0) as handle:
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        while n := handle.readinto(buf):
            h.update(view[:n])
            if progress is not None:
                progress(n)
    return h.hexdigest()


def hash_files(
    paths: Sequence[Path],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    sizes: Mapping[Path, int] | None = None,
) -> dict[Path, str | OSError]:
    """sha256 of each path, several files at a time; an OSError in place of a failed read.

    Plain threads pulling the next file from a shared iterator (the calling thread is one of
    them): a future per file costs more than hashing a 1 MiB file. Largest files go first so
    the workers finish together.
    """

    def one(path: Path) -> str | OSError:
        try:
            return file_digest(path, progress=progress)
        except OSError as exc:
            return exc

    unique = list(dict.fromkeys(paths))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(unique)))
    if workers == 1:
        return {path: one(path) for path in unique}

    known = sizes or {}

    def size(path: Path) -> int:
        if path in known:  # the caller's lstat of a regular file: its size
            return known[path]
        try:
            return path.stat().st_size
        except OSError:
            return 0

    by_size = {path: size(path) for path in unique}
    ordered = sorted(unique, key=by_size.__getitem__, reverse=True)
    large = [path for path in ordered if by_size[path] > THREADED_SIZE]
    small = ordered[len(large) :]
    pending = iter(large)
    lock = threading.Lock()
    results: dict[Path, str | OSError] = {}

    def work() -> None:
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                return
            results[path] = one(path)

    helpers = min(workers, len(large)) - 1
    threads = [threading.Thread(target=work, name=f"sha256-{i}") for i in range(helpers)]
    for thread in threads:
        thread.start()
    work()
    for path in small:  # in this thread, while the helpers finish the large ones
        results[path] = one(path)
    for thread in threads:
        thread.join()
    return {path: results[path] for path in unique}


def read_checksum_file(path: Path, display: str | None = None) -> ChecksumList:
    """Read and parse a checksum list file."""
    from ..common.textfile import read_bytes

    shown = display or str(path)
    data = read_bytes(path, shown, missing="no such checksum file; check the path")
    return parse_checksums(data, shown)


def escape_name(name: bytes) -> bytes:
    """A name as coreutils writes it in a line: backslash, newline and CR escaped."""
    return name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
