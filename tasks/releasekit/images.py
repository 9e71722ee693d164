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
    from .core.registry.images import error_lines

    with a.boundary():
        cfg = a.config(c)
        report = run.verify(cfg, tag, image or [], platform or [], digests, label or [],
                            plain_http, _progress.count_progress)  # fmt: skip
        if json:
            a.emit_json(report.as_json())
        for line in [] if json else report.lines():
            a.out(line)
        for message, file, at in error_lines(report.bad) if ci.in_github_actions() else []:
            a.out(ci.error_annotation(message, file, at))
        ci.append_summary(report.summary())
        if report.bad:
            raise VerificationFailed(report.failure())
        a.note(f"{len(report.checks)} image references match {tag}")


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
    from .core.registry.promote import describe_plan

    with a.boundary():
        cfg = a.config(c)
        dry = a.is_dry(c, dry_run)
        plans = run.promote(cfg, tag, from_, image or [], platform or [], plain_http, dry,
                            _progress.count_progress)  # fmt: skip
        if json:
            a.emit_json({"tag": tag, "dry_run": dry, "images": [run.plan_json(p) for p in plans]})
        for line in [] if json else [ln for p in plans for ln in describe_plan(p)]:
            a.out(line)
        digests = {f"digest_{p.dest.repository.replace('/', '_')}": p.top.digest for p in plans}
        ci.set_outputs({} if dry else digests)
        verb = "planned (dry run)" if dry else "promoted and re-resolved"
        ci.append_summary(f"### release.promote {tag}: {len(plans)} images {verb}")
        done = f"{len(plans)} images promoted to {tag}; every tag re-resolved to its source digest"
        a.note("dry run: nothing was written" if dry else done)


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
    from .core.helm.published import verify_all

    with a.boundary():
        cfg = a.config(c)
        results = verify_all(cfg, tag, chart, remote, chart_version, plain_http, engine)
        failures = [m for r in results for m in r.failures()]
        if json:
            a.emit_json([r.as_json() for r in results])
        for line in [] if json else [ln for r in results for ln in r.lines()]:
            a.out(line)
        for message in failures if ci.in_github_actions() else []:
            a.out(ci.error_annotation(message))
        if failures:
            count = f"{len(failures)} problem(s) in the published chart(s)"
            raise VerificationFailed(count + ":\n" + "\n".join(failures))
