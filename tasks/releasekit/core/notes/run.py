"""release.notes from its flags: the range, the entries, the facts, the outline, the file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common.confine import confine
from ..common.errors import ReleaseError, UsageError
from ..common.textfile import FileEdit, read_text
from ..config import Config, tags_config
from ..tags.schemes import TagScheme
from .config import OUTLINES, NotesConfig
from .entries import read_entries
from .facts import Image, gather, image_facts
from .outlines import ChangelogSource, check_text, context, load_outline, render
from .previous import release_range


@dataclass(frozen=True)
class Notes:
    """Rendered notes and what they were made from."""

    tag: str
    previous: str | None
    outline: str
    text: str
    context: dict[str, Any]
    notes: tuple[str, ...] = field(default=())  # said on stderr

    def as_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "previous_tag": self.previous, "outline": self.outline,
                "markdown": self.text, "context": self.context}  # fmt: skip


def section(cfg: Config) -> NotesConfig:
    return cfg.notes if cfg.notes is not None else NotesConfig()


def scheme_of(cfg: Config) -> TagScheme:
    return TagScheme(cfg.tag_format, tags_config(cfg).versioning)


def changelog_source(
    cfg: Config, notes: NotesConfig, version: str, outline: str
) -> tuple[ChangelogSource | None, list[str]]:
    """The version's Keep a Changelog section, when the changelog-driven outline reads it."""
    if outline != "changelog-driven" or notes.source == "commits":
        return None, []
    import semver

    from ..changelog.keepachangelog import read_changelog

    path = cfg.changelog.path if cfg.changelog else "CHANGELOG.md"
    exists = confine(cfg.root, path, what="changelog").is_file()
    if not exists and notes.source == "auto":
        return None, []
    doc = read_changelog(cfg.root, path)
    wanted = semver.Version.parse(version) if semver.Version.is_valid(version) else None
    found = next((s for s in doc.releases if s.version == wanted), None)
    if found is None:
        message = (f"{path} has no section for {version}; move Unreleased into it first "
                   f"(releasekit changelog.release {version})")  # fmt: skip
        if notes.source == "changelog":
            raise UsageError(message)
        return None, [f"{message}; the Changelog section lists the commits instead"]
    body = "".join(doc.body(found)).strip("\n")
    heading = cfg.changelog.breaking_section if cfg.changelog else "Breaking Changes"
    breaking = ""
    for index, sub in enumerate(found.subheadings):
        if sub.text == heading:
            stop = (
                found.subheadings[index + 1].line
                if index + 1 < len(found.subheadings)
                else found.end
            )
            breaking = "".join(doc.lines[sub.line + 1 : stop]).strip("\n")
    return ChangelogSource(path, body, breaking), []


def make_notes(cfg: Config, tag: str, since: str = "", template: str = "", *, offline: bool = False,
               images: Callable[..., tuple[list[Image], list[str]]] = image_facts) -> Notes:  # fmt: skip
    """Render the notes of ``tag`` (flags: ``--from``, ``--template``, ``--offline``).

    Raises:
        UsageError: no tag, or a changelog section that is required and missing.
        ReleaseError: a bad tag, range, template or config (each names where).
    """
    if not tag:
        raise UsageError("give the release tag: release.notes --tag v0.1.8")
    notes = section(cfg)
    chosen = template or notes.template or notes.outline
    outline = chosen if chosen in OUTLINES else "custom"
    rng = release_range(cfg.root, scheme_of(cfg), tag, since or None)
    entries = read_entries(cfg.root, rng.revisions, rng.end, commit_message=cfg.commit_message,
                           exclude=notes.exclude)  # fmt: skip
    facts = gather(
        cfg, notes, rng.tag, rng.end, rng.tagged, rng.previous, offline=offline, images=images
    )
    changelog, said = changelog_source(
        cfg, notes, str(rng.tag.version), outline if outline != "custom" else "changelog-driven"
    )
    data = context(notes, rng.tag, rng.previous, entries, facts, changelog, outline)
    text = render(load_outline(cfg.root, chosen), data)
    heads = (
        []
        if rng.tagged
        else [f"tag {tag} does not exist yet: the notes cover the commits up to HEAD"]
    )
    start = [
        f"previous release: {rng.previous}"
        if rng.previous
        else "no previous release: the notes cover the whole history"
    ]
    return Notes(tag, rng.previous, outline, text, data, (*heads, *start, *facts.notes, *said))


def output_edit(cfg: Config, output: str, text: str, *, force: bool) -> FileEdit | None:
    """The edit that writes the notes to ``output`` (None: it already holds them).

    Raises:
        ReleaseError: the file exists with other content (edited by hand) and ``force`` is off.
    """
    real = confine(cfg.root, output, what="--output")
    if not real.exists():
        if not real.parent.is_dir():
            raise ReleaseError(f"{output}: directory {real.parent} does not exist; create it first")
        return FileEdit(output, real, "", text, created=True)
    old = read_text(real, output)
    if old == text:
        return None
    if not force:
        raise ReleaseError(
            f"{output} exists with other content (edited by hand?); releasekit does not "
            "overwrite it — pass --force to replace it, or --dry-run to see the difference"
        )
    return FileEdit(output, real, old, text)


def check_file(path: Path, shown: str) -> str:
    """``release.notes --check FILE``: the line to print when no placeholder is left.

    Raises:
        VerificationFailed: a placeholder is left.
    """
    lines = check_text(read_text(path, shown), shown)
    return f"{shown}: no placeholder left ({lines} lines)"
