"""What a release publishes, resolved for one tag: image references, platforms, labels, digests.

From ``registry:`` in releasekit.yaml, or from flags alone (``--image REF`` repeated, with
``{tag}``/``{version}`` placeholders). Templates may name ``{tag}``, ``{version}``,
``{major}``, ``{minor}``, ``{commit}`` (the full sha the release tag points at) and
``{channel}`` (a CalVer suite's channel: edge, or the tag's -stable/-lts suffix; seed 003).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..common.errors import FileFormatError, ReleaseError, UsageError
from .config import DEFAULT_PLATFORMS, RegistryConfig
from .digests import digest_problem
from .refs import ImageName, parse_reference


@dataclass(frozen=True)
class Release:
    """The values placeholders take; ``commit`` is looked up only when a template needs it."""

    tag: str
    version: str
    commit: Callable[[], str] = field(compare=False, default=lambda: "")
    channel: str = "edge"

    def render(self, template: str) -> str:
        major, minor = ([*self.version.split("."), "", ""])[:2]
        text = template.replace("{tag}", self.tag).replace("{version}", self.version)
        text = text.replace("{channel}", self.channel)
        text = text.replace("{major}", major).replace("{minor}", minor)
        return text.replace("{commit}", self.commit()) if "{commit}" in text else text


@dataclass(frozen=True)
class Target:
    """One image of the release: its references (tags or digests), which must agree."""

    name: ImageName  # registry/repository, no tag
    refs: tuple[ImageName, ...]
    platforms: tuple[str, ...]
    moving: frozenset[str] = frozenset()
    source: ImageName | None = None  # release.promote's source repository


def targets_from(
    cfg: RegistryConfig | None,
    release: Release,
    images: Sequence[str] = (),
    platforms: Sequence[str] = (),
    only: Sequence[str] = (),
) -> list[Target]:
    """The images to check: ``--image`` flags (grouped by repository), else the config's
    (``only``: just the configured images with these repositories — one CI slice each).

    Raises:
        UsageError: no image given or configured, a malformed reference, or an ``only``
            repository that registry.images does not list.
    """
    section = cfg or RegistryConfig()
    wanted = tuple(platforms)
    if images:
        grouped: dict[ImageName, list[ImageName]] = {}
        for text in images:
            ref = parse_reference(release.render(text))
            grouped.setdefault(ImageName(ref.registry, ref.repository), []).append(ref)
        return [
            Target(name, tuple(refs), wanted or section.platforms, frozenset(section.moving_tags))
            for name, refs in grouped.items()
        ]
    if not section.images:
        raise UsageError(
            "no images to check: pass --image REF (repeatable, {tag} and {version} allowed) or "
            "list them under registry.images in releasekit.yaml"
        )
    chosen = section.images
    if only:
        from ..common.excerpt import excerpt

        known = [image.repository for image in section.images]
        unknown = [r for r in only if r not in known]
        if unknown:
            raise UsageError(
                f"--repository {excerpt(unknown[0])} is not in registry.images; "
                f"configured: {', '.join(known)}"
            )
        chosen = tuple(image for image in section.images if image.repository in only)
    out = []
    for image in chosen:
        name = parse_reference(image.repository, default_tag=None)
        refs = tuple(name.with_tag(release.render(tag)) for tag in image.tags)
        moving = image.moving_tags if image.moving_tags is not None else section.moving_tags
        source = parse_reference(image.source, default_tag=None) if image.source else None
        out.append(Target(name, refs, wanted or image.platforms or section.platforms or DEFAULT_PLATFORMS,
                          frozenset(release.render(t) for t in moving), source))  # fmt: skip
    return out


@dataclass(frozen=True)
class Expected:
    """A digest the build wrote for a reference, and where."""

    digest: str
    where: str  # file:line


def read_digests(path: Path, shown: str) -> dict[str, Expected]:
    """A JSON map reference -> digest (or -> buildx metadata with ``containerimage.digest``).

    Raises:
        UsageError: missing file, not a JSON object, or a malformed digest (file:line).
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise ReleaseError(f"{shown}: cannot read the digests file: {exc.strerror}") from None
    except ValueError as exc:
        raise FileFormatError(
            f"{shown}: not JSON ({exc}); write a map reference -> digest"
        ) from None
    if not isinstance(data, dict):
        raise FileFormatError(
            f'{shown}: must be a JSON object {{"registry/repo:tag": "sha256:..."}}'
        )
    lines = text.splitlines()
    out = {}
    for key, value in data.items():
        line = next((i for i, ln in enumerate(lines, 1) if json.dumps(key) in ln), 1)
        where = f"{shown}:{line}"
        digest = value.get("containerimage.digest") if isinstance(value, dict) else value
        problem = digest_problem(digest) if isinstance(digest, str) else "not a string"
        if problem is not None:
            raise FileFormatError(f"{where}: the digest of {key} is malformed: {problem}")
        for name in re.split(
            r"[,\s]+", str(value.get("image.name", key)) if isinstance(value, dict) else key
        ):
            if name:
                out[_normal(name)] = Expected(str(digest), where)
    return out


def _normal(text: str) -> str:
    """A key as the reference it names (``oci://`` and Docker Hub short forms normalised)."""
    try:
        return str(parse_reference(text, default_tag=None))
    except UsageError:
        return text


def expected_for(ref: ImageName, expected: Mapping[str, Expected]) -> Expected | None:
    """The entry for ``registry/repo:tag``, else for ``registry/repo`` (one digest per image)."""
    return expected.get(str(ref)) or expected.get(ref.name)
