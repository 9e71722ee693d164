"""The commented starter releasekit.yaml, rendered from the models.

Every key appears with its description as a comment and a value: its example (the model's
``examples``) or else its default. Optional keys whose example would change behaviour, or
contradict another key, are commented out (``extra={"starter": "comment"}``).
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import msgspec

from .fields import Field, fields, is_struct, struct_of

WIDTH = 96
HEADER = """\
# yaml-language-server: $schema=releasekit.schema.json
# releasekit.yaml — copy to your repository root and adapt. Every key is optional; unknown keys
# are errors. The same keys may sit under `releasekit:` in an invoke.yaml; releasekit.yaml wins
# key by key. Editor completion and checks: save the schema next to this file with
#   releasekit --print-template releasekit.schema.json > releasekit.schema.json
# Generated from releasekit's config models (`inv generate` in the releasekit repository).
"""
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./ -]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def render_starter(root: type[msgspec.Struct]) -> str:
    """The starter file for the root model ``root``."""
    lines: list[str] = []
    for item in fields(root):
        lines.append("")
        _field(item, 0, lines)
    return HEADER + "\n".join(lines) + "\n"


def comment(text: str, indent: int, lines: list[str], hang: int = 0) -> None:
    pad = " " * indent + "# "
    lines.extend(
        textwrap.wrap(
            text,
            WIDTH,
            initial_indent=pad,
            subsequent_indent=pad + " " * hang,
            break_on_hyphens=False,
            break_long_words=False,
        )
    )


def _field(item: Field, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    nested = struct_of(item.type)
    if nested is not None and not item.is_list:
        comment(_doc(nested) or item.description, indent, lines)
        lines.append(f"{pad}{item.name}:")
        for child in fields(nested):
            _field(child, indent + 2, lines)
        return
    shown = item.example if item.has_example else item.default
    note = item.description
    if item.has_default and shown != item.default:
        note += (
            ("" if note.endswith(".") else ".")
            + " Default: "
            + ("none." if item.default is None else f"{inline(item.default)}.")
        )
    comment(note, indent, lines)
    if nested is not None:  # a list of mappings: each key of an item, then the examples
        for child in fields(nested):
            required = "" if child.has_default else " (required)"
            comment(f"  {child.name}{required}: {child.description}", indent, lines, hang=4)
    prefix = f"{pad}# " if item.extra.get("starter") == "comment" else pad
    for line in _value_lines(item.name, shown, indent):
        lines.append(prefix + line[indent:])


def _doc(struct: type[msgspec.Struct]) -> str:
    return " ".join((struct.__doc__ or "").split())


def _value_lines(name: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        out = [f"{pad}{name}:"]
        for entry in value:
            first = True
            for key, item in entry.items():
                lead = "  - " if first else "    "
                out.append(f"{pad}{lead}{key}: {inline(item)}")
                first = False
        return out
    line = f"{pad}{name}: {inline(value)}"
    if isinstance(value, dict) and (len(value) > 3 or len(line) > WIDTH):
        return [f"{pad}{name}:", *(f"{pad}  {inline(k)}: {inline(v)}" for k, v in value.items())]
    return [line]


def inline(value: Any) -> str:
    """``value`` as YAML on one line: plain where that is unambiguous, else double-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value.lower() not in _RESERVED and not _numeric(value)
        return value if plain else json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{inline(k)}: {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, msgspec.Struct) and is_struct(type(value)):
        return inline(msgspec.to_builtins(value))
    return json.dumps(value)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
