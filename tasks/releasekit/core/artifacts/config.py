"""The ``artifacts:`` section of releasekit.yaml: what a tag ships and how verify.assets and
verify.artifacts check it."""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated, Literal

from msgspec import Meta

from ..common.excerpt import excerpt
from ..common.section import FieldError, Section, Text, inside_repo, once

ASSET_PLACEHOLDERS = ("{tag}", "{version}", "{os}", "{arch}", "{ext}")


def asset_template(key: str, text: str) -> None:
    """An asset name or glob whose placeholders are all known ones."""
    for token in re.findall(r"\{[^{}]*\}", text):
        if token not in ASSET_PLACEHOLDERS and token != "{file}":
            raise FieldError(
                key,
                f"has unknown placeholder {token if len(token) <= 40 else token[:40] + '…'}; use "
                + ", ".join(ASSET_PLACEHOLDERS),
            )


def _asset_templates(key: str, texts: tuple[str, ...]) -> None:
    for index, text in enumerate(texts):
        asset_template(f"{key}[{index}]", text)


_MATRIX_NEEDS = "name (e.g. 'krt_{tag}_{os}_{arch}.{ext}') and platforms"


class AssetMatrix(Section, frozen=True):
    """One archive per platform: krt_{tag}_{os}_{arch}.{ext} over platforms."""

    name: Annotated[
        Text,
        Meta(
            description="The archive name: {tag} {version} {os} {arch} {ext}.",
            examples=["krt_{tag}_{os}_{arch}.{ext}"],
            extra={"needs": _MATRIX_NEEDS},
        ),
    ]
    platforms: Annotated[
        tuple[Text, ...],
        Meta(
            description="os/arch pairs, e.g. linux/amd64.",
            examples=[
                ["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"]
            ],
            extra={"needs": _MATRIX_NEEDS},
        ),
    ]
    ext: Annotated[
        Text | dict[str, Text],
        Meta(
            description="The archive extension ({ext}): a string, or a mapping per OS with a default.",
            examples=[{"default": "tar.gz", "windows": "zip"}],
        ),
    ] = ""

    def __post_init__(self) -> None:
        asset_template("name", self.name)
        if "{os}" not in self.name or "{arch}" not in self.name:
            raise FieldError("name", f"must contain {{os}} and {{arch}}, got {excerpt(self.name)}")
        for index, text in enumerate(self.platforms):
            if text.count("/") != 1 or not all(text.split("/")):
                raise FieldError(
                    f"platforms[{index}]", f"must be os/arch like linux/amd64, got {excerpt(text)}"
                )
        if isinstance(self.ext, dict):
            known = {"default", *(os_name for os_name, _ in self.pairs)}
            for os_name in self.ext:
                if os_name not in known:
                    raise FieldError(
                        f"ext.{os_name}",
                        "is not an OS of platforms; known keys here: " + ", ".join(sorted(known)),
                    )
        ext = self.extensions
        if (
            "{ext}" in self.name
            and "default" not in ext
            and any(o not in ext for o, _ in self.pairs)
        ):
            raise FieldError("name", "uses {ext}: give ext (a string, or a mapping with default)")

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``platforms`` as (os, arch) pairs."""
        return tuple((p.split("/")[0], p.split("/")[1]) for p in self.platforms)

    @property
    def extensions(self) -> dict[str, str]:
        """``ext`` as a mapping from OS (or "default") to extension."""
        if isinstance(self.ext, str):
            return {"default": self.ext} if self.ext else {}
        return dict(self.ext)


class SigningConfig(Section, frozen=True):
    """Keyless Sigstore signatures. The identity is exact, or identity_regexp (which must match
    the WHOLE certificate SAN); without either it is
    https://github.com/{owner}/{repo}/.github/workflows/{workflow}@refs/tags/{tag}."""

    identity: Annotated[
        Text | None,
        Meta(
            description="The exact certificate identity (SAN).",
            examples=["https://github.com/acme/krt/.github/workflows/release.yml@refs/tags/{tag}"],
            extra={"starter": "comment"},
        ),
    ] = None
    identity_regexp: Annotated[
        Text | None,
        Meta(
            description="A regular expression the whole SAN must match ({tag} etc. match literally).",
            examples=["^https://github.com/acme/krt/\\.github/workflows/.+@refs/tags/{tag}$"],
            extra={"starter": "comment"},
        ),
    ] = None
    issuer: Annotated[Text, Meta(description="The OIDC issuer of the signing certificate.")] = (
        "https://token.actions.githubusercontent.com"
    )
    owner: Annotated[
        Text | None, Meta(description="GitHub owner of the signing workflow.", examples=["acme"])
    ] = None
    repo: Annotated[
        Text | None,
        Meta(description="GitHub repository of the signing workflow.", examples=["krt"]),
    ] = None
    workflow: Annotated[
        Text | None, Meta(description="The signing workflow's file name.", examples=["release.yml"])
    ] = None
    blobs: Annotated[
        tuple[Text, ...],
        Meta(
            description="Files signed with `cosign sign-blob --bundle {file}.sigstore.json` (globs over the assets).",
            examples=[["krt_{tag}_checksums.txt"]],
        ),
    ] = ()
    bundle: Annotated[
        Text, Meta(description="The bundle next to each signed file; {file} is its name.")
    ] = "{file}.sigstore.json"
    images: Annotated[
        tuple[Text, ...],
        Meta(
            description="Images verified with `cosign verify` (needs cosign on PATH; fails closed without it).",
            examples=[["ghcr.io/acme/krt-controller:{version}"]],
        ),
    ] = ()

    def __post_init__(self) -> None:
        if self.identity is not None and self.identity_regexp is not None:
            raise ValueError("takes identity or identity_regexp, not both")
        if self.identity is None and self.identity_regexp is None:
            missing = [k for k in ("owner", "repo", "workflow") if getattr(self, k) is None]
            if missing:
                raise ValueError(
                    "needs identity, identity_regexp, or owner + repo + workflow (the identity is "
                    "then https://github.com/{owner}/{repo}/.github/workflows/{workflow}@refs/tags/"
                    "{tag}); missing " + ", ".join(missing)
                )
        _asset_templates("blobs", self.blobs)
        once("bundle", self.bundle, "{file}")


