"""``sha256sum --check`` semantics: verdicts and the exact lines coreutils would print.

tests/core/artifacts/test_checksums_differential.py holds it to coreutils on generated corpora.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ..common.errors import FileFormatError, ReleaseError, VerificationFailed
from .checksums import ChecksumList, Entry, Progress, escape_name, hash_files

Status = Literal["OK", "FAILED", "MISSING", "UNREADABLE", "REFUSED", "IGNORED"]

# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
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


def _shown(name: bytes) -> str:
    """How ``sha256sum -c`` prints a name: escaped with a leading backslash if it has a newline."""
    if b"\n" in name:
        return "\\" + os.fsdecode(escape_name(name))
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
    base: Path,
    name: bytes,
    *,
    allow_outside: bool,
    real_base: str | None = None,
    sizes: dict[Path, int] | None = None,
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
            info = os.lstat(target)
            if not stat.S_ISLNK(info.st_mode):
                path = base / text
                if sizes is not None and stat.S_ISREG(info.st_mode):
                    sizes[path] = info.st_size  # spares hash_files a stat per file
                return path
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
    sizes: dict[Path, int] = {}
    for index, entry in enumerate(listing.entries):
        targets[index] = resolve_entry(
            base,
            entry.name,
            allow_outside=options.allow_outside_base,
            real_base=real_base,
            sizes=sizes,
        )
    to_hash = [p for p in targets.values() if p is not None]
    progress = None
    if progress_factory is not None:
        total = 0
        for path in dict.fromkeys(to_hash):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        progress = progress_factory(total)
    digests = hash_files(to_hash, jobs=options.jobs, progress=progress, sizes=sizes)

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
        printed = ""
        if options.status:
            pass
        elif outcome.status in ("MISSING", "UNREADABLE", "REFUSED"):
            printed = f"{shown}: FAILED open or read"
        elif outcome.status == "FAILED":
            printed = f"{shown}: FAILED"
        elif not options.quiet:
            printed = f"{shown}: OK"
        outcomes.append(replace(outcome, printed=printed))
        out += [printed] if printed else []

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
