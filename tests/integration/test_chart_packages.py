"""release.package-chart and release.push-chart against the real local OCI registry.

The registry is Debian's docker-registry (CNCF distribution); skopeo reads back independently
what releasekit pushed, and sha256sum (coreutils) is the oracle for archive digests.
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, OciRegistry, Repo, require_real

pytestmark = pytest.mark.usefixtures("helm_sdk")


def sha256sum(path: Path) -> str:
    sha = require_real("sha256sum", "apt-get install -y coreutils")
    return subprocess.run(
        [sha, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()[0]


def skopeo_manifest(ref: str) -> dict[str, object]:
    skopeo = require_real("skopeo", "apt-get install -y skopeo")
    out = subprocess.run(
        [skopeo, "inspect", "--tls-verify=false", "--raw", ref],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, object] = json.loads(out)
    return data


@pytest.fixture
def packaged(example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path) -> Path:
    """The example chart packaged by release.package-chart into tmp_path/dist."""
    result = cli(
        "release.package-chart",
        "--engine",
        "sdk",
        "--dest",
        str(tmp_path / "dist"),
        cwd=example_repo.path,
    )
    assert result.code == 0, result.err
    return tmp_path / "dist" / "demo-operator-0.1.7.tgz"


def test_package_chart_is_reproducible(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    first = cli(
        "release.package-chart",
        "--engine",
        "sdk",
        "--dest",
        str(tmp_path / "a"),
        cwd=example_repo.path,
    )
    assert first.code == 0, first.err
    # Touch every file: a fresh checkout has new mtimes; the archive must not change.
    for path in (example_repo.path / "charts").rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    second = cli(
        "release.package-chart",
        "--engine",
        "sdk",
        "--dest",
        str(tmp_path / "b"),
        cwd=example_repo.path,
    )
    assert second.code == 0, second.err
    a, b = tmp_path / "a" / "demo-operator-0.1.7.tgz", tmp_path / "b" / "demo-operator-0.1.7.tgz"
    assert a.read_bytes() == b.read_bytes()
    assert first.lines == [f"{sha256sum(a)}  {a}"]
    with tarfile.open(a) as tar:
        names = sorted(tar.getnames())
        mtimes = {m.mtime for m in tar.getmembers()}
    assert "demo-operator/Chart.yaml" in names
    assert "demo-operator/crds/demo.example.com_agents.yaml" in names
    assert "demo-operator/templates/cronjob.yaml" in names
    assert mtimes == {int(example_repo.git("log", "-1", "--format=%ct").strip())}


def test_package_chart_version_overrides(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = cli(
        "release.package-chart", "--engine", "sdk", "--dest", str(tmp_path),
        "--version", "0.4.0", "--app-version", "v0.1.8", "--json",
        cwd=example_repo.path,
    )  # fmt: skip
    assert result.code == 0, result.err
    [item] = json.loads(result.out)["results"]
    archive = Path(item["archive"])
    assert archive.name == "demo-operator-0.4.0.tgz"
    with tarfile.open(archive) as tar:
        handle = tar.extractfile("demo-operator/Chart.yaml")
        assert handle is not None
        chart_yaml = handle.read().decode()
    assert "version: 0.4.0" in chart_yaml and "appVersion: v0.1.8" in chart_yaml
    assert item["sha256"] == sha256sum(archive)


def test_package_chart_rejects_a_bad_version(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    result = cli(
        "release.package-chart",
        "--engine",
        "sdk",
        "--dest",
        str(dist),
        "--version",
        "v1",
        cwd=example_repo.path,
    )
    assert result.code == 1
    assert "--version 'v1' is not SemVer" in result.err
    assert not dist.exists()


def push(
    cli: Callable[..., CliResult], repo: Repo, archive: Path, remote: str, *extra: str
) -> CliResult:
    return cli("release.push-chart", str(archive), remote, "--plain-http", *extra, cwd=repo.path)


@pytest.mark.integration
def test_push_chart_then_pull_back_and_skopeo_sees_it(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    oci_registry: OciRegistry,
    unique_repo: str,
    packaged: Path,
) -> None:
    remote = oci_registry.oci(unique_repo)
    result = push(cli, example_repo, packaged, remote, "--engine", "sdk")
    assert result.code == 0, result.err
    manifest = skopeo_manifest(oci_registry.docker(f"{unique_repo}/demo-operator:0.1.7"))
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert [layer["mediaType"] for layer in layers] == [
        "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    ]
    assert layers[0]["digest"] == "sha256:" + sha256sum(packaged)
    ref = f"{remote}/demo-operator"
    assert result.lines[0].startswith(f"pushed {ref}:0.1.7 sha256:")
    assert (
        result.lines[1]
        == f"pulled back {ref}:0.1.7: sha256 {sha256sum(packaged)} matches {packaged.name}"
    )


@pytest.mark.integration
def test_push_chart_refuses_to_overwrite_a_published_version(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    oci_registry: OciRegistry,
    unique_repo: str,
    packaged: Path,
    tmp_path: Path,
) -> None:
    remote = oci_registry.oci(unique_repo)
    assert push(cli, example_repo, packaged, remote).code == 0
    before = skopeo_manifest(oci_registry.docker(f"{unique_repo}/demo-operator:0.1.7"))
    # Same version, different content: must be refused, and the registry must be untouched.
    (example_repo.path / "charts/demo-operator/values.yaml").write_text("replicaCount: 2\n")
    cli(
        "release.package-chart",
        "--engine",
        "sdk",
        "--dest",
        str(tmp_path / "two"),
        cwd=example_repo.path,
    )
    second = push(cli, example_repo, tmp_path / "two" / packaged.name, remote)
    assert second.code == 1
    assert f"{remote}/demo-operator:0.1.7 already exists in the registry (sha256:" in second.err
    assert "published chart versions are immutable" in second.err
    assert skopeo_manifest(oci_registry.docker(f"{unique_repo}/demo-operator:0.1.7")) == before


@pytest.mark.integration
def test_push_chart_dry_run_checks_and_pushes_nothing(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    oci_registry: OciRegistry,
    unique_repo: str,
    packaged: Path,
) -> None:
    remote = oci_registry.oci(unique_repo)
    result = push(cli, example_repo, packaged, remote, "--dry-run")
    assert result.code == 0, result.err
    assert result.lines == [
        f"would push demo-operator-0.1.7.tgz as {remote}/demo-operator:0.1.7 (that version is free)",
        "dry run: nothing was pushed",
    ]
    skopeo = require_real("skopeo", "apt-get install -y skopeo")
    probe = subprocess.run(
        [skopeo, "inspect", "--tls-verify=false", "--raw", oci_registry.docker(f"{unique_repo}/demo-operator:0.1.7")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert probe.returncode != 0
    assert "manifest unknown" in probe.stderr or "name unknown" in probe.stderr


@pytest.mark.integration
def test_push_chart_to_an_unreachable_registry_fails_clearly(
    example_repo: Repo, cli: Callable[..., CliResult], packaged: Path
) -> None:
    result = push(cli, example_repo, packaged, "oci://127.0.0.1:9/charts")
    assert result.code == 1
    assert "asking the registry for oci://127.0.0.1:9/charts/demo-operator:0.1.7" in result.err
    assert "connection refused" in result.err


def test_push_chart_rejects_what_is_not_a_chart(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    bogus = tmp_path / "x.tgz"
    bogus.write_bytes(b"not a tarball")
    result = cli(
        "release.push-chart", str(bogus), "oci://127.0.0.1:9/charts", cwd=example_repo.path
    )
    assert result.code == 1  # bad input (exit 2 was usage's before the output contract)
    assert f"{bogus}: not a gzipped tar archive" in result.err
    https = cli(
        "release.push-chart", str(bogus), "https://example.org/charts", cwd=example_repo.path
    )
    assert https.code == 2


def test_push_chart_needs_a_remote(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo()
    result = cli("release.push-chart", "dist/x-1.0.0.tgz", cwd=repo.path)
    assert result.code == 2
    assert "did not receive required positional arguments: 'remote'" in result.err


@pytest.mark.integration
def test_pushed_chart_installs_from_the_registry_with_the_sdk(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    oci_registry: OciRegistry,
    unique_repo: str,
    packaged: Path,
    tmp_path: Path,
) -> None:
    # `helm pull oci://... --version X` then render it, as seed 000's post-release check does.
    import helm_python

    remote = oci_registry.oci(unique_repo)
    assert push(cli, example_repo, packaged, remote).code == 0
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    helm_python.pull(
        f"{remote}/demo-operator", version="0.1.7", destination=pulled, plain_http=True
    )
    with helm_python.Chart.load(pulled / "demo-operator-0.1.7.tgz") as chart:
        rendered = chart.render({}, name="demo", namespace="demo")
    assert (
        "image: ghcr.io/example/demo-operator:v0.1.7"
        in rendered["demo-operator/templates/deployment.yaml"]
    )


def test_package_chart_defaults_to_dist_and_prints_sha256sum_lines(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("release.package-chart", "--engine", "sdk", cwd=example_repo.path)
    assert result.code == 0, result.err
    archive = example_repo.path / "dist" / "demo-operator-0.1.7.tgz"
    assert result.lines == [f"{sha256sum(archive)}  dist/demo-operator-0.1.7.tgz"]
    # The output is a valid SHA256SUMS file: coreutils checks it.
    (example_repo.path / "SHA256SUMS").write_text(result.out)
    check = subprocess.run(
        ["sha256sum", "--check", "SHA256SUMS"],
        cwd=example_repo.path,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0
    assert check.stdout == "dist/demo-operator-0.1.7.tgz: OK\n"
