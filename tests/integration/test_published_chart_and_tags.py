"""verify.chart-published (pull, Chart.yaml, render, image check) and release.image-tags
against the real docker-registry; charts pushed with release.push-chart, images with skopeo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, OciRegistry, Repo
from registry_parts import build_layout, push

Cli = Callable[..., CliResult]


@pytest.fixture
def pushed(
    cli: Cli,
    example_repo: Repo,
    oci_registry: OciRegistry,
    unique_repo: str,
    tmp_path: Path,
    helm_sdk: object,
) -> str:
    dist = tmp_path / "dist"
    assert (
        cli(
            "release.package-chart", "--engine", "sdk", "--dest", str(dist), cwd=example_repo.path
        ).code
        == 0
    )
    remote = oci_registry.oci(unique_repo)
    result = cli("release.push-chart", str(dist / "demo-operator-0.1.7.tgz"), remote, "--plain-http",
                 "--engine", "sdk", cwd=example_repo.path)  # fmt: skip
    assert result.code == 0, result.err
    return remote


def test_the_published_chart_is_pulled_checked_and_rendered(
    cli: Cli, example_repo: Repo, pushed: str
) -> None:
    argv = ("verify.chart-published", "--chart", "charts/demo-operator", "--remote", pushed,
            "--plain-http", "--engine", "sdk")  # fmt: skip
    result = cli(*argv, "--tag", "v0.1.7", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[0].startswith(f"OK       {pushed}/demo-operator:0.1.7 sha256:")
    assert result.lines[0].endswith("(pulled, rendered with sdk)")
    assert any("ghcr.io/example/demo-operator:v0.1.7" in line for line in result.lines)
    wrong = cli(*argv, "--tag", "v0.1.8", "--json", cwd=example_repo.path)
    assert wrong.code == 3
    [data] = json.loads(wrong.out)["results"]
    assert data["status"] == "mismatch"
    assert (
        f"{pushed}/demo-operator:0.1.7 Chart.yaml appVersion is v0.1.7 (expected v0.1.8)"
        in data["problems"]
    )
    assert "wrong-tag" in {i["verdict"] for i in data["images"]}
    missing = cli(*argv, "--tag", "v0.1.7", "--chart-version", "9.9.9", cwd=example_repo.path)
    assert missing.code == 3
    assert "demo-operator:9.9.9 is not in the registry (not pushed?)" in missing.out
    assert missing.err == "releasekit: error: 1 problem(s) in the published chart(s)\n"


def test_image_tags_lists_releases_newest_first_with_digests(
    cli: Cli, make_repo: Callable[..., Repo], oci_registry: OciRegistry, unique_repo: str,
    tmp_path: Path, skopeo_bin: str,
) -> None:  # fmt: skip
    repo = make_repo(name="project")
    image = f"{oci_registry.host}/{unique_repo}"
    digests = {}
    for tag in ("v0.1.7", "v0.1.10", "v0.1.9", "v0.2.0-rc.1"):
        layout = build_layout(tmp_path / tag, tag, seed=tag)
        push(layout, f"{image}:{tag}")
        digests[tag] = layout.index
    push(build_layout(tmp_path / "v0.1.10", "v0.1.10", seed="v0.1.10"), f"{image}:latest")
    push(build_layout(tmp_path / "dev", "dev", seed="dev"), f"{image}:dev")
    result = cli("release.image-tags", "--image", image, "--plain-http", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[0] == image
    assert [line.split("\t")[0].strip() for line in result.lines[1:5]] == [
        "v0.2.0-rc.1",
        "v0.1.10",
        "v0.1.9",
        "v0.1.7",
    ]
    assert result.lines[2] == f"  v0.1.10\t{digests['v0.1.10']}\t(also latest)"
    assert result.lines[5].startswith("  dev\tsha256:") and result.lines[5].endswith(
        "(not a release)"
    )
    assert f"before v0.2.0-rc.1 came v0.1.10: {image}@{digests['v0.1.10']}" in result.err
