"""release.manifest and verify.manifest: the suite's manifest, built from the world and checked
against it again.

Each module's version comes from the config or its newest module tag reachable from the
suite release; its image reference is resolved in the registry to the index digest and the
digest of every platform; charts, CLI archives and the checksums file are hashed where they
lie (artifacts.dir). verify.manifest re-asks the registry and re-hashes every file.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import ConfigError, FileFormatError, ReleaseError
from ..config import Config
from .config import ManifestConfig


def section(cfg: Config) -> ManifestConfig:
    if cfg.manifest is None:
        from ..common.starters import STARTER_DOCS

        raise ConfigError(
            f"{cfg.where()}: no manifest section; add one (modules, image; every key: {STARTER_DOCS})"
        )
    return cfg.manifest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Suite:
    version: str
    tag: str
    codename: str | None
    channel: str
    commit: str | None  # None: the tag does not exist yet (HEAD is used)


def suite_release(cfg: Config, version: str, codename: str, channel: str) -> Suite:
    """The suite tag of ``version`` (its codename and channel from the tag), else the flags."""
    from ..common.git import resolve_commit, tag_refs
    from ..notes.run import scheme_of

    scheme = scheme_of(cfg)
    found = [
        p for p in scheme.releases(r.name for r in tag_refs(cfg.root)) if str(p.version) == version
    ]
    if found:
        tag = found[0]
        return Suite(
            version,
            tag.tag,
            tag.parts.get("codename"),
            tag.channel,
            resolve_commit(cfg.root, tag.tag),
        )
    from ..tags.schemes import parse_any_version

    parts = {"codename": codename, "channel": channel}
    tag_name = scheme.render(
        parse_any_version(scheme.versioning, version), {k: v for k, v in parts.items() if v}
    )
    return Suite(version, tag_name, codename or None, channel or "edge", None)


def module_version(cfg: Config, template: str, name: str, commit: str) -> str:
    """The newest release of a module tagged ``template`` that ``commit`` contains."""
    from ..notes.previous import tags_merged_into
    from ..tags.schemes import TagScheme

    scheme = TagScheme(template.replace("{module}", name))
    releases = scheme.releases(t for t, _ in tags_merged_into(cfg.root, commit))
    stable = [r for r in releases if not r.is_prerelease] or releases
    if not stable:
        raise ReleaseError(
            f"module {name} has no release tag ({template.replace('{module}', name)}) in the suite "
            "release's history; tag it first or give its version in manifest.modules"
        )
    return str(stable[0].version)


def _chart(path: Path, shown: str) -> dict[str, Any]:
    from ..helm.yamldocs import load_yaml_documents

    try:
        with tarfile.open(path, "r:gz") as archive:
            member = next(
                (
                    m
                    for m in archive.getmembers()
                    if m.name.count("/") == 1 and m.name.endswith("/Chart.yaml")
                ),
                None,
            )
            handle = archive.extractfile(member) if member else None
            meta = (
                load_yaml_documents(handle.read().decode("utf-8"), f"{shown}:Chart.yaml")[0]
                if handle
                else {}
            )
    except (OSError, tarfile.TarError, UnicodeDecodeError) as exc:
        raise FileFormatError(
            f"{shown}: not a chart package ({exc}); package it with release.package-chart"
        ) from None
    if not isinstance(meta, dict) or "name" not in meta:
        raise FileFormatError(f"{shown}: no Chart.yaml with a name in the package")
    return {"file": path.name, "name": str(meta["name"]), "version": str(meta.get("version", "")),
            "sha256": sha256_file(path)}  # fmt: skip


def _file(directory: Path, name: str, manifest_dir: Path, key: str = "file") -> dict[str, Any]:
    path = directory / name
    if not path.is_file():
        raise ReleaseError(f"{path}: missing; build the release assets before writing the manifest")
    return {key: Path(os.path.relpath(path, manifest_dir)).as_posix(), "sha256": sha256_file(path)}


def build(
    cfg: Config, suite: Suite, manifest_path: Path, *, plain_http: bool = False
) -> dict[str, Any]:
    """The manifest's data (see the module docstring).

    Raises:
        CommandError: the registry cannot be asked; ReleaseError: a file or image is missing.
    """
    from ..artifacts.assets import expected_assets, render_name
    from ..common.git import resolve_commit
    from ..registry.images import platform_of
    from ..registry.refs import parse_reference
    from ..registry.run import registries_for

    man = section(cfg)
    commit = suite.commit or resolve_commit(cfg.root, "HEAD")
    directory = cfg.root / (cfg.artifacts.dir if cfg.artifacts else "dist")
    where = manifest_path.parent
    modules: dict[str, Any] = {}
    with registries_for(cfg, plain_http) as registries:
        for module in man.modules:
            version = module.version or module_version(cfg, man.module_tag, module.name, commit)
            template = module.image or man.image or ""
            ref = parse_reference(
                template.replace("{module}", module.name).replace("{version}", version)
            )
            found = registries.client(ref.api_host).manifest(ref.repository, ref.reference)
            if found is None:
                raise ReleaseError(
                    f"{ref} is not in the registry; push module {module.name} {version} first"
                )
            platforms = (
                {platform_of(c): str(c["digest"]) for c in found.children()}
                if found.is_index
                else {}
            )
            modules[module.name] = {"version": version,
                                    "image": {"reference": str(ref), "digest": found.digest, "platforms": platforms}}  # fmt: skip
    tag, version = suite.tag, suite.version
    charts = [
        _chart(
            directory / render_name(c, tag, version),
            f"{directory.name}/{render_name(c, tag, version)}",
        )
        for c in man.charts
    ]
    for chart in charts:
        chart["file"] = Path(os.path.relpath(directory / chart["file"], where)).as_posix()
    archives = [render_name(c, tag, version) for c in man.cli] if man.cli is not None else [
        a.name for a in expected_assets(cfg.artifacts, tag, version) if a.kind == "archive"] if cfg.artifacts else []  # fmt: skip
    platform_of_file = (
        {a.name: a.platform for a in expected_assets(cfg.artifacts, tag, version)}
        if cfg.artifacts
        else {}
    )
    cli = [
        _file(directory, n, where)
        | ({"platform": platform_of_file[n]} if platform_of_file.get(n) else {})
        for n in archives
    ]
    sums = man.checksums or (cfg.artifacts.checksums if cfg.artifacts else None)
    data: dict[str, Any] = {
        "suite": {"version": version, "tag": tag, "codename": suite.codename, "channel": suite.channel, "commit": commit},
        "modules": modules, "charts": charts, "cli": cli,
    }  # fmt: skip
    if sums:
        data["checksums"] = _file(directory, render_name(sums, tag, version), where)
    return data


def manifest_path(cfg: Config, suite: Suite) -> str:
    text = section(cfg).path
    for key, value in (("{version}", suite.version), ("{tag}", suite.tag),
                       ("{codename}", suite.codename or ""), ("{channel}", suite.channel)):  # fmt: skip
        text = text.replace(key, value)
    return text


# --- verify.manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    subject: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK      ' if self.ok else 'MISMATCH'} {self.subject}: {self.detail}"


def _files(data: dict[str, Any]) -> list[dict[str, Any]]:
    listed = [*(data.get("charts") or []), *(data.get("cli") or [])]
    return listed + ([data["checksums"]] if isinstance(data.get("checksums"), dict) else [])


def verify(cfg: Config, path: Path, shown: str, *, plain_http: bool = False) -> list[Check]:
    """Every entry of the manifest at ``path`` against the registry and the files beside it.

    Raises:
        FileFormatError: not a manifest; CommandError: the registry cannot be asked.
    """
    from ..common.textfile import read_text
    from ..registry.images import platform_of
    from ..registry.refs import parse_reference
    from ..registry.run import registries_for
    from .serialize import load

    data = load(read_text(path, shown), shown)
    if not isinstance(data, dict) or not isinstance(data.get("modules", {}), dict):
        raise FileFormatError(
            f"{shown}: not a release manifest (no modules mapping); write one with release.manifest"
        )
    checks: list[Check] = []
    with registries_for(cfg, plain_http) as registries:
        for name, module in sorted(data.get("modules", {}).items()):
            image = module.get("image") or {}
            ref = parse_reference(str(image.get("reference", "")))
            found = registries.client(ref.api_host).manifest(ref.repository, ref.reference)
            want = image.get("digest")
            got = found.digest if found else None
            checks.append(
                Check(
                    f"module {name} {ref}",
                    got == want,
                    f"{got or 'not in the registry'}"
                    + ("" if got == want else f" (manifest says {want})"),
                )
            )
            children = (
                {platform_of(c): str(c["digest"]) for c in found.children()}
                if found and found.is_index
                else {}
            )
            for platform, digest in sorted((image.get("platforms") or {}).items()):
                have = children.get(platform)
                checks.append(
                    Check(
                        f"module {name} {platform}",
                        have == digest,
                        f"{have or 'missing from the index'}"
                        + ("" if have == digest else f" (manifest says {digest})"),
                    )
                )
    for entry in _files(data):
        file = path.parent / str(entry.get("file", ""))
        if not file.is_file():
            checks.append(Check(str(entry.get("file")), False, f"missing next to {shown}"))
            continue
        got = sha256_file(file)
        checks.append(
            Check(
                str(entry["file"]),
                got == entry.get("sha256"),
                f"sha256 {got}"
                + ("" if got == entry.get("sha256") else f" (manifest says {entry.get('sha256')})"),
            )
        )
    if not checks:
        raise ReleaseError(f"{shown}: lists nothing to check")
    return checks
