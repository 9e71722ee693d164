"""Fuzz: Keep a Changelog files (parse, lint, release, merge generated sections).

Changelogs are generated from the format's grammar (Unreleased and version headings in every
spelling, dates good and bad, sub-headings, link references and compare links, code fences,
HTML and quotes that hide headings, CRLF, a BOM, no final newline) and mutated from real
changelogs. ``changelog.release`` either writes a file whose new section parses back, or raises
a ReleaseError naming the file and changes no byte.
"""

from __future__ import annotations

import datetime as dt

import semver
from fuzzing import encoded, examples, mutated, scratch, tree, verdict
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES, REPO_ROOT
from releasekit.core.changelog.config import KEEP_A_CHANGELOG_SECTIONS
from releasekit.core.changelog.keepachangelog import parse_changelog
from releasekit.core.changelog.lint import lint_changelog
from releasekit.core.changelog.merge import merge_generated
from releasekit.core.changelog.releasing import release_changelog
from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all

TODAY = dt.date(2026, 11, 21)
WORK = scratch("releasekit-fuzz-changelog-")
SEEDS = (
    (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")[:6000],
    *(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("changelog/*/*.md"))),
    "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- x\n\n## [0.1.0] - 2026-01-02\n\n- y\n\n"
    "[Unreleased]: https://github.com/o/r/compare/v0.1.0...HEAD\n"
    "[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0\n",
)
HEADINGS = (
    "## [Unreleased]", "## Unreleased", "## [unreleased]", "## [1.2.3] - 2026-01-02",
    "## 1.2.3 - 2026-01-02", "## [v1.2.3] – 2026-13-45", "## [0.1.0]", "## [1.0.0-rc.1] - x",
    "## [1.0." + "9" * 4400 + "] - 2026-01-02", "## [01.2.3] - 2026-01-02", "##", "## [",
    "# Changelog", "### Added", "### Breaking Changes", "### Bogus", "#### deep", "##\t[2.0.0]",
)  # fmt: skip
BODIES = (
    "- an entry", "- entry (#12)", "```\n## [9.9.9] - fenced\n```", "> ## [8.8.8] quoted",
    "<details>\n## [7.7.7]\n</details>", "* star", "", "  - nested\n    ## [6.6.6]", "Setext\n---",
)  # fmt: skip
REFS = (
    "[Unreleased]: https://github.com/o/r/compare/v1.2.3...HEAD",
    "[1.2.3]: https://github.com/o/r/compare/v1.2.2...v1.2.3",
    "[unreleased]: https://example.com/not-a-compare",
    "[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0",
    "[x]:",
    "   [1.2.3]:\thttps://github.com/o/r/compare/a..b",
)


@st.composite
def changelogs(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(("\n", "\n", "\r\n")))
    lines = ["# Changelog", ""]
    for _ in range(draw(st.integers(0, 6))):
        lines.append(draw(st.sampled_from(HEADINGS)))
        lines.extend(draw(st.lists(st.sampled_from(BODIES), max_size=3)))
        lines.append("")
    lines.extend(draw(st.lists(st.sampled_from(REFS), max_size=4)))
    text = newline.join(lines).replace("\n", newline) if newline != "\n" else "\n".join(lines)
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text + draw(st.sampled_from(("", newline)))


documents = st.one_of(changelogs(), changelogs(), mutated(SEEDS), st.text(max_size=200))
versions = st.sampled_from(("9.9.9", "v10.0.0", "1.2.3", "0.0.1", "1.0.0-rc.2", "x", "9" * 40))


@examples(ci=150)
@given(documents, st.sampled_from(("v{version}", "{version}", "release-{version}")))
def test_parsing_and_linting_a_changelog_never_crash(text: str, tag_format: str) -> None:
    doc = verdict(lambda: parse_changelog(text, "CHANGELOG.md"), where="CHANGELOG.md")
    if isinstance(doc, ReleaseError):
        return
    findings = verdict(
        lambda: lint_changelog(
            doc, sections=KEEP_A_CHANGELOG_SECTIONS, today=TODAY, tag_format=tag_format
        ),
        where="CHANGELOG.md",
    )
    if not isinstance(findings, ReleaseError):
        for finding in findings:
            assert 1 <= finding.line <= len(doc.lines) + 1
            assert len(finding.message) <= 600, finding.message[:200]
    generated = "## [Unreleased]\n\n### Added\n\n- generated\n"
    released = [(semver.Version(9, 9, 9), "## [9.9.9] - 2026-11-21\n\n- nine\n")]
    merged = verdict(lambda: merge_generated(doc, generated, released), where="CHANGELOG.md")
    if isinstance(merged, str):
        again = parse_changelog(merged, "CHANGELOG.md")
        assert semver.Version(9, 9, 9) in {s.version for s in again.releases}


@examples(ci=150)
@given(documents, versions)
def test_changelog_release_writes_a_parsable_file_or_changes_nothing(
    text: str, version: str
) -> None:
    for old in WORK.iterdir():
        old.unlink()
    (WORK / "CHANGELOG.md").write_bytes(encoded(text))
    before = tree(WORK)

    def release() -> None:
        edit = release_changelog(WORK, "CHANGELOG.md", version, today=TODAY)
        write_all([edit])
        doc = parse_changelog((WORK / "CHANGELOG.md").read_text(encoding="utf-8"))
        wanted = semver.Version.parse(version.removeprefix("v"))
        assert wanted in {s.version for s in doc.releases}, "the new section does not parse back"
        assert doc.unreleased is not None, "Unreleased is gone"

    outcome = verdict(release)  # a bad version argument is not the file's fault
    if isinstance(outcome, ReleaseError) and "version" not in str(outcome).lower():
        assert "CHANGELOG.md" in str(outcome), outcome
    if isinstance(outcome, ReleaseError):
        assert tree(WORK) == before, f"CHANGELOG.md changed on error: {outcome}"
