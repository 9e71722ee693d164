"""Version strings in a repository: Makefile assignments, CITATION.cff and package.json
keys, docs lines. Each becomes a proposed ``version_files`` entry when it says the current
release (detect.keep_agreeing then checks it as verify.versions would)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..common.excerpt import clip
from .layout import Finding, Layout, add_version_file, load_data, read_tracked

_ASSIGN = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>[ \t]*\?=[ \t]*)(?P<value>\S+)[ \t]*$", re.M
)


# Any dotted number (0.1.6, v1.2, 2026.04): what a docs pattern must not spell.
_VERSIONISH = re.compile(r"\d+(?:\.\d+)+[\w.+-]*")


def version_files(root: Path, files: list[str], layout: Layout) -> None:
    """Makefile ``NAME ?= X``, CITATION.cff, package.json, docs lines (charts: parts.py)."""
    for path in files:
        name = PurePosixPath(path).name
        if (root / path).is_symlink():
            continue  # an in-repo link (AGENTS.md -> CLAUDE.md): its target is the entry
        if name == "Makefile" or name.endswith(".mk"):
            _makefile(root, path, layout)
        elif name == "CITATION.cff":
            _keyed(root, path, layout, yaml=True, date_key="date-released")
        elif name == "package.json" and "node_modules/" not in path:
            _keyed(root, path, layout, yaml=False)
        elif name.endswith(".md") and not name.upper().startswith("CHANGELOG"):
            _docs(root, path, layout)


def _makefile(root: Path, path: str, layout: Layout) -> None:
    text = read_tracked(root, path) or ""
    for match in _ASSIGN.finditer(text):
        found = layout.read(match["value"])
        if found is None:
            continue
        line = text.count("\n", 0, match.start()) + 1
        if found == layout.version:
            pattern = f"{match['name']}{match['op']}{{version}}"
            add_version_file(
                layout, {"path": path, "pattern": pattern}, f"{path}:{line}: {match[0]}"
            )
        elif match["name"] == "VERSION":
            layout.findings.append(Finding(
                "version", f"{path}:{line}: {clip(match[0])} is not {layout.shown}",
                path, line, kept=False,
            ))  # fmt: skip


def _keyed(root: Path, path: str, layout: Layout, *, yaml: bool, date_key: str = "") -> None:
    data = load_data(root, path, yaml)
    if not isinstance(data, dict) or not isinstance(data.get("version"), str | int | float):
        return
    found = layout.read(str(data["version"]))
    if found == layout.version:
        add_version_file(
            layout, {"path": path, "key": "version"}, f"{path}: version {data['version']}"
        )
        if date_key and date_key in data:
            entry = {"path": path, "key": date_key, "format": "{date}"}
            add_version_file(layout, entry, f"{path}: {date_key} (the release date)")
    else:
        layout.findings.append(Finding(
            "version", f"{path}: version {clip(str(data['version']))} is not {layout.shown}", path, kept=False,
        ))  # fmt: skip


def _docs(root: Path, path: str, layout: Layout) -> None:
    text = read_tracked(root, path)
    if text is None:
        return
    token = re.compile(rf"(?<![\w.+-])v?{re.escape(layout.shown)}(?![\w.+-]|\.\d)")
    seen: set[str] = set()
    for match in token.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        anchor = _anchor(text[start : match.start()])
        if anchor in seen:
            continue
        seen.add(anchor)
        line = text.count("\n", 0, match.start()) + 1
        shown = text[start : text.find("\n", match.end()) % (len(text) + 1)].strip()
        if not anchor:
            layout.findings.append(Finding(
                "version", f"{path}:{line}: {clip(shown, 70)}: nothing but versions before "
                "it to anchor a pattern; if it must follow each release, write one by hand",
                path, line, kept=False,
            ))  # fmt: skip
            continue
        add_version_file(
            layout,
            {"path": path, "pattern": anchor + "{version}"},
            f"{path}:{line}: {clip(shown, 70)}",
        )


def _anchor(before: str) -> str:
    """The literal text a docs pattern starts with: the word just before the version
    (``--version ``, ``**Version**: ``, ``DEMO_VERSION=``), or with a short one the two before
    it too; a long URL is cut to its last path segments.

    The anchor starts after the last version-like literal before the token (``| 0.1.7 | ``,
    ``from 0.1.6 to ``): a pattern that spells a version stops matching once that version is
    bumped, so it never holds one.
    """
    text = before.lstrip()
    versionish = [m.end() for m in _VERSIONISH.finditer(text)]
    if versionish:
        text = text[versionish[-1] :].lstrip()
    last = re.search(r"\S*\s*$", text)
    word = last[0].lstrip("`\"'([") if last else ""
    if len(re.findall(r"\w", word)) >= 3 and len(word) <= 40:
        return word
    anchor = " ".join(text.split(" ")[-3:])
    if len(anchor) > 40:
        anchor = anchor[-40:]
        # Start after a separator locate.py's word edge accepts ("/", not "-" or ".").
        cut = re.search(r"[^\w.-]", anchor)
        anchor = anchor[cut.end() :] if cut else ""
    return anchor if re.search(r"\w", anchor) else ""
