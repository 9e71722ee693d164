"""The suite release manifest: release.manifest writes ``suite-{version}.yaml`` (seed 003),
verify.manifest checks every entry again. The tasks join the ``release`` and ``verify``
namespaces (see their ns).
"""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status


@a.task(
    "release.manifest",
    help={
        "version": "the suite version, e.g. 2026.04 (its tag gives codename and channel)",
        "codename": "codename when the tag does not exist yet, e.g. nova",
        "channel": "edge, stable or lts when the tag does not exist yet",
        "output": "where to write (default: manifest.path)",
        "plain-http": "talk HTTP to every registry of this run (a local registry)",
        "force": "replace a manifest file that holds other content",
        "dry-run": "print the manifest; write nothing",
        "json": "print the manifest data as JSON",
    },
)
def manifest(
    c: Context, version: str, codename: str = "", channel: str = "", output: str = "",
    plain_http: bool = False, force: bool = False, dry_run: bool = False, json: bool = False,
) -> Result:  # fmt: skip
    """Write the suite release manifest with digests and sha256s."""
    from .core.common.textfile import write_all
    from .core.manifest.run import plan_manifest

    cfg = a.config(c)
    plan = plan_manifest(
        cfg, version, codename, channel, output, plain_http=plain_http, force=force
    )
    data = plan.data
    counts = (f"{len(data['modules'])} modules, {len(data['charts'])} charts, "
              f"{len(data['cli'])} CLI archives")  # fmt: skip
    fields = {"manifest": data}
    if a.is_dry(c, dry_run):
        status: Status = "would-change" if plan.edit else "unchanged"
        item = Item(status, plan.text.removesuffix("\n"), path=plan.path, fields=fields)
        return Result([item], tail=["dry run: nothing was written"], dry_run=True,
                      summary=f"would write {plan.path}: {counts}", outputs={"manifest": plan.path})  # fmt: skip
    write_all([plan.edit] if plan.edit else [], cfg.root)
    line = f"{'wrote' if plan.edit else 'unchanged'} {plan.path}: {counts}"
    item = Item("changed" if plan.edit else "unchanged", line, path=plan.path, fields=fields)
    return Result([item], summary=line, outputs={"manifest": plan.path})


@a.task(
    "verify.manifest",
    help={
        "file": "the manifest to check, e.g. dist/suite-2026.04.yaml",
        "plain-http": "talk HTTP to every registry of this run (a local registry)",
    },
)
def verify_manifest(c: Context, file: str, plain_http: bool = False, json: bool = False) -> Result:
    """Check a release manifest against the registry and files."""
    from pathlib import Path

    from .core.manifest.build import verify

    checks = verify(a.config(c), Path(file), file, plain_http=plain_http)
    items = [Item("ok" if ch.ok else "mismatch", ch.line(), path=file, message=f"{ch.subject}: {ch.detail}",
                  fields={"subject": ch.subject, "detail": ch.detail}) for ch in checks]  # fmt: skip
    bad = sum(not ch.ok for ch in checks)
    said = f"all {len(checks)} entries of {file} match"
    return Result(items, tail=[] if bad else [said], summary=said,
                  failure=f"{bad} of {len(checks)} manifest entries do not match {file}")  # fmt: skip
