"""Planning a version bump: every token that changes, checked before anything is written."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import semver

from ..common.errors import ReleaseError, TargetError, VersionError
from ..common.starters import STARTER_DOCS
from ..common.textfile import FileEdit, read_text
from .config import VersionFile
from .version_files import (
    Occurrence,
    find_occurrences,
    render_token,
)
from .versions import (
    resolve_new_version,
)


@dataclass(frozen=True)
class Change:
    """A token that the bump rewrites."""

    occurrence: Occurrence
    new: str


@dataclass(frozen=True)
class BumpPlan:
    """Everything a bump will do, computed and validated before anything is written."""

    current: semver.Version | None
    new_version: semver.Version
    changes: tuple[Change, ...]
    out_of_step: tuple[Occurrence, ...]
    edits: tuple[FileEdit, ...]

    @property
    def is_noop(self) -> bool:
        return not self.edits


def plan_bump(
    root: Path,
    targets: Sequence[VersionFile],
    requested: str,
    *,
    today: dt.date,
    prerelease_token: str = "rc",
    allow_downgrade: bool = False,
) -> BumpPlan:
    """Compute the edits that set every target to a new version.

    The current version is the highest one found; targets holding an older one are reported
    as out of step and set like the others.

    Raises:
        VersionError: bad version/keyword, or a downgrade without ``allow_downgrade``.
        TargetError, FileFormatError: a target cannot be found or read.
    """
    if not targets:
        raise TargetError(
            f"no version_files are configured; add them to releasekit.yaml (every key: {STARTER_DOCS})"
        )
    occurrences = find_occurrences(root, targets)
    versioned = [o for o in occurrences if not o.is_date]
    current = max((o.version() for o in versioned), default=None)
    new_version = resolve_new_version(requested, current, prerelease_token)
    if current is not None and new_version < current and not allow_downgrade:
        holder = next(o for o in versioned if o.version() == current)
        raise VersionError(
            f"{new_version} is lower than the current version {current} ({holder.location}); "
            "pass --allow-downgrade to set it anyway"
        )
    out_of_step = tuple(o for o in versioned if current is not None and o.version() != current)
    changes = [Change(o, render_token(o.target, new_version, o.found)) for o in versioned]
    changes = [c for c in changes if c.new != c.occurrence.found]
    if changes:
        changes += [
            Change(o, today.isoformat())
            for o in occurrences
            if o.is_date and o.found != today.isoformat()
        ]
    return BumpPlan(current, new_version, tuple(changes), out_of_step, _edits(changes))


def _edits(changes: Sequence[Change]) -> tuple[FileEdit, ...]:
    by_file: dict[Path, dict[tuple[int, int], Change]] = {}
    for change in changes:
        occ = change.occurrence
        spans = by_file.setdefault(occ.real_path, {})
        previous = spans.get((occ.start, occ.end))
        if previous is not None and previous.new != change.new:
            raise TargetError(
                f"{occ.location}: targets {previous.occurrence.target.label!r} and "
                f"{occ.target.label!r} want {previous.new!r} and {change.new!r} in the same place; "
                "give them the same format"
            )
        spans[(occ.start, occ.end)] = change
    for spans in by_file.values():
        ordered = sorted(spans.items())
        for (span_a, a), (span_b, b) in itertools.pairwise(ordered):
            if span_b[0] < span_a[1]:  # one token seen by two targets with different bounds
                raise TargetError(
                    f"{b.occurrence.location}: targets {a.occurrence.target.label!r} "
                    f"({a.occurrence.found!r}) and {b.occurrence.target.label!r} "
                    f"({b.occurrence.found!r}) overlap on one version; keep one of them in "
                    "releasekit.yaml"
                )
    edits = []
    for real_path, spans in by_file.items():
        first = next(iter(spans.values())).occurrence
        old = read_text(real_path, first.path)
        new = old
        for (start, end), change in sorted(spans.items(), reverse=True):
            if old[start:end] != change.occurrence.found:  # the offsets are from the first read
                raise ReleaseError(
                    f"{first.path} changed on disk while releasekit was running; "
                    "nothing was written — run the task again"
                )
            new = new[:start] + change.new + new[end:]
        edits.append(FileEdit(first.path, real_path, old, new))
    return tuple(edits)
