"""Keep a Changelog files: parse them.

Releasing the Unreleased entries is :mod:`.releasing`; linting is :mod:`.lint`; merging
generated sections into the file is :mod:`.merge`.

Headings are found as CommonMark finds them — never inside code fences, HTML blocks, block
quotes or list items — by a line scanner that hands only ambiguous segments to markdown-it-py
(:mod:`.scan`). Edits then work on the original lines: entries move byte for byte and every
other byte of the file stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import semver

from ..common.confine import confine
from ..common.errors import FileFormatError, VersionError
from ..common.gcpause import paused_gc
from ..common.textfile import BOM, read_text_and_bytes
from ..versioning.versions import SEMVER_PATTERN, parse_version
from .lines import LineIndex
from .lines import split_lines as split_lines  # callers import it from here
from .scan import REF_RE, scan

SectionKind = Literal["unreleased", "release", "other"]

_UNRELEASED_RE = re.compile(r"(\[)?unreleased(?(1)\])", re.IGNORECASE)
_RELEASE_RE = re.compile(
    r"(?P<open>\[)?(?P<v>v)?(?P<version>" + SEMVER_PATTERN + r")(?(open)\])"
    r"(?:(?P<sep>\s+[-–—]\s+)(?P<date>\S+))?(?P<rest>.*)"
)
COMPARE_RE = re.compile(r"(?P<base>.*/compare/)(?P<old>[^/]+?)\.\.\.?(?P<new>[^/.][^/]*)")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


_NONBLANK_RE = re.compile(r"\S")  # what str.strip() keeps: one character is enough


@dataclass(frozen=True)
class Changelog:
    """A parsed Keep a Changelog file; ``lines`` keep their line endings."""

    path: str
    real_path: Path
    text: str
    sections: tuple[Section, ...]
    refs: tuple[LinkRef, ...]
    footer: int  # first line of the trailing block of link references (len(lines) if none)
    index: LineIndex = field(compare=False, repr=False)
    raw: bytes | None = field(default=None, compare=False, repr=False)  # the bytes read

    @property
    def lines(self) -> tuple[str, ...]:
        """Every line (made on first use: check and release get by with :meth:`line`)."""
        return self.index.all()

    @property
    def line_count(self) -> int:
        return self.index.count

    def line(self, n: int) -> str:
        """Line ``n`` with its ending, as ``lines[n]``."""
        return self.index.line(n)

    def has_text(self, start: int, stop: int) -> bool:
        """Whether a line from ``start`` up to ``stop`` (exclusive) is not blank."""
        if start >= min(stop, self.line_count):
            return False
        found = _NONBLANK_RE.search(self.text, self.index.start(start))
        return found is not None and found.start() < self.index.start(stop)

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
        return list(self.index.between(section.line + 1, section.end))

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
        """The first line's ending: ``\r\n`` or ``\n``."""
        first = self.text.find("\n")
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"


def is_blank(line: str) -> bool:
    return not line.strip()


def parse_changelog(
    text: str, path: str = "CHANGELOG.md", real_path: Path | None = None, raw: bytes | None = None
) -> Changelog:
    """Find the sections, sub-headings and link references of a changelog.

    Only ATX headings (``## x``) at the top level count; setext headings and headings nested in
    quotes, lists or code are content. The result is what a CommonMark parse of the whole file
    gives (markdown-it-py); see :func:`.scan.blocks` for how most of the file is read without one.
    """
    with paused_gc():  # ~20 young collections for the 10^4 tuples and matches of a 74k-line file
        return _parse(text, path, real_path, raw)


def _parse(text: str, path: str, real_path: Path | None, raw: bytes | None = None) -> Changelog:
    bom = 1 if text.startswith(BOM) else 0
    # markdown-it treats a lone \r as a line break; dropping every \r keeps its line numbers
    # equal to ours (lines split on \n). It reads NUL as U+FFFD (one character for one).
    view = text[bom:].replace("\r", "").replace("\0", "\ufffd")
    found = scan(view)
    headings, uncovered = found.headings, found.uncovered
    count = found.newlines + (1 if text and not text.endswith("\n") else 0)
    known = None
    if found.offsets is not None and "\r" not in text:  # offsets in view are offsets in text
        known = {n: o + bom if n else 0 for n, o in found.offsets.items()}
        known[0] = 0  # the first line starts the text (its BOM included)
    index = LineIndex(text, count, known)
    refs = tuple(
        LinkRef(n, m.group("label").strip(), m.group("url"))
        for n in sorted(uncovered)
        if n < count and (m := REF_RE.fullmatch(index.line(n)))
    )
    footer = count
    for n, line in index.backward():
        if not (is_blank(line) or n in uncovered):
            break
        if not is_blank(line) and not REF_RE.fullmatch(line):
            break
        footer = n
    while footer < count and is_blank(index.line(footer)):
        footer += 1
    return Changelog(
        path,
        real_path or Path(path),
        text,
        _sections(headings, count, footer),
        refs,
        footer,
        index,
        raw,
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
    text, raw = read_text_and_bytes(real, path)
    return parse_changelog(text, path, real, raw)


def closed_lines(doc: Changelog) -> list[str]:
    """The lines, the last one given a line ending if the file has none at its end."""
    lines = list(doc.lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += doc.newline
    return lines


def closed_text(doc: Changelog) -> str:
    """The text, given a line ending at its end if it has none (the lines of closed_lines)."""
    if doc.text and not doc.text.endswith("\n"):
        return doc.text + doc.newline
    return doc.text


def reopen(doc: Changelog, text: str) -> str:
    """Drop the final line ending again when the original file had none."""
    if doc.text and not doc.text.endswith("\n"):
        return text.removesuffix(doc.newline)
    return text


def duplicate_sections(doc: Changelog) -> list[tuple[int, str]]:
    """A second Unreleased or a second heading of one version: whose entries count is unclear."""
    found: list[tuple[int, str]] = []
    first: dict[tuple[int, int, int, str | None] | None, int] = {}
    for section in doc.sections:
        if section.kind == "other":
            continue
        v = section.version
        # What Version's own hash and == look at (build metadata aside), as a plain tuple:
        # hashing 500 Versions is ~1 ms of Python calls, a tuple of ints is hashed in C.
        key = (v.major, v.minor, v.patch, v.prerelease) if v is not None else None
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
            found.append((section.line, f"duplicate version {v} (first at line {first[key] + 1})"))
    return found
