"""Sigstore verification for real, offline, with the public bundles in tests/fixtures/sigstore.

The cosign image wrapper cannot run cosign here; its tests feed recorded real cosign output
(tests/fixtures/cosign/README.md) and say so in their names.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from releasekit.core.artifacts.attestations import (
    AttestationPolicy,
    load_bundles,
    verify_attestation,
)
from releasekit.core.artifacts.cosign import cosign_verify_argv, parse_cosign_output, verify_image
from releasekit.core.artifacts.signatures import (
    GITHUB_ISSUER,
    IdentityPolicy,
    is_image_reference,
    make_verifier,
    verify_blob_bundle,
    verify_blob_signature,
)
from releasekit.core.common import process
from releasekit.core.common.errors import CommandError, UsageError, VerificationFailed

SIGSTORE = FIXTURES / "sigstore"
COSIGN = REPO_ROOT / "tests" / "fixtures" / "cosign"
WHL_SAN = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
WHL_REGEXP = (
    r"https://github\.com/trailofbits/rfc8785\.py/\.github/workflows/release\.yml@refs/tags/v.*"
)
BEACON = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
    "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def production():  # type: ignore[no-untyped-def]
    return make_verifier("production")


@pytest.fixture(scope="module")
def staging():  # type: ignore[no-untyped-def]
    return make_verifier("staging")


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(SIGSTORE / name, target)
    return target


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


# blobs with bundles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        IdentityPolicy(identity=WHL_SAN, issuer=GITHUB_ISSUER),
        IdentityPolicy(identity_regexp=WHL_REGEXP, issuer=GITHUB_ISSUER),
    ],
    ids=["exact", "regexp"],
)
def test_github_release_bundle_verifies_with_right_identity(production, policy) -> None:  # type: ignore[no-untyped-def]
    result = verify_blob_bundle(
        SIGSTORE / "bundle_v3_github.whl",
        SIGSTORE / "bundle_v3_github.whl.sigstore",
        policy,
        production,
    )
    assert (result.identity, result.issuer, result.kind) == (WHL_SAN, GITHUB_ISSUER, "bundle")


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (IdentityPolicy(identity=WHL_SAN.replace("v0.1.2", "v0.1.3"), issuer=GITHUB_ISSUER),
         "wrong identity"),
        (IdentityPolicy(identity=WHL_SAN, issuer="https://accounts.google.com"),
         "wrong OIDC issuer"),
        # a prefix of the SAN matches unanchored (cosign's behaviour) but not the WHOLE SAN
        (IdentityPolicy(identity_regexp=r"https://github\.com/trailofbits/", issuer=GITHUB_ISSUER),
         "wrong identity"),
        (IdentityPolicy(identity_regexp=r".*release\.yml", issuer=GITHUB_ISSUER), "wrong identity"),
    ],
    ids=["other-tag", "other-issuer", "regexp-prefix", "regexp-not-whole"],
)  # fmt: skip
def test_github_release_bundle_fails_with_wrong_signer(production, policy, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VerificationFailed, match=reason):
        verify_blob_bundle(
            SIGSTORE / "bundle_v3_github.whl",
            SIGSTORE / "bundle_v3_github.whl.sigstore",
            policy,
            production,
        )


def test_one_changed_byte_fails_verification(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    artifact = _copy(tmp_path, "bundle_v3_github.whl")
    _flip_one_byte(artifact)
    policy = IdentityPolicy(identity=WHL_SAN, issuer=GITHUB_ISSUER)
    with pytest.raises(VerificationFailed, match="signature verification"):
        verify_blob_bundle(artifact, SIGSTORE / "bundle_v3_github.whl.sigstore", policy, production)


def test_staging_bundle_by_a_person(staging, production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policy = IdentityPolicy(
        identity="william@yossarian.net", issuer="https://github.com/login/oauth"
    )
    artifact, bundle = SIGSTORE / "bundle_v3.txt", SIGSTORE / "bundle_v3.txt.sigstore"
    assert verify_blob_bundle(artifact, bundle, policy, staging).identity == "william@yossarian.net"
    with pytest.raises(VerificationFailed):  # the production root does not trust staging
        verify_blob_bundle(artifact, bundle, policy, production)
    wrong = IdentityPolicy(identity="someone@example.com", issuer="https://github.com/login/oauth")
    with pytest.raises(VerificationFailed, match="wrong identity"):
        verify_blob_bundle(artifact, bundle, wrong, staging)
    changed = _copy(tmp_path, "bundle_v3.txt")
    _flip_one_byte(changed)
    with pytest.raises(VerificationFailed):
        verify_blob_bundle(changed, bundle, policy, staging)


def test_attestation_bundle_is_not_a_blob_signature(production) -> None:  # type: ignore[no-untyped-def]
    policy = IdentityPolicy(identity_regexp=".*", issuer=GITHUB_ISSUER)
    with pytest.raises(VerificationFailed, match=r"verify\.attestation"):
        verify_blob_bundle(
            SIGSTORE / "reusable-workflow-artifact",
            SIGSTORE / "reusable-workflow-attestation.sigstore.json",
            policy,
            production,
        )


def test_identity_policy_needs_exactly_one_identity_and_an_issuer() -> None:
    with pytest.raises(UsageError):
        IdentityPolicy(issuer=GITHUB_ISSUER)
    with pytest.raises(UsageError):
        IdentityPolicy(identity="a", identity_regexp="b", issuer=GITHUB_ISSUER)
    with pytest.raises(UsageError):
        IdentityPolicy(identity="a", issuer="")
    with pytest.raises(UsageError, match="identity-regexp"):
        IdentityPolicy(identity_regexp="(", issuer=GITHUB_ISSUER)


# .sig + .crt pairs (taken apart from the real bundle) -----------------------------------------


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The real signature and certificate of bundle_v3_github.whl as cosign writes them."""
    from sigstore.models import Bundle

    bundle = Bundle.from_json((SIGSTORE / "bundle_v3_github.whl.sigstore").read_bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = bundle.signing_certificate.public_bytes(Encoding.PEM)
    sig = bundle._inner.message_signature.signature  # type: ignore[union-attr]
    (tmp_path / "a.sig").write_bytes(base64.b64encode(sig) + b"\n")
    (tmp_path / "a.crt").write_bytes(base64.b64encode(pem) + b"\n")  # cosign's double encoding
    return _copy(tmp_path, "bundle_v3_github.whl"), tmp_path / "a.sig", tmp_path / "a.crt"


def test_sig_crt_pair_fails_closed_offline_after_checking_what_it_can(production, pair) -> None:  # type: ignore[no-untyped-def]
    artifact, sig, crt = pair
    policy = IdentityPolicy(identity=WHL_SAN, issuer=GITHUB_ISSUER)
    with pytest.raises(VerificationFailed, match="no transparency-log proof"):
        verify_blob_signature(artifact, sig, crt, policy, production)
    _flip_one_byte(artifact)
    with pytest.raises(VerificationFailed, match="does not match the artifact"):
        verify_blob_signature(artifact, sig, crt, policy, production)
    wrong = IdentityPolicy(identity=BEACON, issuer=GITHUB_ISSUER)
    with pytest.raises(VerificationFailed, match="wrong identity"):
        verify_blob_signature(artifact, sig, crt, wrong, production)


# attestations ---------------------------------------------------------------------------------


def test_github_attestation_passes_subject_repo_and_signer_checks(production) -> None:  # type: ignore[no-untyped-def]
    policy = AttestationPolicy(
        repo="malancas/attest-demo",
        signer_workflow="github/artifact-attestations-workflows/.github/workflows/attest.yml",
    )
    result = verify_attestation(
        SIGSTORE / "reusable-workflow-artifact",
        SIGSTORE / "reusable-workflow-attestation.sigstore.json",
        policy,
        production,
    )
    assert (
        result.digest == "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25"
    )
    assert result.predicate_type == "https://slsa.dev/provenance/v1"
    assert result.repository == "https://github.com/malancas/attest-demo"


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (AttestationPolicy(repo="malancas/other"), "wrong repository"),
        (AttestationPolicy(signer_workflow="malancas/attest-demo/.github/workflows/attest.yml"),
         "wrong signer workflow"),
        (AttestationPolicy(repo="malancas/attest-demo", issuer="https://accounts.google.com"),
         "wrong OIDC issuer"),
        (AttestationPolicy(repo="malancas/attest-demo", predicate_type="https://spdx.dev/Document"),
         "predicate type"),
    ],
    ids=["repo", "signer", "issuer", "predicate"],
)  # fmt: skip
def test_github_attestation_fails_wrong_expectations(production, policy, reason) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VerificationFailed, match=reason):
        verify_attestation(
            SIGSTORE / "reusable-workflow-artifact",
            SIGSTORE / "reusable-workflow-attestation.sigstore.json",
            policy,
            production,
        )


