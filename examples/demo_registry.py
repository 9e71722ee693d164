"""Published images and charts: promote a build by digest, verify images, list tags, pull the chart.

Called by examples/demo.py after the tag steps (v0.1.8 exists). Needs Debian's docker-registry
and skopeo: a throwaway local registry is started (demo_helm.local_registry), two-platform
images are built as OCI layouts (tests/registry_parts.py, the tests' own builder) and pushed
with skopeo as a CI build would, then releasekit promotes and checks them with flags alone.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSION_LABEL = "org.opencontainers.image.version"


def run(repo: Path, sh: Callable[..., int]) -> None:
    if shutil.which("skopeo") is None or shutil.which("docker-registry") is None:
        print("skipped: apt-get install -y docker-registry skopeo")
        return
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent / "tests"))
    from demo_helm import local_registry

    from registry_parts import build_layout, push

    with (
        local_registry() as host,
        tempfile.TemporaryDirectory(prefix="releasekit-demo-oci-") as tmp,
    ):
        assert host is not None
        operator = f"{host}/example/demo-operator"
        print(f"CI pushed the tested build as {operator}-ci:build-1 (linux/amd64 + linux/arm64):")
        build = build_layout(
            Path(tmp) / "op", "build-1", seed="operator", labels={VERSION_LABEL: "0.1.8"}
        )
        push(build, f"{operator}-ci:build-1")
        images = ("--image", f"{operator}:{{tag}}", "--image", f"{operator}:latest")
        print(
            "\nSeed 002's 'retag by digest': the plan first, then the promote (no layer is copied):"
        )
        promote = (
            "release.promote",
            "--tag",
            "v0.1.8",
            *images,
            "--from",
            f"{operator}-ci:build-1",
            "--plain-http",
        )
        sh(*promote, "--dry-run")
        sh(*promote)
        print(
            "\nSeed 000's `docker pull` + `docker run ... version`, by digest, platform and label:"
        )
        sh(
            "verify.images",
            "--tag",
            "v0.1.8",
            *images,
            "--label",
            f"{VERSION_LABEL}={{version}}",
            "--plain-http",
        )
        print("\nAn agent image pushed for amd64 only is caught (exit 3):")
        agent = build_layout(
            Path(tmp) / "agent", "v0.1.8", platforms=("linux/amd64",), seed="agent"
        )
        push(agent, f"{host}/example/demo-agent:v0.1.8")
        sh(
            "verify.images",
            "--tag",
            "v0.1.8",
            "--image",
            f"{host}/example/demo-agent:{{tag}}",
            "--plain-http",
            expect=3,
        )
        print("\nPublished is immutable: promoting another build to v0.1.8 is refused (exit 3):")
        push(build_layout(Path(tmp) / "other", "build-2", seed="other"), f"{operator}-ci:build-2")
        sh(
            "release.promote",
            "--tag",
            "v0.1.8",
            *images,
            "--from",
            f"{operator}-ci:build-2",
            "--plain-http",
            expect=3,
        )
        print("\nThe rollback aid: every release tag of the image with its digest:")
        push(build_layout(Path(tmp) / "old", "v0.1.7", seed="old"), f"{operator}:v0.1.7")
        sh("release.image-tags", "--image", operator, "--plain-http")
        chart = repo / "dist" / "demo-operator-0.1.8.tgz"
        if chart.is_file():
            print("\nSeed 000's `helm pull` + `helm install --dry-run` of the published chart:")
            remote = f"oci://{host}/helm-charts"
            sh("release.push-chart", "dist/demo-operator-0.1.8.tgz", remote, "--plain-http")
            sh("verify.chart-published", "--tag", "v0.1.8", "--chart", "charts/demo-operator", "--remote", remote,
               "--plain-http")  # fmt: skip
