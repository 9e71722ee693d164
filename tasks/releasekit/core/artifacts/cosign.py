"""Container image signatures through the ``cosign`` binary.

Images need the registry and the OCI signature layout, which is cosign's job: releasekit runs
``cosign verify --output json`` and fails closed when cosign is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ..common import process
from ..common.errors import VerificationFailed
from .signatures import OID_ISSUER_V1, IdentityPolicy

COSIGN_HINT = (
    "install cosign (https://docs.sigstore.dev/cosign/system_config/installation/, e.g. "
    "`go install github.com/sigstore/cosign/v2/cmd/cosign@latest`) — image signatures are not "
    "verified without it"
)

Runner = Callable[..., process.Result]


@dataclass(frozen=True)
class ImageSignature:
    reference: str
    digest: str
    subject: str
    issuer: str


def cosign_verify_argv(image: str, policy: IdentityPolicy) -> list[str]:
    """The ``cosign verify`` command; a regexp is anchored because cosign's is not."""
    argv = ["cosign", "verify", "--output", "json"]
    if policy.identity is not None:
        argv += ["--certificate-identity", policy.identity]
    else:
        argv += ["--certificate-identity-regexp", f"^(?:{policy.identity_regexp})$"]
    argv += ["--certificate-oidc-issuer", str(policy.issuer), image]
    return argv


def parse_cosign_output(stdout: str, image: str) -> list[ImageSignature]:
    """The signatures in ``cosign verify --output json`` stdout (one JSON array)."""
    start = stdout.find("[")
    try:
        data = json.loads(stdout[start:] if start >= 0 else stdout)
    except json.JSONDecodeError as exc:
        raise VerificationFailed(f"cosign verify {image}: output is not JSON ({exc})") from None
    if not isinstance(data, list) or not data:
        raise VerificationFailed(f"cosign verify {image}: no signature in the output")
    found: list[ImageSignature] = []
    for item in data:
        critical = item.get("critical", {}) if isinstance(item, dict) else {}
        optional = (item.get("optional") or {}) if isinstance(item, dict) else {}
        found.append(
            ImageSignature(
                reference=str(critical.get("identity", {}).get("docker-reference", "")),
                digest=str(critical.get("image", {}).get("docker-manifest-digest", "")),
                subject=str(optional.get("Subject", "")),
                issuer=str(optional.get("Issuer") or optional.get(OID_ISSUER_V1, "")),
            )
        )
    return found


def verify_image(
    image: str,
    policy: IdentityPolicy,
    *,
    run: Runner = process.run,
) -> list[ImageSignature]:
    """Run ``cosign verify`` for ``image`` and re-check what it reports against ``policy``.

    Raises:
        CommandError: cosign is not installed (the check fails; it never passes silently).
        VerificationFailed: cosign rejected the signatures, or reported a different signer.
    """
    argv = cosign_verify_argv(image, policy)
    argv[0] = process.require_tool("cosign", COSIGN_HINT)
    result = run(argv, check=False)
    if result.returncode != 0:
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"exit {result.returncode}"
        raise VerificationFailed(f"cosign verify {image} failed: {reason}")
    signatures = parse_cosign_output(result.stdout, image)
    for sig in signatures:
        if sig.issuer != policy.issuer or not policy.matches_identity(sig.subject):
            raise VerificationFailed(
                f"cosign verify {image} accepted a signature by "
                f"{sig.subject or 'an unknown subject'} from {sig.issuer or 'an unknown issuer'}, "
                f"which is not {policy.describe()}"
            )
    return signatures
