"""The asset matrix: the exact file list a release tag must ship, and a check of a directory."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..common.errors import ConfigError
from .checksums import read_checksum_file
from .config import ArtifactsConfig

AssetKind = Literal["archive", "file", "checksums", "bundle", "sbom"]
ProblemKind = Literal[
    "missing", "unexpected", "not-in-checksums", "listed-but-absent", "invalid-sbom"
]


@dataclass(frozen=True)
class Asset:
    name: str
    kind: AssetKind
    platform: str | None = None


def render_name(
    template: str,
    tag: str,
    version: str,
    *,
    os: str = "",
    arch: str = "",
    ext: str = "",
    file: str = "",
) -> str:
    """Fill the placeholders of an asset template (plain replacement: names may hold braces)."""
    values = {"{tag}": tag, "{version}": version, "{os}": os, "{arch}": arch, "{ext}": ext}
    values["{file}"] = file
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _primary_assets(cfg: ArtifactsConfig, tag: str, version: str) -> list[Asset]:
    """The archives, the extra files and the checksums file (no bundles)."""
    assets: list[Asset] = []
    if cfg.matrix is not None:
        m = cfg.matrix
        for os_name, arch in m.pairs:
            ext = m.extensions.get(os_name, m.extensions.get("default", ""))
            name = render_name(m.name, tag, version, os=os_name, arch=arch, ext=ext)
            assets.append(Asset(name, "archive", f"{os_name}/{arch}"))
    for template in cfg.files:
        assets.append(Asset(render_name(template, tag, version), "file"))
    from .sbom import sbom_names

    for name in sbom_names(cfg, tag, version):
        if all(a.name != name for a in assets):
            assets.append(Asset(name, "sbom"))
    if cfg.checksums is not None:
        name = render_name(cfg.checksums, tag, version)
        if all(a.name != name for a in assets):
            assets.append(Asset(name, "checksums"))
        else:
            assets = [Asset(a.name, "checksums") if a.name == name else a for a in assets]
    return assets


def expected_assets(cfg: ArtifactsConfig, tag: str, version: str) -> list[Asset]:
    """Every file the release of ``tag`` must contain, in a stable order."""
    assets = _primary_assets(cfg, tag, version)
    names = [a.name for a in assets]
    bundles: list[str] = []
    if cfg.signing is not None:
        for blob in signed_blobs(cfg, tag, version):
            bundles.append(render_name(cfg.signing.bundle, tag, version, file=blob))
    if cfg.attestations is not None:
        for attested in attested_files(cfg, tag, version):
            bundles.append(render_name(cfg.attestations.bundle, tag, version, file=attested))
    for bundle in dict.fromkeys(bundles):
        if bundle not in names:
            assets.append(Asset(bundle, "bundle"))
    _refuse_duplicates(cfg, [a.name for a in assets])
    return assets


def _refuse_duplicates(cfg: ArtifactsConfig, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(
                f"{cfg.origin}: artifacts renders {name!r} twice; make the names distinct"
            )
        seen.add(name)


def _select(patterns: tuple[str, ...], names: list[str], tag: str, version: str) -> list[str]:
    chosen: list[str] = []
    for pattern in patterns:
        rendered = render_name(pattern, tag, version)
        chosen += [n for n in names if fnmatch.fnmatchcase(n, rendered) and n not in chosen]
    return chosen


def unmatched_patterns(
    cfg: ArtifactsConfig, patterns: tuple[str, ...], tag: str, version: str
) -> list[str]:
    """The rendered patterns that select no release file (their check would silently not run)."""
    names = [a.name for a in _primary_assets(cfg, tag, version)]
    rendered = [render_name(p, tag, version) for p in patterns]
    return [p for p in rendered if not any(fnmatch.fnmatchcase(n, p) for n in names)]


def signed_blobs(cfg: ArtifactsConfig, tag: str, version: str) -> list[str]:
    """The release files that carry a Sigstore signature bundle."""
    if cfg.signing is None:
        return []
    return _select(
        cfg.signing.blobs, [a.name for a in _primary_assets(cfg, tag, version)], tag, version
    )


def attested_files(cfg: ArtifactsConfig, tag: str, version: str) -> list[str]:
    """The release files that carry a provenance attestation."""
    if cfg.attestations is None:
        return []
    return _select(
        cfg.attestations.files, [a.name for a in _primary_assets(cfg, tag, version)], tag, version
    )


@dataclass(frozen=True)
class AssetProblem:
    kind: ProblemKind
    name: str
    message: str
    path: str | None = None  # the file the problem is in or about, as shown
    line: int | None = None


@dataclass(frozen=True)
class AssetReport:
    directory: str
    expected: tuple[Asset, ...]
    present: tuple[str, ...]
    problems: tuple[AssetProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _present_files(directory: Path) -> list[str]:
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )


def check_assets(
    cfg: ArtifactsConfig,
    directory: Path,
    tag: str,
    version: str,
    display: str | None = None,
    *,
    sboms: bool = True,
) -> AssetReport:
    """Compare ``directory`` with the expected list and with the checksums file.

    Reports expected files that are missing, files nobody expects (minus ``ignore`` globs),
    release files the checksums file does not cover, checksum lines naming absent files and,
    with ``sboms``, SBOMs that are not valid SPDX or CycloneDX.

    Raises:
        SbomValidatorMissing: SBOMs are configured and their validators are not installed.
    """
    shown = display or directory.as_posix()
    expected = expected_assets(cfg, tag, version)
    present = _present_files(directory) if directory.is_dir() else []
    problems: list[AssetProblem] = []
    if not directory.is_dir():
        problems.append(
            AssetProblem(
                "missing", shown, f"{shown}: no such directory; download the assets", shown
            )
        )
    expected_names = {a.name for a in expected}
    for asset in expected:
        if asset.name not in present and directory.is_dir():
            where = f" ({asset.platform})" if asset.platform else ""
            problems.append(
                AssetProblem(
                    "missing",
                    asset.name,
                    f"{shown}/{asset.name}: missing{where}",
                    f"{shown}/{asset.name}",
                )
            )
    from .sbom import check_sboms, matched_by_globs

    for name in present:
        if name in expected_names or any(fnmatch.fnmatchcase(name, g) for g in cfg.ignore):
            continue
        if matched_by_globs(cfg, tag, version, name):
            continue
        problems.append(
            AssetProblem(
                "unexpected",
                name,
                f"{shown}/{name}: not in the asset matrix for {tag}; remove it, or add it to "
                "artifacts.files (or artifacts.ignore)",
                f"{shown}/{name}",
            )
        )
    checksums = next((a for a in expected if a.kind == "checksums"), None)
    if checksums is not None and checksums.name in present:
        listing = read_checksum_file(directory / checksums.name, f"{shown}/{checksums.name}")
        # "./name" (as `sha256sum ./*` writes) is the same file as "name".
        listed = {posixpath.normpath(e.display_name) for e in listing.entries}
        for asset in expected:
            if asset.kind in ("archive", "file", "sbom") and asset.name not in listed:
                problems.append(
                    AssetProblem(
                        "not-in-checksums",
                        asset.name,
                        f"{shown}/{checksums.name}: does not list {asset.name}",
                        f"{shown}/{checksums.name}",
                    )
                )
        for entry in listing.entries:
            if posixpath.normpath(entry.display_name) not in present:
                problems.append(
                    AssetProblem(
                        "listed-but-absent",
                        entry.display_name,
                        f"{shown}/{checksums.name}:{entry.line}: lists {entry.display_name}, "
                        f"which is not in {shown}",
                        f"{shown}/{checksums.name}",
                        entry.line,
                    )
                )
    for result in (
        check_sboms(cfg, directory, shown, tag, version) if sboms and directory.is_dir() else []
    ):
        if result.problems and not result.problems[0].endswith("the release ships this SBOM"):
            detail = "; ".join(result.problems)
            problems.append(
                AssetProblem(
                    "invalid-sbom",
                    result.name,
                    f"{result.name}: not a valid {result.format or 'SBOM'}: {detail}",
                )
            )
    return AssetReport(shown, tuple(expected), tuple(present), tuple(problems))
