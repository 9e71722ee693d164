"""The suite release manifest: release.manifest writes ``suite-{version}.yaml`` (seed 003),
verify.manifest checks every entry again. The tasks join the ``release`` and ``verify``
namespaces (see their ns).
"""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    help={
        "version": "the suite version, e.g. 2026.04 (its tag gives codename and channel)",
        "codename": "codename when the tag does not exist yet, e.g. nova",
        "channel": "edge, stable or lts when the tag does not exist yet",
        "output": "where to write (default: manifest.path)",
        "plain-http": "talk HTTP to every registry of this run (a local registry)",
        "force": "replace a manifest file that holds other content",
        "dry-run": "print the manifest; write nothing",
        "json": "print the manifest data as JSON",
    }
)
def manifest(
    c: Context, version: str, codename: str = "", channel: str = "", output: str = "",
    plain_http: bool = False, force: bool = False, dry_run: bool = False, json: bool = False,
) -> None:  # fmt: skip
    """Write the suite release manifest with digests and sha256s."""
    from .core.common.textfile import write_all
    from .core.manifest.run import plan_manifest

    with a.boundary():
        cfg = a.config(c)
        plan = plan_manifest(
            cfg, version, codename, channel, output, plain_http=plain_http, force=force
        )
        if json:
            a.emit_json({"path": plan.path, "manifest": plan.data})
        elif a.is_dry(c, dry_run):
            a.out(plan.text.removesuffix("\n"))
        if a.is_dry(c, dry_run):
            a.note("dry run: nothing was written")
            return
        write_all([plan.edit] if plan.edit else [], cfg.root)
        a.note(f"{'wrote' if plan.edit else 'unchanged'} {plan.path}: {len(plan.data['modules'])} modules, "
               f"{len(plan.data['charts'])} charts, {len(plan.data['cli'])} CLI archives")  # fmt: skip


@task(
    help={
        "file": "the manifest to check, e.g. dist/suite-2026.04.yaml",
        "plain-http": "talk HTTP to every registry of this run (a local registry)",
        "json": "print the result as JSON",
    }
)
def verify_manifest(c: Context, file: str, plain_http: bool = False, json: bool = False) -> None:
    """Check a release manifest against the registry and files."""
    from pathlib import Path

    from .core.common.errors import VerificationFailed
    from .core.manifest.build import verify

    with a.boundary():
        cfg = a.config(c)
        checks = verify(cfg, Path(file), file, plain_http=plain_http)
        bad = [ch for ch in checks if not ch.ok]
        if json:
            a.emit_json({"file": file, "ok": not bad, "checks": [vars(ch) for ch in checks]})
        for line in [] if json else [ch.line() for ch in checks]:
            a.out(line)
        if bad:
            raise VerificationFailed(
                f"{len(bad)} of {len(checks)} manifest entries do not match {file}"
            )
        a.note(f"all {len(checks)} entries of {file} match")
