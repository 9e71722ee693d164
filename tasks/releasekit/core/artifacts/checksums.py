"""sha256 checksum lists: GNU ``sha256sum --check`` semantics, parallel hashing, generation.

The parser is a port of coreutils' ``split_3``/``bsd_split_3`` (src/digest.c) because no
Python library reproduces GNU's exact rules (escaped names, BSD lines, "BSD reversed"
lines, the minimum line length) and verdicts must match ``sha256sum -c`` line for line;
tests/core/test_checksums_differential.py holds it to coreutils on generated corpora.
Names are bytes throughout (a checksum list may name files in any encoding) and become
paths through :func:`os.fsdecode`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..common.errors import FileFormatError, ReleaseError, UsageError, VerificationFailed

HEX_LENGTH = 64
# coreutils: DIGEST_HEX_BYTES + 1 blank + 1 character of file name.
_MIN_LINE = HEX_LENGTH + 2
_WHITE = b" \t"
_HEX = frozenset(b"0123456789abcdefABCDEF")
# Large reads keep the per-call overhead negligible; hashlib releases the GIL for each update.
CHUNK = 1 << 20

Status = Literal["OK", "FAILED", "MISSING", "UNREADABLE", "REFUSED", "IGNORED"]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Entry:
    """One properly formatted line of a checksum list."""

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
    return len(digest) == HEX_LENGTH and all(ch in _HEX for ch in digest)


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

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    pending = iter(sorted(unique, key=size, reverse=True))
    lock = threading.Lock()
    results: dict[Path, str | OSError] = {}

    def work() -> None:
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                return
            results[path] = one(path)

    threads = [threading.Thread(target=work, name=f"sha256-{i}") for i in range(workers - 1)]
    for thread in threads:
        thread.start()
    work()
    for thread in threads:
        thread.join()
    return {path: results[path] for path in unique}


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class CheckOptions:
    """``sha256sum --check`` flags plus releasekit's base-directory confinement."""

    ignore_missing: bool = False
    strict: bool = False
    quiet: bool = False
    status: bool = False
    warn: bool = False
    allow_outside_base: bool = False
    jobs: int | None = None


@dataclass(frozen=True)
class CheckReport:
    """The verdicts for one checksum list and what sha256sum would print for them."""

    source: str
    outcomes: tuple[Outcome, ...]
    misformatted: tuple[int, ...]
    options: CheckOptions
    stdout: tuple[str, ...] = field(default=())
    stderr: tuple[str, ...] = field(default=())

    def count(self, *statuses: Status) -> int:
        return sum(1 for o in self.outcomes if o.status in statuses)

    @property
    def properly_formatted(self) -> bool:
        return bool(self.outcomes)

    @property
    def verified(self) -> int:
        return self.count("OK")

    @property
    def ok(self) -> bool:
        return (
            self.properly_formatted
            and self.verified > 0
            and self.count("FAILED", "MISSING", "UNREADABLE", "REFUSED") == 0
            and not (self.options.strict and self.misformatted)
        )

    def raise_for_failure(self) -> None:
        """Raise the error that matches the verdict (exit 1 unusable input, exit 3 mismatch)."""
        if self.ok:
            return
        if not self.properly_formatted:
            raise FileFormatError(
                f"{self.source}: no properly formatted checksum lines found; expected lines "
                "like '<sha256>  <file>' or 'SHA256 (<file>) = <sha256>'"
            )
        failures = self.count("FAILED", "MISSING", "UNREADABLE", "REFUSED")
        if failures or self.verified == 0:
            parts = []
            if self.count("FAILED"):
                parts.append(f"{self.count('FAILED')} did not match")
            if self.count("MISSING", "UNREADABLE"):
                parts.append(f"{self.count('MISSING', 'UNREADABLE')} could not be read")
            if self.count("REFUSED"):
                parts.append(
                    f"{self.count('REFUSED')} outside the base directory "
                    "(pass --allow-outside-base only for a list you trust)"
                )
            if not parts:
                parts.append("no file was verified (none of the listed files is present)")
            raise VerificationFailed(f"{self.source}: " + "; ".join(parts))
        lines = ", ".join(str(n) for n in self.misformatted[:20])
        if len(self.misformatted) > 20:  # a list of 100,000 bad lines: the first ones say enough
            lines += f" and {len(self.misformatted) - 20} more"
        raise FileFormatError(
            f"{self.source}: improperly formatted line(s) {lines} under --strict; "
            "fix or remove them"
        )


def _escape_name(name: bytes) -> bytes:
    return name.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r")


def _shown(name: bytes) -> str:
    """How ``sha256sum -c`` prints a name: escaped with a leading backslash if it has a newline."""
    if b"\n" in name:
        return "\\" + os.fsdecode(_escape_name(name))
    return os.fsdecode(name)


_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)


def _quoted(name: bytes) -> str:
    """A name in a diagnostic, quoted like coreutils' quotef when it has odd characters."""
    text = os.fsdecode(name)
    if _SAFE.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _plural(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).replace("%d", str(n))


