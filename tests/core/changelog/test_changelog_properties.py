"""Properties: random Markdown around a valid changelog never crashes release or check, a
refused release changes no byte, and what the generator renders always lints clean."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import semver
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from releasekit.core.changelog.commits import make_commit
from releasekit.core.changelog.context import Grouping, Style, build_context, render
from releasekit.core.changelog.conventional import Release
from releasekit.core.changelog.generate import load_template
from releasekit.core.changelog.keepachangelog import (
    Changelog,
    Section,
    parse_changelog,
)
from releasekit.core.changelog.lint import lint_changelog
from releasekit.core.changelog.releasing import plan_release
from releasekit.core.common.errors import ReleaseError
from releasekit.core.config import ChangelogConfig

TODAY = dt.date(2026, 8, 10)
TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_categories=("Cs",)), max_size=30
)
NOISE_LINE = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "```",
            "~~~",
            "## [Unreleased]",
            "## Unreleased",
            "## [0.0.1] - 2026-01-01",
            "## 9.9.9",
            "### Added",
            "### Breaking Changes",
            "> ## [1.0.0] - 2026-01-01",
            "    ## 2.0.0",
            "[Unreleased]: https://x/compare/v1.0.0...HEAD",
            "[1.0.0]: https://x",
            "<!-- ## 3.0.0 -->",
            "- item",
            "  - nested `code`",
            "",
            "\r",
            "\u2028",
            "\ufeff",
        ]
    ),
)


@st.composite
def changelogs(draw: st.DrawFn) -> str:
    """A valid Keep a Changelog file with random lines inserted anywhere."""
    bracket = draw(st.booleans())
    versions = sorted(
        {
            semver.Version(*v)
            for v in draw(st.lists(st.tuples(*[st.integers(0, 3)] * 3), max_size=4))
        },
        reverse=True,
    )
    lines = ["# Changelog", ""]
    lines += ["## [Unreleased]" if bracket else "## Unreleased", ""]
    lines += [f"- {t}" for t in draw(st.lists(TEXT, max_size=3))] + [""]
    for version in versions:
        label = f"[{version}]" if bracket else str(version)
        lines += [f"## {label} - 2026-01-0{version.patch + 1}", "", "- change", ""]
    for _ in range(draw(st.integers(0, 4))):
        lines.insert(draw(st.integers(0, len(lines))), draw(NOISE_LINE))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@given(text=changelogs(), version=st.sampled_from(["4.0.0", "0.0.1", "1.0.0-rc.1", "v9.9.9"]))
@settings(max_examples=300, deadline=None)
def test_release_and_check_never_crash(text: str, version: str) -> None:
    doc = parse_changelog(text)
    lint_changelog(doc, sections=["Added"], today=TODAY)
    try:
        edit = plan_release(doc, version, today=TODAY)
    except ReleaseError as exc:
        event(f"refused: {type(exc).__name__}")
        return
    event("released")
    assert edit.old == text
    after = parse_changelog(edit.new)
    released = [s for s in after.releases if s.version == semver.Version.parse(version.lstrip("v"))]
    assert len(released) == 1

    # The entries moved byte for byte: the new section's body is the old Unreleased body.
    def entries(d: Changelog, section: Section) -> list[str]:
        refs = {r.line for r in d.refs}
        lines = d.lines[section.line + 1 : section.end]
        return [
            line.rstrip("\r\n")
            for n, line in enumerate(lines, section.line + 1)
            if line.strip() and n not in refs
        ]

    assert doc.unreleased is not None
    assert entries(after, released[0]) == entries(doc, doc.unreleased)
    assert after.unreleased is not None
    assert not any(line.strip() for line in after.body(after.unreleased))

    # Above Unreleased nothing changes but link references.
    def without_refs(d: Changelog, upto: int) -> list[str]:
        refs = {r.line for r in d.refs}
        return [line for n, line in enumerate(d.lines[:upto]) if n not in refs]

    assert without_refs(after, after.unreleased.line) == without_refs(doc, doc.unreleased.line)


@given(text=changelogs(), version=st.sampled_from(["4.0.0", "0.0.1", "not-a-version"]))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_refused_release_changes_no_byte_through_the_cli(text: str, version: str) -> None:
    import releasekit
    from releasekit.cli import ReleasekitProgram

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()  # the repository root for config discovery; no git needed
        target = root / "CHANGELOG.md"
        target.write_bytes(text.encode("utf-8"))
        program = ReleasekitProgram(namespace=releasekit.ns, name="releasekit", binary="releasekit")
        cwd = Path.cwd()
        os.chdir(root)
        try:
            program.run(["releasekit", "changelog.release", version, "--date", "2026-08-10"])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            os.chdir(cwd)
        after = target.read_bytes()
        event(f"exit {code}")
        if code == 0:
            assert after != text.encode("utf-8")
        else:
            assert code in (1, 2)
            assert after == text.encode("utf-8")
        assert sorted(p.name for p in root.iterdir()) == [".git", "CHANGELOG.md"]


SUBJECTS = st.builds(
    lambda kind, scope, bang, text: f"{kind}{scope}{bang}: {text}",
    st.sampled_from(["feat", "fix", "perf", "deps", "chore", "security", "revert"]),
    st.sampled_from(["", "(api)", "(a/b,c-d)", "(#x)"]),
    st.sampled_from(["", "!"]),
    TEXT.filter(lambda t: t.strip() != ""),
)


@given(
    subjects=st.lists(st.one_of(SUBJECTS, TEXT), max_size=12),
    cut=st.integers(0, 12),
    bracketed=st.booleans(),
    scoped=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_generated_markdown_parses_back_and_lints_clean(
    subjects: list[str], cut: int, bracketed: bool, scoped: bool
) -> None:
    commits = [make_commit(f"{n:040x}", "p", "2026-01-02", "A", s) for n, s in enumerate(subjects)]
    releases = [
        Release(None, None, None, "v1.0.0", tuple(commits[:cut]), cut),
        Release(semver.Version(1, 0, 0), "v1.0.0", "2026-01-02", None, tuple(commits[cut:]), 1),
    ]
    cfg = ChangelogConfig(group_by_scope=scoped, other_section="Other")
    context = build_context(releases, Grouping.from_config(cfg, "chore: prepare {tag} release"))
    text = render(load_template(Path("."), cfg), context, Style(bracketed), header=True, cfg=cfg)
    doc = parse_changelog(text)
    assert [(s.kind, s.version) for s in doc.sections] == [
        ("unreleased", None),
        ("release", semver.Version(1, 0, 0)),
    ]
    assert lint_changelog(doc, sections=cfg.allowed_headings, today=TODAY) == []
