"""release.promote: the tested bits become the release — manifests copied by digest, no layers.

For each image: resolve the source (a tag such as ``build-<sha>`` or a digest), fetch the
index and every child manifest as bytes, and plan the destination tags. Nothing is written
until every image's plan passes: a version tag that already names another digest is refused
(published is immutable; configured moving tags may move), and so is a source without a
required platform. Then, per image: mount each blob from the source repository (a registry
that will not mount is an error: layers are never downloaded), PUT the children and the index
by digest, the cosign ``sha256-<hex>.sig/.att/.sbom`` tags and OCI referrers of the digest, and
last the tags. Every destination tag is re-resolved and compared at the end. A failure midway
reports which tags exist now; running the same command again converges.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..common.errors import CommandError, ReleaseError, VerificationFailed
from .client import AccessRefused, Manifest, Registries, RegistryClient
from .images import matches, platform_of
from .refs import ImageName
from .targets import Target

SIGNATURE_SUFFIXES = (".sig", ".att", ".sbom")
Action = Literal["create", "move", "unchanged"]


@dataclass(frozen=True)
class TagPlan:
    tag: str
    action: Action
    before: str | None


@dataclass(frozen=True)
class ImagePlan:
    source: ImageName
    dest: ImageName
    top: Manifest
    manifests: tuple[Manifest, ...]  # children first, the top last: the order they are PUT
    blobs: tuple[str, ...]
    tags: tuple[TagPlan, ...]
    extras: tuple[tuple[str | None, Manifest], ...] = ()  # (tag or None for a referrer, manifest)
    notes: tuple[str, ...] = ()
    mounted: list[str] = field(default_factory=list, compare=False)

    @property
    def cross(self) -> bool:
        return self.source.repository != self.dest.repository


def source_of(target: Target, source: str) -> ImageName:
    """``build-abc`` or ``sha256:...`` in the image's source repository, or a whole reference."""
    if "/" in source:
        from .refs import parse_reference

        return parse_reference(source)
    repo = target.source or target.name
    return repo.with_digest(source) if source.startswith("sha256:") else repo.with_tag(source)


def plan_promote(
    registries: Registries, targets: Sequence[Target], source: str,
    done: Callable[[], None] | None = None,
) -> list[ImagePlan]:  # fmt: skip
    """Every image's plan; refusals of all images are raised together, before any write.

    Raises:
        VerificationFailed: a source is missing or lacks a platform, or a version tag at the
            destination already names another digest.
        CommandError: a registry cannot be asked.
    """
    plans = registries.map(lambda t: _plan(registries, t, source), targets, done)
    refusals = [r for _, problems in plans for r in problems]
    if refusals:
        message = "release.promote refused, nothing was written:\n" + "\n".join(refusals)
        if all(plan is None for plan, problems in plans if problems):
            raise BuildNotPushed(message)  # only sources missing: the build is still to come
        raise VerificationFailed(message)
    return [plan for plan, _ in plans if plan is not None]


def _plan(
    registries: Registries, target: Target, source: str
) -> tuple[ImagePlan | None, list[str]]:
    src = source_of(target, source)
    client = registries.client(src.api_host)
    top = client.manifest(src.repository, src.reference)
    if top is None:
        return None, [f"{src}: not found in the registry; push the build first or check --from"]
    problems = []
    children = (
        [client.manifest(src.repository, str(d["digest"])) for d in top.children()]
        if top.is_index
        else []
    )
    present = [platform_of(d) for d in top.children()]
    for wanted in target.platforms:
        if top.is_index and not any(matches(p, wanted) for p in present):
            problems.append(f"{src}: the source has no {wanted} (it has {', '.join(present) or 'none'}); "
                            "rebuild it with every platform")  # fmt: skip
    if not top.is_index and len(target.platforms) > 1:
        problems.append(
            f"{src}: a single-platform image, not an index of {', '.join(target.platforms)}"
        )
    missing = [
        str(d["digest"]) for d, m in zip(top.children(), children, strict=False) if m is None
    ]
    problems += [
        f"{src}: the index names {d}, but the registry has no such manifest" for d in missing
    ]
    manifests = (*(m for m in children if m is not None), top)
    blobs = tuple(
        dict.fromkeys(str(b["digest"]) for m in manifests if not m.is_index for b in m.blobs())
    )
    tags = []
    dest_client = registries.client(target.name.api_host)
    for ref in target.refs:
        tag = str(ref.tag)
        before = dest_client.manifest_digest(target.name.repository, tag)
        if before == top.digest:
            tags.append(TagPlan(tag, "unchanged", before))
        elif before is None:
            tags.append(TagPlan(tag, "create", None))
        elif tag in target.moving:
            tags.append(TagPlan(tag, "move", before))
        else:
            problems.append(f"{ref} already names {before}, not {top.digest}; published version tags "
                            "are immutable — release a new version (releasekit release.supersede)")  # fmt: skip
    extras, notes = (
        _extras(client, src, top) if src.repository != target.name.repository else ((), ())
    )
    return ImagePlan(src, target.name, top, manifests, blobs, tuple(tags), extras, notes), problems


