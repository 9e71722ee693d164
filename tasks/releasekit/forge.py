"""Forge releases: release.publish creates or updates a tag's release on GitHub or
Gitea/Forgejo, uploads and re-checks its assets, then publishes it.

The task joins the ``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    help={
        "tag": "the release tag (e.g. v0.1.8)",
        "notes": "the finished notes file (default: release.notes renders them; a placeholder left is refused)",
        "title": "the release's title (default: the tag)",
        "dir": "directory holding the assets (default: artifacts.dir)",
        "dry-run": "read the forge, print the requests a publish would send (token masked)",
        "json": "print the result as JSON",
    }
)
def publish(
    c: Context, tag: str, notes: str = "", title: str = "", dir: str = "",
    dry_run: bool = False, json: bool = False,
) -> None:  # fmt: skip
    """Create or update the forge release, upload assets, publish."""
    from .core.forge.run import publish_release

    with a.boundary():
        cfg = a.config(c)
        dry = a.is_dry(c, dry_run)
        result, forge = publish_release(cfg, tag, notes_file=notes, title=title, directory=dir,
                                        dry_run=dry)  # fmt: skip
        if json:
            a.emit_json(
                result.as_json()
                | {"dry_run": dry, "requests": forge.planned if dry else forge.sent}
            )
            return
        for line in forge.planned:
            a.out(line)
        for line in result.steps:
            a.out(line)
        for line in result.checked:
            a.out(f"checked {line}")
        url = result.release.url if result.release else ""
        a.note("dry run: nothing was sent" if dry else f"release {tag}: {url}")
