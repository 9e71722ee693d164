"""Fuzz: Sigstore bundles and DSSE attestation envelopes, mutated from real public bundles.

Each example takes one of the real bundles in tests/fixtures/sigstore (message signatures and
DSSE attestations, production and staging) and mutates it: a field deleted, emptied or given
another type (no signatures, an empty certificate chain, a payload that is not base64), a
string's bytes flipped, or the file's bytes cut and edited. Verification against the real
artifact, offline, either passes for the untouched bundle or fails closed with a
ReleaseError (VerificationFailed, FileFormatError) — never an uncaught exception.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from fuzzing import examples, mutated, scratch, verdict
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURES
from releasekit.core.artifacts.attestations import AttestationPolicy, verify_attestation
from releasekit.core.artifacts.signatures import IdentityPolicy, make_verifier, verify_blob_bundle
from releasekit.core.common.errors import ReleaseError

SIGSTORE = FIXTURES / "sigstore"
WORK = scratch("releasekit-fuzz-sigstore-")
VERIFIERS = {"production": make_verifier("production"), "staging": make_verifier("staging")}
ANY = IdentityPolicy(identity_regexp=".*", issuer="https://token.actions.githubusercontent.com")
# (artifact, bundle, instance, kind)
CASES = (
    ("bundle_v3_github.whl", "bundle_v3_github.whl.sigstore", "production", "blob"),
    ("bundle_v3.txt", "bundle_v3.txt.sigstore", "staging", "blob"),
    ("reusable-workflow-artifact", "reusable-workflow-attestation.sigstore.json", "production",
     "attestation"),
    ("a.txt", "a.dsse.staging-rekor-v2.txt.sigstore.json", "staging", "attestation"),
)  # fmt: skip
BUNDLES = {bundle: (SIGSTORE / bundle).read_text(encoding="utf-8") for _, bundle, _, _ in CASES}
REPLACEMENTS: tuple[Any, ...] = (
    None, "", [], {}, 0, -1, 2**70, True, "AAAA", "!!not base64!!", "x" * 5000, [{}], [None],
    {"a": 1}, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
)  # fmt: skip


# Fields holding signed material or signatures: the artifact's signature, the DSSE payload and
# its signatures, the signing certificate. (The bundle's messageDigest is a hint: the digest
# checked is computed from the artifact itself.)
SIGNED = {"signature", "signatures", "sig", "payload", "payloadType", "rawBytes"}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a JSON document (containers and leaves)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_bundles(draw: st.DrawFn) -> tuple[int, str, bool]:
    """(case, bundle text, whether a signed field was changed)."""
    index = draw(st.integers(0, len(CASES) - 1))
    text = BUNDLES[CASES[index][1]]
    if draw(st.integers(0, 3)) == 0:  # bytes: truncation, odd characters, duplicated spans
        return index, draw(mutated((text,), most=3)), False
    data = json.loads(text)
    signed = False
    for _ in range(draw(st.sampled_from((1, 1, 1, 2, 3)))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        signed = signed or bool(SIGNED.intersection(str(step) for step in path[-2:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        # Flips keep the bundle well-formed, so they reach the signature and log checks.
        op = draw(st.sampled_from(("flip", "flip", "flip", "delete", "replace", "duplicate")))
        leaf = path[-1]
        if op == "delete":
            del parent[leaf]
        elif op == "replace":
            parent[leaf] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
        elif op == "flip" and type(parent[leaf]) in (str, int) and str(parent[leaf]):
            value = str(parent[leaf])
            at = draw(st.integers(0, len(value) - 1))
            if isinstance(parent[leaf], str):
                parent[leaf] = value[:at] + draw(st.sampled_from("A/+=0z1")) + value[at + 1 :]
            else:
                parent[leaf] = int(value[:at] + draw(st.sampled_from("0179")) + value[at + 1 :])
        elif op == "duplicate" and isinstance(parent[leaf], list):
            parent[leaf] = parent[leaf] * 2
        else:
            parent[leaf] = copy.deepcopy(draw(st.sampled_from(REPLACEMENTS)))
    lines = draw(st.integers(1, 2)) if CASES[index][3] == "attestation" else 1
    return index, "\n".join([json.dumps(data)] * lines), signed


@examples(ci=60)
@given(mutated_bundles())
def test_verifying_a_mutated_bundle_fails_closed(case: tuple[int, str, bool]) -> None:
    index, text, signed = case
    artifact, bundle, instance, kind = CASES[index]
    path = WORK / bundle
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    verifier = VERIFIERS[instance]
    if kind == "blob":
        call = lambda: verify_blob_bundle(SIGSTORE / artifact, path, ANY, verifier)  # noqa: E731
    else:
        policy = AttestationPolicy(identity=ANY)
        call = lambda: verify_attestation(SIGSTORE / artifact, path, policy, verifier)  # noqa: E731
    outcome = verdict(call)
    if signed and not isinstance(outcome, ReleaseError):
        # A changed signature, certificate, digest or payload never verifies (fields outside
        # them, such as the name in a checkpoint's signature line, are not signed).
        assert _canonical(text) == _canonical(BUNDLES[bundle]), "a changed bundle verified"


def _canonical(text: str) -> list[Any]:
    """The bundles as sigstore reads them (base64 decoding skips stray characters)."""
    from sigstore.models import Bundle

    try:
        chunks = [json.dumps(json.loads(text))]
    except ValueError:  # JSON lines, as gh attestation download writes them
        chunks = [line for line in text.splitlines() if line.strip()]
    return [json.loads(Bundle.from_json(chunk).to_json()) for chunk in chunks]
