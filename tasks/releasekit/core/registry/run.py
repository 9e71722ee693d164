"""The arguments of a registry task, resolved: flag, else releasekit.yaml, else the default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..common.errors import UsageError
from ..common.network import settings
from .client import Registries
from .config import RegistryConfig
from .targets import Expected, Release, read_digests

if TYPE_CHECKING:
    from ..config import Config


def section(cfg: Config) -> RegistryConfig:
    return cfg.registry if cfg.registry is not None else RegistryConfig()


def release_for(cfg: Config, tag: str) -> Release:
    """The release a tag names; ``{commit}`` is the tag's commit, looked up on first use."""
    from ..common.git import resolve_commit
    from ..tags.schemes import version_from_tag

    if not tag:
        raise UsageError("give the release tag: --tag v0.1.8")
    version = str(version_from_tag(cfg.tag_format, tag))
    cache: dict[str, str] = {}

    def commit() -> str:
        if "sha" not in cache:
            cache["sha"] = resolve_commit(cfg.root, tag)
        return cache["sha"]

    return Release(tag, version, commit)


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
