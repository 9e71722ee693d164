"""changelog.release splices the text at a few lines' offsets (LineIndex) instead of splitting
the whole file into lines; the bytes are those of the line-by-line release it replaced.

``release_by_line`` is plan_release's move as releasing.py had it at 5bcbf26 (verbatim but for
the names it imports); hypothesis feeds both the same files: generated changelogs with noise
lines anywhere (test_changelog_properties), CRLF or not, a BOM, no final newline, the
``[Unreleased]`` reference above, inside or below the body.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import semver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_changelog_properties import changelogs
from test_keepachangelog_scanner import markdown_files

from releasekit.core.changelog import keepachangelog as kac
from releasekit.core.changelog.keepachangelog import COMPARE_RE, closed_lines, is_blank, reopen
from releasekit.core.changelog.releasing import _heading_for, plan_release, release_changelog
from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all

TODAY = dt.date(2026, 3, 1)


def release_by_line(doc: kac.Changelog, requested: str, tag_format: str = "v{version}") -> str:
    """plan_release's edit before the splice: every line made, moved as list elements."""
    version = semver.Version.parse(requested.removeprefix("v"))
    unreleased = doc.unreleased
    assert unreleased is not None
    heading, label = _heading_for(doc, version, TODAY)
    nl = doc.newline
    lines = closed_lines(doc)
    ref = doc.ref(unreleased.label)
    if ref is not None:
        match = COMPARE_RE.fullmatch(ref.url)
        assert match is not None
        new_tag = tag_format.replace("{version}", str(version))
        old_line = lines[ref.line]
        ending = old_line[len(old_line.rstrip("\r\n")) :]
        prefix = old_line[: old_line.index("[")]
        base, old_tag, tip = match.group("base"), match.group("old"), match.group("new")
        lines[ref.line] = (
            f"{prefix}[{ref.label}]: {base}{new_tag}...{tip}{ending}"
            f"{prefix}[{label}]: {base}{old_tag}...{new_tag}{ending}"
        )
    body = lines[unreleased.line + 1 : unreleased.end]
    gap = []
    for line in body:
        if not is_blank(line):
            break
        gap.append(line)
    gap_text = "".join(gap) or nl
    new_lines = [
        *lines[: unreleased.line + 1],
        gap_text,
        heading + nl,
        gap_text,
        *body[len(gap) :],
        *lines[unreleased.end :],
    ]
    return reopen(doc, "".join(new_lines))


def same_as_by_line(text: str, version: str) -> bool:
    doc = kac.parse_changelog(text)
    try:
        new = plan_release(doc, version, today=TODAY).new
    except ReleaseError:
        return False  # refused: nothing to compare (the refusals have their own tests)
    assert new == release_by_line(kac.parse_changelog(text), version)
    return True


REF = "[Unreleased]: https://x/compare/v0.1.0...HEAD"


@st.composite
def with_refs(draw: st.DrawFn) -> str:
    """A changelog with entries and its [Unreleased] compare link somewhere."""
    lines = ["# Changelog", "", "## [Unreleased]", ""]
    lines += [draw(st.sampled_from(["- a", "- **api**: b (#1)", "", "### Added", "  - c"]))
              for _ in range(draw(st.integers(0, 5)))]  # fmt: skip
    lines.insert(draw(st.integers(4, len(lines))), "- an entry")
    lines += ["", "## [0.1.0] - 2026-01-01", "", "- first", ""]
    where = draw(st.sampled_from(["footer", "body", "top", "none"]))
    if where == "footer":
        lines += [REF, "[0.1.0]: https://x/releases/tag/v0.1.0"]
    elif where == "body":
        lines.insert(5, REF)
    elif where == "top":
        lines.insert(1, REF)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    return ("\ufeff" if draw(st.booleans()) else "") + text


@settings(max_examples=600, deadline=None)
@given(changelogs(), st.sampled_from(["4.0.0", "1.0.0-rc.1", "v9.9.9"]))
def test_release_is_the_line_by_line_release_on_generated_changelogs(
    text: str, version: str
) -> None:
    same_as_by_line(text, version)


@settings(max_examples=600, deadline=None)
@given(with_refs())
@example("## [Unreleased]\n- a")  # the last line of the file is the body, without "\n"
@example("## [Unreleased]\n\n\n- a\n\n[Unreleased]: https://x/compare/v0.1.0...HEAD")
@example("\ufeff[Unreleased]: https://x/compare/v0.1.0...HEAD\n## [Unreleased]\n- a\n")
def test_release_moves_the_link_reference_wherever_it_is_as_before(text: str) -> None:
    assert same_as_by_line(text, "0.2.0")


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(markdown_files())
def test_release_is_the_line_by_line_release_on_hostile_markdown(text: str) -> None:
    same_as_by_line(text + "\n## [Unreleased]\n\n- x\n", "99.0.0")


@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(markdown_files(), changelogs(), with_refs()), st.data())
def test_line_index_lines_are_the_split_lines(text: str, data: st.DataObject) -> None:
    """Whatever the scanner knew: every line, span, blank test and offset as the full split."""
    doc = kac.parse_changelog(text)
    lines = kac.split_lines(text)
    count = len(lines)
    assert doc.line_count == count
    picks = data.draw(st.lists(st.integers(0, count), max_size=12))
    starts = [0, *(sum(len(line) for line in lines[: n + 1]) for n in range(count))]
    for n in picks:
        assert doc.index.start(n) == starts[n]
        if n < count:
            assert doc.line(n) == lines[n]
        for m in picks:
            assert doc.index.between(n, m) == lines[n:m]
            assert doc.has_text(n, m) == any(line.strip() for line in lines[n:m])
    assert doc.lines == lines
    assert doc.newline == (
        "\r\n" if next((x for x in lines if x.endswith("\n")), "").endswith("\r\n") else "\n"
    )


def test_a_generated_changelog_is_released_without_making_its_lines() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- new\n\n" + "".join(
        f"## [1.{n}.0] - 2026-01-01\n\n### Added\n\n- thing {n}\n\n" for n in range(50, 0, -1)
    )
    text += "[Unreleased]: https://x/compare/v1.50.0...HEAD\n"
    doc = kac.parse_changelog(text)
    new = plan_release(doc, "1.51.0", today=TODAY).new
    assert doc.index._lines is None  # the file was never split into lines
    assert new == release_by_line(kac.parse_changelog(text), "1.51.0")
    assert "[1.51.0]: https://x/compare/v1.50.0...v1.51.0\n" in new


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_the_release_edit_carries_the_bytes_it_was_read_from(tmp_path: Path, bom: str) -> None:
    """The transaction compares the file with ``old_bytes`` instead of encoding ``old``: they
    must be the same bytes (a BOM, non-ASCII text, CRLF included)."""
    text = f"{bom}# Changelog — é\r\n\r\n## [Unreleased]\r\n\r\n- ünïcode\r\n"
    (tmp_path / "CHANGELOG.md").write_bytes(text.encode())
    edit = release_changelog(tmp_path, "CHANGELOG.md", "0.1.0", today=TODAY)
    assert edit.old_bytes == edit.old.encode() == (tmp_path / "CHANGELOG.md").read_bytes()
    write_all([edit], tmp_path)
    assert (tmp_path / "CHANGELOG.md").read_bytes().decode() == edit.new