def resolve_entry(
    base: Path, name: bytes, *, allow_outside: bool, real_base: str | None = None
) -> Path | None:
    """The path to read for ``name``, or None when it would leave ``base``.

    Absolute names, ``..`` components and symlinks resolving outside ``base`` are refused.
    Plain string operations (not pathlib) because this runs once per listed file.
    """
    text = os.fsdecode(name)
    if allow_outside:
        return Path(text) if text.startswith("/") else base / text
    if text.startswith("/") or ".." in text.split("/"):
        return None
    if real_base is None:
        real_base = os.path.realpath(base)
    target = real_base.rstrip("/") + "/" + text
    if "/" not in text:
        # The common case, a plain name in the base directory: only a symlink can escape.
        try:
            if not stat.S_ISLNK(os.lstat(target).st_mode):
                return base / text
        except OSError:
            return base / text  # missing or unreadable: reported as such when it is read
    real = os.path.realpath(target)
    if real != real_base and not real.startswith(real_base.rstrip("/") + "/"):
        return None  # a symlink that points out of the base directory
    return base / text


def check_checksums(
    listing: ChecksumList,
    base: Path,
    options: CheckOptions = CheckOptions(),
    *,
    progress_factory: Callable[[int], Progress] | None = None,
) -> CheckReport:
    """Verify every entry of ``listing`` against files under ``base``.

    Args:
        listing: the parsed checksum list.
        base: the directory names are relative to.
        options: the ``sha256sum --check`` flags.
        progress_factory: called with the total bytes to hash; returns the per-chunk callback.

    Returns:
        The outcomes and the exact stdout/stderr lines ``sha256sum -c`` would print.
    """
    targets: dict[int, Path | None] = {}
    real_base = os.path.realpath(base)
    for index, entry in enumerate(listing.entries):
        targets[index] = resolve_entry(
            base, entry.name, allow_outside=options.allow_outside_base, real_base=real_base
        )
    to_hash = [p for p in targets.values() if p is not None]
    progress = None
    if progress_factory is not None:
        total = 0
        for path in dict.fromkeys(to_hash):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        progress = progress_factory(total)
    digests = hash_files(to_hash, jobs=options.jobs, progress=progress)

    outcomes: list[Outcome] = []
    out: list[str] = []
    err: list[str] = []
    for index, entry in enumerate(listing.entries):
        target = targets[index]
        shown = _shown(entry.name)
        if target is None:
            outcome = Outcome(entry, "REFUSED", "outside the base directory")
            err.append(
                f"{_quoted(entry.name)}: refused: the name leaves the base directory "
                "(absolute path, '..' or a symlink out); use --allow-outside-base to allow it"
            )
        else:
            result = digests[target]
            if isinstance(result, FileNotFoundError) and options.ignore_missing:
                outcomes.append(Outcome(entry, "IGNORED"))
                continue
            if isinstance(result, OSError):
                status: Status = (
                    "MISSING" if isinstance(result, FileNotFoundError) else "UNREADABLE"
                )
                outcome = Outcome(entry, status, result.strerror or str(result))
                err.append(f"{_quoted(entry.name)}: {outcome.detail}")
            elif result == entry.digest:
                outcome = Outcome(entry, "OK")
            else:
                outcome = Outcome(entry, "FAILED", f"expected {entry.digest}, got {result}")
        outcomes.append(outcome)
        if options.status:
            continue
        if outcome.status in ("MISSING", "UNREADABLE", "REFUSED"):
            out.append(f"{shown}: FAILED open or read")
        elif outcome.status == "FAILED":
            out.append(f"{shown}: FAILED")
        elif not options.quiet:
            out.append(f"{shown}: OK")

    if options.warn:
        err[:0] = [
            f"{listing.source}: {n}: improperly formatted SHA256 checksum line"
            for n in listing.misformatted
        ]
    report = CheckReport(listing.source, tuple(outcomes), listing.misformatted, options)
    if not report.properly_formatted:
        err.append(f"{listing.source}: no properly formatted checksum lines found")
    elif not options.status:
        if listing.misformatted:
            n = len(listing.misformatted)
            err.append(
                _plural(
                    n,
                    "WARNING: %d line is improperly formatted",
                    "WARNING: %d lines are improperly formatted",
                )
            )
        unread = report.count("MISSING", "UNREADABLE", "REFUSED")
        if unread:
            err.append(
                _plural(
                    unread,
                    "WARNING: %d listed file could not be read",
                    "WARNING: %d listed files could not be read",
                )
            )
        failed = report.count("FAILED")
        if failed:
            err.append(
                _plural(
                    failed,
                    "WARNING: %d computed checksum did NOT match",
                    "WARNING: %d computed checksums did NOT match",
                )
            )
        if options.ignore_missing and report.verified == 0:
            err.append(f"{listing.source}: no file was verified")
    return CheckReport(
        listing.source, tuple(outcomes), listing.misformatted, options, tuple(out), tuple(err)
    )


def read_checksum_file(path: Path, display: str | None = None) -> ChecksumList:
    """Read and parse a checksum list file."""
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReleaseError(f"{shown}: no such checksum file; check the path") from None
    except OSError as exc:
        raise ReleaseError(f"{shown}: cannot read: {exc.strerror}") from None
    return parse_checksums(data, shown)


