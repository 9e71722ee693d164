"""CRDs: verify.chart-sync, verify.crd-changes and docs.crd-history (core/helm: crds,
crd_sync, crd_history)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar, Section, Status

if TYPE_CHECKING:
    from .core.config import Config, CrdSync
    from .core.helm.crd_history import Table
    from .core.helm.crd_sync import SyncDrift

DIRECTORY_HELP = "CRD directory (default: helm.crds generated dir, else a chart's crds/)"


@a.task("verify.chart-sync", help={})
def chart_sync(c: Context, json: bool = False) -> Result:
    """Check that chart CRDs match the generated CRDs."""
    from .core.common.errors import ConfigError
    from .core.helm.charts import helm_config
    from .core.helm.crd_sync import check_sync

    cfg = a.config(c)
    pairs = helm_config(cfg).crds
    if not pairs:
        raise ConfigError(
            f"no CRD pairs configured; add helm.crds (generated, chart) to {cfg.where()}"
        )
    sections = [_sync_section(pair, check_sync(cfg.root, pair)) for pair in pairs]
    fixes = [
        f"{pair.chart} is out of sync with {pair.generated}"
        + (f"; run `{pair.fix}`" if pair.fix else "")
        for pair, section in zip(pairs, sections, strict=True)
        if any(i.status != "ok" for i in section.items)
    ]
    return Result(
        sections,
        summary=f"{len(pairs) - len(fixes)} of {len(pairs)} CRD pairs in sync",
        failure="\n".join(fixes),
    )


def _sync_section(pair: CrdSync, drifts: list[SyncDrift]) -> Section:
    fields = {"generated": pair.generated, "chart": pair.chart}
    if not drifts:
        ok = Item(
            "ok",
            "",
            path=pair.chart,
            message=f"{pair.chart} is in sync with {pair.generated}",
            fields=fields,
        )
        return Section([ok], head=[f"{pair.chart} vs {pair.generated}: in sync"])
    items = []
    for d in drifts:
        body = d.diff.rstrip("\n") if d.problem == "differs" else f"  {d.diff}"
        status: Status = "missing" if d.problem == "missing-in-chart" else "mismatch"
        message = f"{pair.chart}: CRD {d.name}: {d.problem}"
        items.append(
            Item(
                status,
                f"  {d.name}: {d.problem}\n{body}",
                path=pair.chart,
                message=message,
                fields=fields | {"crd": d.name, "problem": d.problem, "diff": d.diff},
            )
        )
    return Section(items, head=[f"{pair.chart} vs {pair.generated}: {len(drifts)} CRDs differ"])


@a.task(
    "verify.crd-changes",
    help={
        "since": "the ref to compare with (default: the release before --until or HEAD's tag)",
        "until": "the ref to compare (default: the working tree)",
        "path": DIRECTORY_HELP,
        "schema_only": "ignore description text, as docs.crd-history --schema-only",
    },
)
def crd_changes(
    c: Context,
    since: str = "",
    until: str = "",
    path: str = "",
    schema_only: bool = False,
    json: bool = False,
) -> Result:
    """List CRD changes since the previous release."""
    from .core.common.errors import GitError
    from .core.helm.charts import release_before
    from .core.helm.crd_changes import changes_between, crd_directory

    cfg = a.config(c)
    directory = crd_directory(cfg, path)
    base = (
        since if since else release_before(cfg.root, cfg.tag_format, until or None, path=directory)
    )
    if base is None:
        raise GitError("no release tag to compare with; pass --since <ref>")
    changes = changes_between(cfg.root, directory, base, until or None, schema_only=schema_only)
    items = [
        Item(
            "changed",
            f"  {ch.describe()}",
            path=directory,
            message=ch.describe(),
            fields=ch.as_dict(),
        )
        for ch in changes
    ]
    said = f"CRD changes in {directory} from {base} to {until or 'the working tree'}: {len(changes) or 'none'}"
    notes = (
        ["releasekit: note: helm upgrade does not update CRDs; say so in the release notes"]
        if changes
        else []
    )
    outputs: dict[str, Scalar] = {
        "crd_changes": bool(changes),
        "since": base,
        "until": until or None,
        "path": directory,
    }
    return Result(items, head=[said], notes=notes, summary=said, outputs=outputs)


@a.task(
    "docs.crd-history",
    help={
        "add": "insert a row for this release tag (e.g. v0.1.8) instead of auditing",
        "description": "the row's notes text (with --add)",
        "crd_changes": "yes or no for the new row (default: computed from the CRDs)",
        "file": "the Markdown file (default: helm.crd_history, docs/upgrading.md)",
        "path": DIRECTORY_HELP,
        "schema_only": "ignore description text, as verify.crd-changes --schema-only",
        "dry_run": "show the diff and write nothing",
    },
)
def crd_history(
    c: Context,
    add: str = "",
    description: str = "",
    crd_changes: str = "",
    file: str = "",
    path: str = "",
    schema_only: bool = False,
    dry_run: bool = False,
    json: bool = False,
) -> Result:
    """Audit or extend the Version History with CRD Changes."""
    from .core.common.errors import ConfigError
    from .core.helm.charts import helm_config
    from .core.helm.crd_changes import CrdTrees, changes_between, crd_directory
    from .core.helm.crd_history import read_table

    cfg = a.config(c)
    table = read_table(cfg.root, file if file else helm_config(cfg).crd_history)
    directory = crd_directory(cfg, path)
    if not (cfg.root / directory).is_dir():
        raise ConfigError(f"{directory}: no such CRD directory; fix helm.crds or --path")

    trees = CrdTrees(cfg.root, directory)

    def changed(old: str, new: str | None) -> bool:
        # The same comparison as verify.crd-changes; releases from before the project had CRDs
        # compare as "no change". Between two tags each file is read and parsed once.
        if new is not None:
            return trees.changed(old, new, schema_only=schema_only)
        return bool(
            changes_between(
                cfg.root, directory, old, new, schema_only=schema_only, allow_empty=True
            )
        )

    notes = (
        ["releasekit: note: --schema-only: description changes do not count"] if schema_only else []
    )
    if not add:
        return _audit_history(cfg, table, changed, notes, trees.prefetch)
    return _add_history_row(c, cfg, table, changed, notes, add, description, crd_changes, dry_run)


def _audit_history(
    cfg: Config,
    table: Table,
    changed: Callable[[str, str], bool],
    notes: list[str],
    prefetch: Callable[[list[str]], None],
) -> Result:
    from .core.common.errors import GitError
    from .core.common.git import is_shallow
    from .core.helm.charts import release_tags
    from .core.helm.crd_history import audit

    if is_shallow(cfg.root):
        raise GitError(
            f"{table.path}: cannot audit in a shallow clone (release tags and history are missing); "
            "fetch them (`git fetch --tags --unshallow`, or actions/checkout with fetch-depth: 0)"
        )
    tags = release_tags(cfg.root, cfg.tag_format)
    prefetch([tag for _, tag in tags])  # every tag's CRD files in two git processes, not two each
    findings = audit(table, tags, changed)
    items = [
        Item(
            "ok" if f.ok else "mismatch",
            f"{'OK      ' if f.ok else 'MISMATCH'} {f.message}",
            path=table.path,
            line=f.line,
            message=f.message,
            fields={"tag": f.tag},
        )
        for f in findings
    ]
    bad = sum(not f.ok for f in findings)
    said = f"{table.path}: audited {len(findings)} releases, {bad} mismatches"
    return Result(
        items,
        tail=[said],
        notes=notes,
        summary=said,
        failure=f"{table.path}: {bad} of {len(findings)} releases do not match their CRD changes",
    )


def _add_history_row(
    c: Context,
    cfg: Config,
    table: Table,
    changed: Callable[[str, str | None], bool],
    notes: list[str],
    add: str,
    description: str,
    crd_changes: str,
    dry_run: bool,
) -> Result:
    from .core.common.errors import UsageError
    from .core.common.git import local_tag_exists
    from .core.common.textfile import render_diff, write_all
    from .core.helm.charts import previous_release
    from .core.helm.crd_history import plan_add_row
    from .core.tags.schemes import version_from_tag

    version = version_from_tag(cfg.tag_format, add)
    if crd_changes not in ("", "yes", "no"):
        raise UsageError(f"--crd-changes {crd_changes!r}: say yes or no")
    if crd_changes:
        did = crd_changes == "yes"
    else:
        previous = previous_release(cfg.root, cfg.tag_format, version)
        if previous is None:
            raise UsageError(
                f"no release before {add} to compare CRDs with; pass --crd-changes yes|no"
            )
        did = changed(previous, add if local_tag_exists(cfg.root, add) else None)
    edit = plan_add_row(table, add, did, description, cfg.tag_format)
    dry = a.is_dry(c, dry_run)
    if not dry:
        write_all([edit], cfg.root)
    said = f"{'would add' if dry else 'added'} {add} (CRD changes: {'Yes' if did else 'No'}) to {edit.path}"
    item = Item(
        "would-change" if dry else "changed",
        said,
        path=edit.path,
        fields={"tag": add, "crd_changes": did},
    )
    head = [render_diff([edit]).rstrip("\n")] if dry else []
    return Result(
        [item],
        head=head,
        notes=notes,
        summary=said,
        outputs={"tag": add, "crd_changes": did},
        dry_run=dry,
    )
