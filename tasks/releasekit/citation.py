"""CITATION.cff: release.citation and verify.citation. The tasks join the ``release`` and
``verify`` namespaces (see their ns).
"""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    help={
        "tag": "the release tag (e.g. v0.8.0); it must exist: commit is its commit",
        "date": "date-released (YYYY-MM-DD; default today)",
        "file": "the citation file (default: citation.path, else CITATION.cff)",
        "dry-run": "show the unified diff and write nothing",
        "json": "print the result as JSON",
    }
)
def citation(
    c: Context, tag: str, date: str = "", file: str = "", dry_run: bool = False, json: bool = False
) -> None:
    """Write version, date-released and commit to CITATION.cff."""
    from .core.common.textfile import render_diff, write_all
    from .core.pins.citation import plan_citation

    with a.boundary():
        cfg = a.config(c)
        plan = plan_citation(cfg, tag, a.release_date(date), file)
        dry = a.is_dry(c, dry_run)
        if plan.edits and not dry:
            write_all(plan.edits, cfg.root)
        if json:
            a.emit_json({"path": plan.path, "tag": tag, "commit": plan.commit, "dry_run": dry,
                         "changes": [ch.as_json() for ch in plan.changes if not ch.is_noop],
                         "added": list(plan.added)})  # fmt: skip
            return
        if not plan.edits:
            a.out(f"{plan.path} already cites {tag} ({plan.commit}); nothing to change")
            return
        if dry:
            a.out(render_diff(plan.edits).rstrip("\n"))
        for line in plan.lines():
            a.out(line)
        a.note("dry run: nothing was written" if dry else f"{plan.path} cites {tag}")


@task(
    help={
        "tag": "the release the file must cite (default: the release its version names)",
        "file": "the citation file (default: citation.path, else CITATION.cff)",
        "json": "print the result as JSON",
    }
)
def verify_citation(c: Context, tag: str = "", file: str = "", json: bool = False) -> None:
    """Check CITATION.cff's commit is its release tag's commit."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.pins.citation import check_citation

    with a.boundary():
        cfg = a.config(c)
        check = check_citation(cfg, tag, file)
        if json:
            a.emit_json(check.as_json())
        for line in [] if json else check.lines():
            a.out(line)
        if not check.ok:
            if ci.in_github_actions():
                a.out(ci.error_annotation(str(check.problem), check.path, check.line))
            raise VerificationFailed(f"{check.path} does not cite the commit of {check.tag}")
