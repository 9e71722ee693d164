"""Helm charts: release.bump-chart, release.package-chart, release.push-chart,
verify.helm-template and verify.chart (core/helm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Section, Status, with_diffs

if TYPE_CHECKING:
    from .core.config import Config
    from .core.helm.chart_release import ChartBump
    from .core.helm.charts import Release
    from .core.helm.engines import Engine
    from .core.helm.images import ImageCheck
    from .core.helm.registry import PushResult

ENGINE_HELP = "helm (binary), sdk (helm-python-sdk) or auto"


def release_for(cfg: Config, tag: str) -> Release | None:
    """The release ``--tag`` names, or None: each chart's appVersion decides."""
    from .core.helm.charts import release_of_tag

    if not tag:
        return None
    return release_of_tag(cfg, tag)


@a.task(
    "release.bump-chart",
    help={
        "chart": "the chart directory (e.g. charts/demo)",
        "version": "the new chart version (SemVer without v, e.g. 0.4.0)",
        "dry_run": "show the unified diffs and write nothing",
    },
)
def bump_chart(
    c: Context, chart: str, version: str, dry_run: bool = False, json: bool = False
) -> Result:
    """Set a chart's version and its local dependants'."""
    from .core.common.textfile import write_all
    from .core.helm.chart_release import plan_bump_chart

    cfg = a.config(c)
    plan = plan_bump_chart(cfg.root, chart, version)
    dry = a.is_dry(c, dry_run)
    if not dry:
        write_all(plan.edits, cfg.root)
    return _bump_chart_result(cfg, plan, dry)


def _bump_chart_result(cfg: Config, plan: ChartBump, dry: bool) -> Result:
    from .core.common.errors import CommandError
    from .core.common.textfile import render_diff
    from .core.helm.charts import chart_engine

    status: Status = "would-change" if dry else "changed"
    items = [Item(status, change, path=change.partition(": ")[0]) for change in plan.changes]
    notes = [f"releasekit: note: {note}" for note in plan.notes]
    for parent in plan.locks:
        lock = f"{parent}/Chart.lock"
        if dry:
            items.append(Item("would-change", f"would regenerate {lock}", path=lock))
            continue
        try:
            chart_engine(cfg).dependency_update(cfg.root / parent)
            items.append(Item("changed", f"regenerated {lock}", path=lock))
        except CommandError as exc:
            notes.append(
                f"releasekit: {lock} is now stale; run `helm dependency update {parent}` ({exc})"
            )
    said = f"{'would bump' if dry else 'bumped'} {plan.chart.name} {plan.old} -> {plan.new} in {len(plan.edits)} files"
    return Result(
        with_diffs(items, plan.edits) if dry else items,
        head=[render_diff(plan.edits).rstrip("\n")] if dry else [],
        tail=[said, *(["dry run: nothing was written"] if dry else [])],
        notes=notes,
        summary=said,
        outputs={"chart": plan.chart.path, "chart_version": plan.new},
        dry_run=dry,
    )


@a.task(
    "release.package-chart",
    help={
        "chart": "chart directory (default: every chart in helm.charts, else every chart)",
        "dest": "directory for the .tgz files (default: dist)",
        "version": "package with this chart version instead of Chart.yaml's",
        "app_version": "package with this appVersion instead of Chart.yaml's",
        "engine": ENGINE_HELP,
    },
)
def package_chart(
    c: Context,
    chart: str = "",
    dest: str = "dist",
    version: str = "",
    app_version: str = "",
    engine: str = "",
    json: bool = False,
) -> Result:
    """Package charts into reproducible name-version.tgz."""
    from pathlib import Path

    from .core.helm.chart_release import package_chart
    from .core.helm.charts import chart_engine, configured_charts
    from .core.helm.registry import sha256_file

    cfg = a.config(c)
    eng = chart_engine(cfg, engine)
    target = Path(dest) if Path(dest).is_absolute() else cfg.root / dest
    items = []
    for entry in configured_charts(cfg, chart):
        made = package_chart(
            cfg.root,
            eng,
            entry.path,
            target,
            version=version or None,
            app_version=app_version or None,
        )
        shown = str(made.relative_to(cfg.root) if made.is_relative_to(cfg.root) else made)
        digest = sha256_file(made)
        fields = {"chart": entry.path, "archive": shown, "sha256": digest}
        items.append(Item("changed", f"{digest}  {shown}", path=shown, fields=fields))
    archives = "\n".join(str(i.path) for i in items)
    return Result(items, summary=f"packaged {len(items)} charts", outputs={"archives": archives})


@a.task(
    "release.push-chart",
    help={
        "archive": "the packaged chart (e.g. dist/demo-0.4.0.tgz)",
        "remote": "OCI repository root, e.g. oci://ghcr.io/org/charts",
        "plain_http": "talk HTTP instead of HTTPS (a local registry)",
        "engine": ENGINE_HELP,
        "dry_run": "check that the version is free; push nothing",
    },
    positional=["archive", "remote"],
)
def push_chart(
    c: Context,
    archive: str,
    remote: str,
    plain_http: bool = False,
    engine: str = "",
    dry_run: bool = False,
    json: bool = False,
) -> Result:
    """Push a chart to OCI once and pull it back to verify."""
    from pathlib import Path

    from .core.common.network import settings
    from .core.helm.charts import chart_engine, helm_config
    from .core.helm.registry import push_chart

    cfg = a.config(c)
    path = Path(archive) if Path(archive).is_absolute() else Path.cwd() / archive
    dry = a.is_dry(c, dry_run)
    pushed = push_chart(
        chart_engine(cfg, engine),
        path,
        remote,
        dry_run=dry,
        net=settings(cfg),
        plain_http=plain_http or helm_config(cfg).plain_http,
    )
    return _push_result(path.name, pushed)


