"""Docs that follow the release: verify.docs (core/docs). The task joins the ``verify``
namespace."""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result


@a.task("verify.docs", help={"tag": "the release tag the docs must be current for (e.g. v0.8.0)"})
def verify_docs(c: Context, tag: str, json: bool = False) -> Result:
    """Check docs: stale versions, rules, compatibility tables."""
    from .core.docs.checks import verify_docs as check

    cfg = a.config(c)
    report = check(cfg, tag)
    items = []
    for f in report.findings:
        path, _, line = f.where.partition(":")
        items.append(
            Item(
                "mismatch",
                f"{f.where}: {f.message}",
                path=path,
                line=int(line) if line.isdigit() else None,
                message=f.message,
                fields={"kind": f.kind, "where": f.where, "source": f.source},
            )
        )
    counts = ", ".join(f"{n} {what}" for what, n in report.checked.items())
    notes = []
    if report.previous is None and cfg.docs is not None and cfg.docs.rules:
        notes.append(
            f"releasekit: note: no release before {tag}: the docs rules had nothing to compare with"
        )
    return Result(
        items,
        tail=[f"checked {counts} against {tag}"],
        notes=notes,
        summary=f"the docs are current for {tag} (checked {counts})",
        failure=f"{len(items)} doc finding(s) for {tag}",
        outputs={"tag": tag, "previous_tag": report.previous or "", "findings": len(items)},
    )
