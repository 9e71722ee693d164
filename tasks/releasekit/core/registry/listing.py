"""release.image-tags: an image's published release tags in version order, with digests.

The rollback aid: "pull the previous version" becomes one lookup. Tags are read from the
registry's tag list, those that spell a release (the repository's ``tag_format``, or a bare
SemVer version) are sorted by precedence, newest first, and resolved concurrently; other tags
(``latest``, channels) are shown beside the release they name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .client import Registries
from .refs import ImageName


@dataclass(frozen=True)
class ImageTag:
    tag: str
    version: str
    digest: str | None
    also: tuple[str, ...] = ()  # other tags (latest, stable) naming the same digest


def list_image_tags(
    registries: Registries, name: ImageName, tag_format: str,
    done: Callable[[], None] | None = None,
) -> tuple[list[ImageTag], dict[str, str | None]]:  # fmt: skip
    """Release tags newest first, and every other tag with its digest.

    Raises:
        CommandError: the registry cannot be asked.
    """
    from ..tags.schemes import ParsedTag, TagScheme

    client = registries.client(name.api_host)
    tags = client.tags(name.repository)
    schemes = [TagScheme(tag_format)] + (
        [TagScheme("{version}")] if tag_format != "{version}" else []
    )
    releases: dict[str, ParsedTag] = {}
    for tag in tags:
        parsed = next((p for s in schemes if (p := s.parse(tag)) is not None), None)
        if parsed is not None:
            releases[tag] = parsed
    ordered = sorted(releases.values(), key=ParsedTag.sort_key, reverse=True)
    others = [t for t in tags if t not in releases]
    wanted = [p.tag for p in ordered] + others
    digests = dict(
        zip(
            wanted,
            registries.map(lambda t: client.manifest_digest(name.repository, t), wanted, done),
            strict=True,
        )
    )
    moving = {t: digests[t] for t in others}
    out = [
        ImageTag(p.tag, str(p.version), digests[p.tag],
                 tuple(t for t, d in moving.items() if d is not None and d == digests[p.tag]))
        for p in ordered
    ]  # fmt: skip
    return out, moving
