"""Keep a Changelog files: changelog.release round trips (exact bytes), refusals, the lint."""

from __future__ import annotations

import datetime as dt

import pytest

from releasekit.core.changelog.keepachangelog import parse_changelog
from releasekit.core.changelog.lint import lint_changelog
from releasekit.core.changelog.merge import merge_generated
from releasekit.core.changelog.releasing import plan_release
from releasekit.core.common.errors import FileFormatError, ReleaseError

TODAY = dt.date(2026, 8, 10)
URL = "https://github.com/example/demo/compare"

# (name, before, after) for `changelog.release 0.4.0 --date 2026-08-10`
ROUND_TRIPS = [
    (
        "brackets-and-compare-links",
        "# Changelog\n\nIntro text.\n\n## [Unreleased]\n\n### Added\n\n- New flag.\n\n"
        "## [0.3.0] - 2026-01-02\n\n### Fixed\n\n- A bug.\n\n"
        f"[Unreleased]: {URL}/v0.3.0...HEAD\n[0.3.0]: {URL}/v0.2.0...v0.3.0\n",
        "# Changelog\n\nIntro text.\n\n## [Unreleased]\n\n## [0.4.0] - 2026-08-10\n\n### Added\n\n"
        "- New flag.\n\n## [0.3.0] - 2026-01-02\n\n### Fixed\n\n- A bug.\n\n"
        f"[Unreleased]: {URL}/v0.4.0...HEAD\n[0.4.0]: {URL}/v0.3.0...v0.4.0\n"
        f"[0.3.0]: {URL}/v0.2.0...v0.3.0\n",
    ),
    (
        "plain-headings-no-links",
        "## Unreleased\n\n- Faster.\n\n## 0.3.0 - 2026-01-02\n\n- Old.\n",
        "## Unreleased\n\n## 0.4.0 - 2026-08-10\n\n- Faster.\n\n## 0.3.0 - 2026-01-02\n\n- Old.\n",
    ),
    (
        "v-in-headings-and-labels",
        "## [Unreleased]\n\n- X.\n\n## [v0.3.0] - 2026-01-02\n\n- Y.\n\n"
        f"[unreleased]: {URL}/v0.3.0...main\n[v0.3.0]: {URL}/v0.2.0...v0.3.0\n",
        "## [Unreleased]\n\n## [v0.4.0] - 2026-08-10\n\n- X.\n\n"
        "## [v0.3.0] - 2026-01-02\n\n- Y.\n\n"
        f"[unreleased]: {URL}/v0.4.0...main\n[v0.4.0]: {URL}/v0.3.0...v0.4.0\n"
        f"[v0.3.0]: {URL}/v0.2.0...v0.3.0\n",
    ),
    (
        "first-release-no-final-newline",
        "# Changelog\n\n## [Unreleased]\n\n- Everything.",
        "# Changelog\n\n## [Unreleased]\n\n## [0.4.0] - 2026-08-10\n\n- Everything.",
    ),
    (
        "crlf-and-en-dash",
        "## [Unreleased]\r\n\r\n- X.\r\n\r\n## [0.3.0] – 2026-01-02\r\n\r\n- Y.\r\n",
        "## [Unreleased]\r\n\r\n## [0.4.0] – 2026-08-10\r\n\r\n- X.\r\n\r\n"
        "## [0.3.0] – 2026-01-02\r\n\r\n- Y.\r\n",
    ),
    (
        "bom-and-rich-entries",
        "\ufeff## [Unreleased]\n\n### Breaking Changes\n\n"
        "- `spec.image` is now\n  `spec.podvmImage`.\n"
        "  - nested: run `kubectl apply`\n\n```sh\n## not a heading\n```\n\n### Added\n\n"
        "- A *thing*.\n\n## [0.3.0] - 2026-01-02\n\n- Y.\n",
        "\ufeff## [Unreleased]\n\n## [0.4.0] - 2026-08-10\n\n### Breaking Changes\n\n"
        "- `spec.image` is now\n  `spec.podvmImage`.\n  - nested: run `kubectl apply`\n\n"
        "```sh\n## not a heading\n```\n\n### Added\n\n- A *thing*.\n\n"
        "## [0.3.0] - 2026-01-02\n\n- Y.\n",
    ),
    (
        "tight-spacing-kept",
        "## [Unreleased]\n- X.\n## [0.3.0] - 2026-01-02\n- Y.\n",
        "## [Unreleased]\n\n## [0.4.0] - 2026-08-10\n\n- X.\n## [0.3.0] - 2026-01-02\n- Y.\n",
    ),
]


@pytest.mark.parametrize(("name", "before", "after"), ROUND_TRIPS, ids=[r[0] for r in ROUND_TRIPS])
def test_release_round_trip_exact_bytes(name: str, before: str, after: str) -> None:
    edit = plan_release(parse_changelog(before), "0.4.0", today=TODAY)
    assert edit.old == before
    assert edit.new == after


