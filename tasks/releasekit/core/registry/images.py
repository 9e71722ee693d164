"""verify.images: each published reference by digest, platform and label — no docker needed.

Three rounds of concurrent requests on one session: every reference's manifest, then each
required platform's manifest (once per digest, however many tags share it), then each
platform's config when labels are checked or the image is a single manifest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .client import Manifest, Registries
from .refs import ImageName
from .targets import Expected, Target, expected_for


@dataclass(frozen=True)
class PlatformCheck:
    platform: str
    digest: str | None
    labels: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class RefCheck:
    """One reference: what it resolved to, its platforms, and every mismatch found."""

    ref: ImageName
    digest: str | None
    media_type: str = ""
    platforms: tuple[PlatformCheck, ...] = ()
    problems: tuple[str, ...] = ()
    where: str | None = None  # file:line of the expected digest, when one was given

    @property
    def ok(self) -> bool:
        return not self.problems and all(not p.problems for p in self.platforms)

    def messages(self) -> list[str]:
        out = [f"{self.ref}: {p}" for p in self.problems]
        return out + [f"{self.ref} {p.platform}: {q}" for p in self.platforms for q in p.problems]


def platform_of(descriptor: Mapping[str, Any]) -> str:
    found = descriptor.get("platform") or {}
    if not isinstance(found, dict):
        return "unknown"
    parts = [str(found.get("os") or "unknown"), str(found.get("architecture") or "unknown")]
    return "/".join(parts + ([str(found["variant"])] if found.get("variant") else []))


def matches(found: str, wanted: str) -> bool:
    """``linux/arm64`` is satisfied by ``linux/arm64/v8``; a wanted variant must match."""
    return found == wanted or (wanted.count("/") == 1 and found.startswith(wanted + "/"))


def verify_images(
    registries: Registries,
    targets: Sequence[Target],
    labels: Mapping[str, str] = {},
    expected: Mapping[str, Expected] = {},
    done: Callable[[], None] | None = None,
) -> list[RefCheck]:
    """Check every reference of every target; mismatches are findings, never exceptions.

    Raises:
        CommandError: a registry cannot be asked (unreachable, refused, timed out).
        DigestMismatch: a registry sent bytes that do not hash to the digest it names.
    """
    refs = [(t, r) for t in targets for r in t.refs]
    tops = registries.map(lambda tr: _fetch(registries, tr[1], tr[1].reference), refs, done)
    wanted: dict[tuple[str, str, str], str] = {}  # (host, repo, digest) -> platform
    for (target, ref), top in zip(refs, tops, strict=True):
        for platform, descriptor in _platform_children(top, target.platforms).items():
            if descriptor is not None:
                wanted[(ref.api_host, ref.repository, str(descriptor["digest"]))] = platform
    children = dict(
        zip(wanted, registries.map(lambda k: _fetch_at(registries, k), wanted), strict=True)
    )
    pairs = [*(children.items() if labels else ()), *_singles(refs, tops)]
    need = sorted(
        {(h, r, d) for (h, r, _), m in pairs if m is not None and (d := _config_digest(m))}
    )
    found = registries.map(lambda k: _config(registries, k), need)
    configs = {digest: config for (_, _, digest), config in zip(need, found, strict=True)}
    checks = [
        _check_ref(target, ref, top, children, configs, labels, expected)
        for (target, ref), top in zip(refs, tops, strict=True)
    ]
    return _same_digest(targets, checks)


def _fetch(registries: Registries, ref: ImageName, reference: str) -> Manifest | None:
    return registries.client(ref.api_host).manifest(ref.repository, reference)


def _fetch_at(registries: Registries, key: tuple[str, str, str]) -> Manifest | None:
    host, repo, digest = key
    return registries.client(host).manifest(repo, digest)


def _config(registries: Registries, key: tuple[str, str, str]) -> dict[str, Any]:
    host, repo, digest = key
    try:
        body = json.loads(registries.client(host).blob(repo, digest))
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _singles(
    refs: Sequence[tuple[Target, ImageName]], tops: Sequence[Manifest | None]
) -> list[tuple[tuple[str, str, str], Manifest]]:
    return [
        ((ref.api_host, ref.repository, top.digest), top)
        for (_, ref), top in zip(refs, tops, strict=True)
        if top is not None and not top.is_index
    ]


def _platform_children(
    top: Manifest | None, platforms: Sequence[str]
) -> dict[str, dict[str, Any] | None]:
    if top is None or not top.is_index:
        return {}
    children = top.children()
    return {
        wanted: next((d for d in children if matches(platform_of(d), wanted)), None)
        for wanted in platforms
    }


def _check_ref(
    target: Target,
    ref: ImageName,
    top: Manifest | None,
    children: Mapping[tuple[str, str, str], Manifest | None],
    configs: Mapping[str, dict[str, Any]],
    labels: Mapping[str, str],
    expected: Mapping[str, Expected],
) -> RefCheck:
    want = expected_for(ref, expected)
    where = want.where if want else None
    if top is None:
        return RefCheck(
            ref, None, problems=("not found in the registry (not published?)",), where=where
        )
    problems = []
    if want is not None and want.digest != top.digest:
        problems.append(
            f"digest {top.digest} is not the {want.digest} the build wrote ({want.where})"
        )
    if ref.digest is not None and ref.digest != top.digest:
        problems.append(f"resolved to {top.digest}, not the digest asked for")
    platforms = []
    host, repo = ref.api_host, ref.repository
    if top.is_index:
        for platform, descriptor in _platform_children(top, target.platforms).items():
            if descriptor is None:
                present = ", ".join(platform_of(d) for d in top.children()) or "none"
                platforms.append(
                    PlatformCheck(
                        platform, None, problems=(f"missing from the index (it has {present})",)
                    )
                )
                continue
            digest = str(descriptor["digest"])
            child = children.get((host, repo, digest))
            if child is None:
                platforms.append(
                    PlatformCheck(
                        platform,
                        digest,
                        problems=("the index names it, but the registry has no such manifest",),
                    )
                )
                continue
            platforms.append(_check_config(platform, digest, child, configs, labels))
    else:
        platforms.append(_single(target, top, configs, labels))
    return RefCheck(ref, top.digest, top.media_type, tuple(platforms), tuple(problems), where)


def _single(
    target: Target,
    top: Manifest,
    configs: Mapping[str, dict[str, Any]],
    labels: Mapping[str, str],
) -> PlatformCheck:
    """A single-platform manifest: its platform is in its config."""
    config = configs.get(_config_digest(top), {})
    parts = [str(config.get("os") or "unknown"), str(config.get("architecture") or "unknown")]
    platform = "/".join(parts + ([str(config["variant"])] if config.get("variant") else []))
    check = _check_config(platform, top.digest, top, configs, labels)
    missing = [p for p in target.platforms if not matches(platform, p)]
    if missing:
        problem = f"is a single-platform image, not an index holding {', '.join(target.platforms)}"
        return PlatformCheck(platform, top.digest, check.labels, (problem, *check.problems))
    return check


def _config_digest(manifest: Manifest) -> str:
    config = manifest.json().get("config")
    return str(config.get("digest") or "") if isinstance(config, dict) else ""


def _check_config(
    platform: str,
    digest: str,
    manifest: Manifest,
    configs: Mapping[str, dict[str, Any]],
    labels: Mapping[str, str],
) -> PlatformCheck:
    config = configs.get(_config_digest(manifest), {})
    found = (config.get("config") or {}).get("Labels") or {}
    found = {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
    problems = []
    for name, value in labels.items():
        if name not in found:
            problems.append(f"label {name} is missing (expected {value})")
        elif found[name] != value:
            problems.append(f"label {name} is {found[name]!r} (expected {value!r})")
    shown = {k: found[k] for k in labels if k in found}
    return PlatformCheck(platform, digest, shown, tuple(problems))


def _same_digest(targets: Sequence[Target], checks: list[RefCheck]) -> list[RefCheck]:
    """Every tag of one image names one digest (version, channel and latest agree)."""
    out = list(checks)
    for target in targets:
        mine = [i for i, c in enumerate(out) if c.ref in target.refs and c.digest]
        digests = {out[i].digest for i in mine}
        if len(digests) > 1:
            first = out[mine[0]]
            for i in mine[1:]:
                if out[i].digest != first.digest:
                    problem = f"names {out[i].digest}, but {first.ref} names {first.digest}"
                    out[i] = RefCheck(out[i].ref, out[i].digest, out[i].media_type, out[i].platforms,
                                      (*out[i].problems, problem), out[i].where)  # fmt: skip
    return out


def describe(check: RefCheck) -> list[str]:
    """Report lines: the reference, then one line per platform."""
    kind = {"application/vnd.oci.image.index.v1+json": "OCI index",
            "application/vnd.docker.distribution.manifest.list.v2+json": "Docker manifest list",
            }.get(check.media_type, "single manifest" if check.digest else "")  # fmt: skip
    verdict = "OK" if check.ok else "MISMATCH"
    head = f"{verdict:<8} {check.ref} {check.digest or '-'}" + (f" ({kind})" if kind else "")
    lines = [head, *(f"         {p}" for p in check.problems)]
    for p in check.platforms:
        shown = " ".join(f"{k}={v}" for k, v in p.labels.items())
        mark = "OK" if not p.problems else "MISMATCH"
        lines.append(f"  {mark:<8} {p.platform} {p.digest or '-'} {shown}".rstrip())
        lines += [f"           {q}" for q in p.problems]
    return lines


def as_json(check: RefCheck) -> dict[str, Any]:
    return {
        "reference": str(check.ref),
        "ok": check.ok,
        "digest": check.digest,
        "media_type": check.media_type,
        "expected_at": check.where,
        "problems": list(check.problems),
        "platforms": [
            {
                "platform": p.platform,
                "digest": p.digest,
                "labels": p.labels,
                "problems": list(p.problems),
            }
            for p in check.platforms
        ],
    }
