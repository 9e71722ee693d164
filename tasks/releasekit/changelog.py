"""changelog.*: generate from Conventional Commits, release Unreleased, lint the file
(core/changelog)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Collection, Context

from . import _adapter as a
from ._output import Item, Result

if TYPE_CHECKING:
    from .core.changelog.generate import Generated


@a.task(
    "changelog.generate",
    default=True,
    help={
        "all": "every release tag plus Unreleased, not only Unreleased",
        "output": "write into this file (only Unreleased and missing releases change)",
        "replace_unreleased": "with --output: drop hand-written Unreleased entries (refused "
        "by default)",
        "dry_run": "with --output: show the diff and write nothing",
        "no_cache": "neither read nor write the cache of released sections and of the "
        "compiled template (<git dir>/releasekit/changelog-cache)",
        "json": "print one JSON envelope; results[0].releases is the template context",
    },
)
def generate(
    c: Context,
    all: bool = False,
    output: str = "",
    replace_unreleased: bool = False,
    dry_run: bool = False,
    no_cache: bool = False,
    json: bool = False,
) -> Result:
    """Generate the changelog from Conventional Commits."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.generate import generate as run_generate
    from .core.common.confine import confine
    from .core.common.errors import UsageError

    if replace_unreleased and not output:
        raise UsageError("--replace-unreleased only means something with --output FILE")
    cfg = a.config(c)
    target = confine(cfg.root, Path.cwd() / output, what="--output") if output else None
    result = run_generate(
        cfg.root,
        cfg.changelog or ChangelogConfig(),
        tag_format=cfg.tag_format,
        commit_message=cfg.commit_message,
        everything=all,
        output=target,
        display=_display(cfg.root, target) if target else None,
        replace_unreleased=replace_unreleased,
        cache=not no_cache,
        # --json prints every commit of every release, which cached sections do not hold.
        cached_sections=not json,
    )
    return _generated(cfg.root, result, a.is_dry(c, dry_run), as_json=json)


def _generated(root: Path, result: Generated, dry: bool, *, as_json: bool) -> Result:
    """The generated text, or what happened to the --output file."""
    from .core.changelog.context import context_json
    from .core.changelog.generate import write_generated
    from .core.common.textfile import render_diff

    # Only --json prints the context: as plain dicts it is a copy of every shown commit
    # (1.8 s and ~80 MiB at 100k commits under the profiler), so the text view skips it.
    context = {"releases": context_json(result.releases)} if as_json else {}
    if result.edit is None:
        said = f"{len(result.releases)} sections generated"
        return Result(
            [Item("ok", result.text.rstrip("\n"), message=said, fields=context)], summary=said
        )
    edit = result.edit
    if edit.old == edit.new:
        item = Item("unchanged", f"{edit.path} is up to date", path=edit.path, fields=context)
    elif dry:
        diff = render_diff([edit]).rstrip("\n")
        item = Item("would-change", diff, path=edit.path, message=f"would update {edit.path}",
                    fields=context | {"diff": diff})  # fmt: skip
    else:
        write_generated(root, result)
        said = f"{'created' if result.created else 'updated'} {edit.path}"
        item = Item("changed", said, path=edit.path, fields=context)
    tail = ["dry run: nothing was written"] if item.status == "would-change" else []
    return Result(
        [item],
        tail=tail,
        summary=item.message or item.text,
        dry_run=dry,
        outputs={"path": edit.path},
    )


def _display(root: Path, target: Path) -> str:
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(target)


@a.task(
    "changelog.release",
    help={
        "version": "the version to release (0.4.0 or v0.4.0)",
        "date": "the release date (YYYY-MM-DD; default today)",
        "dry_run": "show the diff and write nothing",
    },
)
def release(
    c: Context, version: str, date: str = "", dry_run: bool = False, json: bool = False
) -> Result:
    """Move the Unreleased entries into a version section."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.releasing import release_changelog
    from .core.common.textfile import render_diff, write_all

    cfg = a.config(c)
    path = (cfg.changelog or ChangelogConfig()).path
    shown = version.removeprefix("v")
    edit = release_changelog(
        cfg.root, path, version, today=a.release_date(date), tag_format=cfg.tag_format
    )
    outputs = {"version": shown, "path": path}
    if a.is_dry(c, dry_run):
        diff = render_diff([edit]).rstrip("\n")
        item = Item("would-change", diff, path=path, fields={"diff": diff},
                    message=f"{path}: would move Unreleased into {shown}")  # fmt: skip
        return Result(
            [item],
            tail=["dry run: nothing was written"],
            summary=item.message,
            outputs=outputs,
            dry_run=True,
        )
    write_all([edit], cfg.root)
    said = f"{path}: moved Unreleased into {shown}"
    return Result([Item("changed", said, path=path)], summary=said, outputs=outputs)


@a.task(
    "changelog.check",
    help={"date": "treat dates after this one as future (YYYY-MM-DD; default today)"},
)
def check(c: Context, date: str = "", json: bool = False) -> Result:
    """Lint the changelog; exit 3 on findings."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.keepachangelog import read_changelog
    from .core.changelog.lint import lint_changelog

    cfg = a.config(c)
    ccfg = cfg.changelog or ChangelogConfig()
    doc = read_changelog(cfg.root, ccfg.path)
    findings = lint_changelog(
        doc,
        sections=ccfg.allowed_headings,
        today=a.release_date(date),
        tag_format=cfg.tag_format,
        heads=("HEAD", cfg.main_branch),
    )
    items = [
        Item("mismatch", str(f), path=f.path, line=f.line, message=f.message) for f in findings
    ]
    count = len(doc.releases)
    said = f"{ccfg.path}: OK ({count} release{'' if count == 1 else 's'})"
    return Result(
        items,
        tail=[] if findings else [said],
        outputs={"path": ccfg.path},
        summary=said
        if not findings
        else f"{len(findings)} finding{'' if len(findings) == 1 else 's'} in {ccfg.path}",
    )


ns = Collection("changelog", generate, release, check)
