"""Image references as the distribution API needs them: registry host, repository, tag, digest.

``ghcr.io/org/app:v1``, ``127.0.0.1:5000/t/app@sha256:...``, ``oci://host/charts/demo:0.1.0``
and Docker Hub's short forms (``alpine``, ``org/app``) all parse; Docker Hub's API host is
``registry-1.docker.io`` and its official images live under ``library/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..common.errors import UsageError
from .digests import digest_problem

DOCKER_HUB = "docker.io"
DOCKER_HUB_API = "registry-1.docker.io"
# The key Docker's config.json has always used for Docker Hub.
DOCKER_HUB_LEGACY_KEY = "https://index.docker.io/v1/"


@dataclass(frozen=True)
class ImageName:
    """``registry/repository[:tag][@digest]`` split for the API."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def name(self) -> str:
        """``registry/repository`` (no tag, no digest)."""
        return f"{self.registry}/{self.repository}"

    @property
    def reference(self) -> str:
        """What the manifest endpoint is asked for: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def with_tag(self, tag: str) -> ImageName:
        return ImageName(self.registry, self.repository, tag, None)

    def with_digest(self, digest: str) -> ImageName:
        return ImageName(self.registry, self.repository, None, digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str, *, default_tag: str | None = "latest") -> ImageName:
    """Split an image reference (``oci://`` prefix allowed).

    Raises:
        UsageError: empty, upper-case repository, or a malformed digest.
    """
    raw = text.strip().removeprefix("oci://").removeprefix("docker://")
    if not raw or "://" in raw or raw != raw.strip():
        raise UsageError(f"{text!r} is not an image reference; use host/path[:tag][@digest]")
    name, _, digest = raw.partition("@")
    if digest:
        problem = digest_problem(digest)
        if problem is not None:
            raise UsageError(f"{text}: {problem}")
    slash, colon = name.rfind("/"), name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, name
        if "/" not in repository:
            repository = f"library/{repository}"
    if not repository or repository != repository.lower() or "//" in repository:
        raise UsageError(
            f"{text!r}: repository {repository!r} must be lower-case path components "
            "(host/org/name)"
        )
    if tag is None and not digest:
        tag = default_tag
    return ImageName(registry, repository.strip("/"), tag or None, digest or None)


def credential_keys(host: str) -> tuple[str, ...]:
    """The keys Docker's config.json may file a registry's login under."""
    if host in (DOCKER_HUB, DOCKER_HUB_API, "index.docker.io"):
        return (DOCKER_HUB_LEGACY_KEY, "docker.io", "index.docker.io", DOCKER_HUB_API)
    return (host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/")