def test_attestation_fails_when_artifact_changes(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    artifact = _copy(tmp_path, "reusable-workflow-artifact")
    _flip_one_byte(artifact)
    with pytest.raises(VerificationFailed, match="no subject digest matches"):
        verify_attestation(
            artifact,
            SIGSTORE / "reusable-workflow-attestation.sigstore.json",
            AttestationPolicy(repo="malancas/attest-demo"),
            production,
        )


def test_dsse_bundle_for_other_digest_fails_subject_check(staging) -> None:  # type: ignore[no-untyped-def]
    policy = AttestationPolicy(identity=IdentityPolicy(identity=BEACON, issuer=GITHUB_ISSUER))
    with pytest.raises(VerificationFailed, match=r"no subject digest matches a\.txt") as info:
        verify_attestation(
            SIGSTORE / "a.txt",
            SIGSTORE / "a.dsse.staging-rekor-v2.txt.sigstore.json",
            policy,
            staging,
        )
    assert "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf" in str(info.value)


def test_json_lines_of_bundles_pass_when_one_matches(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jsonl = tmp_path / "att.jsonl"
    blob_bundle = (SIGSTORE / "bundle_v3_github.whl.sigstore").read_text().replace("\n", "")
    good = (SIGSTORE / "reusable-workflow-attestation.sigstore.json").read_text().replace("\n", "")
    jsonl.write_text(f"{blob_bundle}\n{good}\n")
    assert len(load_bundles(jsonl)) == 2
    result = verify_attestation(
        SIGSTORE / "reusable-workflow-artifact",
        jsonl,
        AttestationPolicy(repo="malancas/attest-demo"),
        production,
    )
    assert result.subject_name == "github_provenance_demo-0.0.0-py3-none-any.whl"


# cosign (images): recorded real output -------------------------------------------------------

PODINFO_REGEXP = (
    r"https://github\.com/stefanprodan/podinfo/\.github/workflows/release\.yml@refs/tags/.*"
)


def _recorded_runner(stdout: str, stderr: str, code: int, seen: list[list[str]]):  # type: ignore[no-untyped-def]
    def run(argv, check=True):  # type: ignore[no-untyped-def]
        seen.append(list(argv))
        return process.Result(tuple(argv), code, stdout, stderr)

    return run


@pytest.fixture
def fake_cosign_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `cosign` on PATH so require_tool passes; the runner below answers for it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "cosign"
    tool.write_text("#!/bin/sh\nexit 99\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    return tool


def test_cosign_verify_recorded_output_passes_with_matching_identity(
    fake_cosign_on_path: Path,
) -> None:
    seen: list[list[str]] = []
    stdout = (COSIGN / "podinfo-verify.stdout.json").read_text()
    stderr = (COSIGN / "podinfo-verify.stderr.txt").read_text()
    policy = IdentityPolicy(identity_regexp=PODINFO_REGEXP, issuer=GITHUB_ISSUER)
    sigs = verify_image(
        "ghcr.io/stefanprodan/modules/podinfo:latest",
        policy,
        run=_recorded_runner(stdout, stderr, 0, seen),
    )
    assert [(s.digest, s.issuer) for s in sigs] == [
        ("sha256:1dba385f9d56f9a79e5b87344bbec1502bd11f056df51834e18d3e054de39365", GITHUB_ISSUER)
    ]
    assert (
        seen[0][1:] == cosign_verify_argv("ghcr.io/stefanprodan/modules/podinfo:latest", policy)[1:]
    )
    assert seen[0][0] == str(fake_cosign_on_path)
    assert f"^(?:{PODINFO_REGEXP})$" in seen[0]


def test_cosign_verify_recorded_output_rechecks_the_whole_subject(
    fake_cosign_on_path: Path,
) -> None:
    stdout = (COSIGN / "podinfo-verify.stdout.json").read_text()
    policy = IdentityPolicy(
        identity_regexp=r"https://github\.com/stefanprodan/", issuer=GITHUB_ISSUER
    )
    with pytest.raises(
        VerificationFailed, match=r"stefanprodan/podinfo/\.github/workflows/release\.yml"
    ):
        verify_image("ghcr.io/x/y:1", policy, run=_recorded_runner(stdout, "", 0, []))


def test_cosign_verify_recorded_failure_is_reported(fake_cosign_on_path: Path) -> None:
    stderr = (COSIGN / "no-matching-signatures.stderr.txt").read_text()
    policy = IdentityPolicy(identity="x", issuer=GITHUB_ISSUER)
    with pytest.raises(VerificationFailed, match="none of the expected identities matched"):
        verify_image("quay.io/a/b:1", policy, run=_recorded_runner("", stderr, 1, []))


def test_cosign_missing_fails_closed_with_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    policy = IdentityPolicy(identity="x", issuer=GITHUB_ISSUER)
    with pytest.raises(CommandError, match="install cosign"):
        verify_image("ghcr.io/a/b:1", policy)


def test_parse_cosign_output_rejects_empty_and_non_json() -> None:
    with pytest.raises(VerificationFailed, match="no signature"):
        parse_cosign_output("[]", "img")
    with pytest.raises(VerificationFailed, match="not JSON"):
        parse_cosign_output("Verified OK", "img")


def test_legacy_cosign_bundle_is_refused_with_the_fix(production, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """cosign's old `--bundle` JSON, rebuilt from the real bundle's signature and log entry."""
    import json

    from releasekit.core.common.errors import FileFormatError

    real = json.loads((SIGSTORE / "bundle_v3_github.whl.sigstore").read_text())
    entry = real["verificationMaterial"]["tlogEntries"][0]
    legacy = {
        "base64Signature": real["messageSignature"]["signature"],
        "cert": base64.b64encode(b"-----BEGIN CERTIFICATE-----\n...").decode(),
        "rekorBundle": {
            "SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
            "Payload": {"body": entry["canonicalizedBody"], "logIndex": int(entry["logIndex"])},
        },
    }
    bundle = tmp_path / "legacy.bundle"
    bundle.write_text(json.dumps(legacy))
    policy = IdentityPolicy(identity=WHL_SAN, issuer=GITHUB_ISSUER)
    with pytest.raises(FileFormatError, match="--new-bundle-format"):
        verify_blob_bundle(SIGSTORE / "bundle_v3_github.whl", bundle, policy, production)


def test_subject_matches_on_sha512_as_well() -> None:
    from releasekit.core.artifacts.attestations import _matching_subject

    digests = {"sha256": "a" * 64, "sha512": "b" * 128}
    statement = {
        "subject": [
            {"name": "other", "digest": {"sha256": "c" * 64}},
            {"name": "krt.tar.gz", "digest": {"sha512": "B" * 128}},
        ]
    }
    assert _matching_subject(statement, digests) == statement["subject"][1]
    assert (
        _matching_subject({"subject": [{"name": "x", "digest": {"md5": "a" * 32}}]}, digests)
        is None
    )
    assert _matching_subject({"subject": "not a list of subjects"}, digests) is None


@pytest.mark.parametrize(
    ("target", "image"),
    [
        ("ghcr.io/acme/krt:0.0.3", True),
        ("ghcr.io/acme/krt@sha256:" + "a" * 64, True),
        ("localhost:5000/krt:1", True),
        ("./dist/krt.tar.gz", False),
        ("../dist/krt.tar.gz", False),
        ("/tmp/no/such.tar.gz", False),
        ("dist/krt.tar.gz", False),
    ],
)
def test_is_image_reference_never_takes_a_path_for_an_image(target: str, image: bool) -> None:
    assert is_image_reference(target) is image
