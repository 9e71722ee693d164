"""``sha256sum --check`` semantics: verdicts and the exact lines coreutils would print.

tests/core/artifacts/test_checksums_differential.py holds it to coreutils on generated corpora.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple

from ..common.errors import FileFormatError, ReleaseError, VerificationFailed
from ..common.gcpause import paused_gc
from .checksums import ChecksumList, Entry, escape_name
from .hashing import LINKS_AT_OPEN, Progress, hash_paths

Status = Literal["OK", "FAILED", "MISSING", "UNREADABLE", "REFUSED", "IGNORED"]

# --- checking --------------------------------------------------------------------------------


class Outcome(NamedTuple):
    """The verdict on one entry (a NamedTuple: one per listed file)."""

    entry: Entry
    status: Status
    detail: str = ""
    printed: str = ""  # the line sha256sum -c prints for it ("" when it prints none)


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

    @cached_property
    def _counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def count(self, *statuses: Status) -> int:
        return sum(self._counts[status] for status in statuses)

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
        error = self.failure()
        if error is not None:
            raise error

    def failure(self) -> ReleaseError | None:
        """The error that matches the verdict, or None when the list checks out."""
        if self.ok:
            return None
        if not self.properly_formatted:
            return FileFormatError(
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
            return VerificationFailed(f"{self.source}: " + "; ".join(parts))
        lines = ", ".join(str(n) for n in self.misformatted[:20])
        if len(self.misformatted) > 20:  # a list of 100,000 bad lines: the first ones say enough
            lines += f" and {len(self.misformatted) - 20} more"
        return FileFormatError(
            f"{self.source}: improperly formatted line(s) {lines} under --strict; "
            "fix or remove them"
        )


_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()


def _shown(name: bytes) -> str:
    """How ``sha256sum -c`` prints a name: escaped with a leading backslash if it has a newline."""
    if b"\n" in name:
        return "\\" + os.fsdecode(escape_name(name))
    return name.decode(_FS_ENCODING, _FS_ERRORS)  # os.fsdecode without its type checks


_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)


def _quoted(name: bytes) -> str:
    """A name in a diagnostic, quoted like coreutils' quotef when it has odd characters."""
    text = os.fsdecode(name)
    if _SAFE.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _plural(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).replace("%d", str(n))


class _Confiner:
    """Where each listed name is read (bytes, as the OS takes it), or None when it would leave
    the base directory.

    Absolute names, ``..`` components and symlinks resolving outside the base are refused.
    Without a system call for most names: the directories of names are resolved once each,
    not per file (a name's real path is its directory's real path plus the name, unless the
    name itself is a symlink), and a name that is itself a symlink is seen when it is opened
    (:meth:`link_inside`, called by :func:`~.hashing.hash_paths`). Bytes and string
    operations, not pathlib: this runs once per listed file. The name is read as written
    (``a/`` stays ``a/``), as ``sha256sum`` opens it.
    """

    def __init__(self, base: Path, allow_outside: bool) -> None:
        self.allow_outside = allow_outside
        self.given = os.fsencode(base).rstrip(b"/") + b"/"
        self.real = os.fsencode(os.path.realpath(base))
        self.prefix = self.real.rstrip(b"/") + b"/"
        self.dirs: dict[bytes, bytes] = {}  # a name's directory -> its real path

    def inside(self, real: bytes) -> bool:
        return real == self.real or real.startswith(self.prefix)

    def link_inside(self, path: bytes) -> bool:
        """For a path that is a symlink: whether its target is inside the base."""
        return self.inside(os.path.realpath(path))

    def resolve(self, name: bytes) -> bytes | None:
        if self.allow_outside:
            return name if name.startswith(b"/") else self.given + name
        if name.startswith(b"/") or (b".." in name and b".." in name.split(b"/")):
            return None
        path = self.prefix + name
        if b"/" in name:
            directory, _, leaf = name.rpartition(b"/")
            real_dir = self.dirs.get(directory)
            if real_dir is None:
                real_dir = self.dirs[directory] = os.path.realpath(self.prefix + directory)
            real = real_dir if leaf in (b"", b".") else real_dir.rstrip(b"/") + b"/" + leaf
            if not self.inside(real):  # a directory that is (or passes through) a link out,
                return path if _is_link(path) and self.link_inside(path) else None  # or back
        if not LINKS_AT_OPEN and _is_link(path) and not self.link_inside(path):
            return None
        return path


def _is_link(path: bytes) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


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
    with paused_gc():
        return _check(listing, base, options, progress_factory)


def _check(
    listing: ChecksumList,
    base: Path,
    options: CheckOptions,
    progress_factory: Callable[[int], Progress] | None,
) -> CheckReport:
    confiner = _Confiner(base, options.allow_outside_base)
    resolve = confiner.resolve
    targets = [resolve(entry.name) for entry in listing.entries]
    to_hash = [path for path in targets if path is not None]
    progress = None
    if progress_factory is not None:
        total = 0
        for path in dict.fromkeys(to_hash):
            with contextlib.suppress(OSError):
                total += os.stat(path).st_size
        progress = progress_factory(total)
    links = None if options.allow_outside_base else confiner.link_inside
    digests = hash_paths(to_hash, jobs=options.jobs, progress=progress, links=links)

    outcomes: list[Outcome] = []
    out: list[str] = []
    err: list[str] = []
    add = outcomes.append
    print_ok = not options.status and not options.quiet
    for entry, target in zip(listing.entries, targets, strict=True):
        result = digests[target] if target is not None else None
        if result == entry.digest:  # the common case first: as little as possible per file
            printed = f"{_shown(entry.name)}: OK" if print_ok else ""
            add(Outcome(entry, "OK", "", printed))
            if printed:
                out.append(printed)
            continue
        if result is None:
            outcome = Outcome(entry, "REFUSED", "outside the base directory")
            err.append(
                f"{_quoted(entry.name)}: refused: the name leaves the base directory "
                "(absolute path, '..' or a symlink out); use --allow-outside-base to allow it"
            )
        elif isinstance(result, FileNotFoundError) and options.ignore_missing:
            add(Outcome(entry, "IGNORED"))
            continue
        elif isinstance(result, OSError):
            status: Status = "MISSING" if isinstance(result, FileNotFoundError) else "UNREADABLE"
            outcome = Outcome(entry, status, result.strerror or str(result))
            err.append(f"{_quoted(entry.name)}: {outcome.detail}")
        else:
            outcome = Outcome(entry, "FAILED", f"expected {entry.digest}, got {result}")
        printed = ""
        if options.status:
            pass
        elif outcome.status == "FAILED":
            printed = f"{_shown(entry.name)}: FAILED"
        else:
            printed = f"{_shown(entry.name)}: FAILED open or read"
        add(outcome._replace(printed=printed))
        if printed:
            out.append(printed)

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