def _extras(
    client: RegistryClient, src: ImageName, top: Manifest
) -> tuple[tuple[tuple[str | None, Manifest], ...], tuple[str, ...]]:
    """The cosign tags of the digest and its OCI referrers, when the registry offers them."""
    found: list[tuple[str | None, Manifest]] = []
    stem = top.digest.replace(":", "-")
    for suffix in SIGNATURE_SUFFIXES:
        manifest = client.manifest(src.repository, stem + suffix)
        if manifest is not None:
            found.append((stem + suffix, manifest))
    referrers = client.referrers(src.repository, top.digest)
    notes = () if referrers is not None else (f"registry {src.registry} offers no referrers API",)
    for descriptor in referrers or []:
        manifest = client.manifest(src.repository, str(descriptor.get("digest")))
        if manifest is not None:
            found.append((None, manifest))
    return tuple(found), notes


def apply_promote(
    registries: Registries, plans: Sequence[ImagePlan], done: Callable[[], None] | None = None
) -> None:
    """Write every plan, then re-resolve every destination tag.

    Raises:
        PromoteIncomplete: a write failed; the message says which tags exist now.
        VerificationFailed: a destination tag does not name the source digest afterwards.
    """
    try:
        registries.map(lambda plan: _apply(registries, plan), plans, done)
    except ReleaseError as exc:
        raise PromoteIncomplete(exc, _state(registries, plans)) from None
    wrong = []
    for plan in plans:
        client = registries.client(plan.dest.api_host)
        for tag in plan.tags:
            now = client.manifest_digest(plan.dest.repository, tag.tag)
            if now != plan.top.digest:
                wrong.append(f"{plan.dest.with_tag(tag.tag)} names {now}, not {plan.top.digest}")
    if wrong:
        raise VerificationFailed("after promote:\n" + "\n".join(wrong))


def _apply(registries: Registries, plan: ImagePlan) -> None:
    client = registries.client(plan.dest.api_host)
    repo = plan.dest.repository
    if plan.cross:
        blobs = [
            *plan.blobs,
            *(str(b["digest"]) for _, m in plan.extras if not m.is_index for b in m.blobs()),
        ]
        registries.map(lambda digest: _mount(client, plan, digest), list(dict.fromkeys(blobs)))
        for manifest in plan.manifests:
            _put(client, repo, manifest.digest, manifest)
        for extra, manifest in plan.extras:
            # A signature tag already at the destination may hold more signatures: kept.
            if extra is None or client.manifest_digest(repo, extra) is None:
                _put(client, repo, extra or manifest.digest, manifest)
    for tag in plan.tags:
        if tag.action != "unchanged":
            _put(client, repo, tag.tag, plan.top)


def _mount(client: RegistryClient, plan: ImagePlan, digest: str) -> None:
    if client.has_blob(plan.dest.repository, digest):
        return
    if not client.mount(plan.dest.repository, digest, plan.source.repository):
        raise CommandError(
            f"registry {client.host} would not mount {digest} from {plan.source.repository} into "
            f"{plan.dest.repository} (it offered an upload, cancelled: promote never copies layer "
            "bytes); the credentials need pull on the source and push on the destination"
        )
    plan.mounted.append(digest)


def _put(client: RegistryClient, repo: str, reference: str, manifest: Manifest) -> None:
    """PUT once; after a failure that is not a refusal, ask the registry before saying so."""
    try:
        stored = client.put_manifest(repo, reference, manifest.data, manifest.media_type)
    except AccessRefused:
        raise
    except CommandError:
        if client.manifest_digest(repo, reference) != manifest.digest:
            raise
        return
    if stored != manifest.digest:
        raise VerificationFailed(
            f"{client.host}/{repo}:{reference}: the registry stored {stored}, not {manifest.digest}"
        )


def _state(registries: Registries, plans: Sequence[ImagePlan]) -> list[str]:
    lines = []
    for plan in plans:
        for tag in plan.tags:
            ref = plan.dest.with_tag(tag.tag)
            try:
                now = registries.client(plan.dest.api_host).manifest_digest(
                    plan.dest.repository, tag.tag
                )
            except ReleaseError:
                lines.append(f"{ref}: unknown (the registry cannot be asked)")
                continue
            done = (
                "done" if now == plan.top.digest else ("not yet" if now is None else f"still {now}")
            )
            lines.append(f"{ref}: {done}")
    return lines


class BuildNotPushed(VerificationFailed):
    """Every refusal is a source build the registry does not have (yet): CI has not pushed it."""


class PromoteIncomplete(CommandError):
    """A promote stopped midway; the message lists the tags as they are now."""

    def __init__(self, cause: ReleaseError, state: list[str]) -> None:
        super().__init__(
            f"release.promote stopped: {cause}\nnow:\n  "
            + "\n  ".join(state)
            + "\nrun the same command again to finish: what is done is skipped, nothing is copied twice"
        )
        self.exit_code = cause.exit_code


def describe_plan(plan: ImagePlan) -> list[str]:
    kind = f"index of {len(plan.manifests) - 1}" if plan.top.is_index else "single manifest"
    lines = [f"promote {plan.source} -> {plan.dest} ({plan.top.digest}, {kind})"]
    if plan.cross:
        lines.append(f"  mount {len(plan.blobs)} blobs from {plan.source.repository}, copy "
                     f"{len(plan.manifests)} manifests by digest (no layer bytes)")  # fmt: skip
    else:
        lines.append("  same repository: only tags are written")
    for tag in plan.tags:
        was = f" (was {tag.before})" if tag.action == "move" else ""
        lines.append(f"  {tag.action:<9} :{tag.tag}{was}")
    lines += [f"  copy      {tag or 'referrer ' + m.digest}" for tag, m in plan.extras]
    return lines + [f"  note: {n}" for n in plan.notes]
