"""changelog.check's lint (issue 16: precedence() for the order check, the empty-body look
without a copy of the body, each label spelled once) gives the findings the code before it
gave, kept here verbatim as the oracle, on generated changelogs: versions out of order, equal
ones that differ only in build metadata, v prefixes, brackets, bodies of blank lines, link
references right, wrong and missing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.changelog.keepachangelog import (
    COMPARE_RE,
    Changelog,
    Section,
    duplicate_sections,
    is_blank,
    parse_changelog,
)
from releasekit.core.changelog.lint import Finding, _date_findings, lint_changelog
from releasekit.core.common.excerpt import clip
from releasekit.core.versioning.versions import precedence

TODAY = dt.date(2026, 8, 10)
SECTIONS = ("Added", "Fixed")


def _old_lint(
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
            and section.version >= previous.version
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
        if all(is_blank(line) for line in doc.body(section)):
            found.append((section.line, f"released section {section.version} is empty"))
    found.extend(_old_link_findings(doc, tag_format, heads))
    return [
        Finding(doc.path, line + 1, message) for line, message in sorted(found, key=lambda f: f[0])
    ]


def _old_link_findings(
    doc: Changelog, tag_format: str, heads: Sequence[str]
) -> list[tuple[int, str]]:
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
        if section.kind == "other" or not section.bracketed or section.label in checked:
            continue
        checked.add(section.label)
        ref = doc.ref(section.label)
        if ref is None:
            found.append(
                (section.line, f"[{section.label}] has no link reference at the end of the file")
            )
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


VERSIONS = st.builds(
    lambda n, pre, build: str(semver.Version(*n, prerelease=pre, build=build)),
    st.tuples(*[st.integers(0, 2)] * 3),
    st.none() | st.sampled_from(["rc.1", "rc.2", "alpha"]),
    st.none() | st.sampled_from(["b1", "b2"]),
)
BODIES = st.sampled_from(
    [[], [""], ["", "  ", "\t"], ["- change"], ["", "### Added", "- x"], ["### Nope"]]
)


@st.composite
def changelogs(draw: st.DrawFn) -> str:
    lines = ["# Changelog", "", "## [Unreleased]", "", "- next", ""]
    labels: list[str] = []
    for version in draw(st.lists(VERSIONS, max_size=6)):
        v = draw(st.sampled_from(["", "v"]))
        label = f"{v}{version}"
        heading = f"[{label}]" if draw(st.booleans()) else label
        date = draw(st.sampled_from([" - 2026-01-02", "", " - 2099-01-01", " - soon"]))
        lines += [f"## {heading}{date}", *draw(BODIES)]
        labels.append(label)
    lines.append("")
    tips = ["HEAD", "main", "dev"]
    for label in ["Unreleased", *labels]:
        kind = draw(st.integers(0, 3))
        if kind == 0:
            continue  # no reference
        old = draw(st.sampled_from(labels or ["1.0.0"]))
        new = draw(st.sampled_from(tips)) if label == "Unreleased" else label
        if kind == 1:
            lines.append(f"[{label}]: https://x/compare/v{old.lstrip('v')}...{new}")
        elif kind == 2:
            lines.append(f"[{label}]: https://x/releases/tag/v{label.lstrip('v')}")
        else:
            lines.append(f"[{label}]: https://x/compare/{old}..{new}")
    return "\n".join(lines) + "\n"


@settings(max_examples=600, deadline=None)
@given(changelogs(), st.sampled_from(["v{version}", "{version}", "app-v{version}"]))
def test_lint_gives_the_findings_it_gave(text: str, tag_format: str) -> None:
    doc = parse_changelog(text)
    args = {
        "sections": SECTIONS,
        "today": TODAY,
        "tag_format": tag_format,
        "heads": ("HEAD", "main"),
    }
    assert lint_changelog(doc, **args) == _old_lint(doc, **args)


@settings(max_examples=500, deadline=None)
@given(VERSIONS, VERSIONS)
def test_precedence_compares_as_semver_does(a: str, b: str) -> None:
    x, y = semver.Version.parse(a), semver.Version.parse(b)
    assert (precedence(x) >= precedence(y)) == (x >= y)


def test_a_section_ending_past_the_last_line_is_read_as_the_slice_read_it() -> None:
    # A hand-built Changelog (a library caller's) may end a section past the file: the old
    # body slice clamped there, and so does the look without a copy.
    doc = parse_changelog("## [Unreleased]\n\n## [1.0.0] - 2026-01-02\n\n")
    last = dataclasses.replace(doc.sections[-1], end=doc.sections[-1].end + 3)
    doc = dataclasses.replace(doc, sections=(*doc.sections[:-1], last))
    args = {"sections": SECTIONS, "today": TODAY}
    assert lint_changelog(doc, **args) == _old_lint(doc, **args)
    assert any("released section 1.0.0 is empty" in f.message for f in lint_changelog(doc, **args))


def _old_duplicate_sections(doc: Changelog) -> list[tuple[int, str]]:
    """duplicate_sections keyed by the Versions themselves, as keepachangelog.py had it at 8c69e2d."""
    found: list[tuple[int, str]] = []
    first: dict[semver.Version | None, int] = {}
    for section in doc.sections:
        if section.kind == "other":
            continue
        key = section.version if section.kind == "release" else None
        if key not in first:
            first[key] = section.line
        elif key is None:
            found.append(
                (
                    section.line,
                    f"second Unreleased section (first at line {first[key] + 1}); move its "
                    "entries into the first and delete this heading, or changelog.release "
                    "leaves them out",
                )
            )
        else:
            found.append(
                (section.line, f"duplicate version {key} (first at line {first[key] + 1})")
            )
    return found


@settings(max_examples=600, deadline=None)
@given(changelogs(), st.booleans())
def test_duplicates_are_the_ones_version_equality_finds(text: str, twice: bool) -> None:
    """Build metadata aside, as Version's == and hash: 1.0.0+b1 repeats 1.0.0+b2."""
    doc = parse_changelog(text + ("## [Unreleased]\n" if twice else ""))
    assert duplicate_sections(doc) == _old_duplicate_sections(doc)
