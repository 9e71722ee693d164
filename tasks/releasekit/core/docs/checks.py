"""verify.docs: the three checks on docs for a release tag.

1. Stale versions: a doc (``docs.paths``) names an older release where the current one belongs;
   historical text (the changelog, ``docs.allow``) may.
2. Rules: when a source changed since the previous release (go.mod's toolchain, a Dockerfile's
   base image, a Makefile variable), its doc must have changed too (seed 001).
3. Compatibility matrix: a value written in a doc's table equals its source today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..common.errors import TargetError
from ..config import Config
from ..pins.locate import read_repo_file
from ..tags.schemes import ParsedTag, precedes
from ..tags.tagging import list_releases, release_scheme
from .config import Allow, Cell, DocsConfig, Rule, Source
from .sources import (
    fact_at,
    fact_now,
    files_at,
    heading_sections,
    markdown_tables,
    matching,
    visible_files,
)


@dataclass(frozen=True)
class Finding:
    """One problem in a doc; ``source`` is the other place it names (file:line)."""

    kind: Literal["stale", "rule", "matrix"]
    where: str  # file:line (or file) in the doc
    message: str
    source: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "where": self.where, "message": self.message,
                "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class DocsReport:
    tag: str
    previous: str | None  # the release the rules compare with
    findings: tuple[Finding, ...]
    checked: dict[str, int]

    def lines(self) -> list[str]:
        out = [f"{f.where}: {f.message}" for f in self.findings]
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        return [*out, f"checked {counts} against {self.tag}"]

    def as_json(self) -> dict[str, object]:
        return {"tag": self.tag, "previous": self.previous, "ok": not self.findings,
                "checked": self.checked,
                "findings": [f.as_json() for f in self.findings]}  # fmt: skip


def verify_docs(config: Config, tag: str) -> DocsReport:
    """Run every check of ``docs:`` for ``tag``.

    Raises:
        VersionError: the tag does not follow the scheme.
        TargetError: a compatibility cell's doc, row or column is missing; a source is missing.
    """
    docs = config.docs if config.docs is not None else DocsConfig()
    current = release_scheme(config).require(tag)
    older = [r for r in list_releases(config) if precedes(r.parsed.version, current.version)]
    finals = [r for r in older if not r.parsed.is_prerelease]
    previous = finals[0] if finals else (older[0] if older else None)
    listing = visible_files(config.root)
    allowed = _allowed_lines(config, docs.allow, listing)
    stale, doc_count = _stale(
        config.root, docs, listing, [r.parsed for r in older], current, allowed
    )
    findings = list(stale)
    if previous is not None:
        at = files_at(config.root, previous.commit)
        for rule in docs.rules:
            findings += _rule(config.root, rule, previous.commit, previous.parsed.tag, listing, at)
    for cell in docs.compatibility:
        findings += _cell(config.root, cell, listing)
    checked = {"docs": doc_count, "rules": len(docs.rules) if previous else 0,
               "table values": len(docs.compatibility)}  # fmt: skip
    return DocsReport(tag, previous.parsed.tag if previous else None, tuple(findings), checked)


def _allowed_lines(
    config: Config, allow: tuple[Allow, ...], listing: list[str]
) -> dict[str, set[int] | None]:
    """File -> allowed 1-based lines (None: the whole file). The changelog is history."""
    out: dict[str, set[int] | None] = {}
    changelog = config.changelog.path if config.changelog is not None else "CHANGELOG.md"
    out[changelog] = None
    for entry in allow:
        for path in matching(listing, entry.path):
            if entry.section is None and entry.lines is None:
                out[path] = None
                continue
            _, _, text = read_repo_file(config.root, path)
            lines = set(range(1, text.count("\n") + 2))
            if entry.section is not None:
                lines = {n for t, a, b in heading_sections(text) if t.strip() == entry.section.strip()
                         for n in range(a, b + 1)}  # fmt: skip
            if entry.lines is not None:
                regex = re.compile(entry.lines)
                lines &= {n for n, ln in enumerate(text.split("\n"), 1) if regex.search(ln)}
            previous = out.get(path, set())
            if previous is not None:
                out[path] = previous | lines
    return out


def _version_regex(versions: list[str]) -> re.Pattern[str] | None:
    if not versions:
        return None
    alternatives = "|".join(re.escape(v) for v in sorted(set(versions), key=len, reverse=True))
    # 0.1.7, v0.1.7 and krt_v0.1.7_linux; never 10.1.7, 0.1.70, 0.1.7-rc.1 or 0.1.7.1
    return re.compile(
        rf"(?<![A-Za-z0-9.+-])v?(?P<version>{alternatives})(?![A-Za-z0-9+-]|\.[A-Za-z0-9])"
    )


def _stale(
    root: Path,
    docs: DocsConfig,
    listing: list[str],
    older: list[ParsedTag],
    current: ParsedTag,
    allowed: dict[str, set[int] | None],
) -> tuple[list[Finding], int]:
    regex = _version_regex([str(p.version) for p in older])
    by_version = {str(p.version): p.tag for p in older}
    paths = list(dict.fromkeys(p for glob in docs.paths for p in matching(listing, glob)))
    findings = []
    for path in paths:
        skip = allowed.get(path, set())
        if skip is None or regex is None:
            continue
        display, _, text = read_repo_file(root, path)
        for number, line in enumerate(text.split("\n"), 1):
            if number in skip:
                continue
            for match in regex.finditer(line):
                old = by_version[match.group("version")]
                findings.append(Finding(
                    "stale", f"{display}:{number}",
                    f"names {match.group(0)} ({old}, older than {current.tag}); write the current "
                    "version, or allow this historical text in docs.allow",
                ))  # fmt: skip
    return findings, len(paths)


def _rule(
    root: Path, rule: Rule, commit: str, previous: str, listing: list[str], at: list[str]
) -> list[Finding]:
    changed = []
    for source in rule.when:
        before, after = fact_at(root, commit, source, at), fact_now(root, source, listing)
        if before.values != after.values:
            changed.append((source, before, after))
    if not changed:
        return []
    doc_before = [text for _, text in fact_at(root, commit, _whole(rule.doc), at).items]
    doc_after = [text for _, text in fact_now(root, _whole(rule.doc), listing).items]
    if doc_before != doc_after:
        return []
    findings = []
    for source, before, after in changed:
        why = f" ({rule.why})" if rule.why else ""
        what = (
            f"{before.shown()} -> {after.shown()}" if source.is_value or source.lines else "changed"
        )
        findings.append(Finding(
            "rule", rule.doc,
            f"must change when {source.label} changes{why}: {what} since {previous} "
            f"({after.where}), but {rule.doc} is as it was in {previous} — update it",
            after.where,
        ))  # fmt: skip
    return findings


def _whole(path: str) -> Source:
    return Source(path=path)


def _cell(root: Path, cell: Cell, listing: list[str]) -> list[Finding]:
    fact = fact_now(root, cell.source, listing)
    if not fact.items:
        raise TargetError(
            f"{cell.source.label}: not found (the source of {cell.doc} {cell.row!r}); fix the "
            "source in docs.compatibility"
        )
    where, value = fact.items[0]
    display, _, text = read_repo_file(root, cell.doc)
    for table in markdown_tables(text):
        column = _column(table.header, cell.column)
        for line, cells in table.rows:
            if column is None or not cells or _plain(cells[0]) != _plain(cell.row):
                continue
            written = cells[column] if column < len(cells) else ""
            expected = cell.format.replace("{value}", value)
            if _plain(written) == _plain(expected):
                return []
            return [Finding(
                "matrix", f"{display}:{line}",
                f"{cell.row} | {table.header[column]} says {_plain(written)!r}, but "
                f"{where} ({cell.source.label}) says {value!r}; write {expected!r} in the table",
                where,
            )]  # fmt: skip
    raise TargetError(
        f"{display}: no table row {cell.row!r}"
        + (f" with a column {cell.column!r}" if cell.column else "")
        + " (docs.compatibility); add it to the doc or fix the row in releasekit.yaml"
    )


def _column(header: tuple[str, ...], name: str | None) -> int | None:
    if name is None:
        return 1 if len(header) > 1 else None
    wanted = _plain(name)
    return next((i for i, h in enumerate(header) if _plain(h) == wanted), None)


def _plain(cell: str) -> str:
    """A cell's text without code spans' backticks, emphasis stars and extra spaces."""
    return " ".join(cell.replace("`", "").replace("**", "").split())
