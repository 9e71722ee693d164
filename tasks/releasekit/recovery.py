"""Crash recovery: release.recover (core/common/recovery)."""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar, Status


@a.task(
    "release.recover", help={"dry_run": "say what would be restored; change nothing"}, recover=False
)
def recover(c: Context, dry_run: bool = False, json: bool = False) -> Result:
    """Restore what an interrupted releasekit command left."""
    from pathlib import Path

    from .core.common.recovery import recover as recover_files

    dry = a.is_dry(c, dry_run)
    result = recover_files(Path.cwd(), dry_run=dry, wait_for_others=True)
    if result is None:
        said = "nothing to recover: no interrupted releasekit edit in this repository"
        return Result(tail=[said], summary=said, dry_run=dry)
    status: Status = "would-change" if dry else "changed"
    items = [
        Item(status, "", path=p, message=f"restore {p}", fields={"action": "restore"})
        for p in result.restored
    ]
    items += [
        Item(status, "", path=p, message=f"remove {p}", fields={"action": "remove"})
        for p in result.removed
    ]
    items += [Item(status, "", message=step, fields={"action": "git"}) for step in result.git]
    outputs: dict[str, Scalar] = {"journal": result.journal, "staged_deleted": result.staged}
    lines = result.lines()
    return Result(items, tail=lines, summary=lines[0], outputs=outputs, dry_run=dry)
