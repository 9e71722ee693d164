"""An authenticated registry session: the password never appears in any output.

The registry is Debian's real docker-registry with htpasswd (bcrypt) Basic authentication.
release.push-chart runs with the credentials in the URL and from the tools' own stores
(Helm's registry config, Docker's config.json), across success, failure, --json and
--dry-run, under GITHUB_ACTIONS=true; stdout, stderr, the step summary and $GITHUB_OUTPUT
are grepped for the password (and its URL-encoded and Basic forms) after every run.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import AuthRegistry, CliResult, Repo

Cli = Callable[..., CliResult]

pytestmark = pytest.mark.usefixtures("helm_sdk")


class Outputs:
    """Every byte a run can leave behind for a reader: stdout, stderr, summary, outputs."""

    def __init__(self, files: dict[str, Path], secrets: list[str]) -> None:
        self.files, self.secrets, self.seen = files, secrets, 0

    def check(self, result: CliResult) -> CliResult:
        texts = {"stdout": result.out, "stderr": result.err}
        for name, path in self.files.items():
            texts[name] = path.read_text() if path.exists() else ""
        for name, text in texts.items():
            for secret in self.secrets:
                assert secret not in text, f"{secret!r} printed in {name}:\n{text}"
        self.seen += 1
        return result


@pytest.fixture
def outputs(env_ci: dict[str, Path], auth_registry: AuthRegistry) -> Iterator[Outputs]:
    password = auth_registry.password
    basic = base64.b64encode(f"{auth_registry.username}:{password}".encode()).decode()
    wrong = "Wr0ng-Pa55w0rd-guess"
    secrets = [password, urllib.parse.quote(password, safe=""), basic, wrong]
    checker = Outputs(env_ci, secrets)
    yield checker
    assert checker.seen > 0


@pytest.fixture
def packaged(example_repo: Repo, cli: Cli, tmp_path: Path) -> Path:
    argv = ["release.package-chart", "--engine", "sdk", "--dest", str(tmp_path / "dist")]
    assert cli(*argv, cwd=example_repo.path).code == 0
    return tmp_path / "dist" / "demo-operator-0.1.7.tgz"


def push(cli: Cli, repo: Repo, archive: Path, remote: str, *flags: str) -> CliResult:
    argv = ["release.push-chart", str(archive), remote, "--plain-http", "--engine", "sdk"]
    return cli(*argv, *flags, cwd=repo.path)


def test_credentials_in_the_url_push_and_are_never_printed(
    cli: Cli,
    example_repo: Repo,
    packaged: Path,
    auth_registry: AuthRegistry,
    unique_repo: str,
    outputs: Outputs,
    env_ci: dict[str, Path],
) -> None:
    remote = auth_registry.oci_with_login(unique_repo)
    clean = f"oci://{auth_registry.host}/{unique_repo}/demo-operator"

    dry = outputs.check(push(cli, example_repo, packaged, remote, "--dry-run"))
    assert dry.code == 0, dry.err
    assert dry.lines == [
        f"would push demo-operator-0.1.7.tgz as {clean}:0.1.7 (that version is free)",
        "dry run: nothing was pushed",
    ]
    dry_json = outputs.check(push(cli, example_repo, packaged, remote, "--dry-run", "--json"))
    assert json.loads(dry_json.out)["results"][0]["ref"] == clean

    pushed = outputs.check(push(cli, example_repo, packaged, remote))
    assert pushed.code == 0, pushed.err
    assert pushed.lines[0].startswith(f"pushed {clean}:0.1.7 sha256:")
    digest = pushed.lines[0].rsplit(" ", 1)[-1]
    assert f"chart_ref={clean}:0.1.7\nchart_digest={digest}\n" in env_ci["output"].read_text()
    assert f"| changed |  | pushed {clean}:0.1.7 {digest} |" in env_ci["summary"].read_text()

    again = outputs.check(push(cli, example_repo, packaged, remote))
    assert again.code == 1
    assert f"{clean}:0.1.7 already exists in the registry ({digest})" in again.err
    again_json = outputs.check(push(cli, example_repo, packaged, remote, "--json"))
    assert again_json.code == 1
    dry_taken = outputs.check(push(cli, example_repo, packaged, remote, "--dry-run"))
    assert dry_taken.code == 1


def test_a_wrong_password_fails_clearly_and_is_never_printed(
    cli: Cli,
    example_repo: Repo,
    packaged: Path,
    auth_registry: AuthRegistry,
    unique_repo: str,
    outputs: Outputs,
) -> None:
    remote = auth_registry.oci_with_login(unique_repo, password="Wr0ng-Pa55w0rd-guess")
    for flags in ((), ("--json",), ("--dry-run",), ("--dry-run", "--json")):
        result = outputs.check(push(cli, example_repo, packaged, remote, *flags))
        assert (result.code, result.err) == (
            1,
            "releasekit: error: asking the registry for "
            f"oci://{auth_registry.host}/{unique_repo}/demo-operator:0.1.7: registry "
            f"{auth_registry.host} refused the credentials of robot from the URL for "
            f"{unique_repo}/demo-operator (HTTP 401); log in with `helm registry login "
            f"{auth_registry.host}` or put user:password in the oci:// URL\n",
        )


def test_without_credentials_it_says_how_to_log_in(
    cli: Cli,
    example_repo: Repo,
    packaged: Path,
    auth_registry: AuthRegistry,
    unique_repo: str,
    outputs: Outputs,
) -> None:
    result = outputs.check(push(cli, example_repo, packaged, auth_registry.oci(unique_repo)))
    assert result.code == 1
    assert f"refused anonymous access for {unique_repo}/demo-operator (HTTP 401)" in result.err


@pytest.mark.parametrize("store", ["helm", "docker"])
def test_credentials_from_the_tools_own_stores(
    cli: Cli,
    example_repo: Repo,
    packaged: Path,
    auth_registry: AuthRegistry,
    unique_repo: str,
    outputs: Outputs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: str,
) -> None:
    if store == "helm":
        # What `helm registry login` writes, written by the Helm engine itself.
        import helm_python

        config = tmp_path / "helm-registry.json"
        with helm_python.RegistryClient(plain_http=True, credentials_file=config) as client:
            client.login(
                auth_registry.host, auth_registry.username, auth_registry.password, plain_http=True
            )
        monkeypatch.setenv("HELM_REGISTRY_CONFIG", str(config))
    else:
        auth = base64.b64encode(f"{auth_registry.username}:{auth_registry.password}".encode())
        (tmp_path / "docker").mkdir()
        (tmp_path / "docker" / "config.json").write_text(
            json.dumps({"auths": {auth_registry.host: {"auth": auth.decode()}}})
        )
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    remote = auth_registry.oci(unique_repo)
    dry = outputs.check(push(cli, example_repo, packaged, remote, "--dry-run", "--json"))
    assert dry.code == 0, dry.err
    pushed = outputs.check(push(cli, example_repo, packaged, remote, "--json"))
    assert pushed.code == 0, pushed.err
    assert json.loads(pushed.out)["results"][0]["pushed"] is True
    taken = outputs.check(push(cli, example_repo, packaged, remote))
    assert taken.code == 1 and "already exists in the registry" in taken.err


def test_debug_output_of_the_console_script_carries_no_password(
    example_repo: Repo,
    packaged: Path,
    auth_registry: AuthRegistry,
    unique_repo: str,
    outputs: Outputs,
) -> None:
    # A fresh process: invoke's --debug log goes to the real stderr, which capsys cannot see.
    remote = auth_registry.oci_with_login(unique_repo)
    argv = ["--debug", "release.push-chart", str(packaged), remote, "--plain-http", "--dry-run"]
    proc = subprocess.run(
        [sys.executable, "-m", "releasekit.cli", *argv],
        cwd=example_repo.path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = outputs.check(CliResult(proc.returncode, proc.stdout, proc.stderr))
    assert result.code == 0, result.err
    assert "invoke.parser" in result.err  # invoke's debug log was really printed
