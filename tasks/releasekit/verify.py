"""verify.*: checks that CI can run; exit 3 when something does not match."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke import Collection, Context, Task, task

from . import _adapter as a

if TYPE_CHECKING:
    from .core.charts import Release
    from .core.config import Config


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


# --- helm charts and CRDs (issue 5) ----------------------------------------------------------


def _release_for(cfg: Config, tag: str) -> Release | None:
    from .core.charts import Release
    from .core.tags import version_from_tag

    if not tag:
        return None
    return Release(tag, version_from_tag(cfg.tag_format, tag), "--tag")


class _HelmFlags(Task):  # type: ignore[type-arg]
    """A task whose ``values`` flag also answers to ``-f``, as in ``helm template -f``."""

    def arg_opts(self, name: str, default: Any, taken_names: set[str]) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        if name == "values":
            opts["names"] = ["values", "f"]
        return opts


_HELM_TEMPLATE_HELP = {
    "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
    "tag": "release tag the images must carry (default: from the chart's appVersion)",
    "values": "extra values file, like helm -f/--values (repeatable)",
    "set": "extra value, like helm --set k=v (repeatable)",
    "engine": "helm (binary), sdk (helm-python-sdk) or auto",
    "json": "print the result as JSON",
}


@task(
    klass=_HelmFlags,
    help=dict(_HELM_TEMPLATE_HELP),
    iterable=["values", "set"],
)
def helm_template(
    c: Context,
    chart: str = "",
    tag: str = "",
    values: list[str] | None = None,
    set: list[str] | None = None,
    engine: str = "",
    json: bool = False,
) -> None:
    """Render charts and check every image against the tag."""
    from .core import ci
    from .core.chart_images import check_images, describe, find_images
    from .core.charts import configured_charts, helm_config, read_chart, release_from_chart, render
    from .core.errors import VerificationFailed
    from .core.helm import select_engine

    with a.boundary():
        cfg = a.config(c)
        eng = select_engine(engine if engine else helm_config(cfg).engine)
        release = _release_for(cfg, tag)
        report, failures = [], []
        for entry in configured_charts(cfg, chart):
            rel = release or release_from_chart(cfg, entry, read_chart(cfg.root, entry.path))
            found = find_images(
                render(cfg, eng, entry, values or [], set or []), entry.image_patterns
            )
            checks = check_images(found, entry, rel.tag, str(rel.version))
            bad = [ch for ch in checks if not ch.ok]
            failures += [f"{entry.path}: {describe(ch)}" for ch in bad]
            report.append((entry, rel, checks))
            if not json:
                a.out(
                    f"{entry.path}: rendered with {eng.name}, checking against {rel.tag} (from {rel.source})"
                )
                for ch in checks:
                    a.out(f"  {describe(ch)}")
                a.out(f"  {len(checks)} images, {len(bad)} mismatches")
        if json:
            a.emit_json(
                [
                    {
                        "chart": entry.path,
                        "tag": rel.tag,
                        "engine": eng.name,
                        "images": [
                            {
                                "source": ch.found.source if ch.found else None,
                                "where": ch.found.where if ch.found else None,
                                "image": ch.found.image if ch.found else None,
                                "expected": ch.expected,
                                "verdict": ch.verdict,
                            }
                            for ch in checks
                        ],
                    }
                    for entry, rel, checks in report
                ]
            )
        if ci.in_github_actions():
            for message in failures:
                a.out(ci.error_annotation(message))
        if failures:
            raise VerificationFailed(
                f"{len(failures)} image(s) do not match the release:\n" + "\n".join(failures)
            )


@task(
    help={
        "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
        "tag": "the release tag (default: from each chart's appVersion)",
        "json": "print the result as JSON",
    }
)
def chart(c: Context, chart: str = "", tag: str = "", json: bool = False) -> None:
    """Check appVersion, chart version and the bump rule."""
    from .core import ci
    from .core.charts import check_chart, configured_charts
    from .core.errors import VerificationFailed

    with a.boundary():
        cfg = a.config(c)
        release = _release_for(cfg, tag)
        results = []
        for entry in configured_charts(cfg, chart):
            rel, checks = check_chart(cfg, entry, release)
            results.append((entry, rel, checks))
        failed = [ch for _, _, checks in results for ch in checks if not ch.ok]
        if json:
            a.emit_json(
                [
                    {
                        "chart": entry.path,
                        "tag": rel.tag,
                        "checks": [
                            {"rule": ch.rule, "ok": ch.ok, "message": ch.message} for ch in checks
                        ],
                    }
                    for entry, rel, checks in results
                ]
            )
        else:
            for _, _, checks in results:
                for ch in checks:
                    a.out(f"{'OK      ' if ch.ok else 'MISMATCH'} {ch.message}")
        if ci.in_github_actions():
            for ch in failed:
                a.out(ci.error_annotation(ch.message, f"{ch.chart}/Chart.yaml"))
        if failed:
            raise VerificationFailed("\n".join(ch.message for ch in failed))


@task(help={"json": "print the result as JSON"})
def chart_sync(c: Context, json: bool = False) -> None:
    """Check that chart CRDs match the generated CRDs."""
    from .core.charts import helm_config
    from .core.crds import check_sync
    from .core.errors import UsageError, VerificationFailed

    with a.boundary():
        cfg = a.config(c)
        pairs = helm_config(cfg).crds
        if not pairs:
            raise UsageError(
                f"no CRD pairs configured; add helm.crds (generated, chart) to {cfg.where()}"
            )
        report = [(pair, check_sync(cfg.root, pair)) for pair in pairs]
        if json:
            a.emit_json(
                [
                    {
                        "generated": pair.generated,
                        "chart": pair.chart,
                        "in_sync": not drifts,
                        "drift": [
                            {"crd": d.name, "problem": d.problem, "diff": d.diff} for d in drifts
                        ],
                    }
                    for pair, drifts in report
                ]
            )
        messages = []
        for pair, drifts in report:
            if not json:
                verdict = "in sync" if not drifts else f"{len(drifts)} CRDs differ"
                a.out(f"{pair.chart} vs {pair.generated}: {verdict}")
                for drift in drifts:
                    a.out(f"  {drift.name}: {drift.problem}")
                    a.out(
                        drift.diff.rstrip("\n") if drift.problem == "differs" else f"  {drift.diff}"
                    )
            if drifts:
                fix = f"; run `{pair.fix}`" if pair.fix else ""
                messages.append(f"{pair.chart} is out of sync with {pair.generated}{fix}")
        if messages:
            raise VerificationFailed("\n".join(messages))


@task(
    help={
        "since": "the ref to compare with (default: the release before --until or HEAD's tag)",
        "until": "the ref to compare (default: the working tree)",
        "path": "CRD directory (default: helm.crds generated dir, else a chart's crds/)",
        "schema-only": "ignore description text",
        "json": "print the result as JSON",
    }
)
def crd_changes(
    c: Context,
    since: str = "",
    until: str = "",
    path: str = "",
    schema_only: bool = False,
    json: bool = False,
) -> None:
    """List CRD changes since the previous release."""
    from .core import ci
    from .core.charts import release_before
    from .core.crds import changes_between, crd_directory
    from .core.errors import UsageError

    with a.boundary():
        cfg = a.config(c)
        directory = crd_directory(cfg, path)
        base = (
            since
            if since
            else release_before(cfg.root, cfg.tag_format, until or None, path=directory)
        )
        if base is None:
            raise UsageError("no release tag to compare with; pass --since <ref>")
        changes = changes_between(cfg.root, directory, base, until or None, schema_only=schema_only)
        upto = until if until else "the working tree"
        if json:
            a.emit_json(
                {
                    "since": base,
                    "until": until or None,
                    "path": directory,
                    "changed": bool(changes),
                    "changes": [ch.as_dict() for ch in changes],
                }
            )
        else:
            a.out(f"CRD changes in {directory} from {base} to {upto}: {len(changes) or 'none'}")
            for change in changes:
                a.out(f"  {change.describe()}")
            if changes:
                a.note(
                    "releasekit: note: helm upgrade does not update CRDs; say so in the release notes"
                )
        ci.set_outputs({"crd_changes": "true" if changes else "false"})


# The design card's name for verify.helm-template. A second task rather than an invoke alias:
# invoke prints aliases beside the name, which would widen --list's name column for every task.
helm_template_check = _HelmFlags(
    helm_template.body,
    name="helm-template-check",
    help=dict(_HELM_TEMPLATE_HELP),
    iterable=["values", "set"],
)
helm_template_check.__doc__ = "Same as verify.helm-template."


ns = Collection(
    "verify", versions, tags, helm_template, helm_template_check, chart, chart_sync, crd_changes
)
