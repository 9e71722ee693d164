"""Signature verification: Sigstore bundles in-process (images through ``cosign``: :mod:`.cosign`).

Blobs are verified with the ``sigstore`` library (offline, against the trust root it embeds)
so a release can be checked without cosign installed. Images need the registry and the OCI
signature layout, which is cosign's job: releasekit runs ``cosign verify --output json`` and
fails closed when cosign is missing.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..common.errors import FileFormatError, UsageError, VerificationFailed
from ..common.excerpt import clip, excerpt
from ..common.regex import BadRegex, compile_regex

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

# Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"
OID_REPOSITORY_V1 = "1.3.6.1.4.1.57264.1.5"
OID_ISSUER = "1.3.6.1.4.1.57264.1.8"
OID_BUILD_SIGNER_URI = "1.3.6.1.4.1.57264.1.9"
OID_SOURCE_REPOSITORY_URI = "1.3.6.1.4.1.57264.1.12"
OID_SOURCE_REPOSITORY_REF = "1.3.6.1.4.1.57264.1.14"

Instance = Literal["production", "staging"]


@dataclass(frozen=True)
class IdentityPolicy:
    """Who must have signed: an exact SAN or a regexp matching the WHOLE SAN, and the issuer."""

    identity: str | None = None
    identity_regexp: str | None = None
    issuer: str | None = None

    def __post_init__(self) -> None:
        if (self.identity is None) == (self.identity_regexp is None):
            raise UsageError(
                "give exactly one of --identity (the exact certificate SAN) or --identity-regexp"
            )
        if not self.issuer:
            raise UsageError(f"give --issuer (the OIDC issuer, e.g. {GITHUB_ISSUER})")
        if self.identity_regexp is not None:
            try:
                compile_regex(self.identity_regexp)
            except BadRegex as exc:
                raise UsageError(
                    f"--identity-regexp {excerpt(self.identity_regexp)}: {exc}"
                ) from None

    def matches_identity(self, san: str) -> bool:
        if self.identity is not None:
            return san == self.identity
        assert self.identity_regexp is not None
        return re.fullmatch(self.identity_regexp, san) is not None

    def describe(self) -> str:
        who = (
            self.identity if self.identity is not None else f"/{self.identity_regexp}/ (whole SAN)"
        )
        return f"{who} from {self.issuer}"


@dataclass(frozen=True)
class CertificateFacts:
    """What a Fulcio certificate says about the signer."""

    sans: tuple[str, ...]
    issuer: str | None
    extensions: dict[str, str]

    @property
    def identity(self) -> str:
        return self.sans[0] if self.sans else ""


@dataclass(frozen=True)
class SignatureResult:
    subject: str
    identity: str
    issuer: str
    kind: str  # "bundle", "sig+crt", "image"
    detail: str = ""


def _der_utf8(value: bytes) -> str:
    """Decode a Fulcio v2 extension: a DER UTF8String (tag 0x0C)."""
    if len(value) >= 2 and value[0] == 0x0C:
        length = value[1]
        offset = 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(value[2 : 2 + count], "big")
            offset = 2 + count
        return value[offset : offset + length].decode("utf-8", "replace")
    return value.decode("utf-8", "replace")


def certificate_facts(cert: Certificate) -> CertificateFacts:
    """The SANs, OIDC issuer and Fulcio extensions of a signing certificate."""
    from cryptography.x509 import (
        ExtensionNotFound,
        OtherName,
        RFC822Name,
        SubjectAlternativeName,
        UniformResourceIdentifier,
    )

    sans: list[str] = []
    try:
        san = cert.extensions.get_extension_for_class(SubjectAlternativeName).value
        sans += san.get_values_for_type(UniformResourceIdentifier)
        sans += san.get_values_for_type(RFC822Name)
        sans += [_der_utf8(o.value) for o in san.get_values_for_type(OtherName)]
    except ExtensionNotFound:
        pass
    extensions: dict[str, str] = {}
    for ext in cert.extensions:
        oid = ext.oid.dotted_string
        if not oid.startswith("1.3.6.1.4.1.57264.1."):
            continue
        raw = getattr(ext.value, "value", b"")
        number = int(oid.rsplit(".", 1)[1])
        # Extensions 1-6 are raw strings; 8 and later are DER UTF8Strings.
        extensions[oid] = raw.decode("utf-8", "replace") if number < 8 else _der_utf8(raw)
    issuer = extensions.get(OID_ISSUER) or extensions.get(OID_ISSUER_V1)
    return CertificateFacts(tuple(sans), issuer, extensions)


class _Policy:
    """A sigstore VerificationPolicy: issuer exact, identity exact or whole-SAN regexp."""

    def __init__(self, policy: IdentityPolicy) -> None:
        self.policy = policy

    def verify(self, cert: Certificate) -> None:
        from sigstore.errors import VerificationError

        facts = certificate_facts(cert)
        if facts.issuer != self.policy.issuer:
            raise VerificationError(
                f"wrong OIDC issuer: the certificate was issued for {facts.issuer!r}, "
                f"expected {self.policy.issuer!r}"
            )
        if not any(self.policy.matches_identity(san) for san in facts.sans):
            wanted = (
                f"identity {self.policy.identity!r}"
                if self.policy.identity is not None
                else f"identity regexp {self.policy.identity_regexp!r} (must match the whole SAN)"
            )
            raise VerificationError(
                f"wrong identity: the certificate names {', '.join(facts.sans) or 'no SAN'}; "
                f"expected {wanted}"
            )


def make_verifier(instance: Instance = "production", trusted_root: Path | None = None) -> Verifier:
    """A sigstore Verifier working offline: production, staging, or a given trusted_root.json."""
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    # Offline is the point here; sigstore's "loaded in offline mode" warning is noise.
    logging.getLogger("sigstore._internal.tuf").setLevel(logging.ERROR)
    try:
        if trusted_root is not None:
            return Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root)))
        if instance == "staging":
            return Verifier.staging(offline=True)
        return Verifier.production(offline=True)
    except (OSError, ValueError, SigstoreError) as exc:
        where = trusted_root or f"the embedded {instance} trust root"
        raise FileFormatError(f"{where}: cannot load the Sigstore trust root: {exc}") from None


def load_bundle(path: Path) -> Bundle:
    """Read a Sigstore bundle (``*.sigstore.json``, ``cosign sign-blob --bundle`` output)."""
    from sigstore.errors import Error as SigstoreError

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the bundle: {exc.strerror}") from None
    if b'"rekorBundle"' in data and b'"base64Signature"' in data:
        raise FileFormatError(
            f"{path}: cosign's legacy bundle format (signature and signed entry timestamp, no "
            "inclusion proof) cannot be verified offline by sigstore; sign with `cosign "
            "sign-blob --new-bundle-format --bundle ...` (the default since cosign 3)"
        )
    try:
        return bundle_from_json(data)
    except (ValueError, SigstoreError) as exc:
        raise FileFormatError(
            f"{path}: not a Sigstore bundle ({clip(str(exc), 300)}); pass the file written by "
            "`cosign sign-blob --bundle` or `gh attestation download`"
        ) from None


def bundle_from_json(data: bytes | str) -> Bundle:
    """``Bundle.from_json`` with the DSSE envelope parsed now: sigstore parses it on first use,
    and an envelope without exactly one signature would then raise outside every check.

    Raises:
        ValueError, sigstore.errors.Error: not a well-formed bundle.
    """
    from sigstore.models import Bundle

    bundle = Bundle.from_json(data)
    bundle._dsse_envelope  # noqa: B018 - parse it here, inside the caller's error handling
    return bundle


def _hashed(artifact: Path) -> Any:
    from sigstore.hashes import Hashed
    from sigstore_models.common.v1 import HashAlgorithm

    from .hashing import file_digest

    try:
        digest = file_digest(artifact, "sha256")
    except OSError as exc:
        raise FileFormatError(f"{artifact}: cannot read: {exc.strerror}") from None
    return Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(digest))


def verify_blob_bundle(
    artifact: Path,
    bundle_path: Path,
    policy: IdentityPolicy,
    verifier: Verifier,
) -> SignatureResult:
    """Verify ``artifact`` against a Sigstore bundle holding a message signature.

    Raises:
        VerificationFailed: tampered artifact, wrong identity or issuer, or an invalid bundle.
    """
    from sigstore.errors import Error as SigstoreError
    from sigstore.errors import VerificationError

    bundle = load_bundle(bundle_path)
    if bundle._dsse_envelope is not None:
        raise VerificationFailed(
            f"{bundle_path} holds a DSSE attestation, not a signature over {artifact.name}; "
            "check it with verify.attestation"
        )
    try:
        verifier.verify_artifact(_hashed(artifact), bundle, _Policy(policy))
    except (VerificationError, ValueError, SigstoreError) as exc:
        # ValueError and sigstore's own errors: parts of the bundle sigstore parses only while
        # verifying (a timestamp token, a log entry); malformed is a failed verification.
        raise VerificationFailed(
            f"{artifact}: signature verification against {bundle_path} failed: "
            f"{clip(str(exc), 300)}"
        ) from None
    facts = certificate_facts(bundle.signing_certificate)
    return SignatureResult(str(artifact), facts.identity, facts.issuer or "", "bundle")


def _read_certificate(path: Path) -> Certificate:
    from cryptography.x509 import load_der_x509_certificate, load_pem_x509_certificate

    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read the certificate: {exc.strerror}") from None
    candidates = [data]
    # cosign sign-blob --output-certificate writes the PEM base64-encoded once more.
    with contextlib.suppress(ValueError):
        candidates.append(base64.b64decode(data, validate=True))
    for blob in candidates:
        try:
            if blob.startswith(b"-----BEGIN"):
                return load_pem_x509_certificate(blob)
            return load_der_x509_certificate(blob)
        except ValueError:
            continue
    raise FileFormatError(f"{path}: not a PEM or DER certificate (or base64 of one)")


def verify_blob_signature(
    artifact: Path,
    signature_path: Path,
    certificate_path: Path,
    policy: IdentityPolicy,
    verifier: Verifier,
) -> SignatureResult:
    """Check a ``.sig`` + ``.crt`` pair as far as it can be checked offline, then fail closed.

    The identity, the issuer and the signature over the artifact are checked for real, so the
    message names what is wrong. A pair carries no transparency-log proof, and a Fulcio
    certificate is valid for ten minutes only: without the Rekor entry nothing shows the
    signature was made while the certificate was valid. The sigstore library (like
    ``sigstore verify --offline``) refuses such input, and so does releasekit.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from sigstore.errors import VerificationError

    cert = _read_certificate(certificate_path)
    try:
        _Policy(policy).verify(cert)
    except VerificationError as exc:
        raise VerificationFailed(f"{certificate_path}: {exc}") from None
    try:
        signature = base64.b64decode(signature_path.read_bytes().strip(), validate=True)
    except OSError as exc:
        raise FileFormatError(f"{signature_path}: cannot read: {exc.strerror}") from None
    except ValueError:
        raise FileFormatError(f"{signature_path}: not a base64 signature") from None
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise VerificationFailed(f"{certificate_path}: not a Sigstore (ECDSA) signing certificate")
    try:
        key.verify(signature, _hashed(artifact).digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    except InvalidSignature:
        raise VerificationFailed(
            f"{artifact}: the signature in {signature_path} does not match the artifact "
            "(tampered file or wrong signature)"
        ) from None
    raise VerificationFailed(
        f"{artifact}: signature and identity match, but a .sig/.crt pair has no transparency-log "
        "proof and cannot be verified offline; sign with `cosign sign-blob --bundle "
        f"{artifact.name}.sigstore.json` and verify with --bundle"
    )


def is_image_reference(target: str) -> bool:
    """True for ``registry/repo[:tag|@digest]`` that is not an existing local file."""
    if Path(target).exists() or target.startswith(("./", "../", "/")):
        return False  # a path (perhaps mistyped), never a registry host
    return "/" in target and (
        ":" in target.rsplit("/", 1)[-1] or "@" in target or "." in target.split("/")[0]
    )


def require_pair(signature: Path | None, certificate: Path | None) -> None:
    if (signature is None) != (certificate is None):
        raise UsageError("--signature and --certificate go together (a .sig and its .crt)")
