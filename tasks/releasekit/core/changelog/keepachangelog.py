"""Keep a Changelog files: parse, and release the Unreleased entries.

Linting is :mod:`.lint`; merging generated sections into the file is :mod:`.generate`.

The file is parsed with markdown-it-py (CommonMark) so headings inside code fences, HTML
blocks, block quotes or list items are never mistaken for sections. Edits then work on the
original lines: entries move byte for byte and every other byte of the file stays.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import semver

from ..common.confine import confine
from ..common.errors import FileFormatError, ReleaseError, VersionError
from ..common.excerpt import clip, excerpt
from ..common.textfile import BOM, FileEdit, read_text
from ..versioning.versions import SEMVER_PATTERN, parse_version

SectionKind = Literal["unreleased", "release", "other"]

_UNRELEASED_RE = re.compile(r"(\[)?unreleased(?(1)\])", re.IGNORECASE)
_RELEASE_RE = re.compile(
    r"(?P<open>\[)?(?P<v>v)?(?P<version>" + SEMVER_PATTERN + r")(?(open)\])"
    r"(?:(?P<sep>\s+[-–—]\s+)(?P<date>\S+))?(?P<rest>.*)"
)
_REF_RE = re.compile(r" {0,3}\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<url>\S+)[ \t]*\r?\n?")
COMPARE_RE = re.compile(r"(?P<base>.*/compare/)(?P<old>[^/]+?)\.\.\.?(?P<new>[^/.][^/]*)")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BREAKING_RE = re.compile(r"breaking", re.IGNORECASE)


@dataclass(frozen=True)
class Subheading:
    """A ``###`` heading inside a section (``### Added``)."""

    line: int  # 0-based index into Changelog.lines
    text: str


@dataclass(frozen=True)
class Section:
    """A ``##`` section: Unreleased, a release, or something else."""

    kind: SectionKind
    line: int  # 0-based line of the heading
    end: int  # 0-based line where the body ends (exclusive)
    text: str  # heading text after "## "
    version: semver.Version | None = None
    bracketed: bool = False
    v_prefix: bool = False
    separator: str | None = None
    date: str | None = None
    subheadings: tuple[Subheading, ...] = ()

    @property
    def label(self) -> str:
        """The link-reference label the heading uses: ``Unreleased``, ``1.2.3``, ``v1.2.3``."""
        if self.kind == "unreleased":
            return self.text.strip("[]")
        if self.kind == "release":
            return ("v" if self.v_prefix else "") + str(self.version)
        return self.text


@dataclass(frozen=True)
class LinkRef:
    """A link reference definition (``[1.2.3]: https://...``)."""

    line: int
    label: str
    url: str


@dataclass(frozen=True)
class Changelog:
    """A parsed Keep a Changelog file; ``lines`` keep their line endings."""

    path: str
    real_path: Path
    text: str
    lines: tuple[str, ...]
    sections: tuple[Section, ...]
    refs: tuple[LinkRef, ...]
    footer: int  # first line of the trailing block of link references (len(lines) if none)

    def where(self, line: int) -> str:
        """``path:line`` for a 0-based line index."""
        return f"{self.path}:{line + 1}"

    @property
    def unreleased(self) -> Section | None:
        return next((s for s in self.sections if s.kind == "unreleased"), None)

    @property
    def releases(self) -> list[Section]:
        return [s for s in self.sections if s.kind == "release"]

    def body(self, section: Section) -> list[str]:
        return list(self.lines[section.line + 1 : section.end])

    def ref(self, label: str) -> LinkRef | None:
        """The first link reference of ``label`` (case-insensitive)."""
        return self._refs_by_label.get(label.casefold())

    @cached_property
    def _refs_by_label(self) -> dict[str, LinkRef]:
        found: dict[str, LinkRef] = {}
        for ref in self.refs:
            found.setdefault(ref.label.casefold(), ref)
        return found

    @property
    def newline(self) -> str:
        first = next((line for line in self.lines if line.endswith("\n")), "\n")
        return "\r\n" if first.endswith("\r\n") else "\n"


