"""Demo steps for artifact verification (issue 6), called by examples/demo.py.

The release workflow of the demo operator uploads five CLI archives, install.yaml and a
checksums file (releasekit.yaml, ``artifacts``). The demo builds that dist/ for v0.1.8, writes
the checksums with ``release.checksums``, checks them like ``sha256sum -c``, checks the asset
matrix, then shows a tampered archive failing. It also verifies a real Sigstore bundle and a
GitHub attestation offline, with the public bundles kept in tests/fixtures/sigstore.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

PLATFORMS = [
    ("linux", "amd64", "tar.gz"),
    ("linux", "arm64", "tar.gz"),
    ("darwin", "amd64", "tar.gz"),
    ("darwin", "arm64", "tar.gz"),
    ("windows", "amd64", "zip"),
]
SIGSTORE = pathlib.Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "sigstore"


def build_dist(repo: pathlib.Path, tag: str = "v0.1.7") -> pathlib.Path:
    """Stand-in release archives (the real ones come from `make release`/goreleaser)."""
    dist = repo / "dist"
    dist.mkdir(exist_ok=True)
    for os_name, arch, ext in PLATFORMS:
        name = f"demo-operator_{tag}_{os_name}_{arch}.{ext}"
        (dist / name).write_bytes(f"{name}\n".encode() * 4096)
    (dist / "install.yaml").write_text("apiVersion: v1\nkind: List\nitems: []\n")
    return dist


def run(repo: pathlib.Path, sh: Callable[..., Any]) -> None:
    tag = "v0.1.8"  # the release examples/demo.py has just prepared
    dist = build_dist(repo, tag)
    sums = f"dist/demo-operator_{tag}_checksums.txt"
    print("\n## Artifacts: the expected release assets for", tag)
    sh("verify.assets", "--tag", tag, "--print")
    print("\n## Write the checksums file (sorted GNU format), then check it like sha256sum -c")
    sh("release.checksums", "dist/*.tar.gz,dist/*.zip,dist/install.yaml", "--output", sums)
    sh("verify.sha256sum", sums, "--base-dir", "dist")
    sh("verify.assets", "--tag", tag)
    sh("verify.artifacts", "--tag", tag)
    print("\n## One changed byte in an archive: verify.sha256sum exits 3")
    archive = dist / f"demo-operator_{tag}_linux_amd64.tar.gz"
    original = archive.read_bytes()
    archive.write_bytes(b"X" + original[1:])
    try:
        sh("verify.sha256sum", sums, "--base-dir", "dist", "--quiet", expect=3)
    finally:
        archive.write_bytes(original)
    print("\n## Real Sigstore bundle and GitHub attestation, verified offline")
    sh(
        "verify.cosign",
        str(SIGSTORE / "bundle_v3_github.whl"),
        "--bundle",
        str(SIGSTORE / "bundle_v3_github.whl.sigstore"),
        "--identity-regexp",
        r"https://github\.com/trailofbits/rfc8785\.py/\.github/workflows/"
        r"release\.yml@refs/tags/v.*",
    )
    sh(
        "verify.attestation",
        str(SIGSTORE / "reusable-workflow-artifact"),
        "--bundle",
        str(SIGSTORE / "reusable-workflow-attestation.sigstore.json"),
        "--repo",
        "malancas/attest-demo",
    )
