"""verify.*: checks that CI can run; exit 3 when something does not match."""

from __future__ import annotations

from invoke import Collection, Context, task

from . import _adapter as a


@task(
    help={
        "tag": "the release tag to check against (e.g. v0.1.8)",
        "version": "the version to check against, instead of --tag",
        "json": "print the result as JSON",
    }
)
def versions(c: Context, tag: str = "", version: str = "", json: bool = False) -> None:
    """Check every version file against the release tag."""
    from .core import ci
    from .core.errors import UsageError, VerificationFailed
    from .core.tags import render_tag, version_from_tag
    from .core.version_files import check_versions
    from .core.versions import parse_version

    with a.boundary():
        if bool(tag) == bool(version):
            raise UsageError("give exactly one of --tag v0.1.8 or --version 0.1.8")
        cfg = a.config(c)
        expected = version_from_tag(cfg.tag_format, tag) if tag else parse_version(version)
        against = f"tag ({tag})" if tag else f"version ({version})"
        checks = check_versions(cfg.root, cfg.version_files, expected)
        failed = [ch for ch in checks if not ch.ok]
        if json:
            a.emit_json(
                {
                    "tag": tag or render_tag(cfg.tag_format, expected),
                    "version": str(expected),
                    "ok": not failed,
                    "checks": [
                        {
                            "path": ch.occurrence.path,
                            "line": ch.occurrence.line,
                            "target": ch.occurrence.target.label,
                            "found": ch.occurrence.found,
                            "expected": ch.expected,
                            "ok": ch.ok,
                        }
                        for ch in checks
                    ],
                }
            )
        else:
            for ch in checks:
                occ = ch.occurrence
                verdict = "OK" if ch.ok else "MISMATCH"
                a.out(
                    f"{occ.location} {occ.target.label}: {occ.found} (expected {ch.expected}) {verdict}"
                )
        messages = [
            f"{ch.occurrence.location} {ch.occurrence.target.label} ({ch.occurrence.found}) "
            f"does not match {against}"
            for ch in failed
        ]
        if ci.in_github_actions():
            for ch, message in zip(failed, messages, strict=True):
                a.out(ci.error_annotation(message, ch.occurrence.path, ch.occurrence.line))
            ci.append_summary(
                f"### verify.versions: {len(checks) - len(failed)}/{len(checks)} match {against}"
            )
        for message in messages:
            a.note(message)
        if failed:
            raise VerificationFailed(
                f"{len(failed)} of {len(checks)} version files do not match {against}"
            )


@task(help={"json": "print the findings as JSON"})
def tags(c: Context, json: bool = False) -> None:
    """Audit release and Go module tags for consistency."""
    from .core import ci
    from .core.errors import VerificationFailed
    from .core.tagaudit import audit_tags

    with a.boundary():
        findings, audited = audit_tags(a.config(c))
        if json:
            a.emit_json(
                {
                    "ok": not findings,
                    "audited": audited,
                    "findings": [
                        {"kind": f.kind, "tag": f.tag, "message": f.message} for f in findings
                    ],
                }
            )
        else:
            for f in findings:
                a.out(f"{f.kind}: {f.message}")
            a.out(f"{audited} tags audited, {len(findings)} findings")
        if ci.in_github_actions():
            for f in findings:
                a.out(ci.error_annotation(f.message))
            ci.append_summary(f"### verify.tags: {audited} tags audited, {len(findings)} findings")
        if findings:
            raise VerificationFailed(f"{len(findings)} tag findings; see the list above")


ns = Collection("verify", versions, tags)
