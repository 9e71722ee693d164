"""Facts verify.docs compares: a value, matching lines or whole files, read from the work tree
or from a release's commit, with the file:line each came from."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..common import git
from ..common.errors import ReleaseError
from ..pins.locate import (
    Locator,
    directive_regex,
    from_regex,
    pattern_regex,
    read_repo_file,
    spots_in_text,
    variable_regex,
)
from ..versioning.locate import KeyNotFound
from .config import Source


@dataclass(frozen=True)
class Fact:
    """What one source says: its items (values, lines or file contents) and where each is."""

    source: Source
    items: tuple[tuple[str, str], ...]  # (file:line or file, text)

    @property
    def values(self) -> tuple[str, ...]:
        """What is compared: the texts, not where they are (an inserted line moves nothing)."""
        return tuple(text for _, text in self.items)

    def shown(self) -> str:
        if not self.items:
            return "(absent)"
        if self.source.is_value or self.source.lines is not None:
            return ", ".join(repr(t) for t in self.values)
        return ", ".join(where for where, _ in self.items)

    @property
    def where(self) -> str:
        return self.items[0][0] if self.items else self.source.path


def glob_regex(glob: str) -> re.Pattern[str]:
    """A repository glob (``docs/**/*.md``, ``charts/*``) as a regex over POSIX paths."""
    out = ""
    for part in re.split(r"(\*\*/|\*\*|\*|\?)", glob):
        out += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(out)


def visible_files(root: Path) -> list[str]:
    """Files git sees in the work tree (tracked, or untracked and not ignored)."""
    out = git.git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({p for p in out.split("\0") if p and (root / p).is_file()})


def files_at(root: Path, commit: str) -> list[str]:
    """Every file of ``commit``'s tree."""
    out = git.git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit)
    return sorted(p for p in out.split("\0") if p)


def matching(paths: list[str], glob: str) -> list[str]:
    regex = glob_regex(glob)
    return [p for p in paths if regex.fullmatch(p)]


def _locator(source: Source) -> Locator | None:
    key = (
        source.key
        if isinstance(source.key, tuple) or source.key is None
        else tuple(source.key.split("."))
    )
    if key is not None:
        return Locator(source.path, source.label, key=key)
    if source.pattern is not None:
        return Locator(source.path, source.label, regex=pattern_regex(source.pattern))
    if source.variable is not None:
        return Locator(source.path, source.label, regex=variable_regex(source.variable))
    if source.from_ is not None:
        return Locator(source.path, source.label, regex=from_regex(source.from_))
    if source.directive is not None:
        return Locator(source.path, source.label, regex=directive_regex(source.directive))
    return None


def _items(source: Source, path: str, text: str) -> list[tuple[str, str]]:
    locator = _locator(source)
    if locator is not None:
        try:
            spots = spots_in_text(text, path, Path(path), locator)
        except KeyNotFound:
            return []
        return [(s.location, s.found) for s in spots]
    if source.lines is not None:
        regex = re.compile(source.lines)
        return [
            (f"{path}:{n}", line.rstrip("\r"))
            for n, line in enumerate(text.split("\n"), 1)
            if regex.search(line)
        ]
    return [(path, text)]


def fact_now(root: Path, source: Source, listing: list[str]) -> Fact:
    """What ``source`` says in the work tree (``listing``: :func:`visible_files`)."""
    items: list[tuple[str, str]] = []
    for path in matching(listing, source.path):
        display, _, text = read_repo_file(root, path)
        items += _items(source, display, text)
    return Fact(source, tuple(items))


def fact_at(root: Path, commit: str, source: Source, listing: list[str]) -> Fact:
    """What ``source`` said in ``commit`` (``listing``: :func:`files_at`)."""
    items: list[tuple[str, str]] = []
    for path in matching(listing, source.path):
        try:
            text = git.read_at(root, commit, path)
        except ReleaseError:
            continue  # a submodule or a link that git cannot show as a blob: not a source
        items += _items(source, path, text)
    return Fact(source, tuple(items))


@functools.cache
def _markdown() -> object:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Table:
    """A Markdown table: the header cells, and each row's 1-based line and cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def markdown_tables(text: str) -> list[Table]:
    """Every pipe table of a Markdown text, cells as written (inline Markdown kept)."""
    tokens = _markdown().parse(text)  # type: ignore[attr-defined]
    tables: list[Table] = []
    header: list[str] = []
    rows: list[tuple[int, tuple[str, ...]]] = []
    current: list[str] | None = None
    line = 0
    for token in tokens:
        if token.type == "table_open":
            header, rows = [], []
        elif token.type == "tr_open":
            current, line = [], token.map[0] + 1
        elif token.type == "inline" and current is not None:
            current.append(token.content)
        elif token.type == "tr_close" and current is not None:
            if not header:
                header = current
            else:
                rows.append((line, tuple(current)))
            current = None
        elif token.type == "table_close":
            tables.append(Table(tuple(header), tuple(rows)))
    return tables


def heading_sections(text: str) -> list[tuple[str, int, int]]:
    """(heading text, first line, last line) of every Markdown section, 1-based inclusive:
    a section runs to the next heading of the same or a higher level."""
    tokens = _markdown().parse(text)  # type: ignore[attr-defined]
    heads = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            heads.append((int(token.tag[1:]), tokens[index + 1].content, token.map[0] + 1))
    total = text.count("\n") + 1
    sections = []
    for i, (level, title, start) in enumerate(heads):
        end = next((s - 1 for lvl, _, s in heads[i + 1 :] if lvl <= level), total)
        sections.append((title, start, end))
    return sections
