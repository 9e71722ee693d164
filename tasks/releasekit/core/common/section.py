"""The base of every releasekit.yaml section model, and the checks sections share.

How to write a section is in :mod:`releasekit.core.config` (its docstring). This module sits
in common/ so each domain can declare its section without importing the loader, which
imports every domain.
"""

# No `from __future__ import annotations` in the modules that declare config sections: msgspec
# would evaluate each string annotation at the first convert, a compile() per field (~220 of
# them: ~7 ms of every command); written as objects they are built at import for ~3 ms.

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Annotated, ClassVar

import msgspec

from .excerpt import excerpt

CONFIG_FILE = "releasekit.yaml"

# A string with something in it: "" and "  " are refused as "must not be empty".
Text = Annotated[str, msgspec.Meta(pattern=r"\S")]
NON_EMPTY = r"\S"


@dataclass(frozen=True)
class Origin:
    """Where a configuration value was written, for error messages."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


class Section(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True, dict=True):
    """A mapping of releasekit.yaml: unknown keys refused, immutable, keyword-only fields.

    ``origin`` is where the mapping was written. It is not a key (a ClassVar, so neither
    decoded nor compared); the loader records it on each instance it builds (``dict=True``
    gives instances the ``__dict__`` that holds it).
    """

    origin: ClassVar[Origin] = Origin(CONFIG_FILE)


class FieldError(ValueError):
    """A check in ``__post_init__`` failed on one key of the section (``pattern``, ``values[1]``).

    The loader reports it at that key's line: ``releasekit.yaml:4: helm.charts[0].values[1]
    must be a path inside the repository``. A plain ValueError points at the whole section.
    ``sentence=True`` when ``problem`` already names the key (it is printed as it is).
    """

    def __init__(self, key: str, problem: str, *, sentence: bool = False) -> None:
        super().__init__(problem if sentence else f"{key} {problem}")
        self.key = key
        self.problem = problem
        self.sentence = sentence


def inside_repo(key: str, text: str | None) -> None:
    """A path (or glob) inside the repository: relative, no ``..``; None passes."""
    if text is None:
        return
    pure = PurePosixPath(text)
    if pure.is_absolute() or ".." in pure.parts:
        raise FieldError(key, f"must be a path inside the repository, got {excerpt(text)}")


def each_inside_repo(key: str, texts: Iterable[str]) -> None:
    for index, text in enumerate(texts):
        inside_repo(f"{key}[{index}]", text)


def once(key: str, text: str, *placeholders: str) -> None:
    """``text`` contains each of ``placeholders`` (e.g. ``{version}``) exactly once."""
    for placeholder in placeholders:
        if text.count(placeholder) != 1:
            raise FieldError(key, f"must contain {placeholder} exactly once, got {excerpt(text)}")


def regex(key: str, text: str, *, wording: str = "is not a regular expression") -> int:
    """``text`` compiles as a Python regular expression; returns its number of groups."""
    from .regex import BadRegex, compile_regex

    try:
        return compile_regex(text).groups
    except BadRegex as exc:
        raise FieldError(key, f"{wording}: {exc}") from None


def contains_any(key: str, text: str, *placeholders: str) -> None:
    """``text`` contains at least one of ``placeholders``."""
    if not any(p in text for p in placeholders):
        raise FieldError(key, f"must contain {' or '.join(placeholders)}, got {excerpt(text)}")
