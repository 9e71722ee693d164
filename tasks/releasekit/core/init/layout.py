"""What init collects: the findings, the settings to write, and the small readers the
detectors share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import semver


@dataclass(frozen=True)
class Finding:
    """One thing init saw: ``kind`` is what it is about (version, chart, crds, changelog,
    go, workflow, images); ``kept`` whether the config uses it."""

    kind: str
    text: str
    path: str | None = None
    line: int | None = None
    kept: bool = True


@dataclass
class Layout:
    """The detected release: its tag, the settings to write (model order) and the findings.

    ``notes`` maps a setting's place (``("version_files", 0)``) to the comment written above it.
    A CalVer suite (seed 003) has ``calver``, its version as the tag spells it (2026.04), and
    ``version`` is that version's SemVer reading (2026.4.0), which Helm chart versions spell.
    """

    tag: str
    version: semver.Version
    tag_format: str
    settings: dict[str, Any] = field(default_factory=dict)
    notes: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    calver: str | None = None
    # Sections written commented out (a default to choose, names read from shell lines).
    commented: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The release version as the tag spells it."""
        return self.calver or str(self.version)

    def read(self, text: str) -> semver.Version | None:
        """The version ``text`` spells (a CalVer 2026.04 too, in a suite), else None."""
        from ..versioning.versions import calver_as_semver

        found = version_of(text)
        if found is None and self.calver is not None:
            found = calver_as_semver(text.strip().strip("\"'"))
        return found


def read_tracked(root: Path, path: str) -> str | None:
    """A tracked file's text; None when it cannot be read, is not a regular file, or is a
    symlink leading outside the work tree (README: inside the repository only)."""
    from ..common.confine import confine
    from ..common.errors import ConfinementError

    try:
        real = confine(root, path)
        return real.read_text(encoding="utf-8") if real.is_file() else None
    except (OSError, UnicodeDecodeError, ConfinementError):
        return None


def version_of(text: str) -> semver.Version | None:
    try:
        return semver.Version.parse(text.strip().strip("\"'").removeprefix("v"))
    except (ValueError, TypeError):
        return None


def add_version_file(layout: Layout, entry: dict[str, Any], note: str) -> None:
    entries = layout.settings.setdefault("version_files", [])
    if entry not in entries:
        layout.notes[("version_files", len(entries))] = note
        entries.append(entry)


def load_data(root: Path, path: str, yaml: bool) -> Any:
    text = read_tracked(root, path)
    if text is None:
        return None
    try:
        if not yaml:
            return json.loads(text)
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # a file init cannot read is simply not proposed
        return None
