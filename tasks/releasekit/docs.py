"""docs.*: keep release documentation in step with the releases (upgrade guides, ...)."""

from __future__ import annotations

from invoke import Collection, Context, task

from . import _adapter as a


@task(
    help={
        "add": "insert a row for this release tag (e.g. v0.1.8) instead of auditing",
        "description": "the row's notes text (with --add)",
        "crd-changes": "yes or no for the new row (default: computed from the CRDs)",
        "file": "the Markdown file (default: helm.crd_history, docs/upgrading.md)",
        "path": "CRD directory (default: helm.crds generated dir, else a chart's crds/)",
        "schema-only": "ignore description text, as verify.crd-changes --schema-only",
        "dry-run": "show the diff and write nothing",
    }
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
) -> None:
    """Audit or extend the Version History with CRD Changes."""
    from .core.common.errors import ConfigError, GitError, UsageError, VerificationFailed
    from .core.common.git import is_shallow, local_tag_exists
    from .core.common.textfile import render_diff, write_all
    from .core.helm.charts import helm_config, previous_release, release_tags
    from .core.helm.crd_history import audit, plan_add_row, read_table
    from .core.helm.crds import changes_between, crd_directory
    from .core.tags.schemes import version_from_tag

    with a.boundary():
        cfg = a.config(c)
        hc = helm_config(cfg)
        table = read_table(cfg.root, file if file else hc.crd_history)
        directory = crd_directory(cfg, path)
        if not (cfg.root / directory).is_dir():
            # From --path a usage error; from helm.crds a config error (exit 1).
            error = UsageError if path else ConfigError
            raise error(f"{directory}: no such CRD directory; fix helm.crds or --path")

        def changed(old: str, new: str | None) -> bool:
            # The same comparison as verify.crd-changes; releases from before the project had
            # CRDs compare as "no change".
            changes = changes_between(
                cfg.root, directory, old, new, schema_only=schema_only, allow_empty=True
            )
            return bool(changes)

        if schema_only:
            a.note("releasekit: note: --schema-only: description changes do not count")

        if not add:
            if is_shallow(cfg.root):
                raise GitError(
                    f"{table.path}: cannot audit in a shallow clone (release tags and history "
                    "are missing); fetch them (`git fetch --tags --unshallow`, or "
                    "actions/checkout with fetch-depth: 0)"
                )
            findings = audit(table, release_tags(cfg.root, cfg.tag_format), changed)
            for finding in findings:
                a.out(f"{'OK      ' if finding.ok else 'MISMATCH'} {finding.message}")
            bad = [f.message for f in findings if not f.ok]
            a.out(f"{table.path}: audited {len(findings)} releases, {len(bad)} mismatches")
            if bad:
                raise VerificationFailed("\n".join(bad))
            return
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
        if dry:
            a.out(render_diff([edit]).rstrip("\n"))
        else:
            write_all([edit], cfg.root)
        a.out(
            f"{'would add' if dry else 'added'} {add} (CRD changes: {'Yes' if did else 'No'}) to {edit.path}"
        )


ns = Collection("docs", crd_history)