def test_release_accepts_a_v_and_prereleases() -> None:
    text = "## [Unreleased]\n\n- X.\n\n## [1.0.0-rc.1] - 2026-01-02\n\n- Y.\n"
    edit = plan_release(parse_changelog(text), "v1.0.0", today=TODAY)
    assert "## [1.0.0] - 2026-08-10\n\n- X.\n\n## [1.0.0-rc.1]" in edit.new


def test_released_file_passes_the_lint() -> None:
    before = ROUND_TRIPS[0][1]
    after = plan_release(parse_changelog(before), "0.4.0", today=TODAY).new
    sections = ["Added", "Fixed"]
    assert lint_changelog(parse_changelog(after), sections=sections, today=TODAY) == []


REFUSALS = [
    (
        "# Changelog\n\n## [0.3.0] - 2026-01-02\n\n- Y.\n",
        "0.4.0",
        FileFormatError,
        "no Unreleased section",
    ),
    (
        "## [Unreleased]\n\n\n## [0.3.0] - 2026-01-02\n\n- Y.\n",
        "0.4.0",
        FileFormatError,
        "CHANGELOG.md:1: Unreleased section is empty",
    ),
    (
        "## [Unreleased]\n\n- X.\n\n## [0.4.0] - 2026-01-02\n\n- Y.\n",
        "0.4.0",
        ReleaseError,
        "CHANGELOG.md:5: 0.4.0 already has a section",
    ),
    (
        "## [Unreleased]\n\n- X.\n\n## [0.10.0] - 2026-01-02\n\n- Y.\n",
        "0.9.0",
        ReleaseError,
        "0.9.0 is not newer than 0.10.0 (CHANGELOG.md:5)",
    ),
    (
        "## [Unreleased]\n\n### Added\n\n- X.\n\n### Breaking Changes\n\n- Z.\n",
        "0.4.0",
        FileFormatError,
        "CHANGELOG.md:7: '### Breaking Changes' must be the first sub-heading",
    ),
    (
        "## [Unreleased]\n\n- X.\n\n[Unreleased]: https://example.invalid/commits/main\n",
        "0.4.0",
        FileFormatError,
        "CHANGELOG.md:5: cannot update the [Unreleased] link",
    ),
    ("## [Unreleased]\n\n- X.\n", "0.4", ReleaseError, "'0.4' is not a SemVer version"),
]


