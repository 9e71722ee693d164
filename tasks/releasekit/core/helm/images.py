"""Images in rendered charts, checked against the release (``helm template | grep image:``).

Every ``containers``, ``initContainers`` and ``ephemeralContainers`` list anywhere in a
rendered document is found (Deployments, StatefulSets, DaemonSets, Jobs, CronJob job
templates, Pods and custom resources alike), plus strings matching configured patterns such
as ``--agent-image=(\\S+)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..registry.digests import digest_problem
from .config import ChartConfig
from .engines import Manifest
from .yamldocs import load_yaml_documents

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: ``registry/repo[:tag][@digest]``."""

    text: str
    repository: str
    tag: str | None
    digest: str | None


def parse_image(text: str) -> ImageRef:
    """Split an image reference into repository, tag and digest.

    Hand-written: the reference grammar (distribution/reference) needs only this split — a
    ``@`` starts the digest, and a ``:`` after the last ``/`` starts the tag (a ``:`` before
    it is a registry port). Pulling in a Docker client library for it is not worth it.
    """
    name, _, digest = text.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return ImageRef(text, name, tag or None, digest or None)


@dataclass(frozen=True)
class FoundImage:
    """An image reference in a rendered document and where it sits."""

    source: str  # template file, e.g. demo/templates/deployment.yaml
    kind: str
    name: str
    container: str  # container name, or the field path for pattern matches
    image: str

    @property
    def where(self) -> str:
        return f"{self.kind}/{self.name} {self.container}"


def find_images(manifests: Sequence[Manifest], patterns: Sequence[str] = ()) -> list[FoundImage]:
    """Every image a rendered chart uses, in template order."""
    compiled = [re.compile(p) for p in patterns]
    found: list[FoundImage] = []
    for manifest in manifests:
        for doc in load_yaml_documents(manifest.text, manifest.source):
            if not isinstance(doc, dict):
                continue
            kind = str(doc.get("kind", "?"))
            meta = doc.get("metadata")
            name = str(meta.get("name", "?")) if isinstance(meta, dict) else "?"
            for label, image in _container_images(doc):
                found.append(FoundImage(manifest.source, kind, name, label, image))
            for label, text in _strings(doc, ""):
                for regex in compiled:
                    for match in regex.finditer(text):
                        found.append(FoundImage(manifest.source, kind, name, label, match.group(1)))
    return found


def _container_images(node: Any) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key in CONTAINER_LISTS:
            items = node.get(key)
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, dict) and isinstance(item.get("image"), str):
                        singular = key[:-1]
                        yield f"{singular} {item.get('name', '?')}", item["image"]
        for value in node.values():
            yield from _container_images(value)
    elif isinstance(node, list):
        for value in node:
            yield from _container_images(value)


def _strings(node: Any, path: str, sep: str = ".") -> Iterator[tuple[str, str]]:
    """Every string value with a readable path (``container manager args[0]``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in CONTAINER_LISTS and isinstance(value, list):
                for index, item in enumerate(value):
                    name = item.get("name") if isinstance(item, dict) else None
                    label = f"{key[:-1]} {name}" if name else f"{path}.{key}[{index}]".lstrip(".")
                    yield from _strings(item, label, " " if name else ".")
                continue
            yield from _strings(value, f"{path}{sep}{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]")
    elif isinstance(node, str) and path:
        yield path, node


Verdict = Literal[
    "ok",
    "pinned",
    "allowed",
    "wrong-tag",
    "no-tag",
    "not-allowed",
    "missing",
    "bad-digest",
    "unverified",
]


@dataclass(frozen=True)
class ImageCheck:
    """One image's verdict against the release."""

    found: FoundImage | None  # None for an expected image that the chart never renders
    expected: str
    verdict: Verdict
    detail: str = ""  # why a digest is malformed

    @property
    def ok(self) -> bool:
        return self.verdict in ("ok", "pinned", "allowed")


