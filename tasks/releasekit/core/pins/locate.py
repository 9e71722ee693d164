"""Finding one value token in a file: a key path (through version_files' locating machinery),
literal text with ``{value}``, a Makefile variable, a Dockerfile ``FROM`` tag, a go.mod
directive. release.pin, release.set and verify.docs all locate values this way.

Only the token's span is found; whoever edits replaces those characters and nothing else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..common.confine import confine
from ..common.errors import TargetError
from ..common.textfile import line_of, read_text
from ..versioning.locate import KeyNotFound, locate_key
from ..versioning.version_files import matching_files
from .config import VALUE_PATTERN


@dataclass(frozen=True)
class Spot:
    """One value token found in a file."""

    path: str  # as users see it: relative to the repository root, POSIX separators
    real: Path  # the file holding the bytes (symlinks resolved)
    line: int
    start: int
    end: int
    found: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Locator:
    """Where a value is: a path (or glob) plus a key path or a regex with a ``token`` group."""

    path: str
    label: str
    key: tuple[str, ...] | None = None
    regex: re.Pattern[str] | None = None
    # A glob skips a file without the key; with ``entry`` (a kustomize images: entry is
    # ``images.<name>``: 2) only one without the entry — an entry that lacks the key is an error.
    entry: int | None = None

    @property
    def is_glob(self) -> bool:
        return any(ch in self.path for ch in "*?[")


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Literal text with one ``{value}``, anchored at word edges like version_files patterns:
    ``tag: \\"{value}\\"`` finds the value inside an escaped string, ``IMG ?= {value}`` never
    matches ``OTHER_IMG ?= x``."""
    head, tail = pattern.split("{value}")
    regex = re.escape(head) + f"(?P<token>{VALUE_PATTERN})" + re.escape(tail)
    if re.match(r"\w", pattern):
        regex = r"(?<![\w.-])" + regex
    if not tail:
        regex += r"(?![\w.+-])"
    elif re.search(r"\w$", tail):
        regex += r"(?!\w)"
    return re.compile(regex)


def variable_regex(name: str) -> re.Pattern[str]:
    """A Makefile variable's value: ``NAME ?= 1.30.0``, ``export NAME := x``, ``NAME = x``."""
    return re.compile(
        rf"^[ \t]*(?:(?:export|override)[ \t]+)*{re.escape(name)}[ \t]*(?:\?=|::?=|\+=|=)[ \t]*"
        r"(?P<token>[^\s#]+)",
        re.MULTILINE,
    )


def from_regex(image: str) -> re.Pattern[str]:
    """The tag of a Dockerfile ``FROM`` image: ``golang`` finds ``FROM golang:1.22 AS build``
    and ``FROM --platform=$X docker.io/library/golang:1.22``."""
    return re.compile(
        r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(?:\S+/)?"
        + re.escape(image)
        + r":(?P<token>[\w][\w.-]*)",
        re.MULTILINE | re.IGNORECASE,
    )


def directive_regex(name: str) -> re.Pattern[str]:
    """A go.mod directive's argument: ``go 1.22``, ``toolchain go1.22.3``."""
    return re.compile(rf"^{re.escape(name)}[ \t]+(?P<token>\S+)", re.MULTILINE)


def read_repo_file(root: Path, path: Path | str) -> tuple[str, Path, str]:
    """(display path, real path, exact text) of a file inside the work tree.

    Raises:
        ConfinementError: it (or a symlink on its way) leads outside the work tree.
        FileFormatError: it cannot be read or is not UTF-8.
    """
    real = confine(root, path, what="file")
    display = Path(os.path.relpath(real, root.resolve())).as_posix()
    return display, real, read_text(real, display)


def spots_in_text(text: str, display: str, real: Path, locator: Locator) -> list[Spot]:
    """Every token of ``locator`` in one file's text (a key path finds exactly one).

    Raises:
        KeyNotFound: a key path is missing (a glob skips such a file).
        TargetError, FileFormatError: the value cannot be located exactly.
    """
    if locator.key is not None:
        start, end = locate_key(text, display, locator.key)
        return [Spot(display, real, line_of(text, start), start, end, text[start:end])]
    assert locator.regex is not None
    return [
        Spot(display, real, line_of(text, m.start("token")), *m.span("token"), m.group("token"))
        for m in locator.regex.finditer(text)
    ]


def find_spots(root: Path, locator: Locator) -> list[Spot]:
    """Every token of ``locator`` in the work tree.

    A plain path must hold it; a glob edits the matching files that hold it, and at least one
    must.

    Raises:
        TargetError: the file is missing, the key or pattern is not in it, or no file matching
            a glob holds it.
        FileFormatError, ConfinementError: as :func:`read_repo_file`.
    """
    spots: list[Spot] = []
    seen: set[Path] = set()
    for path in matching_files(root, locator.path):
        display, real, text = read_repo_file(root, path)
        if real in seen:  # a link and its target both matched: one file, its tokens once
            continue
        seen.add(real)
        try:
            found = spots_in_text(text, display, real, locator)
        except KeyNotFound as exc:
            if locator.entry is not None and len(exc.upto) > locator.entry:
                entry, key = ".".join(exc.upto[:-1]), exc.upto[-1]
                raise TargetError(
                    f"{display}: {entry} has no {key} ({locator.label}); add `{key}: <the "
                    "development value>` to it, so that release.unpin can put it back"
                ) from None
            if locator.is_glob:
                continue
            raise
        if not found and not locator.is_glob:
            raise TargetError(
                f"{display}: {locator.label!r} not found; restore the line or fix the target in "
                "releasekit.yaml"
            )
        spots.extend(found)
    if not spots:
        raise TargetError(
            f"no file matching {locator.path!r} holds {locator.label!r}; fix the path or the "
            "target in releasekit.yaml"
        )
    return spots
