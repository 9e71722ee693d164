"""The facts of a release that the notes state, gathered from the config and the world.

- images: every configured image reference with the digest the registry serves for it and
  the platforms of its index (left out, with a note, when the registry cannot be asked);
- charts: their OCI references and versions, and the exact ``helm install`` and
  ``helm upgrade`` commands (seed 000's Installation);
- verification: the ``cosign verify``, ``cosign verify-blob``, ``sha256sum --check`` and
  ``gh attestation verify`` commands a user runs, built from the artifacts section (seed 001);
- CRD changes since the previous release (verify.crd-changes' comparison), with the reminder
  that ``helm upgrade`` does not update CRDs.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..common.errors import CommandError, ReleaseError, UsageError
from .config import NotesConfig

if TYPE_CHECKING:
    from ..config import Config
    from ..helm.crd_changes import CrdChange
    from ..tags.schemes import ParsedTag

HELM_UPGRADE_REMINDER = "`helm upgrade` does not update CRDs: apply the new CRDs before upgrading"
_BREAKING_CRD = frozenset({"crd-removed", "version-removed", "field-removed"})


def command(argv: Sequence[str], width: int = 80) -> str:
    """A shell command; a long one with an option per continuation line, as the seeds write."""
    words = [shlex.quote(a) for a in argv]
    if len(" ".join(words)) <= width:
        return " ".join(words)
    lines: list[str] = []
    for word in words:
        if word.startswith("--") or not lines:
            lines.append(word)
        else:
            lines[-1] += " " + word
    return " \\\n  ".join(lines)


@dataclass(frozen=True)
class Image:
    reference: str
    digest: str | None = None
    platforms: tuple[tuple[str, str], ...] = ()  # (platform, manifest digest)

    def as_json(self) -> dict[str, Any]:
        return {"reference": self.reference, "digest": self.digest,
                "platforms": [{"platform": p, "digest": d} for p, d in self.platforms]}  # fmt: skip


@dataclass(frozen=True)
class ChartFact:
    release: str
    reference: str
    version: str
    namespace: str

    @property
    def install(self) -> str:
        return command(["helm", "install", self.release, self.reference, "--version",
                        self.version, "--namespace", self.namespace, "--create-namespace"])  # fmt: skip

    @property
    def upgrade(self) -> str:
        return command(["helm", "upgrade", self.release, self.reference, "--version",
                        self.version, "--namespace", self.namespace])  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        return {"release": self.release, "reference": self.reference, "version": self.version,
                "namespace": self.namespace, "install": self.install, "upgrade": self.upgrade}  # fmt: skip


@dataclass(frozen=True)
class Verification:
    title: str
    commands: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "commands": list(self.commands)}


@dataclass(frozen=True)
class CrdFacts:
    changes: tuple[str, ...]
    breaking: bool
    reminder: str
    upgrade_guide: str | None

    def as_json(self) -> dict[str, Any]:
        return {"changes": list(self.changes), "breaking": self.breaking,
                "reminder": self.reminder, "upgrade_guide": self.upgrade_guide}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    images: tuple[Image, ...] = ()
    charts: tuple[ChartFact, ...] = ()
    verification: tuple[Verification, ...] = ()
    crd: CrdFacts | None = None
    compare_url: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)  # said on stderr, not in the notes

    def as_json(self) -> dict[str, Any]:
        return {
            "images": [i.as_json() for i in self.images],
            "charts": [c.as_json() for c in self.charts],
            "verification": [v.as_json() for v in self.verification],
            "crd": self.crd.as_json() if self.crd else None,
            "compare_url": self.compare_url,
        }


def fill(template: str, tag: str, version: str, previous: str | None = None) -> str:
    text = template.replace("{tag}", tag).replace("{version}", version)
    return text.replace("{previous}", previous or "")


# --- images ------------------------------------------------------------------------------


def image_facts(
    cfg: Config, tag: str, version: str, *, offline: bool
) -> tuple[list[Image], list[str]]:
    """The release's image references, with digests and platforms unless ``offline``."""
    if cfg.registry is None or not cfg.registry.images:
        return [], []
    from ..registry.images import platform_of
    from ..registry.run import registries_for
    from ..registry.targets import Release, targets_from

    release = Release(tag, version)
    targets = targets_from(cfg.registry, release)
    refs = [r for t in targets for r in t.refs if r.tag not in t.moving]
    if offline:
        return [Image(str(r)) for r in refs], []
    try:
        with registries_for(cfg, False) as registries:
            found = registries.map(
                lambda r: registries.client(r.api_host).manifest(r.repository, r.reference), refs
            )
    except CommandError as exc:
        return [Image(str(r)) for r in refs], [f"image digests left out of the notes: {exc}"]
    images, missing = [], []
    for ref, manifest in zip(refs, found, strict=True):
        if manifest is None:
            missing.append(str(ref))
            images.append(Image(str(ref)))
            continue
        children = manifest.children() if manifest.is_index else []
        platforms = tuple((platform_of(c), str(c.get("digest"))) for c in children
                          if platform_of(c) != "unknown/unknown")  # fmt: skip
        images.append(Image(str(ref), manifest.digest, platforms))
    notes = [f"{ref} is not in the registry yet; its digest is left out" for ref in missing]
    return images, notes


# --- charts ------------------------------------------------------------------------------


