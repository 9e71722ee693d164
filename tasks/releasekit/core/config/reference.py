"""Everything generated from the config models: the JSON Schema, the commented starter, and the
reference tables in README.md and docs/ (between ``<!-- config-reference: NAME -->`` markers).

``inv generate`` (the releasekit repository's tasks.py) writes them; a test fails while any
of them differs from what the models say.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec

from ..artifacts.config import ArtifactsConfig
from ..changelog.config import ChangelogConfig
from ..common.errors import ConfigError
from ..docs.config import DocsConfig
from ..forge.config import ForgeConfig
from ..helm.config import HelmConfig
from ..manifest.config import ManifestConfig
from ..notes.config import NotesConfig
from ..pins.config import CitationConfig, PinsConfig
from ..procedure.config import PreflightConfig, ProcedureConfig
from ..registry.config import RegistryConfig
from ..tags.config import TagsConfig
from .fields import Field, fields, struct_of
from .model import Settings
from .starter import inline, render_starter

SCHEMA_ID = "releasekit.schema.json"
SCHEMA_FILES = ("releasekit.schema.json", "tasks/releasekit/templates/releasekit.schema.json")
STARTER_FILE = "templates/releasekit.yaml"
# Which table goes where: marker name -> (file, section model; None for the top level).
TABLES: dict[str, tuple[str, type[msgspec.Struct] | None]] = {
    "releasekit": ("README.md", None),
    "tags": ("docs/tags.md", TagsConfig),
    "helm": ("docs/helm.md", HelmConfig),
    "changelog": ("docs/changelog.md", ChangelogConfig),
    "artifacts": ("docs/artifacts.md", ArtifactsConfig),
    "registry": ("README.md", RegistryConfig),
    "pins": ("docs/pins.md", PinsConfig),
    "citation": ("docs/pins.md", CitationConfig),
    "docs": ("docs/pins.md", DocsConfig),
    "notes": ("docs/notes.md", NotesConfig),
    "forge": ("docs/notes.md", ForgeConfig),
    "manifest": ("docs/notes.md", ManifestConfig),
    "procedure": ("README.md", ProcedureConfig),
    "preflight": ("README.md", PreflightConfig),
}
_BLOCK = re.compile(
    r"(<!-- config-reference: (?P<name>[a-z]+) [^\n]*-->\n)(?P<body>.*?)(<!-- /config-reference -->)",
    re.S,
)


def schema() -> dict[str, Any]:
    """The JSON Schema of releasekit.yaml (draft 2020-12), defaults filled in."""
    raw = msgspec.json.schema(Settings)
    defs = raw["$defs"]
    _fill_defaults(Settings, defs)
    top = defs.pop("Settings")
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **{k: v for k, v in top.items() if k != "title"},
        "title": "releasekit.yaml",
        "$defs": defs,
    }
    plain: dict[str, Any] = json.loads(json.dumps(document))  # JSON types: lists, not tuples
    return plain


def _fill_defaults(struct: type[msgspec.Struct], defs: dict[str, Any]) -> None:
    """msgspec leaves out defaults made by a factory; editors show them, so put them in."""
    properties = defs[struct.__name__]["properties"]
    for item in fields(struct):
        if item.has_default and "default" not in properties[item.name]:
            properties[item.name]["default"] = item.default
        nested = struct_of(item.type)
        if nested is not None and nested.__name__ in defs:
            _fill_defaults(nested, defs)


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def table(struct: type[msgspec.Struct] | None) -> str:
    """The Markdown reference table of a section (or of the top level, ``None``)."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    if struct is None:
        for item in fields(Settings):
            nested = struct_of(item.type)
            docs = item.extra.get("docs")
            if nested is not None and docs and not item.is_list:
                link = f"[{docs.split('#')[0]}]({docs})"
                rows.append(f"| `{item.name}:` | none | {_cell(item.description)} — {link} |")
            else:
                rows.extend(_rows(item, ""))
    else:
        for item in fields(struct):
            rows.extend(_rows(item, ""))
    return "\n".join(rows) + "\n"


def _rows(item: Field, prefix: str) -> list[str]:
    key = f"{prefix}{item.name}"
    nested = struct_of(item.type)
    out = []
    if nested is None or item.is_list:
        default = f"`{inline(item.default)}`" if item.has_default else "required"
        out.append(f"| `{key}` | {default} | {_cell(item.description)} |")
    if nested is not None:
        inner = f"{key}[]." if item.is_list else f"{key}."
        for child in fields(nested):
            out.extend(_rows(child, inner))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def generated(root: Path) -> dict[Path, str]:
    """Every generated file under the repository ``root`` and the text it must have."""
    text = schema_text()
    out = {root / name: text for name in SCHEMA_FILES}
    out[root / STARTER_FILE] = render_starter(Settings)
    for name, (path, struct) in TABLES.items():
        target = root / path
        current = out.get(target, target.read_text(encoding="utf-8"))
        out[target] = _replace_block(current, name, table(struct), path)
    return out


def _replace_block(text: str, name: str, body: str, path: str) -> str:
    found = [m for m in _BLOCK.finditer(text) if m["name"] == name]
    if len(found) != 1:
        raise ConfigError(
            f"{path}: needs one '<!-- config-reference: {name} ... -->' ... "
            "'<!-- /config-reference -->' block for the generated table"
        )
    match = found[0]
    return text[: match.start("body")] + body + text[match.end("body") :]


def write_generated(root: Path) -> list[Path]:
    """Write every generated file that differs; returns the ones written."""
    written = []
    for path, text in generated(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
