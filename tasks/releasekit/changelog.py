"""changelog.*: generate from Conventional Commits, release Unreleased, lint the file."""

from __future__ import annotations

from pathlib import Path

from invoke import Collection, Context, task

from . import _adapter as a


@task(
    default=True,
    help={
        "all": "every release tag plus Unreleased, not only Unreleased",
        "output": "write into this file (only Unreleased and missing releases change)",
        "dry-run": "with --output: show the diff and write nothing",
        "json": "print the parsed releases and commits (the template context)",
    },
)
def generate(
    c: Context, all: bool = False, output: str = "", dry_run: bool = False, json: bool = False
) -> None:
    """Generate the changelog from Conventional Commits."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.generate import context_json, write_generated
    from .core.changelog.generate import generate as run_generate
    from .core.common.confine import confine
    from .core.common.textfile import render_diff

    with a.boundary():
        cfg = a.config(c)
        target = confine(cfg.root, Path.cwd() / output, what="--output") if output else None
        shown = _display(cfg.root, target) if target else None
        result = run_generate(
            cfg.root,
            cfg.changelog or ChangelogConfig(),
            tag_format=cfg.tag_format,
            commit_message=cfg.commit_message,
            everything=all,
            output=target,
            display=shown,
        )
        if json:
            a.emit_json({"releases": context_json(result.releases)})
        elif result.edit is None:
            a.out(result.text.rstrip("\n"))
        if result.edit is None:
            return
        edit = result.edit
        say = a.note if json else a.out  # with --json, stdout holds only the JSON
        if edit.old == edit.new:
            say(f"{edit.path} is up to date")
        elif a.is_dry(c, dry_run):
            say(render_diff([edit]).rstrip("\n"))
            say("dry run: nothing was written")
        else:
            write_generated(cfg.root, result)
            say(f"{'created' if result.created else 'updated'} {edit.path}")


def _display(root: Path, target: Path) -> str:
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(target)


@task(
    help={
        "version": "the version to release (0.4.0 or v0.4.0)",
        "date": "the release date (YYYY-MM-DD; default today)",
        "dry-run": "show the diff and write nothing",
    }
)
def release(c: Context, version: str, date: str = "", dry_run: bool = False) -> None:
    """Move the Unreleased entries into a version section."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.keepachangelog import release_changelog
    from .core.common.textfile import render_diff, write_all

    with a.boundary():
        cfg = a.config(c)
        path = (cfg.changelog or ChangelogConfig()).path
        edit = release_changelog(
            cfg.root, path, version, today=a.release_date(date), tag_format=cfg.tag_format
        )
        if a.is_dry(c, dry_run):
            a.out(render_diff([edit]).rstrip("\n"))
            a.out("dry run: nothing was written")
            return
        write_all([edit], cfg.root)
        a.out(f"{path}: moved Unreleased into {version.removeprefix('v')}")


@task(
    help={
        "date": "treat dates after this one as future (YYYY-MM-DD; default today)",
        "json": "print the findings as JSON",
    }
)
def check(c: Context, date: str = "", json: bool = False) -> None:
    """Lint the changelog; exit 3 on findings."""
    from .core.changelog.config import ChangelogConfig
    from .core.changelog.keepachangelog import lint_changelog, read_changelog
    from .core.common import ci
    from .core.common.errors import VerificationFailed

    with a.boundary():
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
        if json:
            a.emit_json(
                {
                    "path": ccfg.path,
                    "ok": not findings,
                    "findings": [{"line": f.line, "message": f.message} for f in findings],
                }
            )
        elif not findings:
            count = len(doc.releases)
            a.out(f"{ccfg.path}: OK ({count} release{'' if count == 1 else 's'})")
        if ci.in_github_actions():
            for f in findings:
                a.out(ci.error_annotation(f.message, f.path, f.line))
            ci.append_summary(f"### changelog.check: {len(findings)} findings in {ccfg.path}")
        if findings:
            raise VerificationFailed("\n".join(str(f) for f in findings))


ns = Collection("changelog", generate, release, check)
