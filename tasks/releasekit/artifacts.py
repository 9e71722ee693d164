"""Release artifacts: verify.assets, verify.cosign, verify.attestation and verify.artifacts
(core/artifacts: assets, signatures, attestations, report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar

if TYPE_CHECKING:
    from pathlib import Path

    from sigstore.verify import Verifier

    from .core.artifacts.assets import AssetReport
    from .core.artifacts.attestations import AttestationResult
    from .core.artifacts.signatures import IdentityPolicy

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
SIGSTORE_HELP = {
    "identity": "exact certificate identity (SAN)",
    "identity_regexp": "regular expression that must match the WHOLE identity",
    "issuer": "OIDC issuer (default: GitHub Actions)",
    "staging": "use the Sigstore staging trust root",
    "trusted_root": "a trusted_root.json for another Sigstore instance",
}
TAG_DIR_HELP = {
    "tag": "the release tag (e.g. v0.0.3)",
    "dir": "directory holding the downloaded assets (default: artifacts.dir)",
}


def _verifier(staging: bool, trusted_root: str) -> Verifier:
    from pathlib import Path

    from .core.artifacts.signatures import make_verifier

    return make_verifier(
        "staging" if staging else "production", Path(trusted_root) if trusted_root else None
    )


PLATFORM_HELP = (
    "only the files whose names carry this os/arch (linux/amd64: krt_v0.1.8_linux_amd64.tar.gz, "
    "-linux-amd64, .linux-x64), or none: the files of no platform and the release-wide checks "
    "— one CI slice each (plan --github-matrix)"
)


@a.task(
    "verify.assets",
    help={
        **TAG_DIR_HELP,
        "print": "only print the expected file list (with --platform: the slice's files and "
        "the checksums file)",
        "platform": PLATFORM_HELP,
    },
)
def assets(
    c: Context, tag: str, dir: str = "", print_: bool = False, platform: str = "",
    json: bool = False,
) -> Result:  # fmt: skip
    """Check release assets against the configured matrix."""
    from .core.artifacts.assets import check_assets, expected_assets
    from .core.artifacts.report import slice_of, sliced
    from .core.common.errors import ConfigError
    from .core.common.starters import STARTER_DOCS
    from .core.tags.config import release_version

    cfg = a.config(c)
    if cfg.artifacts is None:
        raise ConfigError(
            f"{cfg.where()}: no artifacts section; add one (every key: {STARTER_DOCS})"
        )
    version = release_version(cfg, tag)
    keep, _ = slice_of(cfg, cfg.artifacts, tag, version, platform)
    outputs: dict[str, Scalar] = {"tag": tag, "version": version}
    if print_:
        # A slice's files and the checksums file its check reads.
        names = [x.name for x in expected_assets(cfg.artifacts, tag, version)
                 if keep(x.name) or x.kind == "checksums"]  # fmt: skip
        return Result(
            [Item("ok", n, fields={"name": n}) for n in names],
            outputs=outputs,
            summary=f"{len(names)} expected files",
        )
    shown = dir or cfg.artifacts.dir
    report = check_assets(cfg.artifacts, cfg.root / shown, tag, version, shown)
    return _assets_result(sliced(report, keep), outputs)


def _assets_result(report: AssetReport, outputs: dict[str, Scalar]) -> Result:
    items = [
        Item(
            "missing" if p.kind in ("missing", "listed-but-absent") else "mismatch",
            p.message,
            path=p.path,
            line=p.line,
            fields={"kind": p.kind, "name": p.name},
        )
        for p in report.problems
    ]
    said = f"{report.directory}: all {len(report.expected)} expected files present"
    if report.ok:
        return Result(tail=[said], outputs=outputs, summary=said)
    return Result(
        items,
        outputs=outputs,
        summary=f"{len(items)} problem(s) with the assets in {report.directory}",
    )


@a.task(
    "verify.cosign",
    aliases=["cosign-verify"],
    help={
        "target": "a file (blob) or an image reference (ghcr.io/owner/img:tag)",
        "bundle": "Sigstore bundle for a blob (cosign sign-blob --bundle, *.sigstore.json)",
        "signature": "detached .sig for a blob (needs --certificate)",
        "certificate": "the .crt (Fulcio certificate) that goes with --signature",
        **SIGSTORE_HELP,
    },
)
def cosign(
    c: Context,
    target: str,
    bundle: str = "",
    signature: str = "",
    certificate: str = "",
    identity: str = "",
    identity_regexp: str = "",
    issuer: str = GITHUB_ISSUER,
    staging: bool = False,
    trusted_root: str = "",
    json: bool = False,
) -> Result:
    """Verify a blob's Sigstore signature or an image's."""
    from pathlib import Path

    from .core.artifacts import signatures as sig
    from .core.common.errors import UsageError

    policy = sig.IdentityPolicy(
        identity=identity or None, identity_regexp=identity_regexp or None, issuer=issuer
    )
    if not (bundle or signature or certificate) and sig.is_image_reference(target):
        if staging or trusted_root:
            raise UsageError(
                "--staging/--trusted-root apply to blobs; for an image cosign uses its own "
                "trust root (set it up with `cosign initialize --mirror ... --root ...`)"
            )
        return _image_signatures(target, policy)
    if bool(bundle) == bool(signature or certificate):
        raise UsageError("for a file give --bundle F, or --signature F --certificate F")
    sig.require_pair(
        Path(signature) if signature else None, Path(certificate) if certificate else None
    )
    verifier = _verifier(staging, trusted_root)
    if bundle:
        res = sig.verify_blob_bundle(Path(target), Path(bundle), policy, verifier)
    else:
        res = sig.verify_blob_signature(
            Path(target), Path(signature), Path(certificate), policy, verifier
        )
    said = f"{target}: OK (signed by {res.identity}, issuer {res.issuer})"
    fields = {"target": target, "kind": res.kind, "identity": res.identity, "issuer": res.issuer}
    return Result([Item("ok", said, path=target, fields=fields)], summary=said)


def _image_signatures(target: str, policy: IdentityPolicy) -> Result:
    from .core.artifacts.cosign import verify_image

    items = [
        Item(
            "ok",
            f"{target}: OK ({s.digest} signed by {s.subject})",
            fields={"target": target, "kind": "image", **vars(s)},
        )
        for s in verify_image(target, policy)
    ]
    return Result(items, summary=f"{target}: {len(items)} signature(s) verified")


@a.task(
    "verify.attestation",
    help={
        "artifact": "the downloaded file the attestation is about",
        "bundle": "attestation bundle (JSON, or JSON lines of bundles)",
        "repo": "owner/name of the repository the artifact was built from",
        "signer_workflow": "[host/]owner/repo/.github/workflows/file.yml that signed it",
        **SIGSTORE_HELP,
        "identity": "exact certificate identity (SAN), instead of or besides --repo",
        "predicate_type": "required predicate type (default: SLSA provenance v1)",
        "with_gh": "run `gh attestation verify` instead of verifying in-process",
    },
)
def attestation(
    c: Context,
    artifact: str,
    bundle: str = "",
    repo: str = "",
    signer_workflow: str = "",
    identity: str = "",
    identity_regexp: str = "",
    issuer: str = GITHUB_ISSUER,
    predicate_type: str = "https://slsa.dev/provenance/v1",
    staging: bool = False,
    trusted_root: str = "",
    with_gh: bool = False,
    json: bool = False,
) -> Result:
    """Verify an artifact's signed provenance attestation."""
    from pathlib import Path

    from .core.artifacts import attestations as att
    from .core.artifacts.signatures import IdentityPolicy
    from .core.common.errors import UsageError

    ident = None
    if identity or identity_regexp:
        ident = IdentityPolicy(
            identity=identity or None, identity_regexp=identity_regexp or None, issuer=issuer
        )
    policy = att.AttestationPolicy(issuer=issuer, repo=repo or None, signer_workflow=signer_workflow or None,
                                   identity=ident, predicate_type=predicate_type)  # fmt: skip
    if with_gh:
        if staging or trusted_root:
            raise UsageError(
                "--staging/--trusted-root are for the in-process check; gh uses its own "
                "trust root (drop --with-gh, or see `gh attestation verify --help`)"
            )
        return _with_gh(
            artifact, att.verify_with_gh(Path(artifact), Path(bundle) if bundle else None, policy)
        )
    if not bundle:
        raise UsageError("give --bundle F (gh attestation download writes it), or --with-gh")
    verifier = _verifier(staging, trusted_root)
    return _attested(
        artifact, att.verify_attestation(Path(artifact), Path(bundle), policy, verifier)
    )


