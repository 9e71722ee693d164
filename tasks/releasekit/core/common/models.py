"""Declared config models (msgspec) made from YAML data, with the key path of a mistake.

Each domain declares its releasekit.yaml section as frozen msgspec Structs; core/config.py
turns a :class:`SectionError` into a ConfigError at the file's line.
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


def convert_model(data: object, model: type[T]) -> T:
    """YAML data (ruamel's scalar types made plain first) as a ``model``.

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
        if unknown:  # point at the key itself, with the keys that are known there
            path += (unknown.group(1),)
            problem = "is not a known key"
        missing = re.fullmatch(r"Object missing required field `([^`]+)`", problem)
        if missing:
            problem = f"needs {missing.group(1)}"
        raise SectionError(problem, path) from None


def builtin(data: object) -> object:
    """ruamel's round-trip containers and scalars as plain dicts, lists, str, int, float."""
    if isinstance(data, dict):
        return {str(k): builtin(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [builtin(v) for v in data]
    for kind in (bool, str, int, float):
        if isinstance(data, kind):
            return kind(data)
    return data
