"""release.promote against real docker-registry instances: digests equal the source's (skopeo
inspect --raw is the oracle), the registry's own access log shows 0 blob uploads and 0 blob
downloads, and every refusal and fault ends with the right exit code and no false OK."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo, TokenRegistry
from registry_parts import (
    FaultProxy,
    RegistryProcess,
    blob_traffic,
    build_layout,
    push,
    skopeo,
    skopeo_digest,
)

Cli = Callable[..., CliResult]
pytestmark = pytest.mark.usefixtures("skopeo_bin")


@pytest.fixture
def project(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo({"README.md": "demo\n"}, name="project")
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    return repo


def configure(project: Repo, host: str, images: dict[str, str], **extra: str) -> None:
    """registry.images: destination repository -> source repository, tags {tag} and latest."""
    lines = ["registry:", f"  plain_http: ['{host}']", "  promote_from: build-1"]
    lines += [f"  {k}: {v}" for k, v in extra.items()]
    lines.append("  images:")
    for dest, source in images.items():
        lines += [f"    - repository: {host}/{dest}", f"      source: {host}/{source}",
                  "      tags: ['{tag}', latest]"]  # fmt: skip
    project.write({"releasekit.yaml": "\n".join(lines) + "\n"})


def test_promote_across_repositories_copies_manifests_by_digest_and_no_layer_bytes(
    cli: Cli, project: Repo, own_registry: RegistryProcess, tmp_path: Path
) -> None:
    host = own_registry.host
    layout = build_layout(tmp_path / "app", "build-1", seed="app", layer_bytes=200_000)
    push(layout, f"{host}/ci/app:build-1")
    # A cosign signature of the index digest, as `cosign sign` files it (sha256-<hex>.sig).
    sig_tag = layout.index.replace(":", "-") + ".sig"
    sig = build_layout(tmp_path / "sig", sig_tag, platforms=("linux/amd64",), seed="sig")
    skopeo(
        "copy",
        "--dest-tls-verify=false",
        f"oci:{sig.path}:{sig_tag}",
        f"docker://{host}/ci/app:{sig_tag}",
    )
    configure(project, host, {"rel/app": "ci/app"})
    before = len(own_registry.requests())

    dry = cli("release.promote", "--tag", "v0.1.8", "--dry-run", cwd=project.path)
    assert dry.code == 0, dry.err
    assert (
        dry.lines[0]
        == f"promote {host}/ci/app:build-1 -> {host}/rel/app ({layout.index}, index of 2)"
    )
    assert (
        dry.lines[1] == "  mount 4 blobs from ci/app, copy 3 manifests by digest (no layer bytes)"
    )
    assert dry.lines[2:4] == ["  create    :v0.1.8", "  create    :latest"]
    assert f"  copy      {sig_tag}" in dry.lines
    assert dry.lines[-1] == "1 images would be promoted to v0.1.8; dry run: nothing was written"
    with pytest.raises(Exception):  # noqa: B017 - skopeo exits non-zero: nothing was pushed
        skopeo_digest(f"{host}/rel/app:v0.1.8")

    result = cli("release.promote", "--tag", "v0.1.8", "--json", cwd=project.path)
    assert result.code == 0, result.err
    data = json.loads(result.out)["results"][0]
    assert data["status"] == "changed"
    assert data["digest"] == layout.index and data["mounted"] == 6
    for tag in ("v0.1.8", "latest"):
        assert skopeo_digest(f"{host}/rel/app:{tag}") == layout.index  # the oracle
    for platform, digest in layout.children.items():
        assert skopeo_digest(f"{host}/rel/app@{digest}") == digest, platform
    assert skopeo_digest(f"{host}/rel/app:{sig_tag}") == skopeo_digest(f"{host}/ci/app:{sig_tag}")
    traffic = blob_traffic(own_registry.requests()[before:])
    assert traffic == {
        "uploads": 0,
        "mounts": 6,
        "downloads": 0,
    }  # 2 layers, 2 configs, the sig's 2

    again = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
    assert again.code == 0, again.err
    assert "  unchanged :v0.1.8" in again.lines and "  unchanged :latest" in again.lines


def test_a_version_tag_on_another_digest_is_refused_and_nothing_is_written(
    cli: Cli, project: Repo, own_registry: RegistryProcess, tmp_path: Path
) -> None:
    host = own_registry.host
    push(build_layout(tmp_path / "a", "build-1", seed="a"), f"{host}/ci/a:build-1")
    old = build_layout(tmp_path / "old", "v0.1.8", seed="old")
    push(old, f"{host}/rel/a:v0.1.8")
    new = build_layout(tmp_path / "b", "build-1", seed="b")
    push(new, f"{host}/ci/b:build-1")
    push(build_layout(tmp_path / "prev", "latest", seed="prev"), f"{host}/rel/b:latest")
    configure(project, host, {"rel/a": "ci/a", "rel/b": "ci/b"})
    result = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
    assert result.code == 3
    assert "release.promote refused, nothing was written:" in result.err
    assert f"{host}/rel/a:v0.1.8 already names {old.index}" in result.err
    assert "published version tags are immutable" in result.err
    with pytest.raises(Exception):  # noqa: B017 - rel/b was not written either
        skopeo_digest(f"{host}/rel/b:v0.1.8")
    # latest is a moving tag: promoting b alone moves it.
    moved = cli("release.promote", "--tag", "v0.1.8", "--image", f"{host}/rel/b:{{tag}}",
                "--image", f"{host}/rel/b:latest", "--from", f"{host}/ci/b:build-1", cwd=project.path)  # fmt: skip
    assert moved.code == 0, moved.err
    assert any(line.startswith("  move      :latest (was sha256:") for line in moved.lines)
    assert skopeo_digest(f"{host}/rel/b:latest") == new.index


def test_a_source_missing_arm64_is_refused(
    cli: Cli, project: Repo, own_registry: RegistryProcess, tmp_path: Path
) -> None:
    host = own_registry.host
    push(
        build_layout(tmp_path / "a", "build-1", platforms=("linux/amd64",)), f"{host}/ci/a:build-1"
    )
    configure(project, host, {"rel/a": "ci/a"})
    result = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
    assert result.code == 3
    assert f"{host}/ci/a:build-1: the source has no linux/arm64 (it has linux/amd64)" in result.err


def test_a_registry_stopped_midway_says_what_exists_and_a_rerun_converges(
    cli: Cli, project: Repo, own_registry: RegistryProcess, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    layout = build_layout(tmp_path / "a", "build-1", seed="stop")
    push(layout, f"{own_registry.host}/ci/a:build-1")
    puts = []

    def fault(method: str, path: str) -> tuple[str, float] | None:
        if method == "PUT" and "/manifests/" in path:
            puts.append(path)
            if len(puts) == 2:  # after the first child manifest: the registry goes away
                return ("stop", 0)
        return None

    proxy = FaultProxy(own_registry.host, fault, on_stop=own_registry.stop)
    monkeypatch.setenv("RELEASEKIT_NETWORK_RETRIES", "0")
    try:
        configure(project, proxy.host, {"rel/a": "ci/a"})
        result = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
        assert result.code == 1
        assert "release.promote stopped:" in result.err
        assert f"{proxy.host}/rel/a:v0.1.8: unknown (the registry cannot be asked)" in result.err
        assert "run the same command again to finish" in result.err
        own_registry.start()
        rerun = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
    finally:
        proxy.stop()
    assert rerun.code == 0, rerun.err
    assert skopeo_digest(f"{own_registry.host}/rel/a:v0.1.8") == layout.index


def test_token_auth_mount_retries_a_destination_only_token_with_every_scope(
    cli: Cli, project: Repo, token_registry: TokenRegistry, tmp_path: Path
) -> None:
    host, creds = token_registry.host, token_registry.creds
    layout = build_layout(tmp_path / "tok", "build-1", seed="token")
    push(layout, f"{host}/t/tok-ci:build-1", creds=creds)
    docker = tmp_path / "docker"
    auth = __import__("base64").b64encode(creds.encode()).decode()
    docker.mkdir()
    (docker / "config.json").write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    configure(project, host, {"t/tok-rel": "t/tok-ci"})
    start = len(token_registry.registry.requests())  # type: ignore[attr-defined]
    asked_before = len(token_registry.tokens.asked)  # type: ignore[attr-defined]
    import os

    os.environ["DOCKER_CONFIG"] = str(docker)
    try:
        result = cli("release.promote", "--tag", "v0.1.8", cwd=project.path)
    finally:
        del os.environ["DOCKER_CONFIG"]
    assert result.code == 0, result.err
    assert skopeo_digest(f"{host}/t/tok-rel:v0.1.8", creds=creds) == layout.index
    requests = token_registry.registry.requests()[start:]  # type: ignore[attr-defined]
    mounts = [s for m, p, s in requests if m == "POST" and "mount=" in p]
    assert 401 in mounts and mounts.count(201) == 4
    asked = [scopes for _, scopes in token_registry.tokens.asked[asked_before:]]  # type: ignore[attr-defined]
    assert ("repository:t/tok-ci:pull", "repository:t/tok-rel:pull,push") in asked
    assert blob_traffic(requests)["uploads"] == 0 and blob_traffic(requests)["downloads"] == 0