def _attested(artifact: str, result: AttestationResult) -> Result:
    said = (
        f"{artifact}: OK ({result.predicate_type} for {result.digest}, signed by {result.signer})"
    )
    fields = {**vars(result), "checked": list(result.checked)}
    return Result([Item("ok", said, path=artifact, fields=fields)], summary=said)


def _with_gh(artifact: str, output: str) -> Result:
    said = f"{artifact}: OK (gh attestation verify)"
    return Result(
        [Item("ok", said, path=artifact, fields={"artifact": artifact, "gh_output": output})],
        summary=said,
    )


@a.task(
    "verify.artifacts",
    help={
        **TAG_DIR_HELP,
        "platform": PLATFORM_HELP,
    },
)
def artifacts(
    c: Context, tag: str, dir: str = "", platform: str = "", json: bool = False
) -> Result:
    """Run every configured artifact check; print one report."""
    from .core.artifacts.report import verify_artifacts
    from .core.tags.config import release_version

    cfg = a.config(c)
    version = release_version(cfg, tag)
    folder: Path | None = cfg.root / dir if dir else None
    rows = verify_artifacts(cfg, tag, version, folder, platform)
    items = [
        Item(
            "ok" if r.ok else "mismatch",
            f"{r.check} {r.subject}: {'OK' if r.ok else 'FAILED'} {r.detail}",
            path=r.file,
            line=r.line,
            message=f"{r.check} {r.subject}: {r.detail}",
            fields={"check": r.check, "subject": r.subject, "detail": r.detail},
        )
        for r in rows
    ]
    failed = sum(not r.ok for r in rows)
    of = f" ({platform})" if platform else ""
    said = f"all {len(rows)} artifact checks passed for {tag}{of}"
    return Result(
        items,
        tail=[said] if not failed else [],
        outputs={"tag": tag, "version": version, "platform": platform or None},
        summary=said
        if not failed
        else f"{failed} of {len(rows)} artifact checks failed for {tag}{of}",
        table=("check", "subject", "detail"),
    )
