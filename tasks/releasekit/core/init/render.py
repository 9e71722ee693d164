"""The releasekit.yaml init writes: the detected settings, commented from the config models.

Each key carries its model description (as in the starter, templates/releasekit.yaml), each
detected entry a line saying where it was found; keys appear in the models' order.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ..config.fields import fields, struct_of
from ..config.model import Settings
from ..config.starter import WIDTH, comment, inline
from .layout import Layout

SCHEMA_LINE = "# yaml-language-server: $schema=releasekit.schema.json"
WRITTEN = (
    "releasekit.yaml — written by `releasekit init` from this repository's layout at {tag}; "
    "every version file below says {version} there, so `releasekit verify.versions --tag "
    "{tag}` passes."
)
HEADER = """\
# Every key is optional; unknown keys are errors. All keys, commented:
#   releasekit --print-template releasekit.yaml
# Editor completion and checks: save the schema next to this file with
#   releasekit --print-template releasekit.schema.json > releasekit.schema.json
"""

Notes = dict[tuple[str | int, ...], str]


def render_config(layout: Layout) -> str:
    """The commented YAML text of ``layout.settings``."""
    lines: list[str] = []
    _mapping(Settings, layout.settings, (), 0, layout.notes, lines, layout.commented)
    head = [SCHEMA_LINE]
    comment(WRITTEN.format(tag=layout.tag, version=layout.shown), 0, head)
    return "\n".join(head) + "\n" + HEADER + "\n".join(lines) + "\n"


def _mapping(
    struct: type[msgspec.Struct],
    values: dict[str, Any],
    at: tuple[str | int, ...],
    indent: int,
    notes: Notes,
    lines: list[str],
    commented: dict[str, dict[str, Any]],
) -> None:
    pad = " " * indent
    for item in fields(struct):
        if indent == 0 and item.name in commented:
            # A section to choose or check first: the same lines, each behind "# ".
            block: list[str] = []
            _mapping(struct, {item.name: commented[item.name]}, at, 0, notes, block, {})
            key = block.index(f"{item.name}:")  # its comments above stay; the rest is out
            lines.extend([*block[:key], *(f"# {ln}" for ln in block[key:])])
            continue
        if item.name not in values:
            continue
        value, here = values[item.name], (*at, item.name)
        nested = struct_of(item.type)
        if indent == 0:
            lines.append("")
        doc = " ".join((nested.__doc__ or "").split()) if nested and not item.is_list else ""
        comment(doc or item.description, indent, lines)
        if here in notes:
            comment(f"Found: {notes[here]}.", indent, lines)
        if nested is not None and isinstance(value, dict):
            lines.append(f"{pad}{item.name}:")
            _mapping(nested, value, here, indent + 2, notes, lines, {})
        elif nested is not None and isinstance(value, list):
            lines.append(f"{pad}{item.name}:")
            for n, entry in enumerate(value):
                if (*here, n) in notes:
                    comment(notes[(*here, n)], indent + 2, lines)
                for k, (key, v) in enumerate(entry.items()):
                    lines.append(f"{pad}{'  - ' if k == 0 else '    '}{key}: {inline(v)}")
        elif isinstance(value, list) and len(f"{pad}{item.name}: {inline(value)}") > WIDTH:
            lines.append(f"{pad}{item.name}:")
            lines.extend(f"{pad}  - {inline(v)}" for v in value)
        else:
            lines.append(f"{pad}{item.name}: {inline(value)}")
