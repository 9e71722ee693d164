"""verify.artifacts: every configured check for a release tag, gathered into one report."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import ConfigError, ReleaseError
from ..common.starters import STARTER_DOCS
from ..config import Config
from .assets import (
    AssetReport,
    attested_files,
    check_assets,
    render_name,
    signed_blobs,
    unmatched_patterns,
)
from .checksum_check import CheckOptions, check_checksums
from .checksums import read_checksum_file
from .config import ArtifactsConfig, SigningConfig
from .platforms import Selector

DEFAULT_IDENTITY = "https://github.com/{owner}/{repo}/.github/workflows/{workflow}@refs/tags/{tag}"


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    check: str
    subject: str
    ok: bool
    detail: str
    file: str | None = None
    line: int | None = None


def render_identity(
    signing: SigningConfig, tag: str, version: str
) -> tuple[str | None, str | None]:
    """The (identity, identity_regexp) pair for ``tag`` from the signing config."""

    def fill(text: str, quote: Callable[[str], str] = str) -> str:
        for key, value in (
            ("{owner}", signing.owner or ""),
            ("{repo}", signing.repo or ""),
            ("{workflow}", signing.workflow or ""),
            ("{tag}", tag),
            ("{version}", version),
        ):
            text = text.replace(key, quote(value))
        return text

    if signing.identity_regexp is not None:
        # The values are literal text: the '.' of v0.1.2 must not match any character.
        return None, fill(signing.identity_regexp, re.escape)
    return fill(signing.identity or DEFAULT_IDENTITY), None


def _versions(cfg: Config, version: str) -> list[Row]:
    from ..tags.config import tags_config
    from ..versioning.version_files import MissingTarget, check_versions
    from ..versioning.versions import calver_as_semver, parse_version

    if not cfg.version_files:
        return []
    missing: list[MissingTarget] = []
    calver = version if tags_config(cfg).versioning == "calver" else None
    expected = calver_as_semver(version) if calver else None
    checks = check_versions(cfg.root, cfg.version_files, expected or parse_version(version),
                            missing, calver)  # fmt: skip
    rows = [
        Row(
            "versions",
            m.path or str(m.target.origin),
            False,
            m.args[0],
            m.path or m.target.origin.source,
        )
        for m in missing
    ]
    for ch in checks:
        occ = ch.occurrence
        rows.append(
            Row(
                "versions",
                f"{occ.path}:{occ.line}",
                ch.ok,
                f"{occ.target.label}: {occ.found}"
                + ("" if ch.ok else f" (expected {ch.expected})"),
                occ.path,
                occ.line,
            )
        )
    return rows


def _shown(directory: Path, root: Path) -> str:
    try:
        return directory.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return directory.as_posix()


def _assets(
    art: ArtifactsConfig, directory: Path, tag: str, version: str, shown: str, keep: Selector
) -> list[Row]:
    report = sliced(check_assets(art, directory, tag, version, shown, sboms=False), keep)
    if report.ok:  # SBOMs: their own rows below
        return [Row("assets", report.directory, True, f"{len(report.expected)} expected files")]
    return [Row("assets", p.name, False, p.message) for p in report.problems]


def sliced(report: AssetReport, keep: Selector) -> AssetReport:
    """The report of one slice: its files, and the problems that name them (a missing
    directory is every slice's)."""
    from dataclasses import replace

    return replace(
        report,
        expected=tuple(a for a in report.expected if keep(a.name)),
        problems=tuple(p for p in report.problems if keep(p.name) or p.name == report.directory),
    )


def _checksums(
    art: ArtifactsConfig, directory: Path, tag: str, version: str, shown: str, keep: Selector
) -> list[Row]:
    from dataclasses import replace

    if art.checksums is None:
        return []
    name = render_name(art.checksums, tag, version)
    path = directory / name
    whole = keep(name)  # the slice the checksums file itself belongs to
    if not path.is_file():
        # A platform's slice needs it too: without it its files' sha256 go unchecked.
        why = "" if whole else " (the sha256 of this slice's files are listed there)"
        return [Row("checksums", name, False, f"{shown}/{name}: missing{why}")]
    listing = read_checksum_file(path, f"{shown}/{name}")
    # Each slice hashes only its own files (the point of splitting); the file's own
    # problems (misformatted lines, no lines at all) are its slice's.
    listed = len(listing.entries)
    listing = replace(listing, entries=tuple(e for e in listing.entries if keep(e.display_name)),
                      misformatted=listing.misformatted if whole else ())  # fmt: skip
    outcomes = (
        check_checksums(listing, directory, CheckOptions()).outcomes if listing.entries else ()
    )
    rows = [
        Row(
            "checksums",
            o.entry.display_name,
            o.status == "OK",
            "sha256 matches" if o.status == "OK" else f"{o.status}: {o.detail}",
            listing.source,
            o.entry.line,
        )
        for o in outcomes
    ]
    for number in listing.misformatted:
        rows.append(
            Row("checksums", name, False, "improperly formatted line", listing.source, number)
        )
    if not rows and whole and not listed:
        rows.append(Row("checksums", name, False, "no properly formatted checksum lines"))
    return rows


def _guard(check: str, subject: str, action: Callable[[], str]) -> Row:
    try:
        return Row(check, subject, True, action())
    except ReleaseError as exc:
        return Row(check, subject, False, str(exc))


def _unmatched(
    art: ArtifactsConfig, check: str, key: str, patterns: tuple[str, ...], tag: str, version: str
) -> list[Row]:
    """A failed row per pattern that selects no release file: a silent skip is not a pass."""
    return [
        Row(
            check,
            pattern,
            False,
            f"{art.origin}: {key} pattern {pattern!r} matches no release file of {tag}, so "
            "nothing was checked for it; fix the pattern (see verify.assets --print)",
            art.origin.source,
            art.origin.line,
        )
        for pattern in unmatched_patterns(art, patterns, tag, version)
    ]


def _signatures(
    art: ArtifactsConfig, directory: Path, tag: str, version: str, verifier: Any, keep: Selector,
    whole: bool,
) -> list[Row]:  # fmt: skip
    from .cosign import verify_image
    from .signatures import IdentityPolicy, verify_blob_bundle

    signing = art.signing
    if signing is None:
        return []
    identity, regexp = render_identity(signing, tag, version)
    policy = IdentityPolicy(identity=identity, identity_regexp=regexp, issuer=signing.issuer)
    rows = _unmatched(art, "signature", "artifacts.signing.blobs", signing.blobs, tag, version)
    rows = rows if whole else []
    for blob in filter(keep, signed_blobs(art, tag, version)):
        bundle = directory / render_name(signing.bundle, tag, version, file=blob)

        def check_blob(blob: str = blob, bundle: Path = bundle) -> str:
            result = verify_blob_bundle(directory / blob, bundle, policy, verifier())
            return f"signed by {result.identity}"

        rows.append(_guard("signature", blob, check_blob))
    for template in signing.images if whole else ():
        image = render_name(template, tag, version)

        def check_image(image: str = image) -> str:
            sigs = verify_image(image, policy)
            return f"{len(sigs)} signature(s) by {sigs[0].subject} ({sigs[0].digest})"

        rows.append(_guard("image-signature", image, check_image))
    return rows


def _attestations(
    art: ArtifactsConfig, directory: Path, tag: str, version: str, verifier: Any, keep: Selector,
    whole: bool,
) -> list[Row]:  # fmt: skip
    from .attestations import AttestationPolicy, verify_attestation
    from .signatures import IdentityPolicy

    att = art.attestations
    if att is None:
        return []
    repo = att.repo
    if repo is None and art.signing is not None and art.signing.owner and art.signing.repo:
        repo = f"{art.signing.owner}/{art.signing.repo}"
    identity = None
    if repo is None and att.signer_workflow is None:
        if art.signing is None:
            raise ConfigError(
                f"{art.origin}: artifacts.attestations needs repo or signer_workflow "
                "(or an artifacts.signing section)"
            )
        ident, regexp = render_identity(art.signing, tag, version)
        identity = IdentityPolicy(identity=ident, identity_regexp=regexp, issuer=art.signing.issuer)
    policy = AttestationPolicy(
        repo=repo,
        signer_workflow=att.signer_workflow,
        identity=identity,
        predicate_type=att.predicate_type,
    )
    rows = _unmatched(art, "attestation", "artifacts.attestations.files", att.files, tag, version)
    rows = rows if whole else []
    if not att.files and whole:
        rows.append(
            Row(
                "attestation", "(none)", False,
                f"{art.origin}: artifacts.attestations lists no files, so nothing is checked; "
                "add files: [<asset name or glob>]",
                art.origin.source, art.origin.line,
            )
        )  # fmt: skip
    for name in filter(keep, attested_files(art, tag, version)):
        bundle = directory / render_name(att.bundle, tag, version, file=name)

        def check(name: str = name, bundle: Path = bundle) -> str:
            result = verify_attestation(directory / name, bundle, policy, verifier())
            return f"{result.predicate_type} by {result.signer}"

        rows.append(_guard("attestation", name, check))
    return rows


def verify_artifacts(
    cfg: Config, tag: str, version: str, directory: Path | None = None, platform: str = ""
) -> list[Row]:
    """Run the version, asset, checksum, signature and attestation checks configured for ``tag``.

    ``platform`` (``linux/amd64``) keeps only the checks of the files whose names carry it;
    ``none`` those of the files of no platform and the checks of the release as a whole
    (:mod:`.platforms`): one CI slice each, together the unsplit check.

    Raises:
        ConfigError: there is no ``artifacts`` section (nothing to check).
        UsageError: an unknown platform, or one no release file carries.
    """
    art = cfg.artifacts
    if art is None:
        raise ConfigError(
            f"{cfg.where()}: no artifacts section; add one (every key: {STARTER_DOCS}) "
            "so verify.artifacts knows what the release ships"
        )
    folder = directory if directory is not None else cfg.root / art.dir
    cache: dict[str, Any] = {}

    def verifier() -> Any:
        from .signatures import make_verifier

        if "v" not in cache:
            cache["v"] = make_verifier()
        return cache["v"]

    keep, whole = slice_of(cfg, art, tag, version, platform)
    rows = _versions(cfg, version) if whole else []
    shown = _shown(folder, cfg.root)
    rows += _assets(art, folder, tag, version, shown, keep)
    rows += _checksums(art, folder, tag, version, shown, keep)
    rows += _signatures(art, folder, tag, version, verifier, keep, whole)
    rows += _attestations(art, folder, tag, version, verifier, keep, whole)
    rows += _sboms(art, folder, tag, version, shown, keep)
    return rows


def release_platforms(art: ArtifactsConfig, tag: str, version: str) -> list[str]:
    """The platforms of the release's files: artifacts.matrix's, then those names spell."""
    from .assets import expected_assets
    from .platforms import platforms_in

    names = [a.name for a in expected_assets(art, tag, version)]
    return platforms_in(names, art.matrix.platforms if art.matrix is not None else ())


def slice_of(
    cfg: Config, art: ArtifactsConfig, tag: str, version: str, platform: str
) -> tuple[Selector, bool]:
    """Which files a slice checks (``platform``: os/arch, ``none``, or "" for all), and
    whether it also runs the whole release's checks.

    Raises:
        UsageError: an unknown platform, or one no release file carries.
    """
    from ..common.errors import UsageError
    from .assets import expected_assets
    from .platforms import NONE, check_platform, selector

    if not platform:
        return (lambda _name: True), True
    check_platform(platform)
    platforms = release_platforms(art, tag, version)
    keep = selector(platform, platforms)
    names = [a.name for a in expected_assets(art, tag, version)]
    # none always checks something: that dist holds no file of no platform it does not expect
    if platform != NONE and not any(keep(n) for n in names):
        said = ", ".join(platforms) if platforms else "none: no file name spells a platform"
        raise UsageError(
            f"--platform {platform} selects no file of {tag} ({art.origin}), so nothing "
            f"would be checked; the release's platforms: {said}"
        )
    return keep, platform == NONE


def _sboms(
    art: ArtifactsConfig, directory: Path, tag: str, version: str, shown: str, keep: Selector
) -> list[Row]:
    """One row per SBOM file; a missing validator is a failed row with the install command."""
    from .sbom import SbomValidatorMissing, check_sboms

    if not art.sboms:
        return []
    try:
        results = check_sboms(art, directory, shown, tag, version)
    except SbomValidatorMissing as exc:
        return [Row("sbom", s.file, False, str(exc)) for s in art.sboms if keep(s.file)]
    return [
        Row("sbom", r.name, r.ok, f"valid {r.format}" if r.ok else "; ".join(r.problems))
        for r in results
        if keep(r.name)
    ]
