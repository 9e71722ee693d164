"""Declared config sections (msgspec models): plain YAML data in, a frozen model out, and a
complaint that points at the key path it is about, for core/config.py to turn into file:line.
"""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

T = TypeVar("T")


class SectionError(ValueError):
    """A model's complaint and where in the section it points (keys and list indexes)."""

    def __init__(self, problem: str, path: tuple[str | int, ...]) -> None:
        super().__init__(problem)
        self.problem, self.path = problem, path


def convert_section(data: object, model: type[T]) -> T:
    """``data`` (ruamel's scalar types made plain first) as a ``model``.

    Raises:
        SectionError: what is wrong, and the key path it is at.
    """
    try:
        return msgspec.convert(builtin(data), model)
    except msgspec.ValidationError as exc:
        problem, _, where = str(exc).partition(" - at `$")
        steps = re.findall(r"\.([^.\[`]+)|\[(\d+)\]", where.rstrip("`"))
        path = tuple(int(index) if index else key for key, index in steps)
        unknown = re.fullmatch(r"Object contains unknown field `([^`]+)`", problem)
        if unknown:  # point at the key itself
            path += (unknown.group(1),)
            problem = "is not a known key"
        missing = re.fullmatch(r"Object missing required field `([^`]+)`", problem)
        if missing:
            problem = f"needs {missing.group(1)}"
        raise SectionError(problem, path) from None


def builtin(data: object) -> object:
    """Plain dicts, lists and scalars (ruamel's CommentedMap and ScalarString subclasses)."""
    if isinstance(data, dict):
        return {str(k): builtin(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [builtin(v) for v in data]
    for kind in (bool, str, int, float):
        if isinstance(data, kind):
            return kind(data)
    return data