def _push_result(name: str, pushed: PushResult) -> Result:
    ref = f"{pushed.ref}:{pushed.version}"
    fields = {
        "ref": pushed.ref,
        "version": pushed.version,
        "digest": pushed.digest or None,
        "sha256": pushed.sha256,
        "pushed": pushed.pushed,
    }
    if not pushed.pushed:
        said = f"would push {name} as {ref} (that version is free)"
        item = Item("would-change", said, fields=fields)
        return Result([item], tail=["dry run: nothing was pushed"], summary=said, dry_run=True)
    lines = [
        f"pushed {ref} {pushed.digest}",
        f"pulled back {ref}: sha256 {pushed.sha256} matches {name}",
    ]
    item = Item("changed", "\n".join(lines), message=lines[0], fields=fields)
    outputs = {"chart_ref": ref, "chart_digest": pushed.digest}
    return Result([item], summary=lines[0], outputs=outputs)


@a.task(
    "verify.helm-template",
    aliases=["helm-template-check"],
    help={
        "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
        "tag": "release tag the images must carry (default: from the chart's appVersion)",
        "values": "extra values file, like helm -f/--values (repeatable)",
        "set": "extra value, like helm --set k=v (repeatable)",
        "engine": ENGINE_HELP,
    },
    short={"values": "f"},
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
) -> Result:
    """Render charts and check every image against the tag."""
    from .core.helm.charts import chart_engine, configured_charts, read_chart, release_from_chart
    from .core.helm.charts import render as render_chart
    from .core.helm.images import check_images, find_images

    cfg = a.config(c)
    eng = chart_engine(cfg, engine)
    release = release_for(cfg, tag)
    sections = []
    for entry in configured_charts(cfg, chart):
        rel = release or release_from_chart(cfg, entry, read_chart(cfg.root, entry.path))
        rendered = render_chart(cfg, eng, entry, values or [], set or [])
        checks = check_images(
            find_images(rendered, entry.image_patterns), entry, rel.tag, rel.spelled
        )
        sections.append(_images_section(entry.path, rel, eng, checks))
    bad = sum(i.status != "ok" for s in sections for i in s.items)
    return Result(
        sections,
        summary=f"{sum(len(s.items) for s in sections)} images checked, {bad} do not match",
        failure=f"{bad} image(s) do not match the release",
        outputs={"tag": release.tag if release else None},
    )


def _images_section(chart: str, rel: Release, eng: Engine, checks: list[ImageCheck]) -> Section:
    from .core.helm.images import describe

    items = [_image_item(chart, rel, eng, ch, describe(ch)) for ch in checks]
    bad = sum(not ch.ok for ch in checks)
    head = f"{chart}: rendered with {eng.name}, checking against {rel.tag} (from {rel.source})"
    return Section(items, head=[head], tail=[f"  {len(checks)} images, {bad} mismatches"])


def _image_item(chart: str, rel: Release, eng: Engine, ch: ImageCheck, line: str) -> Item:
    status: Status = (
        "ok" if ch.ok else "missing" if ch.verdict == "missing" or ch.found is None else "mismatch"
    )
    fields = {
        "chart": chart,
        "tag": rel.tag,
        "engine": eng.name,
        "source": ch.found.source if ch.found else None,
        "where": ch.found.where if ch.found else None,
        "image": ch.found.image if ch.found else None,
        "expected": ch.expected,
        "verdict": ch.verdict,
    }
    # helm names a template "<chart name>/templates/x.yaml"; the user's file is under the chart.
    source = ch.found.source.partition("/")[2] if ch.found else ""
    path = f"{chart}/{source}" if source else f"{chart}/Chart.yaml"
    label, _, rest = line.partition(" ")  # "OK       where: image": the column padding goes
    return Item(
        status, f"  {line}", path=path, message=f"{chart}: {label} {rest.lstrip()}", fields=fields
    )


@a.task(
    "verify.chart",
    help={
        "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
        "tag": "the release tag (default: from each chart's appVersion)",
    },
)
def chart(c: Context, chart: str = "", tag: str = "", json: bool = False) -> Result:
    """Check appVersion, chart version and the bump rule."""
    from .core.helm.charts import check_chart, configured_charts

    cfg = a.config(c)
    release = release_for(cfg, tag)
    items = []
    for entry in configured_charts(cfg, chart):
        rel, checks = check_chart(cfg, entry, release)
        for ch in checks:
            fields = {"chart": entry.path, "tag": rel.tag, "rule": ch.rule}
            text = f"{'OK      ' if ch.ok else 'MISMATCH'} {ch.message}"
            items.append(
                Item(
                    "ok" if ch.ok else "mismatch",
                    text,
                    path=f"{ch.chart}/Chart.yaml",
                    message=ch.message,
                    fields=fields,
                )
            )
    bad = sum(i.status != "ok" for i in items)
    summary = f"{len(items) - bad} of {len(items)} chart checks pass"
    return Result(
        items,
        summary=summary,
        failure=f"{bad} of {len(items)} chart checks fail",
        outputs={"tag": release.tag if release else None},
    )
