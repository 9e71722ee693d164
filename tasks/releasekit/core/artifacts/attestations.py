"""Artifact attestations: a signed DSSE in-toto Statement about the artifact, checked offline.

What ``gh attestation verify FILE --repo owner/name`` checks, done in-process with the
``sigstore`` library: the envelope's signature and transparency-log proof, the signer's
certificate (issuer, repository, signer workflow), a Statement subject whose digest equals the
artifact's, and the predicate type. ``gh`` is used instead only when asked (``--with-gh``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common import process
from ..common.errors import FileFormatError, UsageError, VerificationFailed
from ..common.excerpt import clip
from ..common.network import settings
from .hashing import file_digest
from .signatures import (
    GITHUB_ISSUER,
    OID_BUILD_SIGNER_URI,
    OID_REPOSITORY_V1,
    OID_SOURCE_REPOSITORY_URI,
    IdentityPolicy,
    bundle_from_json,
    certificate_facts,
)

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
GH_HINT = "install the GitHub CLI 2.49 or later (https://cli.github.com) for `gh attestation`"


@dataclass(frozen=True)
class AttestationPolicy:
    """What the attestation must say and who must have signed it."""

    issuer: str = GITHUB_ISSUER
    repo: str | None = None  # owner/name of the source repository
    signer_workflow: str | None = None  # [host/]owner/repo/.github/workflows/file.yml
    identity: IdentityPolicy | None = None
    predicate_type: str = SLSA_PROVENANCE_V1

    def __post_init__(self) -> None:
        if self.repo is None and self.signer_workflow is None and self.identity is None:
            raise UsageError(
                "say who must have signed: --repo owner/name, --signer-workflow "
                "owner/repo/.github/workflows/file.yml, or --identity/--identity-regexp"
            )
        if self.repo is not None and self.repo.count("/") != 1:
            raise UsageError(f"--repo must be owner/name, got {self.repo!r}")


def _signer_prefix(workflow: str) -> str:
    host_and_path = workflow if workflow.split("/", 1)[0].count(".") else f"github.com/{workflow}"
    return f"https://{host_and_path}"


class _CertificatePolicy:
    """A sigstore VerificationPolicy for attestation certificates."""

    def __init__(self, policy: AttestationPolicy) -> None:
        self.policy = policy

    def verify(self, cert: Certificate) -> None:
        from sigstore.errors import VerificationError

        facts = certificate_facts(cert)
        policy = self.policy
        if facts.issuer != policy.issuer:
            raise VerificationError(
                f"wrong OIDC issuer: {facts.issuer!r}, expected {policy.issuer!r}"
            )
        if policy.identity is not None and not any(
            policy.identity.matches_identity(san) for san in facts.sans
        ):
            raise VerificationError(
                f"wrong identity: the certificate names {', '.join(facts.sans)}; "
                f"expected {policy.identity.describe()}"
            )
        if policy.repo is not None:
            expected = f"https://github.com/{policy.repo}"
            found = facts.extensions.get(OID_SOURCE_REPOSITORY_URI)
            legacy = facts.extensions.get(OID_REPOSITORY_V1)
            if found != expected and (found is not None or legacy != policy.repo):
                raise VerificationError(
                    f"wrong repository: the attestation was made for {found or legacy!r}, "
                    f"expected {expected!r}"
                )
        if policy.signer_workflow is not None:
            prefix = _signer_prefix(policy.signer_workflow)
            signer = facts.extensions.get(OID_BUILD_SIGNER_URI) or facts.identity
            if signer != prefix and not signer.startswith(prefix + "@"):
                raise VerificationError(
                    f"wrong signer workflow: signed by {signer!r}, expected {prefix}@<ref>"
                )


@dataclass(frozen=True)
class AttestationResult:
    artifact: str
    subject_name: str
    digest: str
    predicate_type: str
    signer: str
    repository: str
    checked: tuple[str, ...] = field(default=())


def load_bundles(path: Path) -> list[Bundle]:
    """One bundle (JSON) or several (JSON lines, as ``gh attestation download`` writes)."""
    from sigstore.errors import Error as SigstoreError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{path}: cannot read: {exc}") from None
    chunks: list[tuple[int, str]]
    stripped = text.strip()
    try:
        json.loads(stripped)
        chunks = [(1, stripped)]
    except json.JSONDecodeError:
        chunks = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    bundles = []
    for line, chunk in chunks:
        try:
            bundles.append(bundle_from_json(chunk))
        except (ValueError, SigstoreError) as exc:
            raise FileFormatError(
                f"{path}:{line}: not a Sigstore bundle: {clip(str(exc), 300)}"
            ) from None
    if not bundles:
        raise FileFormatError(f"{path}: empty; expected a Sigstore bundle or JSON lines of them")
    return bundles


def _check_statement(payload_type: str, payload: bytes, digests: dict[str, str]) -> dict[str, Any]:
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise VerificationFailed(f"payload type {payload_type!r} is not an in-toto Statement")
    try:
        statement = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise VerificationFailed(f"the signed payload is not JSON: {clip(str(exc), 200)}") from None
    if not isinstance(statement, dict) or not str(statement.get("_type", "")).startswith(
        "https://in-toto.io/Statement/"
    ):
        raise VerificationFailed("the signed payload is not an in-toto Statement")
    return statement


def _matching_subject(statement: dict[str, Any], digests: dict[str, str]) -> dict[str, Any] | None:
    for subject in statement.get("subject") or []:
        if not isinstance(subject, dict):
            continue
        for algorithm, value in (subject.get("digest") or {}).items():
            if algorithm in digests and str(value).lower() == digests[algorithm]:
                return subject
    return None


def verify_attestation(
    artifact: Path,
    bundle_path: Path,
    policy: AttestationPolicy,
    verifier: Verifier,
) -> AttestationResult:
    """Verify that one bundle in ``bundle_path`` attests ``artifact`` as ``policy`` demands.

    Raises:
        VerificationFailed: no bundle is validly signed by the expected signer, names the
            artifact's digest, and has the expected predicate type (each reason is listed).
    """
    from sigstore.errors import Error as SigstoreError
    from sigstore.errors import VerificationError

    try:
        digests = {alg: file_digest(artifact, alg) for alg in ("sha256", "sha512")}
    except OSError as exc:
        raise FileFormatError(f"{artifact}: cannot read: {exc.strerror}") from None
    reasons: list[str] = []
    bundles = load_bundles(bundle_path)
    for index, bundle in enumerate(bundles, start=1):
        label = f"{bundle_path}" + (f" (bundle {index})" if len(bundles) > 1 else "")
        if bundle._dsse_envelope is None:
            reasons.append(f"{label}: a plain signature, not an attestation (no DSSE envelope)")
            continue
        try:
            payload_type, payload = verifier.verify_dsse(bundle, _CertificatePolicy(policy))
            statement = _check_statement(payload_type, payload, digests)
        except VerificationError as exc:
            reasons.append(f"{label}: signature: {clip(str(exc), 300)}")
            continue
        except (ValueError, SigstoreError) as exc:  # sigstore parses parts of it only here
            reasons.append(f"{label}: malformed bundle: {clip(str(exc), 300)}")
            continue
        except VerificationFailed as exc:
            reasons.append(f"{label}: {exc}")
            continue
        subject = _matching_subject(statement, digests)
        if subject is None:
            named = ", ".join(
                f"{s.get('name', '?')} {next(iter((s.get('digest') or {}).items()), ('?', '?'))[1]}"
                for s in statement.get("subject") or []
                if isinstance(s, dict)
            )
            reasons.append(
                f"{label}: no subject digest matches {artifact.name} (sha256 "
                f"{digests['sha256']}); the statement names {named or 'nothing'}"
            )
            continue
        predicate = str(statement.get("predicateType", ""))
        if predicate != policy.predicate_type:
            reasons.append(
                f"{label}: predicate type {predicate!r}, expected {policy.predicate_type!r}"
            )
            continue
        facts = certificate_facts(bundle.signing_certificate)
        return AttestationResult(
            artifact=str(artifact),
            subject_name=str(subject.get("name", "")),
            digest=f"sha256:{digests['sha256']}",
            predicate_type=predicate,
            signer=facts.extensions.get(OID_BUILD_SIGNER_URI) or facts.identity,
            repository=facts.extensions.get(OID_SOURCE_REPOSITORY_URI, ""),
            checked=("signature", "transparency log", "certificate", "subject digest", "predicate"),
        )
    raise VerificationFailed(f"{artifact}: no valid attestation:\n  " + "\n  ".join(reasons))


def gh_verify_argv(artifact: Path, bundle: Path | None, policy: AttestationPolicy) -> list[str]:
    argv = ["gh", "attestation", "verify", str(artifact), "--format", "json"]
    if bundle is not None:
        argv += ["--bundle", str(bundle)]
    if policy.repo is not None:
        argv += ["--repo", policy.repo]
    if policy.signer_workflow is not None:
        argv += ["--signer-workflow", policy.signer_workflow]
    if policy.identity is not None and policy.identity.identity is not None:
        argv += ["--cert-identity", policy.identity.identity]
    elif policy.identity is not None:
        # gh matches the regexp anywhere in the SAN; anchor it like releasekit does.
        argv += ["--cert-identity-regex", f"^(?:{policy.identity.identity_regexp})$"]
    argv += ["--predicate-type", policy.predicate_type, "--cert-oidc-issuer", policy.issuer]
    return argv


def verify_with_gh(artifact: Path, bundle: Path | None, policy: AttestationPolicy) -> str:
    """Run ``gh attestation verify``; fails closed when gh (with ``attestation``) is missing."""
    if policy.repo is None and policy.signer_workflow is None:
        raise UsageError("--with-gh needs --repo or --signer-workflow")
    argv = gh_verify_argv(artifact, bundle, policy)
    argv[0] = process.require_tool("gh", GH_HINT)
    # gh downloads the trusted root and attestations: a network command with a deadline.
    result = process.run(argv, check=False, timeout=settings().timeout)
    if result.returncode != 0:
        output = result.stderr or result.stdout
        if 'unknown command "attestation"' in output:
            raise VerificationFailed(f"this gh has no `attestation` command; {GH_HINT}")
        lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
        reason = "; ".join(lines[-3:]) if lines else f"exit {result.returncode}"
        raise VerificationFailed(f"gh attestation verify {artifact} failed: {reason}")
    return result.stdout
