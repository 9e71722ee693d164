"""Credentials from a Docker credential helper (``docker-credential-<name> get``, the real
protocol through a real executable on PATH) against the htpasswd registry; never printed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import AuthRegistry, CliResult, Repo
from registry_parts import build_layout, push

Cli = Callable[..., CliResult]


def test_a_credential_helper_logs_in_and_its_secret_is_never_printed(
    cli: Cli, make_repo: Callable[..., Repo], auth_registry: AuthRegistry, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, skopeo_bin: str, env_ci: dict[str, Path],
) -> None:  # fmt: skip
    host, creds = auth_registry.host, f"{auth_registry.username}:{auth_registry.password}"
    push(
        build_layout(tmp_path / "l", "v0.1.8", seed="helper"),
        f"{host}/t/helper:v0.1.8",
        creds=creds,
    )
    bin_dir, docker = tmp_path / "bin", tmp_path / "docker"
    bin_dir.mkdir()
    docker.mkdir()
    answer = json.dumps(
        {"ServerURL": host, "Username": auth_registry.username, "Secret": auth_registry.password}
    )
    helper = bin_dir / "docker-credential-rktest"
    helper.write_text(
        f"#!/bin/sh\nread server\n[ \"$server\" = {host} ] || exit 1\necho '{answer}'\n"
    )
    helper.chmod(0o755)
    (docker / "config.json").write_text(json.dumps({"credHelpers": {host: "rktest"}}))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DOCKER_CONFIG", str(docker))
    repo = make_repo(name="project")
    argv = (
        "verify.images",
        "--tag",
        "v0.1.8",
        "--image",
        f"{host}/t/helper:{{tag}}",
        "--plain-http",
    )
    ok = cli(*argv, cwd=repo.path)
    bad = cli(
        *argv[:-2], "--image", f"{host}/t/nothing:{{tag}}", "--plain-http", "--json", cwd=repo.path
    )
    (docker / "config.json").write_text(json.dumps({"credHelpers": {host: "missing"}}))
    absent = cli(*argv, cwd=repo.path)
    assert ok.code == 0, ok.err
    assert bad.code == 3 and absent.code == 1
    assert "docker-credential-missing is not on PATH" in absent.err
    for result in (ok, bad, absent):
        for text in (result.out, result.err, env_ci["summary"].read_text()):
            assert auth_registry.password not in text
