"""sha256 checksum lists: the GNU/BSD line format.

Checking a list is :mod:`.checksum_check`; writing a release's list is :mod:`.checksum_file`;
hashing the files is :mod:`.hashing`.

The parser is a port of coreutils' ``split_3``/``bsd_split_3`` (src/digest.c) because no
Python library reproduces GNU's exact rules (escaped names, BSD lines, "BSD reversed"
lines, the minimum line length) and verdicts must match ``sha256sum -c`` line for line;
tests/core/artifacts/test_checksums_differential.py holds it to coreutils on generated corpora.
Names are bytes throughout (a checksum list may name files in any encoding) and are opened
as bytes, as written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from itertools import count as count_from
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from ..common.gcpause import paused_gc

HEX_LENGTH = 64
# coreutils: DIGEST_HEX_BYTES + 1 blank + 1 character of file name.
_MIN_LINE = HEX_LENGTH + 2
_WHITE = b" \t"
_HEX_RE = re.compile(rb"[0-9a-fA-F]{%d}" % HEX_LENGTH)
# A GNU line as sha256sum writes it: digest, then the blank that ends it (see _split_line).
_GNU_START_RE = re.compile(rb"[0-9a-fA-F]{%d}[ \t]" % HEX_LENGTH)
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_LOWER_HEX = b"0123456789abcdef"


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
    with paused_gc():
        entries = _plain_entries(data)
        if entries is not None:
            return ChecksumList(source, entries, ())
        return parse_lines(data, source)


def _plain_entries(data: bytes) -> tuple[Entry, ...] | None:
    """The entries of a plain GNU list, None for any other list.

    Plain: every line is ``<64 hex><blank><' ' or '*'><name>`` ending in LF, with no CR or
    NUL anywhere, which is exactly where :func:`parse_lines` does nothing special (no comment,
    blank line, CR, NUL, escape or BSD line; a line starting with hex cannot start with ``\\``,
    ``#`` or ``SHA256``). Checked with whole-list byte operations, which run in C: a regex over
    the list or work per line in Python costs 1-2 µs a line, and lists have 10⁵ lines.
    """
    if not data.endswith(b"\n") or b"\0" in data or b"\r" in data:
        return None
    body = data[:-1]
    lines = body.split(b"\n")
    count = len(lines)
    marks = b"".join([line[64:66] for line in lines])
    if len(marks) != 2 * count:  # a line shorter than 66 bytes
        return None
    names = [line[66:] for line in lines]
    # Digests as str, sliced from a latin-1 view of the same lines (one decode for the list);
    # joined back, one C call checks they are all hex.
    digests = [line[:64] for line in body.decode("latin-1").split("\n")]
    hexes = "".join(digests).encode("latin-1")
    if (
        marks[0::2].translate(None, _WHITE)
        or marks[1::2].translate(None, b" *")
        or hexes.translate(None, _HEX_DIGITS)
        or b"" in names
    ):
        return None
    if hexes.translate(None, _LOWER_HEX):
        digests = [digest.lower() for digest in digests]
    binary = map((0x2A).__eq__, marks[1::2])  # "*"
    return tuple(map(tuple.__new__, repeat(Entry), zip(count_from(1), digests, names, binary)))


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


def read_checksum_file(path: Path, display: str | None = None) -> ChecksumList:
    """Read and parse a checksum list file."""
    from ..common.textfile import read_bytes

    shown = display or str(path)
    data = read_bytes(path, shown, missing="no such checksum file; check the path")
    return parse_checksums(data, shown)


def escape_name(name: bytes) -> bytes:
    """A name as coreutils writes it in a line: backslash, newline and CR escaped."""
    return name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
