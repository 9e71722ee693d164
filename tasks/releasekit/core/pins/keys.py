"""release.get and release.set: one key of a YAML, JSON or TOML file, read as the file's text
and written as one token; and the edit builder every pin writer shares.

A value is the file's own text: ``tag: "3.9"`` reads as the string ``3.9``, never a float.
Writing replaces the characters between the quotes (or of the plain scalar) and nothing else,
so quotes, comments (``reference: <sha> # v4.0.0``) and key order stay. Every edited key is read
back: a token that would change what the file means (``3.10`` written into a plain scalar reads
as the float 3.1) is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import ReleaseError, TargetError, UsageError
from ..common.excerpt import clip, excerpt
from ..common.textfile import FileEdit, read_text
from ..versioning.locate import KeyNotFound, key_value
from .locate import Locator, Spot, find_spots, read_repo_file, spots_in_text


@dataclass(frozen=True)
class Change:
    """One token a writer sets: where, how reports name it, the new text."""

    spot: Spot
    label: str
    new: str
    key: tuple[str, ...] | None = None  # a key target: read back after the edit

    @property
    def is_noop(self) -> bool:
        return self.spot.found == self.new

    def as_json(self) -> dict[str, object]:
        spot = self.spot
        return {"path": spot.path, "line": spot.line, "target": self.label,
                "old": spot.found, "new": self.new}  # fmt: skip

    def line(self) -> str:
        old, new = (t or '""' for t in (self.spot.found, self.new))  # an empty chart tag
        return f"{self.spot.location} {self.label}: {old} -> {new}"


def parse_key(text: str) -> tuple[str, ...]:
    """A key path from the command line: ``git.kbs.reference``, or a JSON list for segments
    that contain dots (``'["images", "quay.io/x", "newTag"]'``).

    Raises:
        UsageError: it is empty or not a list of strings.
    """
    if text.startswith("["):
        try:
            parts = json.loads(text)
        except json.JSONDecodeError:
            parts = None
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            raise UsageError(
                f'key {excerpt(text)} must be a JSON list of strings, e.g. \'["a.b", "c"]\''
            )
        return tuple(parts)
    if not text or any(not part for part in text.split(".")):
        raise UsageError(f"key {excerpt(text)} must be a key path like image.tag")
    return tuple(text.split("."))


def get_value(root: Path, file: str, key: tuple[str, ...]) -> Spot:
    """The scalar at ``key`` in ``file``, as the file spells it (without quotes).

    Raises:
        TargetError: no such key ("did you mean ..."), or not a scalar there.
    """
    display, real, text = read_repo_file(root, file)
    shown = clip(".".join(key))  # typed on the command line: any length
    try:
        value = key_value(text, display, key)
    except KeyNotFound as exc:
        hint = f"; {exc.suggestion()}" if exc.suggestion() else ""
        raise TargetError(f"{display}: no such key {shown}{hint}") from None
    if isinstance(value, dict | list):
        kind, names = ("mapping", list(value)) if isinstance(value, dict) else ("list", [])
        more = f"; name one of its keys: {', '.join(map(str, names))}" if names else ""
        raise TargetError(f"{display}: {shown} is a {kind}, not a value{more}")
    [spot] = spots_in_text(text, display, real, Locator(display, shown, key=key))
    return spot


def plan_set(root: Path, file: str, assignments: Sequence[str]) -> list[Change]:
    """The changes ``KEY=VALUE`` assignments make to one file (unchanged ones included).

    Raises:
        UsageError: an assignment is not KEY=VALUE, or names a key twice.
        TargetError: a key is missing or not a scalar.
    """
    changes: list[Change] = []
    seen: set[tuple[str, ...]] = set()
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            flag = " (options go before the --)" if assignment.startswith("-") else ""
            raise UsageError(
                f"{excerpt(assignment)} is not KEY=VALUE{flag}, e.g. git.kbs.reference=v0.9.0"
            )
        if "\n" in value or "\r" in value:
            raise UsageError(f"the value for {clip(name)} spans lines; give a one-line value")
        key = parse_key(name)
        if key in seen:
            raise UsageError(f"{clip(name)} is set twice; give each key once")
        seen.add(key)
        changes.append(Change(get_value(root, file, key), ".".join(key), value, key))
    return changes


def key_changes(root: Path, locator: Locator, new: str) -> list[Change]:
    """One change per token ``locator`` finds in the work tree, each to ``new``."""
    return [Change(s, locator.label, new, locator.key) for s in find_spots(root, locator)]


def build_edits(
    changes: Sequence[Change], removals: Sequence[FileEdit] = ()
) -> tuple[FileEdit, ...]:
    """One FileEdit per file, every token replaced in the text as read, each key read back.

    Raises:
        TargetError: two targets want different values in one place, or an edited key would
            read back as something else (nothing is written).
        ReleaseError: a file changed on disk since it was located.
    """
    by_file: dict[Path, dict[tuple[int, int], Change]] = {}
    for change in changes:
        if change.is_noop:
            continue
        spans = by_file.setdefault(change.spot.real, {})
        span = (change.spot.start, change.spot.end)
        other = spans.get(span)
        if other is not None and other.new != change.new:
            raise TargetError(
                f"{change.spot.location}: {other.label} and {change.label} want "
                f"{other.new!r} and {change.new!r} in the same place; keep one of them"
            )
        spans[span] = change
    edits = []
    for real, spans in by_file.items():
        first = next(iter(spans.values())).spot
        old = read_text(real, first.path)
        new = old
        for (start, end), change in sorted(spans.items(), reverse=True):
            if old[start:end] != change.spot.found:
                raise ReleaseError(
                    f"{first.path} changed on disk while releasekit was running; nothing was "
                    "written — run the task again"
                )
            new = new[:start] + change.new + new[end:]
        for change in spans.values():
            if change.key is not None:
                _read_back(old, new, change)
        edits.append(FileEdit(first.path, real, old, new))
    return (*edits, *removals)


def _read_back(old: str, new: str, change: Change) -> None:
    assert change.key is not None
    where, label = change.spot.location, change.label
    try:
        if change.spot.path.endswith(".json"):
            json.loads(new)
        before = key_value(old, change.spot.path, change.key)
        after = key_value(new, change.spot.path, change.key)
    except (ReleaseError, json.JSONDecodeError) as exc:
        raise TargetError(
            f"{where}: writing {change.new!r} to {label} would break the file ({exc}); "
            "nothing was written"
        ) from None
    if _kind(before) == _kind(after) and (not isinstance(after, str) or after == change.new):
        return
    raise TargetError(
        f"{where}: {label} would read back as {_kind(after)} {_shown(after)} after writing "
        f"{change.new!r} (the file holds {_kind(before)} {_shown(before)}); quote the value in "
        f'the file ({label.rsplit(".", 1)[-1]}: "{change.spot.found}") and run again — nothing '
        "was written"
    )


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "nothing (null)" if value is None else type(value).__name__


def _shown(value: Any) -> str:
    return repr(str(value)) if isinstance(value, str) else str(value)
