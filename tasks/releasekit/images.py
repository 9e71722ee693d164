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
