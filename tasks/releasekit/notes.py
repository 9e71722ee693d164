"""Release notes: release.notes renders a tag's notes in an outline, or checks a written file.

The task joins the ``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status


@a.task(
    "release.notes",
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
    },
)
def notes(
    c: Context, tag: str = "", from_: str = "", template: str = "", output: str = "",
    check: str = "", offline: bool = False, force: bool = False, dry_run: bool = False,
    json: bool = False,
) -> Result:  # fmt: skip
    """Write a release's notes in its outline."""
    from pathlib import Path

    from .core.common.textfile import render_diff, write_all
    from .core.notes.run import check_file, make_notes, output_edit

    if check:  # a path typed on the command line is relative to where it was typed
        line = check_file(Path(check), check)
        return Result([Item("ok", line, path=check)], summary=line)
    cfg = a.config(c)
    made = make_notes(cfg, tag, from_, template, offline=offline)
    notes = [f"releasekit: {line}" for line in made.notes]
    fields = {"previous_tag": made.previous, "outline": made.outline, "markdown": made.text,
              "context": made.context}  # fmt: skip
    outputs = {"tag": tag, "previous_tag": made.previous or ""}
    summary = f"{made.outline} notes for {tag} (previous release: {made.previous or 'none'})"
    if not output:
        item = Item("ok", made.text.removesuffix("\n"), message=summary, fields=fields)
        return Result([item], notes=notes, summary=summary, outputs=outputs)
    edit = output_edit(cfg, output, made.text, force=force)
    if a.is_dry(c, dry_run):
        status: Status = "would-change" if edit else "unchanged"
        head = [render_diff([edit]).rstrip("\n")] if edit else []
        line = f"{output} is up to date" if edit is None else f"would write {output}"
        return Result([Item(status, line, path=output, fields=fields)], head=head, notes=notes,
                      tail=["dry run: nothing was written"], summary=summary, outputs=outputs,
                      dry_run=True)  # fmt: skip
    write_all([edit] if edit else [], cfg.root)
    line = f"{'wrote' if edit else 'unchanged'} {output}: {made.outline} notes for {tag}"
    item = Item("changed" if edit else "unchanged", line, path=output, fields=fields)
    return Result([item], notes=notes, summary=summary, outputs=outputs | {"notes_file": output})
