"""The line scanner behind parse_changelog gives what a CommonMark parse of the whole file gave.

``commonmark_parse`` is parse_changelog as it was before the scanner (markdown-it-py over the
whole file, kept here verbatim as the oracle); hypothesis feeds both the same generated files,
built from the lines that make CommonMark's block structure hard: fences holding ``## `` lines,
HTML blocks, indented headings, quotes, lists, link reference definitions of every shape.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from semver import Version

from releasekit.core.changelog import keepachangelog as kac
from releasekit.core.changelog import lines as changelog_lines
from releasekit.core.changelog import merge, scan
from releasekit.core.common.textfile import BOM


def commonmark_parse(text: str, path: str = "CHANGELOG.md") -> kac.Changelog:
    """parse_changelog before the scanner (5596c5b), verbatim but for the names it imports."""
    from markdown_it import MarkdownIt

    lines = kac.split_lines(text)
    body = text[1:] if text.startswith(BOM) else text
    tokens = MarkdownIt("commonmark").parse(body.replace("\r", ""))
    covered = [False] * (len(lines) + 1)
    headings: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None:
            continue
        start, stop = token.map
        for n in range(start, min(stop, len(lines))):
            covered[n] = True
        if token.type == "heading_open" and token.markup.startswith("#"):
            headings.append((start, len(token.markup), tokens[index + 1].content.strip()))
    refs = tuple(
        kac.LinkRef(n, m.group("label").strip(), m.group("url"))
        for n, line in enumerate(lines)
        if not covered[n] and (m := scan.REF_RE.fullmatch(line))
    )
    footer = len(lines)
    while footer > 0 and (kac.is_blank(lines[footer - 1]) or not covered[footer - 1]):
        if not kac.is_blank(lines[footer - 1]) and not scan.REF_RE.fullmatch(lines[footer - 1]):
            break
        footer -= 1
    while footer < len(lines) and kac.is_blank(lines[footer]):
        footer += 1
    sections = []
    tops = [(n, level) for n, level, _ in headings if level <= 2]
    for n, level, heading in headings:
        if level != 2:
            continue
        end = next((m for m, _ in tops if m > n), len(lines))
        if footer > n:
            end = min(end, footer)
        subs = tuple(kac.Subheading(m, t) for m, lv, t in headings if lv == 3 and n < m < end)
        sections.append(kac._section(n, end, heading, subs))
    index = kac.LineIndex(text, len(lines), None)
    return kac.Changelog(path, Path(path), text, tuple(sections), refs, footer, index)


LINES = st.sampled_from(
    [
        "",
        "   ",
        "\t",
        "# Changelog",
        "## [Unreleased]",
        "## Unreleased ##",
        "## [1.2.3] - 2026-01-02",
        "## 1.0.0 - 2026-01-01 #",
        "##\t[0.1.0] - 2026-01-01",
        "##",
        "## ",
        "### Added",
        "### Fixed ###",
        "#### Deep",
        "####### seven",
        "#hashtag",
        "  ## indented heading",
        "   ### indented sub",
        "    ## code, not a heading",
        "\t## tab code",
        "```",
        "```go",
        "  ```",
        "    ```",
        "~~~",
        "````",
        "<!-- comment",
        "-->",
        "<!-- one line -->",
        "<div>",
        "</div>",
        "<script>",
        "</script>",
        "<https://example.com>",
        "> quote",
        "> ## quoted heading",
        ">",
        ">>>>>>>>>>>>>>>>>>>>>>> deep",
        "- item",
        "- **api**: Fix the thing (#12)",
        "  continuation",
        "  - nested",
        "  ```",
        "-",
        "1. first",
        "* star",
        "---",
        "***",
        "===",
        "text line",
        "\u00a0",
        "(aside)",
        '"quoted"',
        "'single'",
        "[Unreleased]: https://x/compare/v1.2.3...HEAD",
        "[1.2.3]: https://x/compare/v1.0.0...v1.2.3",
        "[1.0.0]: https://x/releases/tag/v1.0.0",
        "[v2]:https://x",
        "  [1.2.3]: https://x/indented",
        "[a]: <https://x>",
        "[a\\]: https://x",
        "[a[b]: https://x",
        "[ ]: https://x",
        "[a]: javascript:alert(1)",
        "[a]: https://x/(paren)",
        '[a]: https://x "title"',
        '[a]: https://x "multi',
        'line title"',
        '"multi',
        "(multi",
        "end)",
        "[a]:",
        "[a]: https://x trailing",
        "[not a ref]",
        "x\u0000y",
        "## nul\u0000",
    ]
)


@st.composite
def markdown_files(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=40))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    return (BOM if draw(st.booleans()) else "") + text


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(markdown_files())
@example("## [Unreleased]\n\n```\n## [9.9.9] - 2026-01-01\n```\n\n## [1.0.0] - 2026-01-01\n")
@example("## [Unreleased]\n\n```\n## [9.9.9] - 2026-01-01\n\n## [1.0.0] - 2026-01-01\n")
@example("## A\n<!--\n## B\n-->\n## C\n[a]: x\n")
@example("```\n# Changelog\n[Unreleased]: https://x/compare/v1.2.3...HEAD")
@example("- a\n\n  ```\n## B\n```\n## C\n")
@example('## A\n\n[a]: https://x\n"multi\n[b]: https://y\nline title"\n')
def test_scanner_matches_a_full_commonmark_parse(text: str) -> None:
    assert kac.parse_changelog(text) == commonmark_parse(text)
    assert kac.split_lines(text) == tuple(re.findall(r"[^\n]*\n|[^\n]+\Z", text))  # the old split


# The candidate regex with one named group per kind, as scan.py had it at 5bcbf26.
NAMED_CANDIDATE_RE = re.compile(
    r"\n(?:(?P<heading>#{1,6})(?=[ \t\n]|$)"
    r"|(?P<tricky> {0,3}(?:```|~~~|<)| {1,3}[#\[]|[ >*+\-.)0-9]{12}|[ >*+\-.)0-9]*\t)"
    r"|(?P<ref>\[))",
    re.MULTILINE,
)
CANDIDATE_PIECES = st.sampled_from(
    ["#", "##", "#######", " ", "  ", "   ", "    ", "\t", "`", "```", "~~~", "<", "[", "-", "*",
     "+", ".", ")", "7", ">", "a", "\n", "\n", "\n\n", ":", "\u00e9"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(CANDIDATE_PIECES, max_size=40).map("".join))
def test_candidate_lines_are_the_named_group_regex_s(text: str) -> None:
    """The same matches, each of the same kind (told by the line's first character now) and,
    for a heading, of the same level."""
    text = "\n" + text

    def named(m: re.Match[str]) -> tuple[int, str | None, int]:
        return m.start(), m.lastgroup, m.end() if m.lastgroup == "heading" else 0

    def plain(m: re.Match[str]) -> tuple[int, str | None, int]:
        first = text[m.start() + 1]
        kind = "heading" if first == "#" else "ref" if first == "[" else "tricky"
        return m.start(), kind, m.end() if kind == "heading" else 0

    assert [plain(m) for m in scan._CANDIDATE_RE.finditer(text)] == [
        named(m) for m in NAMED_CANDIDATE_RE.finditer(text)
    ]


def test_fenced_code_hides_headings() -> None:
    text = (
        "# Changelog\n\n## [Unreleased]\n\n- A\n\n```md\n## [9.9.9] - 2026-01-01\n### Added\n```\n\n"
        "## [1.0.0] - 2026-01-01\n\n- B\n\n[Unreleased]: https://x/compare/v1.0.0...HEAD\n"
    )
    doc = kac.parse_changelog(text)
    assert [s.text for s in doc.sections] == ["[Unreleased]", "[1.0.0] - 2026-01-01"]
    assert doc.sections[0].subheadings == ()
    assert [r.label for r in doc.refs] == ["Unreleased"]
    assert doc == commonmark_parse(text)


def test_a_generated_changelog_is_read_without_markdown_it() -> None:
    text = "".join(
        f"## [1.{n}.0] - 2026-01-01\n\n### Added\n\n- **api**: thing {n} (#{n})\n\n"
        for n in range(300, 0, -1)
    )
    headings, uncovered = scan.blocks(text + "[1.1.0]: https://x/releases/tag/v1.1.0\n")
    assert len(headings) == 600
    assert len(text.splitlines()) in uncovered


def test_trim_set_is_markdown_its() -> None:
    from markdown_it.common.utils import MD_TRIM_CHARS

    assert set(scan._MD_TRIM) == set(MD_TRIM_CHARS)


def merge_by_line(doc: kac.Changelog, unreleased: str, releases: list[tuple[Version, str]]) -> str:
    """merge_generated before the splice (5596c5b), verbatim but for the names it imports."""
    nl = doc.newline
    lines = kac.closed_lines(doc)
    inserts: dict[int, list[str]] = {}
    generated = merge._as_lines(unreleased, nl)
    current = doc.unreleased
    if current is None:
        first = doc.sections[0].line if doc.sections else doc.footer
        inserts.setdefault(first, []).extend(merge._block(generated, first, lines, nl))
    existing = {s.version for s in doc.releases}
    for version, text in sorted(releases, key=lambda item: item[0], reverse=True):
        if version in existing:
            continue
        at = next(
            (s.line for s in doc.releases if s.version is not None and s.version < version),
            doc.footer,
        )
        inserts.setdefault(at, []).extend(merge._block(merge._as_lines(text, nl), at, lines, nl))
    out: list[str] = []
    for n in range(len(lines) + 1):
        out.extend(inserts.get(n, []))
        if current is not None and current.line < n < current.end:
            continue
        if n < len(lines):
            out.append(lines[n])
        if current is not None and n == current.line:
            body = generated[1:]
            out.extend(body if current.end == len(lines) else [*body, nl])
    return kac.reopen(doc, "".join(out))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    markdown_files(),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), max_size=4, unique=True),
    st.booleans(),
)
def test_splice_matches_the_line_by_line_merge(
    text: str, versions: list[tuple[int, int]], empty: bool
) -> None:
    doc = kac.parse_changelog(text)
    unreleased = "## [Unreleased]\n" + ("" if empty else "\n### Added\n\n- new\n")
    releases = [(Version(1, a, b), f"## [1.{a}.{b}] - 2026-01-01\n\n- x\n") for a, b in versions]
    assert merge.merge_generated(doc, unreleased, releases) == merge_by_line(
        doc, unreleased, releases
    )


def test_the_fast_split_knows_every_break_str_splitlines_makes() -> None:
    """split_lines takes str.splitlines when none of _OTHER_BREAKS is in the text: that set
    must be exactly the characters other than "\\n" splitlines breaks at."""
    breaks = {chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".splitlines()) > 1}
    assert breaks - {"\n"} == set(changelog_lines._OTHER_BREAKS)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab #\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u00e9")))
def test_split_lines_splits_on_newline_only(text: str) -> None:
    assert kac.split_lines(text) == tuple(re.findall(r"[^\n]*\n|[^\n]+\Z", text))