# --- generating ------------------------------------------------------------------------------


def format_line(digest: str, name: bytes) -> bytes:
    """A GNU ``sha256sum`` line (text mode); names with ``\\``, newline or CR are escaped."""
    if any(ch in name for ch in (b"\\", b"\n", b"\r")):
        return b"\\" + digest.encode() + b"  " + _escape_name(name) + b"\n"
    return digest.encode() + b"  " + name + b"\n"


def render_checksums(files: Iterable[tuple[bytes, str]]) -> bytes:
    """GNU format, sorted by name bytes, one line per file: deterministic for the same inputs."""
    return b"".join(format_line(digest, name) for name, digest in sorted(files))


def collect_files(base: Path, patterns: Sequence[str], exclude: Sequence[Path] = ()) -> list[Path]:
    """The regular files matching ``patterns`` (globs relative to ``base``), sorted, unique."""
    excluded = {p.resolve() for p in exclude}
    found: dict[Path, None] = {}
    for pattern in patterns:
        pure = Path(pattern)
        if pure.is_absolute() or ".." in pure.parts:
            raise UsageError(f"{pattern!r}: give a pattern relative to {base} without '..'")
        matches = sorted(p for p in base.glob(pattern) if p.is_file())
        if not matches:
            raise ReleaseError(
                f"{pattern!r} matches no file under {base}; build the artifacts first"
            )
        for path in matches:
            if path.resolve() not in excluded:
                found[path] = None
    return sorted(found, key=lambda p: os.fsencode(p.relative_to(base).as_posix()))


@dataclass(frozen=True)
class ChecksumsPlan:
    """What release.checksums would write."""

    output: Path | None
    content: bytes
    existing: bytes | None

    @property
    def unchanged(self) -> bool:
        return self.existing == self.content


def plan_checksums(
    root: Path,
    patterns: Sequence[str],
    output: Path | None,
    *,
    base: Path | None = None,
    jobs: int | None = None,
    progress_factory: Callable[[int], Progress] | None = None,
) -> ChecksumsPlan:
    """Hash the files matching ``patterns`` (globs under ``root``) and render the list.

    Names are written relative to ``base`` (default: the output file's directory, else
    ``root``) so that ``sha256sum -c`` run there finds them.
    """
    if output is not None:
        _output_target(output)  # before anything is read through it
    if base is None:
        base = output.parent if output is not None else root
    files = collect_files(root, patterns, exclude=[output] if output is not None else [])
    # Directories are resolved, file names are not: a symlinked file is listed under its own
    # name in the release, not under its target's.
    real_base = base.resolve()
    rows: list[tuple[bytes, str]] = []
    names: dict[Path, bytes] = {}
    for path in files:
        real = path.parent.resolve() / path.name
        if real_base not in real.parents:
            raise UsageError(
                f"{path} is not inside {base}; checksum names are relative to the directory of "
                "the checksums file — put the output next to the files"
            )
        names[path] = os.fsencode(real.relative_to(real_base).as_posix())
    progress = None
    if progress_factory is not None:
        progress = progress_factory(sum(p.stat().st_size for p in files))
    digests = hash_files(files, jobs=jobs, progress=progress)
    for path in files:
        result = digests[path]
        if isinstance(result, OSError):
            raise ReleaseError(f"{path}: cannot read: {result.strerror}")
        rows.append((names[path], result))
    existing = None
    if output is not None and output.exists():
        existing = output.read_bytes()
    return ChecksumsPlan(output, render_checksums(rows), existing)


def write_checksums(plan: ChecksumsPlan, *, force: bool = False) -> bool:
    """Write the planned list atomically; False when the file already holds exactly that.

    Raises:
        ReleaseError: a different checksums file exists and ``force`` is false.
    """
    if plan.output is None:
        raise UsageError("no output file given")
    if plan.unchanged:
        return False
    if plan.existing is not None and not force:
        raise ReleaseError(
            f"{plan.output} exists with different checksums; a published checksums file must not "
            "change — remove it or pass --force if it was never published"
        )
    from ..common.textfile import FileEdit, write_all

    tree, real = _output_target(plan.output)
    text = plan.content.decode("utf-8", errors="surrogateescape")
    old = "" if plan.existing is None else plan.existing.decode("utf-8", errors="surrogateescape")
    edit = FileEdit(str(plan.output), real, old, text, created=plan.existing is None)
    write_all([edit], tree)
    return True


def _output_target(output: Path) -> tuple[Path, Path]:
    """(work tree, real path) of the checksums file. Written through the edit transaction like
    every file: inside a work tree it must stay inside it (a link out is refused) and a crash
    is recovered; outside git it is written where given, still staged and renamed atomically."""
    from ..common.confine import confine, work_tree

    given = Path(os.path.abspath(output))
    # The work tree is looked for along the path as given: out/ -> /elsewhere is inside it.
    tree = next((d for d in given.parents if os.path.lexists(d / ".git")), None)
    if tree is None:
        real = given.resolve()
        return real.parent, real
    return work_tree(tree), confine(tree, given, what="--output")
