"""Published images and charts: verify.images, verify.chart-published, release.promote,
release.image-tags. The tasks join the ``verify`` and ``release`` namespaces (see their ns).
"""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a

_COMMON = {
    "tag": "the release tag (e.g. v0.1.8); {tag} {version} {major} {minor} {commit} follow it",
    "image": "image reference to check, e.g. ghcr.io/org/app:{tag} (repeatable; default: registry.images)",
    "platform": "platform every index must hold, e.g. linux/arm64 (repeatable; default: config)",
    "plain-http": "talk HTTP to every registry of this run (a local registry)",
    "json": "print the result as JSON",
}


@task(
    iterable=["image", "platform", "label"],
    help={
        **_COMMON,
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
    plain_http: bool = False,
    json: bool = False,
) -> None:
    """Check published images by digest, platform and labels."""
    from . import _progress
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.registry import run
    from .core.registry.images import as_json, describe, verify_images
    from .core.registry.targets import targets_from

    with a.boundary():
        cfg = a.config(c)
        rel = run.release_for(cfg, tag)
        targets = targets_from(cfg.registry, rel, image or [], platform or [])
        labels = run.labels_for(cfg, label or [], rel)
        expected, shown = run.digests_for(cfg, digests, rel)
        total = sum(len(t.refs) for t in targets)
        with (
            run.registries_for(cfg, plain_http) as regs,
            _progress.count_progress("registry", total) as done,
        ):
            checks = verify_images(regs, targets, labels, expected, done)
        bad = [ch for ch in checks if not ch.ok]
        if json:
            a.emit_json(
                {
                    "tag": tag,
                    "ok": not bad,
                    "digests": shown,
                    "images": [as_json(ch) for ch in checks],
                }
            )
        for line in [] if json else [ln for ch in checks for ln in describe(ch)]:
            a.out(line)
        if ci.in_github_actions():
            for ch in bad:
                file, _, line = (ch.where or "").rpartition(":")
                for message in ch.messages():
                    a.out(ci.error_annotation(message, file or None, int(line) if line else None))
            ci.append_summary(f"### verify.images {tag}: {total - len(bad)}/{total} references OK")
        if bad:
            raise VerificationFailed(
                f"{len(bad)} of {total} image references do not match {tag}:\n"
                + "\n".join(m for ch in bad for m in ch.messages())
            )
        a.note(f"{total} image references match {tag}")


@task(
    iterable=["image", "platform"],
    help={
        **_COMMON,
        "image": "destination reference, e.g. ghcr.io/org/app:{tag} (repeatable; default: registry.images)",
        "from": "source tag (build-{commit}), digest, or full reference (default: registry.promote_from)",
        "dry-run": "print the plan; write nothing",
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
) -> None:
    """Promote a tested build to the release tags by digest."""
    from . import _progress
    from .core.common import ci
    from .core.registry import run
    from .core.registry.promote import apply_promote, describe_plan, plan_promote

    with a.boundary():
        cfg = a.config(c)
        rel = run.release_for(cfg, tag)
        targets = run.promote_targets(cfg, rel, image or [], platform or [], from_)
        source = run.promote_source(cfg, rel, from_)
        dry = a.is_dry(c, dry_run)
        with (
            run.registries_for(cfg, plain_http) as regs,
            _progress.count_progress("promote", 2 * len(targets)) as done,
        ):
            plans = plan_promote(regs, targets, source, done)
            if not dry:
                apply_promote(regs, plans, done)
        if json:
            a.emit_json({"tag": tag, "dry_run": dry, "images": [run.plan_json(p) for p in plans]})
        for line in [] if json else [ln for p in plans for ln in describe_plan(p)]:
            a.out(line)
        for p in [] if dry else plans:
            ci.set_outputs({f"digest_{p.dest.repository.replace('/', '_')}": p.top.digest})
        ci.append_summary(
            f"### release.promote {tag}: {len(plans)} images {'planned (dry run)' if dry else 'promoted and re-resolved'}"
        )
        a.note(
            "dry run: nothing was written"
            if dry
            else f"{len(plans)} images promoted to {tag}; every tag re-resolved to its source digest"
        )


@task(
    iterable=["image"],
    help={
        "image": "image repository, e.g. ghcr.io/org/app (repeatable; default: registry.images)",
        "plain-http": _COMMON["plain-http"],
        "json": _COMMON["json"],
    },
)
def image_tags(
    c: Context, image: list[str] | None = None, plain_http: bool = False, json: bool = False
) -> None:
    """List an image's release tags, newest first, with digests."""
    from .core.registry import run
    from .core.registry.listing import list_image_tags

    with a.boundary():
        cfg = a.config(c)
        names = run.image_names(cfg, image or [])
        with run.registries_for(cfg, plain_http) as regs:
            listed = [(n, *list_image_tags(regs, n, cfg.tag_format)) for n in names]
        if json:
            a.emit_json([{"image": n.name, "releases": [vars(t) | {"also": list(t.also)} for t in rel],
                          "other_tags": other} for n, rel, other in listed])  # fmt: skip
            return
        for name, releases, other in listed:
            a.out(name.name)
            for t in releases:
                a.out(
                    f"  {t.tag}\t{t.digest}" + (f"\t(also {', '.join(t.also)})" if t.also else "")
                )
            for tag, digest in other.items():
                if not any(tag in t.also for t in releases):
                    a.out(f"  {tag}\t{digest}\t(not a release)")
            if len(releases) > 1:
                a.note(
                    f"{name.name}: before {releases[0].tag} came {releases[1].tag}: {name.name}@{releases[1].digest}"
                )


@task(
    help={
        "tag": "the release tag (e.g. v0.1.8)",
        "chart": "chart directory (default: registry.charts)",
        "remote": "OCI repository root the chart was pushed to, e.g. oci://ghcr.io/org/charts",
        "chart-version": "the chart version to pull (default: the checkout's Chart.yaml version)",
        "plain-http": "talk HTTP to the registry (a local registry)",
        "engine": "helm (binary), sdk (helm-python-sdk) or auto",
        "json": "print the result as JSON",
    }
)
def chart_published(
    c: Context, tag: str, chart: str = "", remote: str = "", chart_version: str = "",
    plain_http: bool = False, engine: str = "", json: bool = False,
) -> None:  # fmt: skip
    """Pull the published chart, check and render it for the tag."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.common.network import settings
    from .core.helm.charts import Release, chart_engine
    from .core.helm.images import describe
    from .core.helm.published import plain_http_for, published_charts, verify_published_chart
    from .core.tags.schemes import version_from_tag

    with a.boundary():
        cfg = a.config(c)
        eng, rel = (
            chart_engine(cfg, engine),
            Release(tag, version_from_tag(cfg.tag_format, tag), "--tag"),
        )
        results = [verify_published_chart(cfg, eng, entry, repo, rel, chart_version=chart_version, net=settings(cfg),
                                          plain_http=plain_http_for(cfg, repo, plain_http))
                   for entry, repo in published_charts(cfg, chart, remote)]  # fmt: skip
        failures = [p for r in results for p in r.problems] + [
            f"{r.ref}:{r.version}: {describe(ch)}" for r in results for ch in r.images if not ch.ok
        ]
        if json:
            a.emit_json([{"chart": r.ref, "version": r.version, "digest": r.digest, "ok": r.ok, "problems": list(r.problems),
                          "images": [{"image": ch.found.image if ch.found else None, "expected": ch.expected, "verdict": ch.verdict} for ch in r.images]}
                         for r in results])  # fmt: skip
        for r in [] if json else results:
            a.out(
                f"{'OK      ' if r.ok else 'MISMATCH'} {r.ref}:{r.version} {r.digest or '-'} (pulled, rendered with {eng.name})"
            )
            for line in [*r.problems, *(describe(ch) for ch in r.images)]:
                a.out(f"  {line}")
        for message in failures if ci.in_github_actions() else []:
            a.out(ci.error_annotation(message))
        if failures:
            raise VerificationFailed(
                f"{len(failures)} problem(s) in the published chart(s):\n" + "\n".join(failures)
            )