def split_lines(text: str) -> tuple[str, ...]:
    """Lines with their endings, split on ``\\n`` only (str.splitlines also splits on U+2028)."""
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return tuple(lines)


def is_blank(line: str) -> bool:
    return not line.strip()


def parse_changelog(
    text: str, path: str = "CHANGELOG.md", real_path: Path | None = None
) -> Changelog:
    """Find the sections, sub-headings and link references of a changelog.

    Only ATX headings (``## x``) at the top level count; setext headings and headings nested in
    quotes, lists or code are content. The result is what a CommonMark parse of the whole file
    gives (markdown-it-py); see :func:`_blocks` for how most of the file is read without one.
    """
    lines = split_lines(text)
    body = text[1:] if text.startswith(BOM) else text
    # markdown-it treats a lone \r as a line break; dropping every \r keeps its line numbers
    # equal to ours (lines split on \n). It reads NUL as U+FFFD (one character for one).
    view = body.replace("\r", "").replace("\0", "\ufffd")
    headings, uncovered = _blocks(view)
    refs = tuple(
        LinkRef(n, m.group("label").strip(), m.group("url"))
        for n in sorted(uncovered)
        if n < len(lines) and (m := _REF_RE.fullmatch(lines[n]))
    )
    footer = len(lines)
    while footer > 0 and (is_blank(lines[footer - 1]) or footer - 1 in uncovered):
        if not is_blank(lines[footer - 1]) and not _REF_RE.fullmatch(lines[footer - 1]):
            break
        footer -= 1
    while footer < len(lines) and is_blank(lines[footer]):
        footer += 1
    return Changelog(
        path,
        real_path or Path(path),
        text,
        lines,
        _sections(headings, len(lines), footer),
        refs,
        footer,
    )


def _sections(headings: list[tuple[int, int, str]], count: int, footer: int) -> tuple[Section, ...]:
    """``##`` sections from the top-level headings, in one pass from the end."""
    sections: list[Section] = []
    end = count  # the next heading of level <= 2 below
    subs: list[Subheading] = []
    for n, level, heading in reversed(headings):
        if level == 3:
            subs.append(Subheading(n, heading))
        elif level <= 2:
            if level == 2:
                stop = min(end, footer) if footer > n else end
                inside = tuple(s for s in reversed(subs) if s.line < stop)
                sections.append(_section(n, stop, heading, inside))
            end = n
            subs = []
    sections.reverse()
    return tuple(sections)


# --- the block structure without a full CommonMark parse ---------------------------------------
#
# Keep a Changelog files are line-based, and CommonMark decides two things about a line that
# starts in column 0 with "#"s and a space: it is a top-level heading unless an open fenced code
# block or HTML block swallows it (paragraphs, lists, block quotes and indented code all end
# there). So the file is cut at such lines into segments. A segment none of whose lines could
# open a fence or HTML block, or be an indented heading, or a link reference definition whose
# fate depends on the line above, is read by the scanner below; any other segment is parsed by
# markdown-it-py, from its (known) heading to the next cut line, the region doubled until that
# line comes out as a top-level heading (so an unclosed fence still swallows the rest).

