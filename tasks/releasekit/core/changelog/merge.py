"""Co-owned writing of generated sections into a Keep a Changelog file: only the Unreleased body
is replaced and missing release sections are added; hand-written text stays, byte for byte."""

from __future__ import annotations

from collections.abc import Sequence

import semver

from ..common.errors import ReleaseError
from ..common.excerpt import clip
from .keepachangelog import Changelog, closed_lines, is_blank, reopen, split_lines


def dropped_entries(doc: Changelog, unreleased: str) -> list[tuple[int, str]]:
    """The lines of the file's Unreleased body (0-based index, text) that the generated
    ``unreleased`` section does not contain: entries written by hand, or generated ones edited
    since. Blank lines and headings are structure, not entries."""
    current = doc.unreleased
    if current is None:
        return []
    kept = {line.strip() for line in split_lines(unreleased)[1:]}
    return [
        (n, doc.lines[n].rstrip("\r\n"))
        for n in range(current.line + 1, current.end)
        if not is_blank(doc.lines[n])
        and not doc.lines[n].lstrip().startswith("#")
        and doc.lines[n].strip() not in kept
    ]


def refuse_dropped_entries(doc: Changelog, unreleased: str) -> None:
    """Raise when regenerating Unreleased would drop hand-written entries.

    Raises:
        ReleaseError: naming each line and both ways on (keep or replace).
    """
    dropped = dropped_entries(doc, unreleased)
    if not dropped:
        return
    shown = [f"  {doc.where(n)}: {clip(text, 100)}" for n, text in dropped[:10]]
    if len(dropped) > 10:
        shown.append(f"  … and {len(dropped) - 10} more")
    lines = ", ".join(str(n + 1) for n, _ in dropped[:10])
    raise ReleaseError(
        f"{doc.path}: Unreleased has {len(dropped)} hand-written "
        f"entr{'y' if len(dropped) == 1 else 'ies'} ({'line' if len(dropped) == 1 else 'lines'} {lines}) the commits do not "
        "produce; regenerating "
        "would drop them, so nothing was written:\n"
        + "\n".join(shown)
        + "\nto keep them, release them first (changelog.release X.Y.Z) or say them in "
        "Conventional Commits (git commit --allow-empty -m 'fix: ...') so the generated "
        "Unreleased lists them; to replace them with the generated entries, add "
        "--replace-unreleased"
    )


def merge_generated(
    doc: Changelog,
    unreleased: str,
    releases: Sequence[tuple[semver.Version, str]],
) -> str:
    """The file with its Unreleased body replaced and missing release sections inserted.

    Args:
        unreleased: the generated Unreleased section (heading line first).
        releases: generated release sections (heading line first) by version; only those
            whose version has no section in the file are inserted, in SemVer order.

    Hand-written text outside the Unreleased body is kept byte for byte; the file's own
    Unreleased heading line is kept too, so running twice never adds a second Unreleased.
    """
    nl = doc.newline
    lines = closed_lines(doc)
    inserts: dict[int, list[str]] = {}
    generated = _as_lines(unreleased, nl)
    current = doc.unreleased
    if current is None:
        first = doc.sections[0].line if doc.sections else doc.footer
        inserts.setdefault(first, []).extend(_block(generated, first, lines, nl))
    existing = {s.version for s in doc.releases}
    for version, text in sorted(releases, key=lambda item: item[0], reverse=True):
        if version in existing:
            continue
        at = next(
            (s.line for s in doc.releases if s.version is not None and s.version < version),
            doc.footer,
        )
        inserts.setdefault(at, []).extend(_block(_as_lines(text, nl), at, lines, nl))
    # Spliced: the file's lines are copied in runs between the places that change, so the
    # cost follows the inserted sections, not the file's length.
    skip = range(current.line + 1, current.end) if current is not None else range(0)
    events = sorted({*inserts, *((skip.start, skip.stop) if current is not None else ())})
    out: list[str] = []
    at = 0
    for n in [*events, len(lines) + 1]:
        if at not in skip:
            out.extend(lines[at:n])
        if n > len(lines):
            break
        if current is not None and n == skip.start:
            body = generated[1:]
            out.extend(body if current.end == len(lines) else [*body, nl])
        out.extend(inserts.get(n, ()))
        at = n
    return reopen(doc, "".join(out))


def _block(section: list[str], at: int, lines: list[str], nl: str) -> list[str]:
    """A generated section to insert before line ``at``, separated by blank lines."""
    block = list(section)
    if at < len(lines):
        block.append(nl)
    if at > 0 and not is_blank(lines[at - 1]):
        block.insert(0, nl)
    return block


def _as_lines(text: str, nl: str) -> list[str]:
    return [line.rstrip("\n") + nl for line in split_lines(text)]
