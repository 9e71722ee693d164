"""release.pin and release.unpin: the tested value into every pin target, and back.

Targets are located by structure (a key path, a kustomize image name, literal text around the
value), never by the value they hold, so pinning again from any earlier pin updates every
target — the sed in seed 004's release-helper.sh matched the development value and left a
Makefile on the old sha. Unpinning is the inverse edit, and refuses a target whose token no
longer holds the pinned value: someone changed it since, and that change is not overwritten.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..common.confine import confine
from ..common.errors import TargetError, UsageError
from ..common.textfile import FileEdit, read_text
from .config import PinsConfig, PinTarget, ReleasePin, check_value
from .keys import Change, build_edits, key_changes
from .locate import Locator, pattern_regex


@dataclass(frozen=True)
class PinPlan:
    """Everything a pin or unpin does, computed and validated before anything is written."""

    value: str | None  # the pinned value (unpin: the one found)
    changes: tuple[Change, ...]  # every target token, unchanged ones included
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    edits: tuple[FileEdit, ...] = field(default=())

    @property
    def is_noop(self) -> bool:
        return not self.edits

    def lines(self) -> list[str]:
        out = [c.line() for c in self.changes if not c.is_noop]
        return out + [f"{path}: removed" for path in self.removed]

    def as_json(self, dry_run: bool) -> dict[str, object]:
        return {
            "value": self.value,
            "dry_run": dry_run,
            "changes": [c.as_json() for c in self.changes if not c.is_noop],
            "unchanged": [c.as_json() for c in self.changes if c.is_noop],
            "removed": list(self.removed),
            "warnings": list(self.warnings),
        }


def locator(target: PinTarget | ReleasePin) -> Locator:
    """Where a pin target's token is."""
    key = target.located_key if isinstance(target, PinTarget) else target.key_path
    if isinstance(target, PinTarget) and target.image is not None:
        return Locator(target.path, target.label, key=key, entry=2)
    if key is not None:
        return Locator(target.path, target.label, key=key)
    assert target.pattern is not None
    return Locator(target.path, target.label, regex=pattern_regex(target.pattern))


def _require(pins: PinsConfig | None, where: str) -> PinsConfig:
    if pins is None or not (pins.targets or pins.release):
        raise TargetError(
            f"no pins are configured; add pins.targets (and pins.release) to {where} "
            "(every key: releasekit --print-template releasekit.yaml)"
        )
    return pins


