"""The root model: every section of releasekit.yaml, each declared by the domain that owns it."""

# Annotations are objects here, not strings: see common/section.py.

from pathlib import Path
from typing import Annotated

from msgspec import Meta

from ..artifacts.config import ArtifactsConfig
from ..changelog.config import ChangelogConfig
from ..common.network import Network
from ..common.section import CONFIG_FILE
from ..common.starters import CONFIG_HINT
from ..docs.config import DocsConfig
from ..forge.config import ForgeConfig
from ..helm.config import HelmConfig
from ..manifest.config import ManifestConfig
from ..notes.config import NotesConfig
from ..pins.config import CitationConfig, PinsConfig
from ..procedure.config import PreflightConfig, ProcedureConfig
from ..registry.config import RegistryConfig
from ..tags.config import TagsConfig
from ..versioning.config import ReleaseSettings


class Settings(ReleaseSettings, frozen=True):
    """releasekit.yaml: one file at the repository root (or the same keys under ``releasekit:``
    in an invoke.yaml). Every key is optional; unknown keys are errors."""

    network: Annotated[
        Network | None,
        Meta(
            description="Network operations (git ls-remote/push to the remote, HTTP to registries "
            "and the Go proxy): each ends within timeout seconds, retries included.",
        ),
    ] = None
    tags: Annotated[
        TagsConfig | None,
        Meta(
            description="Tag schemes (SemVer/CalVer, channels), tag message, signing, hotfix "
            "branch, Go modules.",
            extra={"docs": "docs/tags.md#configuration-tags-in-releasekityaml"},
        ),
    ] = None
    helm: Annotated[
        HelmConfig | None,
        Meta(
            description="Charts to render and the images they may use, CRD pairs, CRD history table.",
            extra={"docs": "docs/helm.md#configuration-helm-in-releasekityaml"},
        ),
    ] = None
    changelog: Annotated[
        ChangelogConfig | None,
        Meta(
            description="Keep a Changelog file, sections, commit groups, template.",
            extra={"docs": "docs/changelog.md#configuration-releasekityaml"},
        ),
    ] = None
    artifacts: Annotated[
        ArtifactsConfig | None,
        Meta(
            description="Asset matrix, checksums file, signatures and attestations to verify.",
            extra={"docs": "docs/artifacts.md#configuration-releasekityaml"},
        ),
    ] = None
    registry: Annotated[
        RegistryConfig | None,
        Meta(
            description="Published images (tags, moving tags, platforms, labels, expected "
            "digests, promote source), charts in OCI repositories, plain-HTTP registries.",
            extra={"docs": "README.md#published-images-and-charts-registry"},
        ),
    ] = None
    pins: Annotated[
        PinsConfig | None,
        Meta(
            description="Where release.pin writes the tested value and release.unpin puts the "
            "development value back; keys set for a release and reverted after it.",
            extra={"docs": "docs/pins.md#configuration-pins-citation-and-docs"},
        ),
    ] = None
    citation: Annotated[
        CitationConfig | None,
        Meta(
            description="The CITATION.cff release.citation writes and verify.citation checks.",
            extra={"docs": "docs/pins.md#configuration-pins-citation-and-docs"},
        ),
    ] = None
    docs: Annotated[
        DocsConfig | None,
        Meta(
            description="What verify.docs checks: stale versions, docs that must change with "
            "their sources, compatibility tables.",
            extra={"docs": "docs/pins.md#configuration-pins-citation-and-docs"},
        ),
    ] = None
    notes: Annotated[
        NotesConfig | None,
        Meta(
            description="Release notes: the outline, entry sources and the facts they state "
            "(charts to install, upgrade guide, support level).",
            extra={"docs": "docs/notes.md#configuration"},
        ),
    ] = None
    forge: Annotated[
        ForgeConfig | None,
        Meta(
            description="Where releases and pull requests are made (GitHub or Gitea/Forgejo), "
            "the repository and the release assets.",
            extra={"docs": "docs/notes.md#configuration"},
        ),
    ] = None
    manifest: Annotated[
        ManifestConfig | None,
        Meta(
            description="A suite release's manifest (suite-{version}.yaml): modules, images, "
            "charts, CLI archives and the checksums file.",
            extra={"docs": "docs/notes.md#configuration"},
        ),
    ] = None
    procedure: Annotated[
        ProcedureConfig | None,
        Meta(
            description="The release procedure release.status and release.run follow: a "
            "built-in one (operator, go-modules, calver-suite, changelog-driven, promote) or your steps.",
            extra={"docs": "README.md#the-procedure-releasestatus-and-releaserun"},
        ),
    ] = None
    preflight: Annotated[
        PreflightConfig | None,
        Meta(
            description="What release.preflight runs before a tag: commands, the clean-tree "
            "check and the version probe.",
            extra={"docs": "README.md#the-procedure-releasestatus-and-releaserun"},
        ),
    ] = None


class Config(Settings, frozen=True):
    """The validated configuration of one repository: the settings, and where they came from.

    Built by :func:`.loader.load_config` (never decoded: ``root`` and ``source`` are not keys).
    """

    root: Path = Path()
    source: Path | None = None

    def where(self) -> str:
        """The config file for messages: its path relative to the root, or a hint."""
        if self.source is None:
            return f"{CONFIG_FILE} (not found; create it in {self.root} with: {CONFIG_HINT})"
        return str(self.source.relative_to(self.root))