def _chart_version(cfg: Config, path: str, commit: str | None) -> tuple[str, str]:
    """(name, version) of the chart at ``path`` as committed in ``commit`` (else the tree)."""
    from ..common.git import read_at
    from ..helm.yamldocs import load_yaml_documents

    shown = f"{path.rstrip('/')}/Chart.yaml"
    try:
        text = read_at(cfg.root, commit, shown) if commit else (cfg.root / shown).read_text("utf-8")
    except (ReleaseError, OSError):
        text = (cfg.root / shown).read_text("utf-8") if (cfg.root / shown).is_file() else ""
    docs = load_yaml_documents(text, shown) if text else []
    meta = docs[0] if docs and isinstance(docs[0], dict) else {}
    if not meta.get("name") or not meta.get("version"):
        raise UsageError(
            f"{shown}: no chart name and version there; fix registry.charts or set notes.charts"
        )
    return str(meta["name"]), str(meta["version"])


def chart_facts(
    cfg: Config, notes: NotesConfig, tag: str, version: str, commit: str | None
) -> list[ChartFact]:
    """notes.charts, else every registry.charts entry with its helm.charts release name."""
    if notes.charts:
        return [ChartFact(c.release, c.reference, fill(c.version, tag, version), c.namespace)
                for c in notes.charts]  # fmt: skip
    if cfg.registry is None:
        return []
    rendering = {c.path.rstrip("/"): c for c in (cfg.helm.charts if cfg.helm else ())}
    facts = []
    for entry in cfg.registry.charts:
        name, chart_version = _chart_version(cfg, entry.path, commit)
        helm = rendering.get(entry.path.rstrip("/"))
        release = helm.release_name if helm and helm.release_name != "release-name" else name
        namespace = helm.namespace if helm else "default"
        reference = f"{entry.repository.rstrip('/')}/{name}"
        facts.append(ChartFact(release, reference, chart_version, namespace))
    return facts


# --- verification ------------------------------------------------------------------------


def verification_facts(cfg: Config, tag: str, version: str) -> list[Verification]:
    """The commands that check what the artifacts section says the release ships."""
    art = cfg.artifacts
    if art is None:
        return []
    from ..artifacts.assets import attested_files, render_name, signed_blobs
    from ..artifacts.report import render_identity

    out: list[Verification] = []
    signing = art.signing
    if signing is not None:
        identity, regexp = render_identity(signing, tag, version)
        who = (
            ["--certificate-identity", identity]
            if identity
            else ["--certificate-identity-regexp", regexp or ""]
        )
        who += ["--certificate-oidc-issuer", signing.issuer]
        images = [
            command(["cosign", "verify", render_name(i, tag, version), *who])
            for i in signing.images
        ]
        if images:
            out.append(Verification("Image signatures", tuple(images)))
        blobs = [command(["cosign", "verify-blob", b, "--bundle", render_name(signing.bundle, tag, version, file=b), *who])
                 for b in signed_blobs(art, tag, version)]  # fmt: skip
        if blobs:
            out.append(Verification("Signed files", tuple(blobs)))
    if art.checksums is not None:
        name = render_name(art.checksums, tag, version)
        out.append(
            Verification(
                "Checksums", (command(["sha256sum", "--check", "--ignore-missing", name]),)
            )
        )
    att = art.attestations
    repo = att.repo if att else None
    if att is not None and repo is None and signing is not None and signing.owner and signing.repo:
        repo = f"{signing.owner}/{signing.repo}"
    if att is not None and repo is not None:
        files = attested_files(art, tag, version)
        commands = tuple(command(["gh", "attestation", "verify", f, "--repo", repo]) for f in files)
        if commands:
            out.append(Verification("Provenance", commands))
    return out


# --- CRDs ----------------------------------------------------------------------------------


def is_breaking(change: CrdChange) -> bool:
    """Removals, and changes of a field's schema beyond its description."""
    if change.kind in _BREAKING_CRD:
        return True
    if change.kind == "field-changed":
        return change.detail.strip() != "description"
    return change.kind == "version-changed" and "served" in change.detail


def crd_facts(cfg: Config, notes: NotesConfig, previous: str | None, end: str,
              tag: str, version: str) -> CrdFacts | None:  # fmt: skip
    """CRD changes from the previous release to the release's commit; None without CRDs."""
    if previous is None:
        return None
    from ..helm.crd_changes import changes_between, crd_directory

    try:
        directory = crd_directory(cfg)
    except UsageError:  # the project has no CRDs
        return None
    changes = changes_between(
        cfg.root, directory, previous, end, schema_only=False, allow_empty=True
    )
    if not changes:
        return None
    guide = fill(notes.upgrade_guide, tag, version, previous) if notes.upgrade_guide else None
    return CrdFacts(tuple(c.describe() for c in changes), any(is_breaking(c) for c in changes),
                    HELM_UPGRADE_REMINDER, guide)  # fmt: skip


# --- all of them ---------------------------------------------------------------------------


def compare_url(
    cfg: Config, notes: NotesConfig, tag: str, version: str, previous: str | None
) -> str | None:
    if previous is None:
        return None
    if notes.compare_url is not None:
        return fill(notes.compare_url, tag, version, previous)
    if cfg.forge is not None:
        return f"{cfg.forge.repository_url()}/compare/{previous}...{tag}"
    return None


def gather(cfg: Config, notes: NotesConfig, tag: ParsedTag, end: str, tagged: bool,
           previous: str | None, *, offline: bool,
           images: Callable[..., tuple[list[Image], list[str]]] = image_facts) -> Facts:  # fmt: skip
    """Every fact of the release; what could not be asked is a note, never a made-up value."""
    version = str(tag.version)
    found, said = images(cfg, tag.tag, version, offline=offline)
    return Facts(
        images=tuple(found),
        charts=tuple(chart_facts(cfg, notes, tag.tag, version, end if tagged else None)),
        verification=tuple(verification_facts(cfg, tag.tag, version)),
        crd=crd_facts(cfg, notes, previous, end, tag.tag, version),
        compare_url=compare_url(cfg, notes, tag.tag, version, previous),
        notes=tuple(said),
    )
