"""Finding a Keep a Changelog file's headings without parsing the whole file as CommonMark.

The structure is line-based, so a line scanner finds the candidate headings and link
references; only the segments whose block structure is ambiguous (a fence or HTML block that
could swallow a heading, an indented heading, a link reference that depends on the line above)
go through markdown-it-py's block parser. Used by :func:`.keepachangelog.parse_changelog`.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

# A link reference definition line (`[1.2.3]: https://...`), as Keep a Changelog files end.
REF_RE = re.compile(r" {0,3}\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<url>\S+)[ \t]*\r?\n?")

# A line that starts a heading ("#" .. "######" then a space, tab or the end), a link reference
# ("["), or that makes its segment "tricky": it may open a fence or an HTML block (``` ~~~ <,
# indented up to three spaces), be an indented heading or reference (1-3 spaces, then # or [),
# or start with 12 list/quote marker characters or with such characters and a tab. Which of
# the three a match is follows from the line's first character ("#", "[", anything else).
# Every alternative starts with one literal or one character set, and there are no groups:
# then the regex engine rejects an alternative on the line's first character without entering
# it (74k lines: 8.4 -> 6.3 ms). test_keepachangelog_scanner.py keeps the matches those of the
# named-group form it replaced.
_MARKER = r"[ >*+\-.)0-9]"
_CANDIDATE_RE = re.compile(
    r"\n(?:##{0,5}(?=[ \t\n]|$)|\[|```|~~~|<| {1,3}(?:```|~~~|<|[#\[])"
    rf"|{_MARKER}(?:{_MARKER}{{11}}|{_MARKER}*\t)|\t)",
    re.MULTILINE,
)
# A link reference definition markdown-it accepts whatever precedes it on its line's block:
# column 0, a plain label (some letter or digit, no brackets, no escapes), a plain destination
# (no <>, parentheses, escapes or control characters) and nothing after it.
_PLAIN_REF_RE = re.compile(
    r"\[[^\[\]\\\n]*[A-Za-z0-9][^\[\]\\\n]*\]:[ \t]*[^\s<>()\\\x00-\x1f\x7f]+[ \t]*(?:\n|\Z)"
)
_BAD_PROTOCOL_RE = re.compile(r"\[[^\]]*\]:[ \t]*(?:vbscript|javascript|file|data):", re.IGNORECASE)
# markdown-it-py's mdTrim set (common/utils.py MD_TRIM_CHARS); a test keeps the two equal.
_MD_TRIM = "".join(
    chr(c)
    for c in sorted(
        {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000}
        | set(range(0x2000, 0x200B))
        | {0x2028, 0x2029}
    )
)


def _heading_text(line: str, level: int) -> str:
    """A column-0 ATX heading's text, as markdown-it's heading rule cuts it, then stripped."""
    text = line[level:].rstrip("\n").rstrip(" \t")
    if not text.endswith("#"):  # no closing sequence to cut (nearly every heading): ~3x faster
        return text.strip(_MD_TRIM).strip()
    end = len(line.rstrip("\n"))
    pos = level
    while end > pos and line[end - 1] in " \t":
        end -= 1
    cut = end
    while cut > pos and line[cut - 1] == "#":
        cut -= 1
    if cut > pos and line[cut - 1] in " \t":
        end = cut
    return line[pos:end].strip(_MD_TRIM).strip()


class Scan(NamedTuple):
    """What :func:`scan` found in a view of the file."""

    headings: list[tuple[int, int, str]]  # top-level ATX headings: (line, level, text)
    uncovered: set[int]  # lines no top-level block covers (exact only where a ref could be)
    newlines: int  # the view's "\n" characters
    # line -> offset in the view of every heading and link reference line, when the scanner
    # read every segment; None when markdown-it parsed some (its lines come without offsets)
    offsets: dict[int, int] | None


def blocks(view: str) -> tuple[list[tuple[int, int, str]], set[int]]:
    """Top-level ATX headings (line, level, text), and the lines no top-level block covers.

    Only lines a link reference definition could be on are exact in the second set (blank
    lines and paragraph text are never looked up there).
    """
    found = scan(view)
    return found.headings, found.uncovered


def scan(view: str) -> Scan:
    """:func:`blocks`, with the view's line breaks and the lines' offsets where known."""

    def line_from(offset: int) -> str:
        end = view.find("\n", offset)
        return view[offset:] if end < 0 else view[offset : end + 1]

    cuts: list[tuple[int, int, int]] = []  # (line, level, offset) of column-0 ATX lines
    weird: set[int] = set()  # segments (0 = before the first cut, i = from cut i-1) to parse
    plain_refs: dict[int, int] = {}  # line -> segment
    offsets: dict[int, int] = {}  # line -> offset of each link reference (and heading) line
    line, at = 0, 0
    # Each match starts at the "\n" before its line; the first line has none, so it is matched
    # on its own (prefixing the whole view with "\n" would copy it: 3 MB for 74k lines).
    first = _CANDIDATE_RE.match("\n" + line_from(0))
    for m in itertools.chain(() if first is None else (first,), _CANDIDATE_RE.finditer(view)):
        start = m.start()
        offset = 0 if m is first else start + 1  # of the line in view
        line += view.count("\n", at, offset)
        at = offset
        kind = view[offset]
        if kind == "#":  # the match is "\n" and the #s (the lookahead takes nothing)
            cuts.append((line, m.end() - start - 1, offset))
            continue
        segment = len(cuts)
        if kind != "[":
            weird.add(segment)
            continue
        text = line_from(offset)
        above = view[view.rfind("\n", 0, offset - 1) + 1 : offset] if offset else ""
        if (
            _PLAIN_REF_RE.fullmatch(text)
            and not _BAD_PROTOCOL_RE.match(text)
            and (
                not above.strip(" \t\n")
                or line - 1 in plain_refs
                or (cuts and cuts[-1][0] == line - 1)
            )
        ):
            plain_refs[line] = segment
            offsets[line] = offset
        elif REF_RE.fullmatch(text):
            weird.add(segment)
    newlines = line + view.count("\n", at)  # counted in runs up to the last match, then the rest
    if not weird:  # every segment read by the scanner (a file releasekit wrote, usually)
        texts = [(n, level, _heading_text(line_from(o), level)) for n, level, o in cuts]
        offsets.update((n, o) for n, _, o in cuts)
        return Scan(texts, set(plain_refs), newlines, offsets)
    count = newlines + (1 if view and not view.endswith("\n") else 0)
    refs_of: dict[int, list[int]] = {}
    for n, segment in plain_refs.items():
        refs_of.setdefault(segment, []).append(n)
    uncovered: set[int] = set()
    headings: list[tuple[int, int, str]] = []
    bounds = [(0, 0), *((n, offset) for n, _, offset in cuts), (count, len(view))]
    segment = 0
    while segment < len(bounds) - 1:
        start, offset = bounds[segment]
        if segment not in weird:
            if segment > 0:
                level = cuts[segment - 1][1]
                headings.append((start, level, _heading_text(line_from(offset), level)))
            uncovered.update(refs_of.get(segment, ()))
            segment += 1
            continue
        last = segment + 1  # parse up to and including the cut line bounds[last]
        while True:
            stop, stop_offset = bounds[last]
            src = view[offset : stop_offset + len(line_from(stop_offset))]
            got_headings, got_uncovered = _commonmark_blocks(src, start)
            if stop >= count or any(h[0] == stop for h in got_headings):
                break
            want = start + 2 * (stop - start)
            last = next(
                (i for i in range(last + 1, len(bounds)) if bounds[i][0] >= want), len(bounds) - 1
            )
        headings.extend(h for h in got_headings if h[0] < stop)
        uncovered.update(n for n in got_uncovered if n < stop)
        segment = last
    return Scan(headings, uncovered, newlines, None)


def _commonmark_blocks(src: str, first: int) -> tuple[list[tuple[int, int, str]], set[int]]:
    """:func:`blocks` for ``src`` (lines from ``first`` on) by markdown-it-py's block parser."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    tokens = md.block.parse(src, md, {}, []) or []
    count = src.count("\n") + (0 if src.endswith("\n") or not src else 1)
    covered = [False] * count
    headings: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None:
            continue
        start, stop = token.map
        for n in range(start, min(stop, count)):
            covered[n] = True
        if token.type == "heading_open" and token.markup.startswith("#"):
            headings.append((first + start, len(token.markup), tokens[index + 1].content.strip()))
    return headings, {first + n for n, c in enumerate(covered) if not c}
