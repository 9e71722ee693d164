"""The two built-in outlines and the template context every outline (a user's too) receives.

- ``highlights`` (seed 000, Step 8): Highlights, Breaking Changes, New Features, Bug Fixes,
  Refactoring, Dependencies, Installation (helm install and upgrade), All Changes and the
  Full Changelog compare link; entries ``- **Title** (#PR): description``.
- ``changelog-driven`` (seed 001): Summary (release type, support level, the v0.x sentence),
  Breaking Changes, Upgrade Notes, Images, Verification, Known Limitations and Changelog (the
  version's section of the Keep a Changelog file, else the commits).

Sections without entries are left out. What only a person can write (the Highlights, the
Summary, Known Limitations, a breaking change's migration) is a marked placeholder, and
``release.notes --check`` fails while one is left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common.confine import confine
from ..common.errors import ConfigError, VerificationFailed
from ..common.templating import LoadedTemplate, load_template
from ..tags.schemes import ParsedTag
from .config import OUTLINES, NotesConfig
from .entries import Entry, section_of
from .facts import Facts

PLACEHOLDER = "<!-- releasekit:placeholder -->"
BREAKING = "Breaking Changes"
CRD_TITLE = "CRD changes"


def placeholder(text: str) -> str:
    """Text a person must replace; ``release.notes --check`` finds the marker."""
    return f"{PLACEHOLDER} _{text}_"


@dataclass(frozen=True)
class ChangelogSource:
    """The version's section of the Keep a Changelog file."""

    path: str
    body: str
    breaking: str  # the body of its Breaking Changes sub-section, if any

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "body": self.body, "breaking": self.breaking}


def release_type(tag: ParsedTag, previous: str | None) -> str:
    """``a patch release`` and the like, from the version itself."""
    version = tag.version
    if tag.is_prerelease:
        return "a pre-release"
    if previous is None:
        return "the first release"
    if not isinstance(version, semver.Version):  # CalVer: YYYY.MM is a suite, .N a hotfix
        return "a hotfix release" if version.patch else "a suite release"
    if version.major and not version.minor and not version.patch:
        return "a major release"
    return "a minor release" if not version.patch else "a patch release"


def _crd_entry(facts: Facts) -> Entry | None:
    crd = facts.crd
    if crd is None:
        return None
    guide = f"; see the [upgrade guide]({crd.upgrade_guide})" if crd.upgrade_guide else ""
    return Entry(CRD_TITLE, None, None, (), crd.breaking, None, f"{crd.reminder}{guide}.",
                 CRD_TITLE, "", details=crd.changes)  # fmt: skip


def sections(
    entries: Sequence[Entry], groups: Mapping[str, str], facts: Facts
) -> list[dict[str, Any]]:
    """Breaking Changes first, then the groups' sections in order; the CRD entry leads its
    section (Breaking Changes when a change breaks, else New Features)."""
    order = [BREAKING, *dict.fromkeys(groups.values())]
    buckets: dict[str, list[Entry]] = {}
    crd = _crd_entry(facts)
    if crd is not None:
        home = BREAKING if crd.breaking else groups.get("feat", "New Features")
        order += [] if home in order else [home]
        buckets[home] = [crd]
    for entry in entries:
        title = section_of(entry, groups)
        if title is not None:
            buckets.setdefault(title, []).append(entry)
    return [
        {"title": t, "entries": [e.as_json() for e in buckets[t]]} for t in order if t in buckets
    ]


def context(notes: NotesConfig, tag: ParsedTag, previous: str | None, entries: Sequence[Entry],
            facts: Facts, changelog: ChangelogSource | None, outline: str) -> dict[str, Any]:  # fmt: skip
    """What every outline renders from (``release.notes --json`` prints it)."""
    from .facts import fill

    version = str(tag.version)

    def link(template: str | None) -> str | None:
        return fill(template, tag.tag, version, previous) if template else None

    listed = sections(entries, notes.groups, facts)
    major = getattr(tag.version, "major", None)
    return {
        "tag": tag.tag, "version": version, "previous_tag": previous, "outline": outline,
        "release_type": release_type(tag, previous), "prerelease": tag.is_prerelease,
        "unstable": major == 0, "unstable_api": notes.unstable_api, "support": notes.support,
        "breaking": next((s["entries"] for s in listed if s["title"] == BREAKING), []),
        "sections": [s for s in listed if s["title"] != BREAKING],
        "all_changes": [e.as_json() for e in entries],
        **facts.as_json(),
        "changelog": changelog.as_json() if changelog else None,
        "links": {"install_docs": link(notes.install_docs), "changelog": link(notes.changelog_url),
                  "upgrade_guide": link(notes.upgrade_guide)},
        "known_limitations": notes.known_limitations,
    }  # fmt: skip


def load_outline(root: Path, name: str) -> LoadedTemplate:
    """A built-in outline by name, else a template file in the repository (sandboxed)."""
    if name in OUTLINES:
        # By path, not PackageLoader("releasekit"): a vendored copy lives under another name.
        shipped = Path(__file__).resolve().parents[2] / "templates" / "notes" / f"{name}.md.j2"
        return load_template(shipped, f"{name}.md.j2")
    path = confine(root, name, what="notes template")
    if not path.is_file():
        raise ConfigError(
            f"notes template {name} does not exist under {root}; give a file in the repository "
            f"or one of the built-in outlines: {', '.join(OUTLINES)}"
        )
    return load_template(path, name)


def render(template: LoadedTemplate, data: Mapping[str, Any]) -> str:
    """The notes: rendered, runs of blank lines folded to one, one final newline."""
    text = template.render(**data, placeholder=placeholder)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def placeholders_left(text: str, display: str) -> list[str]:
    """One ``file:line`` finding per placeholder, naming the section it is in."""
    found, heading = [], "(before the first heading)"
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            heading = line
        if PLACEHOLDER in line:
            found.append(f"{display}:{number}: placeholder left under '{heading}'; write it")
    return found


def check_text(text: str, display: str) -> int:
    """Raise unless ``text`` is free of placeholders; the number of lines checked.

    Raises:
        VerificationFailed: a placeholder is left (each named with its line).
    """
    found = placeholders_left(text, display)
    if found:
        # One line (each fact once): every placeholder with its line, then what to do.
        head = "" if len(found) == 1 else f"{display}: {len(found)} placeholders left: "
        raise VerificationFailed(head + "; ".join(found) + " — write them, then check again")
    return len(text.splitlines())
