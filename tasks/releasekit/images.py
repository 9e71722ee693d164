"""Published images and charts: verify.images, verify.chart-published, release.promote and
release.image-tags (core/registry, core/helm/published)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Section

if TYPE_CHECKING:
    from .core.registry.images import RefCheck
    from .core.registry.listing import ImageTag

_COMMON = {
    "tag": "the release tag (e.g. v0.1.8); {tag} {version} {major} {minor} {commit} follow it",
    "image": "image reference to check, e.g. ghcr.io/org/app:{tag} (repeatable; default: registry.images)",
    "platform": "platform every index must hold, e.g. linux/arm64 (repeatable; default: config)",
    "plain_http": "talk HTTP to every registry of this run (a local registry)",
}


@a.task(
    "verify.images",
    iterable=["image", "platform", "label", "repository"],
    help={
        **_COMMON,
        "repository": "check only this registry.images entry, with its own tags and platforms "
        "(repeatable; plan.checks gives one CI slice per image)",
        "digests": "JSON file of reference -> digest the build wrote (default: registry.digests)",
        "label": "config label KEY=VALUE each platform must carry (repeatable; default: registry.labels)",
    },
)
def verify_images(
    c: Context,
    tag: str,
    image: list[str] | None = None,
    platform: list[str] | None = None,
    digests: str = "",
    label: list[str] | None = None,
    repository: list[str] | None = None,
    plain_http: bool = False,
    json: bool = False,
) -> Result:
    """Check published images by digest, platform and labels."""
    from . import _progress
    from .core.registry import run

    cfg = a.config(c)
    report = run.verify(
        cfg,
        tag,
        image or [],
        platform or [],
        digests,
        label or [],
        plain_http,
        _progress.count_progress,
        repository or [],
    )
    items = [_ref_item(ch) for ch in report.checks]
    bad = sum(not ch.ok for ch in report.checks)
    said = f"{len(items)} image references match {tag}"
    return Result(
        items,
        tail=[] if bad else [said],
        outputs={"tag": tag, "digests": report.digests},
        summary=said if not bad else f"{bad} of {len(items)} image references do not match {tag}",
    )


def _ref_item(ch: RefCheck) -> Item:
    from .core.registry.images import as_json, describe

    file, _, line = (ch.where or "").rpartition(":")
    return Item(
        "ok" if ch.ok else "mismatch",
        "\n".join(describe(ch)),
        path=file or None,
        line=int(line) if line.isdigit() else None,
        message="; ".join(ch.messages()),
        fields=as_json(ch),
    )


@a.task(
    "release.promote",
    iterable=["image", "platform"],
    help={
        **_COMMON,
        "image": "destination reference, e.g. ghcr.io/org/app:{tag} (repeatable; default: registry.images)",
        "from": "source tag (build-{commit}), digest, or full reference (default: registry.promote_from)",
        "dry_run": "print the plan; write nothing",
    },
)
def promote(
    c: Context,
    tag: str,
    from_: str = "",
    image: list[str] | None = None,
    platform: list[str] | None = None,
    plain_http: bool = False,
    dry_run: bool = False,
    json: bool = False,
) -> Result:
    """Promote a tested build to the release tags by digest."""
    from . import _progress
    from .core.registry import run
    from .core.registry.promote import describe_plan

    cfg = a.config(c)
    dry = a.is_dry(c, dry_run)
    plans = run.promote(
        cfg, tag, from_, image or [], platform or [], plain_http, dry, _progress.count_progress
    )
    items = [
        Item(
            "would-change" if dry else "changed",
            "\n".join(describe_plan(p)),
            message=f"{p.source} -> {p.dest} ({p.top.digest})",
            fields=run.plan_json(p),
        )
        for p in plans
    ]
    digests = (
        {}
        if dry
        else {f"digest_{p.dest.repository.replace('/', '_')}": p.top.digest for p in plans}
    )
    said = f"{len(plans)} images promoted to {tag}; every tag re-resolved to its source digest"
    said = (
        f"{len(plans)} images would be promoted to {tag}; dry run: nothing was written"
        if dry
        else said
    )
    return Result(items, tail=[said], summary=said, outputs={"tag": tag, **digests}, dry_run=dry)


@a.task(
    "release.image-tags",
    iterable=["image"],
    help={
        "image": "image repository, e.g. ghcr.io/org/app (repeatable; default: registry.images)",
        "plain_http": _COMMON["plain_http"],
    },
)
def image_tags(
    c: Context, image: list[str] | None = None, plain_http: bool = False, json: bool = False
) -> Result:
    """List an image's release tags, newest first, with digests."""
    from .core.registry import run
    from .core.registry.listing import list_image_tags

    cfg = a.config(c)
    names = run.image_names(cfg, image or [])
    with run.registries_for(cfg, plain_http) as regs:
        listed = [(n.name, *list_image_tags(regs, n, cfg.tag_format)) for n in names]
    sections, notes = [], []
    for name, releases, other in listed:
        sections.append(Section(_tag_items(name, releases, other), head=[name]))
        if len(releases) > 1:
            before = releases[1]
            notes.append(
                f"{name}: before {releases[0].tag} came {before.tag}: {name}@{before.digest}"
            )
    latest = listed[0][1][0].tag if len(listed) == 1 and listed[0][1] else None
    return Result(
        sections, notes=notes, summary=f"{len(names)} images listed", outputs={"tag": latest}
    )


def _tag_items(name: str, releases: list[ImageTag], other: dict[str, str | None]) -> list[Item]:
    items = [
        Item(
            "ok",
            f"  {t.tag}\t{t.digest}" + (f"\t(also {', '.join(t.also)})" if t.also else ""),
            fields={
                "image": name,
                "tag": t.tag,
                "version": t.version,
                "digest": t.digest,
                "also": list(t.also),
                "release": True,
            },
        )
        for t in releases
    ]
    shown = {tag for t in releases for tag in t.also}
    return items + [
        Item(
            "ok",
            f"  {tag}\t{digest}\t(not a release)",
            fields={"image": name, "tag": tag, "digest": digest, "release": False},
        )
        for tag, digest in other.items()
        if tag not in shown
    ]


@a.task(
    "verify.chart-published",
    help={
        "tag": "the release tag (e.g. v0.1.8)",
        "chart": "chart directory (default: registry.charts)",
        "remote": "OCI repository root the chart was pushed to, e.g. oci://ghcr.io/org/charts",
        "chart_version": "the chart version to pull (default: the checkout's Chart.yaml version)",
        "plain_http": "talk HTTP to the registry (a local registry)",
        "engine": "helm (binary), sdk (helm-python-sdk) or auto",
    },
)
def chart_published(
    c: Context,
    tag: str,
    chart: str = "",
    remote: str = "",
    chart_version: str = "",
    plain_http: bool = False,
    engine: str = "",
    json: bool = False,
) -> Result:
    """Pull the published chart, check and render it for the tag."""
    from .core.helm.published import verify_all

    cfg = a.config(c)
    results = verify_all(cfg, tag, chart, remote, chart_version, plain_http, engine)
    items = [
        Item(
            "ok" if r.ok else "mismatch",
            "\n".join(r.lines()),
            message="; ".join(r.failures()),
            fields=r.as_json(),
        )
        for r in results
    ]
    bad = sum(not r.ok for r in results)
    return Result(
        items,
        summary=f"{len(results) - bad} of {len(results)} published charts match {tag}",
        failure=f"{sum(len(r.failures()) for r in results)} problem(s) in the published chart(s)",
        outputs={"tag": tag},
    )
