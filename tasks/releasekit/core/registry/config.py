"""The ``registry:`` section of releasekit.yaml as declared models (msgspec).

What a release publishes to OCI registries: the images with their tags (version tags that
never move, moving tags such as ``latest`` and channels), the platforms each must hold, the
labels their configs must carry, the digests a build wrote, where ``release.promote`` copies
from, and the charts ``verify.chart-published`` pulls back. Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated

import msgspec

from ..common.section import Section
from .digests import digest_problem

PLACEHOLDERS = ("{tag}", "{version}", "{major}", "{minor}", "{commit}", "{channel}")
DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")
# os/arch[/variant], as in an index's platform object (linux/arm64/v8, linux/arm/v7).
_PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?")
# distribution/reference: lowercase path components separated by / (the host may hold : . -).
_REPOSITORY = re.compile(
    r"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def _check_template(text: str, what: str) -> None:
    unknown = [p for p in re.findall(r"\{[^{}]*\}", text) if p not in PLACEHOLDERS]
    if unknown:
        raise ValueError(
            f"{what} {text!r} has unknown placeholder {unknown[0]}; use {', '.join(PLACEHOLDERS)}"
        )
    sample = text
    for placeholder in PLACEHOLDERS:
        sample = sample.replace(placeholder, "x1")
    if not _TAG.fullmatch(sample):
        raise ValueError(
            f"{what} {text!r} is not a valid tag (letters, digits, _ . -, at most 128)"
        )


def _check_platforms(platforms: tuple[str, ...]) -> None:
    for platform in platforms:
        if not _PLATFORM.fullmatch(platform):
            raise ValueError(f"platform {platform!r} must be os/arch[/variant] like linux/arm64")


def _is_version_tag(text: str) -> bool:
    return any(p in text for p in ("{tag}", "{version}", "{commit}"))


class Image(Section, frozen=True):
    """One image a release publishes."""

    repository: Annotated[
        str,
        msgspec.Meta(
            description="registry host and path without tag, e.g. ghcr.io/example/demo-operator"
        ),
    ]
    tags: Annotated[
        tuple[str, ...],
        msgspec.Meta(
            description="tags a release gives the image ({tag}, {version}, {major}, {minor}, "
            "{channel}: a CalVer suite's edge, stable or lts); all of them must resolve to one digest"
        ),
    ] = ("{tag}",)
    moving_tags: Annotated[
        tuple[str, ...] | None,
        msgspec.Meta(
            description="tags of this image that may move to a new digest (default: the "
            "section's moving_tags); every other tag is immutable once published"
        ),
    ] = None
    platforms: Annotated[
        tuple[str, ...] | None,
        msgspec.Meta(description="platforms the index must hold (default: the section's)"),
    ] = None
    source: Annotated[
        str | None,
        msgspec.Meta(
            description="repository release.promote copies from (same registry; default: "
            "repository itself)"
        ),
    ] = None

    def __post_init__(self) -> None:
        for name in (self.repository, self.source):
            if name is not None and (not _REPOSITORY.fullmatch(name) or "@" in name):
                raise ValueError(
                    f"repository {name!r} must be host/path without tag or digest, e.g. "
                    "ghcr.io/example/demo-operator"
                )
        if self.source is not None and self.source.split("/")[0] != self.repository.split("/")[0]:
            raise ValueError(
                f"source {self.source!r} must be on the same registry as {self.repository!r}: "
                "promote mounts blobs, it never downloads them"
            )
        if not self.tags:
            raise ValueError("tags must list at least one tag, e.g. ['{tag}']")
        for tag in (*self.tags, *(self.moving_tags or ())):
            _check_template(tag, "tag")
        for tag in self.moving_tags or ():
            if _is_version_tag(tag):
                raise ValueError(
                    f"moving tag {tag!r} names a release; published releases are immutable"
                )
        _check_platforms(self.platforms or ())


class Chart(Section, frozen=True):
    """A chart whose published package verify.chart-published pulls back."""

    path: Annotated[
        str,
        msgspec.Meta(description="chart directory (its helm.charts entry gives render settings)"),
    ]
    repository: Annotated[
        str, msgspec.Meta(description="OCI repository root the chart is pushed to, oci://host/path")
    ]

    def __post_init__(self) -> None:
        if not self.repository.startswith("oci://") or "@" in self.repository:
            raise ValueError(
                f"repository {self.repository!r} must be oci://host/path without credentials"
            )
        if self.path.startswith("/") or ".." in self.path.split("/"):
            raise ValueError(f"path {self.path!r} must be a chart directory inside the repository")


class RegistryConfig(Section, frozen=True):
    """The ``registry:`` section: published images and charts, and how to reach them."""

    images: Annotated[
        tuple[Image, ...],
        msgspec.Meta(
            description="images each release publishes",
            examples=[
                [
                    {
                        "repository": "ghcr.io/example/demo-operator",
                        "tags": ["{tag}", "latest"],
                        "source": "ghcr.io/example/demo-operator-ci",
                    }
                ]
            ],
        ),
    ] = ()
    platforms: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="platforms every image's index must hold"),
    ] = DEFAULT_PLATFORMS
    moving_tags: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="tags that may move to a new digest (latest, channels)"),
    ] = ("latest",)
    digests: Annotated[
        str | None,
        msgspec.Meta(
            description="JSON file of reference -> digest that the build wrote ({tag}, {version})",
            examples=["dist/digests-{tag}.json"],
        ),
    ] = None
    labels: Annotated[
        dict[str, str],
        msgspec.Meta(
            description="config labels every platform must carry, label -> expected value "
            "({tag}, {version}, {commit}: the tag's commit)",
            examples=[
                {
                    "org.opencontainers.image.version": "{version}",
                    "org.opencontainers.image.revision": "{commit}",
                }
            ],
        ),
    ] = msgspec.field(default_factory=dict)
    promote_from: Annotated[
        str | None,
        msgspec.Meta(
            description="source tag (or sha256 digest) release.promote reads when --from is "
            "not given, e.g. build-{commit}",
            examples=["build-{commit}"],
        ),
    ] = None
    plain_http: Annotated[
        tuple[str, ...],
        msgspec.Meta(
            description="registry hosts spoken to over plain HTTP (local registries only)"
        ),
    ] = ()
    charts: Annotated[
        tuple[Chart, ...],
        msgspec.Meta(
            description="charts verify.chart-published pulls from their OCI repository",
            examples=[[{"path": "charts/demo", "repository": "oci://ghcr.io/example/charts"}]],
        ),
    ] = ()

    def __post_init__(self) -> None:
        _check_platforms(self.platforms)
        if not self.platforms:
            raise ValueError("platforms must list at least one platform, e.g. [linux/amd64]")
        for tag in self.moving_tags:
            _check_template(tag, "moving tag")
            if _is_version_tag(tag):
                raise ValueError(
                    f"moving tag {tag!r} names a release; published releases are immutable"
                )
        if self.promote_from is not None and self.promote_from.startswith("sha256:"):
            problem = digest_problem(self.promote_from)
            if problem is not None:
                raise ValueError(f"promote_from: {problem}")
        elif self.promote_from is not None:
            _check_template(self.promote_from, "promote_from")
        for name, template in self.labels.items():
            _check_template_text(template, f"label {name}")
        for host in self.plain_http:
            if "/" in host or not host:
                raise ValueError(
                    f"plain_http entry {host!r} must be a host[:port], e.g. 127.0.0.1:5000"
                )
        seen: set[str] = set()
        for image in self.images:
            if image.repository in seen:
                raise ValueError(f"image {image.repository} is listed twice; list each image once")
            seen.add(image.repository)


def _check_template_text(text: str, what: str) -> None:
    unknown = [p for p in re.findall(r"\{[^{}]*\}", text) if p not in PLACEHOLDERS]
    if unknown:
        raise ValueError(
            f"{what} {text!r} has unknown placeholder {unknown[0]}; use {', '.join(PLACEHOLDERS)}"
        )
