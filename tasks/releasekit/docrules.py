"""Docs that follow the release: verify.docs. The task joins the ``verify`` namespace."""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    help={
        "tag": "the release tag the docs must be current for (e.g. v0.8.0)",
        "json": "print the result as JSON",
    }
)
def verify_docs(c: Context, tag: str, json: bool = False) -> None:
    """Check docs: stale versions, rules, compatibility tables."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.docs.checks import verify_docs as check

    with a.boundary():
        cfg = a.config(c)
        report = check(cfg, tag)
        if json:
            a.emit_json(report.as_json())
        for line in [] if json else report.lines():
            a.out(line)
        for f in report.findings if ci.in_github_actions() else ():
            path, _, line = f.where.partition(":")
            a.out(ci.error_annotation(f.message, path, int(line) if line.isdigit() else None))
        ci.append_summary(f"### verify.docs {tag}: {len(report.findings)} finding(s)")
        if report.findings:
            raise VerificationFailed(f"{len(report.findings)} doc finding(s) for {tag}")
        if report.previous is None and cfg.docs is not None and cfg.docs.rules:
            a.note(f"no release before {tag}: the docs rules had nothing to compare with")
