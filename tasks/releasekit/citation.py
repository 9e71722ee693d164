"""CITATION.cff: release.citation and verify.citation (core/pins/citation.py).

The tasks join the ``release`` and ``verify`` namespaces (see their ns).
"""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status, with_diffs


@a.task(
    "release.citation",
    help={
        "tag": "the release tag (e.g. v0.8.0); it must exist: commit is its commit",
        "date": "date-released (YYYY-MM-DD; default today)",
        "file": "the citation file (default: citation.path, else CITATION.cff)",
        "dry-run": "show the unified diff and write nothing",
    },
)
def citation(
    c: Context, tag: str, date: str = "", file: str = "", dry_run: bool = False, json: bool = False
) -> Result:
    """Write version, date-released and commit to CITATION.cff."""
    from .core.common.textfile import render_diff, write_all
    from .core.pins.citation import plan_citation

    cfg = a.config(c)
    plan = plan_citation(cfg, tag, a.release_date(date), file)
    dry = a.is_dry(c, dry_run)
    if plan.edits and not dry:
        write_all(plan.edits, cfg.root)
    status: Status = "would-change" if dry else "changed"
    items = [
        Item(
            "unchanged" if ch.is_noop else status,
            "" if ch.is_noop else ch.line(),
            path=ch.spot.path,
            line=ch.spot.line,
            message=f"{ch.spot.location} {ch.label}: {ch.new}" if ch.is_noop else "",
            fields={"key": ch.label, "old": ch.spot.found, "new": ch.new, "added": False},
        )
        for ch in plan.changes
    ]
    items += [
        Item(
            status,
            f"{plan.path}: added {line}",
            path=plan.path,
            fields={
                "key": line.partition(":")[0],
                "old": None,
                "new": line.partition(": ")[2],
                "added": True,
            },
        )
        for line in plan.added
    ]
    outputs = {"path": plan.path, "tag": tag, "commit": plan.commit}
    if not plan.edits:
        said = f"{plan.path} already cites {tag} ({plan.commit}); nothing to change"
        return Result(items, tail=[said], summary=said, outputs=outputs, dry_run=dry)
    summary = f"{plan.path} would cite {tag}" if dry else f"{plan.path} cites {tag}"
    head = [render_diff(plan.edits).rstrip("\n")] if dry else []
    tail = [f"{summary}; dry run: nothing was written" if dry else summary]
    items = with_diffs(items, plan.edits) if dry else items
    return Result(items, head=head, tail=tail, summary=summary, outputs=outputs, dry_run=dry)


@a.task(
    "verify.citation",
    help={
        "tag": "the release the file must cite (default: the release its version names)",
        "file": "the citation file (default: citation.path, else CITATION.cff)",
    },
)
def verify_citation(c: Context, tag: str = "", file: str = "", json: bool = False) -> Result:
    """Check CITATION.cff's commit is its release tag's commit."""
    from .core.pins.citation import check_citation

    check = check_citation(a.config(c), tag, file)
    [line] = check.lines()
    item = Item(
        "ok" if check.ok else "mismatch",
        line if check.ok else f"MISMATCH {line}",
        path=check.path,
        line=check.line,
        message="" if check.ok else f"{check.problem}",
        fields={
            "version": check.version,
            "tag": check.tag,
            "commit": check.found,
            "expected": check.expected,
        },
    )
    return Result(
        [item],
        summary=f"{check.path} cites the commit of {check.tag}",
        failure=f"{check.path} does not cite the commit of {check.tag}",
        outputs={"tag": check.tag, "commit": check.found},
    )