@pytest.mark.parametrize(("text", "version", "error", "message"), REFUSALS)
def test_release_refusals_name_the_line(
    text: str, version: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        plan_release(parse_changelog(text), version, today=TODAY)
    assert message in str(info.value)


def test_headings_in_code_quotes_and_lists_are_content() -> None:
    text = (
        "## [Unreleased]\n\n- X.\n\n```\n## [9.9.9] - 2026-01-01\n```\n\n> ## 8.8.8\n\n"
        "- ## 7.7.7\n\n    ## 6.6.6\n\n## [0.3.0] - 2026-01-02\n"
    )
    doc = parse_changelog(text)
    assert [(s.kind, s.line + 1) for s in doc.sections] == [("unreleased", 1), ("release", 15)]


LINT_INPUT = """\
# Changelog

## [0.3.0] - 2026-01-02

### Added

- A.

### Improvements

- B.

## [Unreleased]

## [0.3.0] - 2026-01-02

- Again.

## [0.4.0] - 2026-13-01

- C.

## [0.2.0] - 2099-01-01

## [0.1.0]

- D.

## Notes

[Unreleased]: https://github.com/o/r/compare/v0.2.0...HEAD
[0.3.0]: https://github.com/o/r/compare/v0.2.0...v0.3.0
[0.4.0]: https://github.com/o/r/compare/v0.3.0...v0.4.0
[0.2.0]: https://github.com/o/r/compare/v0.1.0...v0.3.0
"""


def test_lint_finds_every_kind_of_problem_with_its_line() -> None:
    doc = parse_changelog(LINT_INPUT)
    findings = [
        str(f) for f in lint_changelog(doc, sections=["Added", "Fixed"], today=dt.date(2026, 8, 10))
    ]
    assert findings == [
        "CHANGELOG.md:9: unknown sub-heading '### Improvements'; use one of Added, Fixed",
        "CHANGELOG.md:13: Unreleased must be the first section (now after line 3)",
        "CHANGELOG.md:15: duplicate version 0.3.0 (first at line 3)",
        "CHANGELOG.md:15: 0.3.0 is not lower than 0.3.0 above it (line 3); "
        "versions go newest first",
        "CHANGELOG.md:19: 0.4.0 is not lower than 0.3.0 above it (line 15); "
        "versions go newest first",
        "CHANGELOG.md:19: '2026-13-01' is not a date (YYYY-MM-DD)",
        "CHANGELOG.md:23: date 2099-01-01 is in the future (today is 2026-08-10)",
        "CHANGELOG.md:23: released section 0.2.0 is empty",
        "CHANGELOG.md:25: 0.1.0 has no date; write '## [0.1.0] - YYYY-MM-DD'",
        "CHANGELOG.md:25: [0.1.0] has no link reference at the end of the file",
        "CHANGELOG.md:29: '## Notes' is neither Unreleased nor a version heading like "
        "'## [1.2.3] - 2026-01-02'",
        "CHANGELOG.md:31: [Unreleased] should compare v0.4.0...HEAD, got "
        "https://github.com/o/r/compare/v0.2.0...HEAD",
        "CHANGELOG.md:34: [0.2.0] should compare v0.1.0...v0.2.0, got "
        "https://github.com/o/r/compare/v0.1.0...v0.3.0",
    ]


def test_lint_reports_a_missing_unreleased_at_line_1() -> None:
    doc = parse_changelog("# Changelog\n\n## 0.1.0 - 2026-01-02\n\n- A.\n")
    assert [str(f) for f in lint_changelog(doc, sections=["Added"], today=TODAY)] == [
        "CHANGELOG.md:1: no Unreleased section; add '## [Unreleased]' above the newest release"
    ]


# --- co-owned writing of generated sections ---------------------------------------------------

HAND_WRITTEN = """\
# Changelog

Hand-written intro.

## [Unreleased]

- stale generated entry

## [0.2.0] - 2026-02-01

Hand-written highlights that generation must never touch.

## [0.1.0] - 2026-01-01

- first

[Unreleased]: https://github.com/o/r/compare/v0.2.0...HEAD
"""


def test_merge_replaces_only_unreleased_and_adds_missing_releases() -> None:
    import semver

    new = merge_generated(
        parse_changelog(HAND_WRITTEN),
        "## [Unreleased]\n\n### Added\n\n- fresh\n",
        [
            (semver.Version.parse("0.2.0"), "## [0.2.0] - 2026-02-01\n\n- generated, not used\n"),
            (semver.Version.parse("0.1.5"), "## [0.1.5] - 2026-01-15\n\n- patch\n"),
            (semver.Version.parse("0.0.1"), "## [0.0.1] - 2025-12-01\n\n- oldest\n"),
        ],
    )
    assert new == HAND_WRITTEN.replace(
        "- stale generated entry\n", "### Added\n\n- fresh\n"
    ).replace("## [0.1.0]", "## [0.1.5] - 2026-01-15\n\n- patch\n\n## [0.1.0]").replace(
        "- first\n\n", "- first\n\n## [0.0.1] - 2025-12-01\n\n- oldest\n\n"
    )
    again = merge_generated(parse_changelog(new), "## [Unreleased]\n\n### Added\n\n- fresh\n", [])
    assert again == new
    assert new.count("Unreleased]\n") == 1


def test_merge_adds_unreleased_when_the_file_has_none() -> None:
    text = "# Changelog\n\n## 0.1.0 - 2026-01-01\n\n- first\n"
    new = merge_generated(parse_changelog(text), "## Unreleased\n\n- next\n", [])
    assert new == "# Changelog\n\n## Unreleased\n\n- next\n\n## 0.1.0 - 2026-01-01\n\n- first\n"


# --- issue 10: a second Unreleased (or version) heading is a finding and stops a release ---

TWO_UNRELEASED = (
    "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- First.\n\n"
    "## [0.3.0] - 2026-01-02\n\n### Fixed\n\n- A bug.\n\n"
    "## [Unreleased]\n\n### Added\n\n- Lost.\n"
)


def test_lint_reports_a_second_unreleased_with_its_line() -> None:
    findings = [
        str(f)
        for f in lint_changelog(
            parse_changelog(TWO_UNRELEASED), sections=["Added", "Fixed"], today=TODAY
        )
    ]
    assert findings == [
        "CHANGELOG.md:15: second Unreleased section (first at line 3); move its entries into "
        "the first and delete this heading, or changelog.release leaves them out"
    ]


def test_release_refuses_a_second_unreleased_instead_of_dropping_its_entries() -> None:
    with pytest.raises(FileFormatError) as info:
        plan_release(parse_changelog(TWO_UNRELEASED), "0.4.0", today=TODAY)
    assert str(info.value) == (
        "CHANGELOG.md:15: second Unreleased section (first at line 3); move its entries into "
        "the first and delete this heading, or changelog.release leaves them out; nothing "
        "was released"
    )


def test_release_refuses_a_duplicate_version_heading() -> None:
    text = (
        "## [Unreleased]\n\n- New.\n\n## [0.3.0] - 2026-01-02\n\n- A.\n\n"
        "## v0.3.0 - 2026-01-01\n\n- B.\n"
    )
    with pytest.raises(FileFormatError) as info:
        plan_release(parse_changelog(text), "0.4.0", today=TODAY)
    assert str(info.value) == (
        "CHANGELOG.md:9: duplicate version 0.3.0 (first at line 5); nothing was released"
    )
