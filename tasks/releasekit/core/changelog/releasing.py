"""changelog.release: the Unreleased entries of a Keep a Changelog file moved, byte for byte,
under a new version heading spelled like the newest release, and the compare links updated."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import semver

from ..common.errors import FileFormatError, ReleaseError
from ..common.excerpt import clip, excerpt
from ..common.textfile import FileEdit
from ..versioning.versions import parse_version, precedence
from .keepachangelog import (
    COMPARE_RE,
    Changelog,
    Section,
    closed_text,
    duplicate_sections,
    is_blank,
    read_changelog,
    reopen,
)

_BREAKING_RE = re.compile(r"breaking", re.IGNORECASE)
_ZERO = semver.Version(0)


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
        line, problem = duplicates[0]
        raise FileFormatError(f"{doc.where(line)}: {problem}; nothing was released")
    refs = {r.line for r in doc.refs}
    body = doc.body(unreleased)
    if all(is_blank(line) or n in refs for n, line in enumerate(body, unreleased.line + 1)):
        raise FileFormatError(
            f"{doc.where(unreleased.line)}: Unreleased section is empty; add the changes of "
            f"{version} under it first"
        )
    numbers = (version.major, version.minor, version.patch)
    for release in doc.releases:
        found = release.version  # Version == is ~3 us of Python: the numbers go first
        if (
            found is not None
            and (found.major, found.minor, found.patch) == numbers
            and found == version
        ):
            raise ReleaseError(
                f"{doc.where(release.line)}: {version} already has a section; "
                "pick the next version or remove the duplicate"
            )
    # precedence(): SemVer order with ints first (500 releases: ~1 ms instead of ~5 ms)
    newest = max(doc.releases, key=lambda s: precedence(s.version or _ZERO), default=None)
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
    # Spliced from the text at the offsets of the few lines that matter (the file's other
    # lines are never made: 74k of them cost more than the rest of the release).
    text = closed_text(doc)

    def at(n: int) -> int:
        return doc.index.start(n) if n < doc.line_count else len(text)

    start, stop = at(unreleased.line + 1), at(unreleased.end)
    gap_end = start  # past the blank lines that open the body
    while gap_end < stop:
        end = text.index("\n", gap_end) + 1  # every line of the closed text ends in \n
        if not is_blank(text[gap_end:end]):
            break
        gap_end = end
    gap_text = text[start:gap_end] or nl
    pieces: list[str | tuple[int, int]] = [
        (0, start), gap_text, heading + nl, gap_text, (gap_end, stop), (stop, len(text))
    ]  # fmt: skip
    edit = _updated_ref(doc, text, at, unreleased, label, tag_format, version)
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        first, last = piece
        if edit is not None and first <= edit[0] < last:  # the reference line is in this run
            out += [text[first : edit[0]], edit[2], text[edit[1] : last]]
        else:
            out.append(text[first:last])
    return FileEdit(doc.path, doc.real_path, doc.text, reopen(doc, "".join(out)), old_bytes=doc.raw)


def _updated_ref(
    doc: Changelog,
    text: str,
    at: Callable[[int], int],
    unreleased: Section,
    label: str,
    tag_format: str,
    version: semver.Version,
) -> tuple[int, int, str] | None:
    """``[Unreleased]`` pointed at ``new...HEAD`` and ``[version]`` right below it: the span
    of the reference line in ``text`` and its two new lines (None: no such reference)."""
    ref = doc.ref(unreleased.label)
    if ref is None:
        return None
    match = COMPARE_RE.fullmatch(ref.url)
    if match is None:
        raise FileFormatError(
            f"{doc.where(ref.line)}: cannot update the [{clip(ref.label)}] link {excerpt(ref.url)}; "
            "make it a compare link like https://github.com/OWNER/REPO/compare/v1.2.3...HEAD"
        )
    new_tag = tag_format.replace("{version}", str(version))
    first, last = at(ref.line), at(ref.line + 1)
    old_line = text[first:last]
    ending = old_line[len(old_line.rstrip("\r\n")) :]
    prefix = old_line[: old_line.index("[")]
    base, old_tag, tip = match.group("base"), match.group("old"), match.group("new")
    return (
        first,
        last,
        f"{prefix}[{ref.label}]: {base}{new_tag}...{tip}{ending}"
        f"{prefix}[{label}]: {base}{old_tag}...{new_tag}{ending}",
    )


def release_changelog(
    root: Path, path: str, version: str, *, today: dt.date, tag_format: str = "v{version}"
) -> FileEdit:
    """Read ``path`` and plan :func:`plan_release` on it."""
    return plan_release(read_changelog(root, path), version, today=today, tag_format=tag_format)