class AttestationsConfig(Section, frozen=True):
    """Provenance attestations (`gh attestation download` bundles), checked offline."""

    files: Annotated[
        tuple[Text, ...],
        Meta(
            description="Globs over the expected assets that carry an attestation.",
            examples=[["krt_{tag}_*.tar.gz"]],
        ),
    ] = ()
    bundle: Annotated[
        Text, Meta(description="The bundle next to each attested file; {file} is its name.")
    ] = "{file}.sigstore.json"
    repo: Annotated[
        Text | None,
        Meta(
            description="owner/name the artifacts were built from (default: signing.owner/signing.repo).",
            examples=["acme/krt"],
        ),
    ] = None
    signer_workflow: Annotated[
        Text | None,
        Meta(
            description="The workflow that signed, [host/]owner/repo/.github/workflows/file.yml.",
            examples=["acme/krt/.github/workflows/release.yml"],
            extra={"starter": "comment"},
        ),
    ] = None
    predicate_type: Annotated[
        Text, Meta(description="The in-toto predicate type the attestation must carry.")
    ] = "https://slsa.dev/provenance/v1"

    def __post_init__(self) -> None:
        _asset_templates("files", self.files)
        once("bundle", self.bundle, "{file}")
        if self.repo is not None and self.repo.count("/") != 1:
            raise FieldError("repo", f"must be owner/name, got {excerpt(self.repo)}")


SBOM_FORMATS = ("auto", "spdx", "cyclonedx")


class Sbom(Section, frozen=True):
    """One SBOM file (or glob) of the release, validated by verify.assets and verify.artifacts."""

    file: Annotated[
        Text,
        Meta(
            description="A name or glob in artifacts.dir ({tag}, {version}).",
            examples=["sbom-{tag}.spdx.json"],
            extra={"needs": "file (e.g. 'sbom-{tag}.spdx.json')"},
        ),
    ]
    format: Annotated[
        Literal["auto", "spdx", "cyclonedx"],
        Meta(
            description="spdx (SPDX 2.x JSON), cyclonedx (CycloneDX JSON) or auto (from the "
            "document: spdxVersion or bomFormat).",
            extra={"expected": "one of auto, spdx, cyclonedx"},
        ),
    ] = "auto"

    def __post_init__(self) -> None:
        unknown = [
            p for p in re.findall(r"\{[^{}]*\}", self.file) if p not in ("{tag}", "{version}")
        ]
        if unknown:
            raise FieldError(
                "file", f"has unknown placeholder {unknown[0][:40]}; use {{tag}}, {{version}}"
            )
        if "/" in self.file:
            raise FieldError(
                "file", f"must be a file name in artifacts.dir, got {excerpt(self.file)}"
            )


class ArtifactsConfig(Section, frozen=True):
    """Release assets: what a tag ships and how verify.assets / verify.artifacts check it.
    Templates take {tag} and {version} ({os}, {arch}, {ext} in matrix.name; {file} in bundle names)."""

    dir: Annotated[
        Text,
        Meta(
            description="Where the assets are built or downloaded, relative to the repository root."
        ),
    ] = "dist"
    matrix: Annotated[AssetMatrix | None, Meta(description="One archive per platform.")] = None
    files: Annotated[
        tuple[Text, ...],
        Meta(
            description="Other files of the release (install manifests, SBOMs, ...).",
            examples=[["install.yaml", "krt_{tag}.sbom.spdx.json"]],
        ),
    ] = ()
    checksums: Annotated[
        Text | None,
        Meta(
            description="The GNU sha256sum checksums file; every archive and file above must be listed in it.",
            examples=["krt_{tag}_checksums.txt"],
        ),
    ] = None
    ignore: Annotated[
        tuple[Text, ...],
        Meta(
            description="Globs of files in dir that are neither expected nor an error.",
            examples=[["*.log"]],
        ),
    ] = ()
    signing: Annotated[SigningConfig | None, Meta(description="Keyless Sigstore signatures.")] = (
        None
    )
    attestations: Annotated[
        AttestationsConfig | None, Meta(description="Provenance attestations, checked offline.")
    ] = None
    sboms: Annotated[
        tuple[Sbom, ...],
        Meta(
            description="SBOM files of the release, validated as SPDX or CycloneDX JSON offline "
            "(extra: pip install 'releasekit[sbom]').",
            examples=[[{"file": "sbom-{tag}.spdx.json", "format": "spdx"}]],
        ),
    ] = ()

    def __post_init__(self) -> None:
        inside_repo("dir", self.dir)
        _asset_templates("files", self.files)
        if self.checksums is not None:
            asset_template("checksums", self.checksums)