def plan_pin(
    root: Path,
    pins: PinsConfig | None,
    value: str,
    *,
    where: str = "releasekit.yaml",
    tag: tuple[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> PinPlan:
    """Set every pin target to ``value`` (through its format) and every release pin to its
    release value.

    Args:
        tag: (tag, version) for release pins whose value uses {tag} or {version}.
        overrides: release pin label (or ``path:label``) -> value, from ``--set``.

    Raises:
        UsageError: the value cannot be written as one token, or an override names no pin.
        TargetError: a target is missing, or a release pin has no value.
    """
    pins = _require(pins, where)
    try:
        check_value(value, "the value")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    warnings = []
    if not re.fullmatch(pins.expect, value):
        warnings.append(
            f"{value!r} does not look like what release.pin expects (pins.expect: "
            f"{pins.expect}; by default the 40-hex commit sha of the tested image); pinned anyway"
        )
    changes = [
        c
        for target in pins.targets
        for c in key_changes(root, locator(target), target.format.replace("{value}", value))
    ]
    chosen = _release_values(pins.release, value, tag, dict(overrides or {}))
    for pin, new in zip(pins.release, chosen, strict=True):
        changes += key_changes(root, locator(pin), new)
    return PinPlan(value, tuple(changes), (), tuple(warnings), build_edits(changes))


def _release_values(
    pins: Sequence[ReleasePin], value: str, tag: tuple[str, str] | None, overrides: dict[str, str]
) -> list[str]:
    chosen = []
    for pin in pins:
        names = (f"{pin.path}:{pin.label}", pin.label)
        given = next((overrides.pop(n) for n in names if n in overrides), None)
        if given is None and pin.value is None:
            raise TargetError(
                f"release pin {pin.path} {pin.label} has no value; pass --set "
                f"{pin.label}=VALUE or give it a value in releasekit.yaml"
            )
        text = given if given is not None else str(pin.value)
        if given is None and ("{tag}" in text or "{version}" in text):
            if tag is None:
                raise UsageError(
                    f"release pin {pin.path} {pin.label} is {text!r}; pass --tag vX.Y.Z"
                )
            text = text.replace("{tag}", tag[0]).replace("{version}", tag[1])
        chosen.append(text.replace("{value}", value))
    if overrides:
        known = ", ".join(p.label for p in pins) or "none are configured"
        raise UsageError(
            f"--set {next(iter(overrides))}: no such release pin (pins.release: {known})"
        )
    return chosen


def _known_release_value(pin: ReleasePin, pinned: str | None) -> str | None:
    """A release pin's value as unpin can know it: a literal, or {value} with the pinned
    value; None when it came from --set or --tag (any value is then reverted)."""
    if pin.value is None or "{tag}" in pin.value or "{version}" in pin.value:
        return None
    if "{value}" in pin.value:
        return None if pinned is None else pin.value.replace("{value}", pinned)
    return pin.value


def _most_held(values: list[str | None]) -> str | None:
    """The value most pinned targets hold: the others are the ones changed since the pin.
    None when no value has more targets than every other."""
    counts = Counter(v for v in values if v is not None).most_common(2)
    if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def _unformat(fmt: str, token: str) -> str | None:
    head, tail = fmt.split("{value}")
    if token.startswith(head) and token.endswith(tail) and len(token) > len(head) + len(tail):
        return token[len(head) : len(token) - len(tail)]
    return None


def plan_unpin(
    root: Path, pins: PinsConfig | None, value: str | None = None, *, where: str = "releasekit.yaml"
) -> PinPlan:
    """Put every pin target's development value back, revert the release pins, and remove
    the files they name.

    Args:
        value: the value that was pinned; default: the one every pinned target holds.

    Raises:
        TargetError: a target holds neither its development value nor the pinned value (it
            was changed since); the message names each one, nothing is written.
    """
    pins = _require(pins, where)
    found: list[tuple[Change, str | None]] = []
    for target in pins.targets:
        for change in key_changes(root, locator(target), target.dev):
            held_value = None if change.is_noop else _unformat(target.format, change.spot.found)
            found.append((change, held_value))
    pinned = [(c, p) for c, p in found if not c.is_noop]
    pinned_value = value if value is not None else _most_held([p for _, p in pinned])
    refused = [
        f"{c.spot.location} {c.label} holds {c.spot.found!r}"
        for c, p in pinned
        if p is None or p != pinned_value
    ]
    release: list[Change] = []
    for pin in pins.release:
        known = _known_release_value(pin, pinned_value)
        for change in key_changes(root, locator(pin), pin.dev):
            release.append(change)
            if known is not None and not change.is_noop and change.spot.found != known:
                refused.append(f"{change.spot.location} {change.label} holds "
                               f"{change.spot.found!r}, not its release value {known!r}")  # fmt: skip
    if refused:
        expected = (
            f"the pinned value {pinned_value!r}"
            if pinned_value
            else "one and the same pinned value"
        )
        raise TargetError(
            f"{len(refused)} pin target(s) hold neither {expected} nor their development value "
            "(changed since the pin?); nothing was written:\n  " + "\n  ".join(refused) + "\n"
            "put back the pinned (or the development) value by hand and unpin again; --value "
            "names the pinned value when the targets cannot tell"
        )
    changes = [c for c, _ in found] + release
    removals = _removals(root, pins.release)
    return PinPlan(
        pinned_value,
        tuple(changes),
        tuple(e.path for e in removals),
        (),
        build_edits(changes, removals),
    )


def _removals(root: Path, release: Sequence[ReleasePin]) -> list[FileEdit]:
    removals = []
    for path in dict.fromkeys(p for pin in release for p in pin.unpin_removes):
        real = confine(root, path, what="unpin_removes file")
        if (root / path).is_symlink():  # deleting through it would delete what it points at
            raise TargetError(
                f"unpin_removes file {path} is a symlink (to {os.readlink(root / path)}); "
                "release.unpin deletes only a regular file, never what a link points at — "
                f"remove the link by hand (rm {path}) and unpin again; nothing was written"
            )
        if real.is_file():
            removals.append(FileEdit(path, real, read_text(real, path), "", deleted=True))
    return removals
