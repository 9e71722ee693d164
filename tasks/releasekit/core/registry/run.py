"""The arguments of a registry task, resolved: flag, else releasekit.yaml, else the default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.errors import UsageError
from ..common.network import settings
from .client import Registries
from .config import RegistryConfig
from .images import RefCheck, verify_images
from .promote import ImagePlan, apply_promote, plan_promote
from .refs import ImageName
from .targets import Expected, Release, Target, read_digests, targets_from

if TYPE_CHECKING:
    from ..config import Config


def section(cfg: Config) -> RegistryConfig:
    return cfg.registry if cfg.registry is not None else RegistryConfig()


def release_for(cfg: Config, tag: str) -> Release:
    """The release a tag names; ``{commit}`` is the tag's commit, looked up on first use."""
    from ..common.git import resolve_commit
    from ..tags.config import release_scheme

    if not tag:
        raise UsageError("give the release tag: --tag v0.1.8")
    parsed = release_scheme(cfg).require(tag)
    cache: dict[str, str] = {}

    def commit() -> str:
        if "sha" not in cache:
            cache["sha"] = resolve_commit(cfg.root, tag)
        return cache["sha"]

    return Release(tag, str(parsed.version), commit, parsed.channel)


def registries_for(cfg: Config, plain_http: bool, workers: int = 8) -> Registries:
    """One session for the run; plain HTTP only to configured hosts (or all, with the flag)."""
    return Registries(
        settings(cfg), section(cfg).plain_http, all_plain_http=plain_http, workers=workers
    )


def labels_for(cfg: Config, flags: Sequence[str], release: Release) -> dict[str, str]:
    """``--label KEY=VALUE`` (repeatable), else ``registry.labels``; values rendered."""
    pairs: dict[str, str] = {}
    for flag in flags:
        key, sep, value = flag.partition("=")
        if not sep or not key:
            raise UsageError(
                f"--label {flag!r}: use KEY=VALUE, e.g. org.opencontainers.image.version={{version}}"
            )
        pairs[key] = value
    return {k: release.render(v) for k, v in (pairs or section(cfg).labels).items()}


def digests_for(cfg: Config, flag: str, release: Release) -> tuple[dict[str, Expected], str | None]:
    """The expected digests: ``--digests FILE``, else ``registry.digests``; (map, file shown)."""
    if flag:  # a path typed on the command line is relative to where it was typed
        return read_digests(Path(flag), flag), flag
    configured = section(cfg).digests
    if not configured:
        return {}, None
    name = release.render(configured)
    return read_digests(cfg.root / name, name), name


def promote_targets(
    cfg: Config, release: Release, images: Sequence[str], platforms: Sequence[str], source: str
) -> list[Target]:
    """The destinations; a whole ``--from`` reference goes with exactly one ``--image``."""
    targets = targets_from(cfg.registry, release, images, platforms)
    if "/" in source and len(targets) != 1:
        raise UsageError(
            f"--from {source} names one image; promote one --image with it, or give a tag or "
            "digest that every image's source repository has"
        )
    return targets


def promote_source(cfg: Config, release: Release, flag: str) -> str:
    """``--from``, else ``registry.promote_from``, rendered (``build-{commit}``)."""
    text = flag or section(cfg).promote_from or ""
    if not text:
        raise UsageError(
            "give the build to promote: --from build-<sha> (a tag), --from sha256:<digest>, or set "
            "registry.promote_from (e.g. build-{commit}) in releasekit.yaml"
        )
    return release.render(text)


def plan_json(plan: ImagePlan) -> dict[str, Any]:
    return {
        "source": str(plan.source),
        "destination": plan.dest.name,
        "digest": plan.top.digest,
        "media_type": plan.top.media_type,
        "manifests": [m.digest for m in plan.manifests],
        "blobs": len(plan.blobs),
        "mounted": len(plan.mounted),
        "tags": [{"tag": t.tag, "action": t.action, "before": t.before} for t in plan.tags],
        "copied": [tag or m.digest for tag, m in plan.extras],
        "notes": list(plan.notes),
    }


def image_names(cfg: Config, images: Sequence[str]) -> list[ImageName]:
    """``--image`` repositories (a tag given is ignored), else the configured images."""
    from .refs import parse_reference

    if images:
        return [ImageName(r.registry, r.repository) for r in (parse_reference(t) for t in images)]
    if not section(cfg).images:
        raise UsageError("no images: pass --image REPOSITORY or list them under registry.images")
    return [parse_reference(i.repository, default_tag=None) for i in section(cfg).images]


@dataclass(frozen=True)
class ImagesReport:
    """verify.images' result: every reference checked, and the digests file used."""

    tag: str
    checks: list[RefCheck]
    digests: str | None


Progress = Callable[[str, int], AbstractContextManager[Callable[[], None] | None]]


def verify(
    cfg: Config, tag: str, images: Sequence[str], platforms: Sequence[str], digests: str,
    labels: Sequence[str], plain_http: bool, progress: Progress, only: Sequence[str] = (),
) -> ImagesReport:  # fmt: skip
    """verify.images from its flags: resolve them against the config, ask the registries."""
    release = release_for(cfg, tag)
    targets = targets_from(cfg.registry, release, images, platforms, only)
    wanted = labels_for(cfg, labels, release)
    expected, shown = digests_for(cfg, digests, release)
    total = sum(len(t.refs) for t in targets)
    with registries_for(cfg, plain_http) as registries, progress("registry", total) as done:
        checks = verify_images(registries, targets, wanted, expected, done)
    return ImagesReport(tag, checks, shown)


def promote(
    cfg: Config, tag: str, source: str, images: Sequence[str], platforms: Sequence[str],
    plain_http: bool, dry_run: bool, progress: Progress,
) -> list[ImagePlan]:  # fmt: skip
    """release.promote from its flags: plan every image, then (unless a dry run) apply."""
    release = release_for(cfg, tag)
    targets = promote_targets(cfg, release, images, platforms, source)
    source = promote_source(cfg, release, source)
    with (
        registries_for(cfg, plain_http) as registries,
        progress("promote", 2 * len(targets)) as done,
    ):
        plans = plan_promote(registries, targets, source, done)
        if not dry_run:
            apply_promote(registries, plans, done)
    return plans
