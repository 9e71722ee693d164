"""Forge releases: release.publish creates or updates a tag's release on GitHub or
Gitea/Forgejo, uploads and re-checks its assets, then publishes it.

The task joins the ``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status


@a.task(
    "release.publish",
    help={
        "tag": "the release tag (e.g. v0.1.8)",
        "notes": "the finished notes file (default: release.notes renders them; a placeholder left is refused)",
        "title": "the release's title (default: the tag)",
        "dir": "directory holding the assets (default: artifacts.dir)",
        "dry-run": "read the forge, print the requests a publish would send (token masked)",
        "json": "print the result as JSON",
    },
)
def publish(
    c: Context, tag: str, notes: str = "", title: str = "", dir: str = "",
    dry_run: bool = False, json: bool = False,
) -> Result:  # fmt: skip
    """Create or update the forge release, upload assets, publish."""
    from .core.forge.run import publish_release

    cfg = a.config(c)
    dry = a.is_dry(c, dry_run)
    result, forge = publish_release(cfg, tag, notes_file=notes, title=title, directory=dir,
                                    dry_run=dry)  # fmt: skip
    done: Status = "would-change" if dry else "changed"
    items = [Item("unchanged" if step.endswith("already says this") else done, step)
             for step in result.steps]  # fmt: skip
    items += [Item("ok", f"checked {line}") for line in result.checked]
    requests = list(forge.planned if dry else forge.sent)
    release = result.release.as_json() if result.release else None
    # The release and the requests (token masked) for machines; the text shows the plan above.
    items.append(Item("would-change" if dry else "ok", "", message=f"{len(requests)} requests",
                      fields={"release": release, "requests": requests}))  # fmt: skip
    url = result.release.url if result.release else ""
    return Result(
        items,
        head=list(forge.planned),
        tail=["dry run: nothing was sent"] if dry else [f"release {tag}: {url}"],
        summary=f"{'would publish' if dry else 'published'} release {tag} {url}".rstrip(),
        outputs={"tag": tag, "release_url": url},
        dry_run=dry,
    )
