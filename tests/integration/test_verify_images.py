"""verify.images against Debian's real docker-registry, seeded by skopeo with the tests' own
multi-arch OCI layouts; skopeo inspect --raw is the oracle for every digest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, OciRegistry, Repo, TokenRegistry
from registry_parts import FaultProxy, build_layout, push, skopeo_digest

Cli = Callable[..., CliResult]
pytestmark = pytest.mark.usefixtures("skopeo_bin")
VERSION_LABEL = "org.opencontainers.image.version"
REVISION_LABEL = "org.opencontainers.image.revision"


@pytest.fixture
def project(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo({"README.md": "demo\n"}, name="project")
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    return repo


def seed(tmp_path: Path, host: str, repo: str, tags: tuple[str, ...], **kw: object) -> str:
    """Build one multi-arch layout and push it under every tag; its index digest."""
    layout = build_layout(tmp_path / f"layout-{repo.replace('/', '-')}", tags[0], seed=repo, **kw)  # type: ignore[arg-type]
    for tag in tags:
        push(layout, f"{host}/{repo}:{tag}")
    return layout.index


def test_two_tags_of_a_multi_arch_image_verify_by_digest_platform_and_label(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path
) -> None:
    commit = project.git("rev-parse", "v0.1.8^{commit}").strip()
    labels = {VERSION_LABEL: "0.1.8", REVISION_LABEL: commit}
    digest = seed(tmp_path, oci_registry.host, unique_repo, ("v0.1.8", "latest"), labels=labels)
    image = f"{oci_registry.host}/{unique_repo}"
    assert skopeo_digest(f"{image}:v0.1.8") == digest
    project.write({"releasekit.yaml": (
        "registry:\n"
        f"  plain_http: ['{oci_registry.host}']\n"
        f"  labels: {{{VERSION_LABEL}: '{{version}}', {REVISION_LABEL}: '{{commit}}'}}\n"
        f"  images:\n    - repository: {image}\n      tags: ['{{tag}}', latest]\n")})  # fmt: skip
    result = cli("verify.images", "--tag", "v0.1.8", cwd=project.path)
    assert result.code == 0, result.err
    lines = result.lines
    assert lines[0] == f"OK       {image}:v0.1.8 {digest} (OCI index)"
    assert lines[1].startswith("  OK       linux/amd64 sha256:")
    assert f"{VERSION_LABEL}=0.1.8 {REVISION_LABEL}={commit}" in lines[1]
    assert lines[2].startswith("  OK       linux/arm64 sha256:")
    assert lines[3] == f"OK       {image}:latest {digest} (OCI index)"
    # The verdict is a result (stdout); before the output contract it was a note on stderr.
    assert (lines[-1], result.err) == ("2 image references match v0.1.8", "")
    as_json = cli("verify.images", "--tag", "v0.1.8", "--json", cwd=project.path)
    data = json.loads(as_json.out)
    assert data["ok"] is True and [i["digest"] for i in data["results"]] == [digest, digest]
    platforms = {p["platform"]: p["digest"] for p in data["results"][0]["platforms"]}
    index = json.loads(__import__("registry_parts").skopeo_raw(f"{image}:v0.1.8"))
    assert platforms == {f"{m['platform']['os']}/{m['platform']['architecture']}": m["digest"]
                         for m in index["manifests"]}  # fmt: skip


def test_flags_alone_missing_arm64_is_a_mismatch(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path
) -> None:
    seed(tmp_path, oci_registry.host, unique_repo, ("v0.1.8",), platforms=("linux/amd64",))
    ref = f"{oci_registry.host}/{unique_repo}:{{tag}}"
    result = cli(
        "verify.images", "--tag", "v0.1.8", "--image", ref, "--plain-http", cwd=project.path
    )
    assert result.code == 3
    assert "  MISMATCH linux/arm64 -" in result.lines
    assert "missing from the index (it has linux/amd64)" in result.out
    assert "1 of 1 image references do not match v0.1.8" in result.err
    only_amd = cli("verify.images", "--tag", "v0.1.8", "--image", ref, "--platform", "linux/amd64",
                   "--plain-http", cwd=project.path)  # fmt: skip
    assert only_amd.code == 0, only_amd.err


def test_not_published_tags_that_disagree_and_wrong_labels_are_mismatches(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path
) -> None:
    host = oci_registry.host
    seed(tmp_path / "a", host, unique_repo, ("v0.1.8",), labels={VERSION_LABEL: "0.1.7"})
    other = seed(tmp_path / "b", host, unique_repo + "-b", ("x",))
    push(build_layout(tmp_path / "c", "latest", seed="other"), f"{host}/{unique_repo}:latest")
    image = f"{host}/{unique_repo}"
    argv = [
        "verify.images",
        "--tag",
        "v0.1.8",
        "--plain-http",
        "--label",
        f"{VERSION_LABEL}={{version}}",
    ]
    result = cli(*argv, "--image", f"{image}:{{tag}}", "--image", f"{image}:latest",
                 "--image", f"{image}:v9.9.9", "--image", f"{host}/{unique_repo}-b@{other}",
                 cwd=project.path)  # fmt: skip
    assert result.code == 3
    assert f"label {VERSION_LABEL} is '0.1.7' (expected '0.1.8')" in result.out
    # Each mismatch once, under its reference on stdout; stderr counts them.
    assert "not found in the registry (not published?)" in result.out
    assert "names sha256:" in result.out and f"but {image}:v0.1.8 names" in result.out
    assert result.err == "releasekit: error: 4 of 4 image references do not match v0.1.8\n"
    assert f"label {VERSION_LABEL} is missing (expected 0.1.8)" in result.out  # the -b image


def test_digests_file_from_the_build_is_checked_with_file_and_line(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path,
    env_ci: dict[str, Path],
) -> None:  # fmt: skip
    digest = seed(tmp_path, oci_registry.host, unique_repo, ("v0.1.8",))
    image = f"{oci_registry.host}/{unique_repo}"
    good = {f"{image}:v0.1.8": digest}
    bad = {"other/thing:v1": digest, f"{image}": "sha256:" + "1" * 64}
    project.write({"good.json": json.dumps(good), "bad.json": json.dumps(bad, indent=2)})
    argv = ("verify.images", "--tag", "v0.1.8", "--image", f"{image}:{{tag}}", "--plain-http")
    assert cli(*argv, "--digests", "good.json", cwd=project.path).code == 0
    result = cli(*argv, "--digests", "bad.json", cwd=project.path)
    assert result.code == 3
    assert (
        f"digest {digest} is not the sha256:{'1' * 64} the build wrote (bad.json:3)" in result.out
    )
    assert "::error file=bad.json,line=3::" in result.out
    summary = env_ci["summary"].read_text()  # both runs' tables, appended
    assert "### ❌ verify.images: 1 of 1 image references do not match v0.1.8" in summary
    assert "| mismatch | `bad.json:3` |" in summary


def test_an_unreachable_registry_is_an_error_never_ok(cli: Cli, project: Repo) -> None:
    from conftest import free_port

    ref = f"127.0.0.1:{free_port()}/t/none:{{tag}}"
    result = cli(
        "verify.images", "--tag", "v0.1.8", "--image", ref, "--plain-http", cwd=project.path
    )
    assert result.code == 1
    assert "connection refused" in result.err and "OK" not in result.out


def test_bytes_that_do_not_match_the_digest_are_a_mismatch(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path
) -> None:
    seed(tmp_path, oci_registry.host, unique_repo, ("v0.1.8",))
    proxy = FaultProxy(
        oci_registry.host, lambda m, p: ("corrupt", 0) if "/manifests/" in p else None
    )
    try:
        ref = f"{proxy.host}/{unique_repo}:v0.1.8"
        result = cli(
            "verify.images", "--tag", "v0.1.8", "--image", ref, "--plain-http", cwd=project.path
        )
    finally:
        proxy.stop()
    assert result.code == 3
    assert (
        "hash to sha256:" in result.err and "but Docker-Content-Digest says sha256:" in result.err
    )


def test_5xx_is_retried_and_a_slow_registry_times_out(
    cli: Cli, project: Repo, oci_registry: OciRegistry, unique_repo: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    seed(tmp_path, oci_registry.host, unique_repo, ("v0.1.8",))
    failures = iter([("status", 503), ("status", 502)])
    proxy = FaultProxy(oci_registry.host, lambda m, p: next(failures, None))
    slow = FaultProxy(oci_registry.host, lambda m, p: ("slow", 5))
    try:
        ok = cli("verify.images", "--tag", "v0.1.8", "--image", f"{proxy.host}/{unique_repo}:v0.1.8",
                 "--plain-http", cwd=project.path)  # fmt: skip
        monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "2")
        late = cli("verify.images", "--tag", "v0.1.8", "--image", f"{slow.host}/{unique_repo}:v0.1.8",
                   "--plain-http", cwd=project.path)  # fmt: skip
    finally:
        proxy.stop()
        slow.stop()
    assert ok.code == 0, ok.err
    assert late.code == 1 and "did not answer within 2 s" in late.err


def test_token_auth_anonymous_pull_of_a_public_image(
    cli: Cli, project: Repo, token_registry: TokenRegistry, tmp_path: Path
) -> None:
    layout = build_layout(tmp_path / "pub", "v0.1.8", seed="public")
    push(layout, f"{token_registry.host}/public/app:v0.1.8", creds=token_registry.creds)
    ref = f"{token_registry.host}/public/app:{{tag}}"
    result = cli(
        "verify.images", "--tag", "v0.1.8", "--image", ref, "--plain-http", cwd=project.path
    )
    assert result.code == 0, result.err
    assert ("", ("repository:public/app:pull",)) in token_registry.tokens.asked  # type: ignore[attr-defined]


def test_a_calver_suite_image_is_checked_under_its_version_channel_and_latest(
    cli: Cli, make_repo: Callable[..., Repo], oci_registry: OciRegistry, unique_repo: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Seed 003: suite-2026.04-stable pushes each module image as 2026.04, stable and latest
    (the config releasekit init writes for a suite); a channel tag on another digest fails."""
    repo = make_repo({"README.md": "suite\n"}, name="suite")
    repo.git("tag", "-a", "suite-2026.04-stable", "-m", "suite 2026.04")
    digest = seed(tmp_path, oci_registry.host, unique_repo, ("2026.04", "stable", "latest"))
    image = f"{oci_registry.host}/{unique_repo}"
    repo.write({"releasekit.yaml": (
        "tag_format: 'suite-{version}[-{codename}][-{channel}]'\n"
        "tags:\n  versioning: calver\n"
        f"registry:\n  plain_http: ['{oci_registry.host}']\n"
        f"  images:\n    - repository: {image}\n"
        "      tags: ['{version}', '{channel}', latest]\n"
        "      moving_tags: ['{channel}', latest]\n")})  # fmt: skip
    result = cli("verify.images", "--tag", "suite-2026.04-stable", cwd=repo.path)
    assert result.code == 0, result.out + result.err
    for tag in ("2026.04", "stable", "latest"):
        assert f"OK       {image}:{tag} {digest} (OCI index)" in result.lines
    seed(tmp_path / "other", oci_registry.host, unique_repo, ("edge",), labels={"x": "y"})
    repo.git("tag", "-a", "suite-2026.04", "-m", "suite 2026.04 (edge)")
    edge = cli("verify.images", "--tag", "suite-2026.04", cwd=repo.path)
    assert edge.code == 3, edge.out + edge.err
    assert any(line.startswith(f"MISMATCH {image}:edge ") for line in edge.lines), edge.out
