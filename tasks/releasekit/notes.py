"""Release notes: release.notes renders a tag's notes in an outline, or checks a written file.

The task joins the ``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    help={
        "tag": "the release tag (e.g. v0.1.8); a tag not created yet covers up to HEAD",
        "from": "the previous release to start from (default: chosen from the tags)",
        "template": "highlights, changelog-driven, or a Jinja2 file in the repository",
        "output": "write the notes to this file instead of printing them",
        "check": "check a written notes FILE: exit 3 while a placeholder is left",
        "offline": "do not ask the registry for image digests",
        "force": "replace an --output file that holds other text",
        "dry-run": "show the change to --output as a diff; write nothing",
        "json": "print the notes and their template context as JSON",
    }
)
def notes(
    c: Context, tag: str = "", from_: str = "", template: str = "", output: str = "",
    check: str = "", offline: bool = False, force: bool = False, dry_run: bool = False,
    json: bool = False,
) -> None:  # fmt: skip
    """Write a release's notes in its outline."""
    from pathlib import Path

    from .core.common.textfile import render_diff, write_all
    from .core.notes.run import check_file, make_notes, output_edit

    with a.boundary():
        if check:  # a path typed on the command line is relative to where it was typed
            a.out(check_file(Path(check), check))
            return
        cfg = a.config(c)
        made = make_notes(cfg, tag, from_, template, offline=offline)
        for line in made.notes:
            a.note(f"releasekit: {line}")
        if json:
            a.emit_json(made.as_json())
        elif not output:
            a.out(made.text.removesuffix("\n"))
        edit = output_edit(cfg, output, made.text, force=force) if output else None
        if output and a.is_dry(c, dry_run):
            a.out(render_diff([edit]).rstrip("\n") if edit else f"{output} is up to date")
            a.out("dry run: nothing was written")
        elif output:
            write_all([edit] if edit else [], cfg.root)
            a.out(f"{'wrote' if edit else 'unchanged'} {output}: {made.outline} notes for {tag}")