def check_images(
    found: Sequence[FoundImage], chart: ChartConfig, tag: str, version: str
) -> list[ImageCheck]:
    """Check each image: allowed exception, digest pin, or the release tag/version.

    With ``chart.images`` set, each image's repository must be one of them and its tag must be
    the one that entry spells (``{tag}`` or ``{version}``); each entry must also be rendered.
    Without it, every image must carry the release tag or version, and when
    ``chart.registries`` is set its repository must start with one of those prefixes.
    """
    expected = {}
    for template in chart.images:
        ref = parse_image(template.replace("{tag}", tag).replace("{version}", version))
        expected[ref.repository] = ref
    checks: list[ImageCheck] = []
    seen: set[str] = set()
    for item in found:
        ref = parse_image(item.image)
        seen.add(ref.repository)
        checks.append(_check_one(item, ref, chart, expected, tag, version))
    for repository, ref in expected.items():
        if repository not in seen:
            checks.append(ImageCheck(None, ref.text, "missing"))
    return checks


def _check_one(
    item: FoundImage,
    ref: ImageRef,
    chart: ChartConfig,
    expected: dict[str, ImageRef],
    tag: str,
    version: str,
) -> ImageCheck:
    if item.image in chart.allow or ref.repository in chart.allow:
        return ImageCheck(item, item.image, "allowed")
    if expected:
        want = expected.get(ref.repository)
        if want is None:
            allowed = ", ".join(sorted(expected))
            return ImageCheck(item, f"one of {allowed}", "not-allowed")
        spelled = want.text
    else:
        if chart.registries and not any(
            _under(ref.repository, prefix) for prefix in chart.registries
        ):
            return ImageCheck(item, f"an image from {', '.join(chart.registries)}", "not-allowed")
        spelled = f"{ref.repository}:{tag}"
    want_tag = parse_image(spelled).tag
    wanted_tags = {want_tag} if expected else {tag, version}
    if ref.digest is not None:
        problem = digest_problem(ref.digest)
        if problem is not None:  # sha256:000...0 or sha256:abc pins nothing
            return ImageCheck(item, spelled, "bad-digest", problem)
        want_digest = parse_image(spelled).digest
        if want_digest is not None and want_digest != ref.digest:
            return ImageCheck(item, spelled, "wrong-tag")
        # repo:v0.1.7@sha256:... in the v0.1.8 release is a stale pin, not a pin.
        if ref.tag is not None and want_tag is not None and ref.tag not in wanted_tags:
            return ImageCheck(item, spelled, "wrong-tag")
        if expected and want_digest is None and chart.digests != "accept":
            # The entry names the release tag; a digest (even beside that tag, which runtimes
            # ignore then) could be any build, and only the registry could say which.
            return ImageCheck(item, spelled, "unverified")
        return ImageCheck(item, spelled, "pinned")
    if ref.tag is None:
        return ImageCheck(item, spelled, "no-tag")
    if ref.tag in wanted_tags:
        return ImageCheck(item, item.image, "ok")
    return ImageCheck(item, spelled, "wrong-tag")


def _under(repository: str, prefix: str) -> bool:
    """``ghcr.io/org`` covers ``ghcr.io/org/app`` but not ``ghcr.io/org-evil/app``."""
    prefix = prefix.rstrip("/")
    return repository == prefix or repository.startswith(prefix + "/")


def describe(check: ImageCheck) -> str:
    """One report line: where, what was found, what was expected."""
    if check.found is None:
        return f"MISSING  {check.expected}: the chart renders no such image"
    item = check.found
    if check.verdict == "unverified":
        return (
            f"UNVERIFIED {item.where}: {item.image} is pinned by digest; nothing offline shows it "
            f"is {check.expected} (set digests: accept on the chart to accept digest pins of "
            "expected images)"
        )
    label = {
        "ok": "OK      ",
        "pinned": "PINNED  ",
        "allowed": "ALLOWED ",
        "wrong-tag": "MISMATCH",
        "no-tag": "MISMATCH",
        "not-allowed": "MISMATCH",
        "missing": "MISSING ",
        "bad-digest": "MISMATCH",
    }[check.verdict]
    line = f"{label} {item.where}: {item.image}"
    if check.verdict == "no-tag":
        line += f" has no tag (expected {check.expected})"
    elif check.verdict == "not-allowed":
        line += f" is not allowed (expected {check.expected})"
    elif check.verdict == "wrong-tag":
        line += f" (expected {check.expected})"
    elif check.verdict == "bad-digest":
        line += f" has a malformed digest ({check.detail})"
    return line
