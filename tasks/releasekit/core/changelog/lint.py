"""changelog.check: headings, order, dates, duplicates and link references of a Keep a
Changelog file, as findings at file:line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import semver

from ..common.excerpt import clip, excerpt
from ..versioning.versions import precedence
from .keepachangelog import COMPARE_RE, DATE_RE, Changelog, Section, duplicate_sections


@dataclass(frozen=True)
class Finding:
    """One lint finding at a 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def lint_changelog(
    doc: Changelog,
    *,
    sections: Sequence[str],
    today: dt.date,
    tag_format: str = "v{version}",
    heads: Sequence[str] = ("HEAD",),
) -> list[Finding]:
    """Every problem of a Keep a Changelog file, in line order.

    Args:
        sections: the allowed ``###`` sub-headings.
        today: dates after it are findings.
        tag_format: how tags are spelled in compare links.
        heads: accepted tips of the Unreleased compare link (HEAD, the main branch).
    """
    found: list[tuple[int, str]] = []
    allowed = {s.casefold() for s in sections}
    if doc.unreleased is None:
        found.append((0, "no Unreleased section; add '## [Unreleased]' above the newest release"))
    elif doc.sections[0].kind != "unreleased":
        found.append(
            (
                doc.unreleased.line,
                f"Unreleased must be the first section (now after line {doc.sections[0].line + 1})",
            )
        )
    found.extend(duplicate_sections(doc))
    previous: Section | None = None
    for section in doc.sections:
        if section.kind == "other":
            found.append(
                (
                    section.line,
                    f"'## {clip(section.text)}' is neither Unreleased nor a version heading like "
                    "'## [1.2.3] - 2026-01-02'",
                )
            )
            continue
        for sub in section.subheadings:
            if sub.text.casefold() not in allowed:
                found.append(
                    (
                        sub.line,
                        f"unknown sub-heading '### {clip(sub.text)}'; use one of {', '.join(sections)}",
                    )
                )
        if section.kind != "release" or section.version is None:
            continue
        if (
            previous is not None
            and previous.version is not None
            and precedence(section.version) >= precedence(previous.version)  # as >=, faster
        ):
            found.append(
                (
                    section.line,
                    f"{section.version} is not lower than {previous.version} above it "
                    f"(line {previous.line + 1}); versions go newest first",
                )
            )
        previous = section
        found.extend(_date_findings(section, today))
        # The first character that is not white space ends the look (no line is made).
        if not doc.has_text(section.line + 1, section.end):
            found.append((section.line, f"released section {section.version} is empty"))
    found.extend(_link_findings(doc, tag_format, heads))
    return [
        Finding(doc.path, line + 1, message) for line, message in sorted(found, key=lambda f: f[0])
    ]


def _date_findings(section: Section, today: dt.date) -> list[tuple[int, str]]:
    if section.date is None:
        return [
            (
                section.line,
                f"{section.version} has no date; write '## [{section.version}] - YYYY-MM-DD'",
            )
        ]
    try:
        if not DATE_RE.fullmatch(section.date):
            raise ValueError
        date = dt.date.fromisoformat(section.date)
    except ValueError:
        return [(section.line, f"{excerpt(section.date)} is not a date (YYYY-MM-DD)")]
    if date > today:
        return [
            (section.line, f"date {section.date} is in the future (today is {today.isoformat()})")
        ]
    return []


def _link_findings(doc: Changelog, tag_format: str, heads: Sequence[str]) -> list[tuple[int, str]]:
    """Bracketed headings need a link reference, and compare links must span the right tags.

    Only for files that use link references at all: without any, brackets are plain text.
    """
    found: list[tuple[int, str]] = []
    if not doc.refs:
        return found
    # A compare link spans from the next lower released version, whatever the file's order.
    versions = sorted(
        {s.version for s in doc.releases if s.version is not None}, key=precedence, reverse=True
    )
    position = {v: n for n, v in enumerate(versions)}
    checked: set[str] = set()
    for section in doc.sections:
        if section.kind == "other" or not section.bracketed:
            continue
        label = section.label  # spelled from the version each time it is asked for
        if label in checked:
            continue
        checked.add(label)
        ref = doc.ref(label)
        if ref is None:
            found.append((section.line, f"[{label}] has no link reference at the end of the file"))
            continue
        match = COMPARE_RE.fullmatch(ref.url)
        if section.kind == "unreleased":
            if not versions:
                continue
            old_tag = _tag(versions[0], tag_format)
            tips = " or ".join(f"{old_tag}...{h}" for h in heads)
            if match is None or match.group("old") != old_tag or match.group("new") not in heads:
                found.append(
                    (ref.line, f"[{ref.label}] should compare {tips}, got {clip(ref.url)}")
                )
            continue
        assert section.version is not None
        new_tag = _tag(section.version, tag_format)
        # versions is strictly descending, so the next lower one directly follows
        below = position[section.version] + 1
        older = versions[below] if below < len(versions) else None
        if older is None:
            if not ref.url.endswith(new_tag) and (match is None or match.group("new") != new_tag):
                found.append(
                    (ref.line, f"[{ref.label}] should point at tag {new_tag}, got {clip(ref.url)}")
                )
            continue
        old_tag = _tag(older, tag_format)
        if match is None or (match.group("old"), match.group("new")) != (old_tag, new_tag):
            found.append(
                (
                    ref.line,
                    f"[{ref.label}] should compare {old_tag}...{new_tag}, got {clip(ref.url)}",
                )
            )
    return found


def _tag(version: semver.Version, tag_format: str) -> str:
    return tag_format.replace("{version}", str(version))
