"""The "Version History with CRD Changes" table of an upgrade guide (docs/upgrading.md).

The table is audited against the tags (which releases changed CRDs, which rows say so) and a
new row is inserted in the table's own column padding, newest first or last as the table is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import semver

from ..common.confine import confine
from ..common.errors import ConfigError, FileFormatError, ReleaseError
from ..common.excerpt import excerpt
from ..common.textfile import FileEdit, read_text
from ..tags.schemes import parse_tag

HEADING = "Version History with CRD Changes"
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True)
class Row:
    line: int  # 1-based
    cells: tuple[str, ...]
    version: str
    crd_changes: bool | None  # None when the cell is neither yes nor no


@dataclass(frozen=True)
class Table:
    path: str
    real_path: Path
    text: str
    header_line: int  # 1-based line of the header row
    header: tuple[str, ...]
    widths: tuple[int, ...]  # inner width of each column, from the separator row
    version_col: int
    crd_col: int
    rows: tuple[Row, ...]
    end_line: int  # 1-based line of the last table row


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in _CELL_SPLIT.split(inner)]


def _yes_no(cell: str) -> bool | None:
    word = cell.strip("*_` ").lower()
    if word.startswith("yes"):
        return True
    if word.startswith("no"):
        return False
    return None


def read_table(root: Path, path: str) -> Table:
    """Find the table under the "Version History with CRD Changes" heading.

    Raises:
        ConfigError: the file does not exist.
        FileFormatError: no such heading, no table under it, or no Version / CRD column.
    """
    file = confine(root, path, what="helm.crd_history")
    if not file.is_file():
        raise ConfigError(
            f"{path}: file not found; create it or set helm.crd_history in releasekit.yaml"
        )
    text = read_text(file, path)
    lines = text.splitlines()
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if line.lstrip().startswith("#") and HEADING.lower() in line.lower()
        ),
        None,
    )
    if start is None:
        raise FileFormatError(
            f"{path}: no heading {HEADING!r}; add the section with a table (see docs/helm.md)"
        )
    first = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("|")), None
    )
    if (
        first is None
        or first + 1 >= len(lines)
        or not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[first + 1])
    ):
        raise FileFormatError(f"{path}:{start + 1}: no Markdown table under {HEADING!r}")
    header = tuple(_cells(lines[first]))
    # A delimiter row may be shorter than the header (`|---|`); the missing columns take the
    # header's width, so a new row still gets one padded cell per column.
    delimiter = [len(cell) for cell in _cells(lines[first + 1])]
    widths = tuple(
        delimiter[i] if i < len(delimiter) else len(name) + 2 for i, name in enumerate(header)
    )
    version_col = next(
        (i for i, h in enumerate(header) if "version" in h.lower() and "crd" not in h.lower()), None
    )
    crd_col = next((i for i, h in enumerate(header) if "crd" in h.lower()), None)
    if version_col is None or crd_col is None:
        raise FileFormatError(
            f"{path}:{first + 1}: the table needs a Version column and a CRD Changes column"
        )
    rows = []
    end = first + 1
    for i in range(first + 2, len(lines)):
        if not lines[i].lstrip().startswith("|"):
            break
        cells = tuple(_cells(lines[i]))
        version = cells[version_col].strip("`*_ ") if version_col < len(cells) else ""
        crd = _yes_no(cells[crd_col]) if crd_col < len(cells) else None
        rows.append(Row(i + 1, cells, version, crd))
        end = i
    return Table(
        path, file, text, first + 1, header, widths, version_col, crd_col, tuple(rows), end + 1
    )


# --- audit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    tag: str
    ok: bool
    message: str
    line: int | None = None  # the row's line in the table's file, when there is a row


def audit(
    table: Table,
    tags: Sequence[tuple[semver.Version, str]],
    changed: Callable[[str, str], bool],
) -> list[Finding]:
    """Compare rows with what each release really did.

    Args:
        table: the parsed table.
        tags: release tags, oldest first.
        changed: ``changed(previous_tag, tag)`` — did CRDs change between the two.
    """
    by_version = {row.version: row for row in table.rows}
    findings = []
    for (_, previous), (version, tag) in itertools.pairwise(tags):
        row = by_version.get(tag) or by_version.get(str(version))
        did = changed(previous, tag)
        where = f"{table.path}:{row.line}" if row else table.path
        at = row.line if row else None
        if row is None:
            if did:
                findings.append(
                    Finding(
                        tag,
                        False,
                        f'{where}: {tag} changed CRDs (since {previous}) but has no row; run releasekit docs.crd-history --add {tag} --description "..."',
                    )
                )
            else:
                findings.append(
                    Finding(tag, True, f"{tag}: no CRD changes since {previous}, no row needed")
                )
        elif row.crd_changes is None:
            said = (
                f"says {excerpt(row.cells[table.crd_col])}"
                if table.crd_col < len(row.cells)
                else "has no CRD Changes cell"
            )
            findings.append(Finding(tag, False, f"{where}: {tag} row {said}; write Yes or No", at))
        elif row.crd_changes != did:
            say = "Yes" if row.crd_changes else "No"
            truth = "changed" if did else "did not change"
            findings.append(
                Finding(
                    tag,
                    False,
                    f"{where}: {tag} row says {say} but CRDs {truth} since {previous}",
                    at,
                )
            )
        else:
            findings.append(
                Finding(tag, True, f"{where}: {tag} row matches ({'Yes' if did else 'No'})", at)
            )
    return findings


# --- add a row -----------------------------------------------------------------------------------


def _pad(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [
        f" {cell.ljust(max(width - 2, 0))} " for cell, width in zip(cells, widths, strict=True)
    ]
    return "|" + "|".join(padded) + "|"


def plan_add_row(
    table: Table, tag: str, crd_changes: bool, description: str, tag_format: str
) -> FileEdit:
    """The edit that inserts a row for ``tag``, newest-first or last as the table is ordered.

    Raises:
        UsageError: the table already has a row for ``tag``.
    """
    version = parse_tag(tag_format, tag)
    for row in table.rows:
        if row.version in (tag, str(version) if version else tag):
            raise ReleaseError(f"{table.path}:{row.line}: {tag} already has a row; edit it by hand")
    cells = [""] * len(table.header)
    cells[table.version_col] = tag
    cells[table.crd_col] = "Yes" if crd_changes else "No"
    rest = [i for i in range(len(cells)) if i not in (table.version_col, table.crd_col)]
    if rest:
        cells[rest[0]] = description.replace("|", "\\|")
    elif description:
        raise FileFormatError(
            f"{table.path}:{table.header_line}: the table has no column for --description"
        )
    new_row = _pad(cells, table.widths)
    newest_first = _newest_first(table, tag_format)
    lines = table.text.splitlines(keepends=True)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    at = (table.header_line + 1) if newest_first else table.end_line  # 0-based index to insert at
    if not table.rows:
        at = table.header_line + 1
    lines.insert(at, new_row + newline)
    if at == len(lines) - 1 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    return FileEdit(table.path, table.real_path, table.text, "".join(lines))


def _newest_first(table: Table, tag_format: str) -> bool:
    versions = []
    for row in table.rows[:2]:
        parsed = parse_tag(tag_format, row.version)
        if parsed is None:
            try:
                parsed = semver.Version.parse(row.version.removeprefix("v"))
            except ValueError:
                return True
        versions.append(parsed)
    return len(versions) < 2 or versions[0] > versions[1]
