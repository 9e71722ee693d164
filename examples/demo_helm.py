"""Helm charts and CRDs: image check, chart rules, CRD sync and history, package and OCI push.

Called by examples/demo.py after the foundation steps (the repo is on release/v0.1.8 with the
bump committed). Renders the example chart for real (helm binary or helm-python-sdk) and, when
Debian's docker-registry is installed, pushes the packaged chart to a throwaway local registry.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

AGENTS = "config/crd/bases/demo.example.com_agents.yaml"


def _engine_available() -> bool:
    if shutil.which("helm"):
        return True
    try:
        import helm_python  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


@contextlib.contextmanager
def local_registry() -> Iterator[str | None]:
    """A docker-registry on a free 127.0.0.1 port for the demo; None when not installed."""
    binary = shutil.which("docker-registry")
    if binary is None:
        yield None
        return
    with (
        tempfile.TemporaryDirectory(prefix="releasekit-demo-registry-") as tmp,
        socket.socket() as sock,
    ):
        sock.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{sock.getsockname()[1]}"
        sock.close()
        config = Path(tmp) / "config.yml"
        config.write_text(
            f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {tmp}/data\n"
            f"http:\n  addr: {host}\n"
        )
        proc = subprocess.Popen(
            [binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(200):
                try:
                    with urllib.request.urlopen(f"http://{host}/v2/", timeout=1):
                        break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.05)
            yield host
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def run(repo: Path, sh: Callable[..., int]) -> None:
    if not _engine_available():
        print("skipped: no Helm engine; pip install 'releasekit[helm]' or install helm")
        return
    print("$ helm template ... | grep image:   (seed 000) becomes:")
    sh("verify.helm-template", "--tag", "v0.1.8")
    print("\nA values override that pins a :latest image is caught (exit 3):")
    sh(
        "verify.helm-template",
        "--tag",
        "v0.1.8",
        "-f",
        "charts/demo-operator/ci/latest-values.yaml",
        expect=3,
    )

    print("\nChart rules: appVersion is the tag, version is SemVer and went up since v0.1.7:")
    sh("verify.chart", "--tag", "v0.1.8")

    print("\nA new CRD field lands in the generated CRDs but not yet in the chart:")
    agents = repo / AGENTS
    agents.write_text(
        agents.read_text().replace(
            "              timeout:\n",
            "              maxRetries:\n                description: MaxRetries bounds retries.\n"
            "                type: integer\n              timeout:\n",
        )
    )
    sh("verify.chart-sync", expect=3)
    print("$ make helm-sync")
    subprocess.run(["make", "-s", "helm-sync"], cwd=repo, check=True)
    sh("verify.chart-sync")

    print("\nWhat changed in the CRDs since the previous release (feeds the release notes):")
    sh("verify.crd-changes")
    sh("docs.crd-history", "--add", "v0.1.8", "--description", "Added `spec.maxRetries` to Agent")
    sh("docs.crd-history")

    print("\nPackage the chart (reproducible: same bytes from any checkout of this commit):")
    sh("release.package-chart", "--dest", "dist")
    with local_registry() as host:
        if host is None:
            print("skipped the OCI push: apt-get install -y docker-registry")
            return
        remote = f"oci://{host}/helm-charts"
        sh("release.push-chart", "dist/demo-operator-0.1.8.tgz", remote, "--plain-http")
        print("\nPublished is immutable: pushing 0.1.8 again is refused (exit 1):")
        sh("release.push-chart", "dist/demo-operator-0.1.8.tgz", remote, "--plain-http", expect=1)