# Matched in "\n" + text: a literal first character lets the regex engine skip from one line
# break to the next (a MULTILINE "^" is tried at every character).
_CANDIDATE_RE = re.compile(
    r"\n(?:(?P<heading>#{1,6})(?=[ \t\n]|$)"
    r"|(?P<tricky> {0,3}(?:```|~~~|<)| {1,3}[#\[]|[ >*+\-.)0-9]{12}|[ >*+\-.)0-9]*\t)"
    r"|(?P<ref>\[))",
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


def _blocks(view: str) -> tuple[list[tuple[int, int, str]], set[int]]:
    """Top-level ATX headings (line, level, text), and the lines no top-level block covers.

    Only lines a link reference definition could be on are exact in the second set (blank
    lines and paragraph text are never looked up there).
    """
    count = view.count("\n") + (1 if view and not view.endswith("\n") else 0)

    def line_from(offset: int) -> str:
        end = view.find("\n", offset)
        return view[offset:] if end < 0 else view[offset : end + 1]

    cuts: list[tuple[int, int, int]] = []  # (line, level, offset) of column-0 ATX lines
    weird: set[int] = set()  # segments (0 = before the first cut, i = from cut i-1) to parse
    plain_refs: dict[int, int] = {}  # line -> segment
    line, at = 0, 0
    for m in _CANDIDATE_RE.finditer("\n" + view):
        offset = m.start()  # of the line in view (the match starts one earlier, at "\n")
        line += view.count("\n", at, offset)
        at = offset
        if m.group("heading"):
            cuts.append((line, len(m.group("heading")), offset))
            continue
        segment = len(cuts)
        if m.group("tricky") is not None:
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
        elif _REF_RE.fullmatch(text):
            weird.add(segment)
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
    return headings, uncovered


def _section(line: int, end: int, text: str, subs: tuple[Subheading, ...]) -> Section:
    if _UNRELEASED_RE.fullmatch(text):
        return Section(
            "unreleased", line, end, text, bracketed=text.startswith("["), subheadings=subs
        )
    match = _RELEASE_RE.fullmatch(text)
    version = _version(match.group("version")) if match else None
    if match and version is not None:
        return Section(
            "release",
            line,
            end,
            text,
            version=version,
            bracketed=match.group("open") is not None,
            v_prefix=match.group("v") is not None,
            separator=match.group("sep"),
            date=match.group("date"),
            subheadings=subs,
        )
    return Section("other", line, end, text, subheadings=subs)


def _version(text: str) -> semver.Version | None:
    """The heading's version; None for one too long to be a release (or for int())."""
    try:
        return parse_version(text)
    except VersionError:
        return None


def _commonmark_blocks(src: str, first: int) -> tuple[list[tuple[int, int, str]], set[int]]:
    """:func:`_blocks` for ``src`` (lines from ``first`` on) by markdown-it-py's block parser."""
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


def read_changelog(root: Path, path: str) -> Changelog:
    """Read and parse the changelog at ``root / path``."""
    # Through an in-repository link (CHANGELOG.md -> docs/CHANGELOG.md) the file it points to
    # is read and rewritten, so the link stays a link; a link out of the work tree is refused.
    real = confine(root, path, what="changelog")
    if not real.exists():
        raise FileFormatError(
            f"{path}: file not found; create it (`releasekit changelog --output {path}` writes "
            "one from the commits) or set changelog.path in releasekit.yaml"
        )
    return parse_changelog(read_text(real, path), path, real)


# --- changelog.release -----------------------------------------------------------------------


def _heading_for(doc: Changelog, version: semver.Version, date: dt.date) -> tuple[str, str]:
    """The new heading line and link label, spelled like the newest release (else Unreleased)."""
    model = doc.releases[0] if doc.releases else None
    bracketed = model.bracketed if model else bool(doc.unreleased and doc.unreleased.bracketed)
    label = ("v" if model is not None and model.v_prefix else "") + str(version)
    separator = model.separator if model is not None and model.separator else " - "
    shown = f"[{label}]" if bracketed else label
    return f"## {shown}{separator}{date.isoformat()}", label


def plan_release(
    doc: Changelog,
    requested: str,
    *,
    today: dt.date,
    tag_format: str = "v{version}",
    breaking_first: bool = True,
) -> FileEdit:
    """Move the Unreleased entries into a new ``version`` section below a fresh Unreleased.

    Raises:
        FileFormatError: no Unreleased section, a second Unreleased or version heading
            (whose entries would silently stay behind), an empty Unreleased, or a breaking-change
            sub-heading is not its first, or its link reference cannot be updated.
        ReleaseError: the version already has a section or is not newer than the newest one.
    """
    version = parse_version(requested)
    unreleased = doc.unreleased
    if unreleased is None:
        raise FileFormatError(
            f"{doc.path}: no Unreleased section; add '## [Unreleased]' above the newest release "
            "and list the changes there"
        )
    duplicates = duplicate_sections(doc)
    if duplicates:
        at, problem = duplicates[0]
        raise FileFormatError(f"{doc.where(at)}: {problem}; nothing was released")
    refs = {r.line for r in doc.refs}
    body = doc.body(unreleased)
    if all(is_blank(line) or n in refs for n, line in enumerate(body, unreleased.line + 1)):
        raise FileFormatError(
            f"{doc.where(unreleased.line)}: Unreleased section is empty; add the changes of "
            f"{version} under it first"
        )
    for release in doc.releases:
        if release.version == version:
            raise ReleaseError(
                f"{doc.where(release.line)}: {version} already has a section; "
                "pick the next version or remove the duplicate"
            )
    newest = max(doc.releases, key=lambda s: s.version or semver.Version(0), default=None)
    if newest is not None and newest.version is not None and version <= newest.version:
        raise ReleaseError(
            f"{version} is not newer than {newest.version} ({doc.where(newest.line)}); "
            "release a greater version"
        )
    if breaking_first:
        for index, sub in enumerate(unreleased.subheadings):
            if index > 0 and _BREAKING_RE.search(sub.text):
                raise FileFormatError(
                    f"{doc.where(sub.line)}: '### {clip(sub.text)}' must be the first sub-heading of "
                    f"Unreleased (now after '### {unreleased.subheadings[0].text}'); move it up"
                )
    heading, label = _heading_for(doc, version, today)
    nl = doc.newline
    lines = closed_lines(doc)
    _update_refs(doc, lines, unreleased, label, tag_format, version)
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
    return FileEdit(doc.path, doc.real_path, doc.text, reopen(doc, "".join(new_lines)))


def closed_lines(doc: Changelog) -> list[str]:
    """The lines, the last one given a line ending if the file has none at its end."""
    lines = list(doc.lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += doc.newline
    return lines


def reopen(doc: Changelog, text: str) -> str:
    """Drop the final line ending again when the original file had none."""
    if doc.lines and not doc.lines[-1].endswith("\n"):
        return text.removesuffix(doc.newline)
    return text


def _update_refs(
    doc: Changelog,
    lines: list[str],
    unreleased: Section,
    label: str,
    tag_format: str,
    version: semver.Version,
) -> None:
    """Point ``[Unreleased]`` at ``new...HEAD`` and add ``[version]`` right below it.

    Edits ``lines`` in place, keeping one element per original line (the new reference
    shares its element), so section line numbers stay valid for the move that follows.
    """
    ref = doc.ref(unreleased.label)
    if ref is None:
        return
    match = COMPARE_RE.fullmatch(ref.url)
    if match is None:
        raise FileFormatError(
            f"{doc.where(ref.line)}: cannot update the [{clip(ref.label)}] link {excerpt(ref.url)}; "
            "make it a compare link like https://github.com/OWNER/REPO/compare/v1.2.3...HEAD"
        )
    new_tag = tag_format.replace("{version}", str(version))
    old_line = lines[ref.line]
    ending = old_line[len(old_line.rstrip("\r\n")) :]
    prefix = old_line[: old_line.index("[")]
    base, old_tag, tip = match.group("base"), match.group("old"), match.group("new")
    lines[ref.line] = (
        f"{prefix}[{ref.label}]: {base}{new_tag}...{tip}{ending}"
        f"{prefix}[{label}]: {base}{old_tag}...{new_tag}{ending}"
    )


def release_changelog(
    root: Path, path: str, version: str, *, today: dt.date, tag_format: str = "v{version}"
) -> FileEdit:
    """Read ``path`` and plan :func:`plan_release` on it."""
    return plan_release(read_changelog(root, path), version, today=today, tag_format=tag_format)


def duplicate_sections(doc: Changelog) -> list[tuple[int, str]]:
    """A second Unreleased or a second heading of one version: whose entries count is unclear."""
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
