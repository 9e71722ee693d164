"""release.supersede --publish and release.prepare --open-pr against a local stand-in for the
GitHub and Gitea/Forgejo REST APIs (tests/forge_stand_in.py), with a real bare remote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, Repo
from forge_stand_in import ForgeStandIn

Cli = Callable[..., CliResult]
TOKEN = "tok-" + "9f8e7d6c5b4a39281706"


@pytest.fixture(params=["github", "gitea"])
def forge(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ForgeStandIn]:
    monkeypatch.setenv("GITEA_TOKEN" if request.param == "gitea" else "GH_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "10")
    with ForgeStandIn(request.param, TOKEN) as server:
        yield server


def forge_yaml(forge: ForgeStandIn) -> str:
    return (f"forge:\n  kind: {forge.state.kind}\n  api_url: {forge.api_url}\n"
            f"  owner: {forge.state.owner}\n  repo: {forge.state.repo}\n")  # fmt: skip


def test_supersede_publish_puts_the_note_on_the_bad_release_once_against_a_local_forge_stand_in(
    cli: Cli,
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:
    repo = make_repo({"releasekit.yaml": forge_yaml(forge)})
    bare_remote(repo, "origin")
    repo.git("tag", "-a", "v0.3.1", "-m", "Release v0.3.1")
    repo.commit("fix: the bad artifact")
    repo.git("tag", "-a", "v0.3.2", "-m", "Release v0.3.2")
    forge.state.releases.append({"id": 7, "tag_name": "v0.3.1", "name": "v0.3.1", "body": "Original notes\n",
                                 "draft": False, "prerelease": False, "assets": []})  # fmt: skip
    dry = cli("release.supersede", "v0.3.1", "v0.3.2", "--publish", "--dry-run", cwd=repo.path)
    assert dry.code == 0, dry.err
    assert f"PATCH {forge.api_url}/repos/example/demo/releases/7" in dry.lines
    assert "would append the note to the v0.3.1 release" in dry.out and forge.writes() == []
    result = cli("release.supersede", "v0.3.1", "v0.3.2", "--publish", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[-1] == f"appended the note to the v0.3.1 release ({forge.state.kind})"
    body = forge.state.releases[0]["body"]
    assert body.startswith("> [!WARNING]\n> **Superseded by v0.3.2.**") and body.endswith(
        "\nOriginal notes\n"
    )
    again = cli("release.supersede", "v0.3.1", "v0.3.2", "--publish", cwd=repo.path)
    assert again.lines[-1] == "the v0.3.1 release already carries the note"
    assert len(forge.writes()) == 1
    assert TOKEN not in result.out + result.err + dry.out


def test_prepare_open_pr_pushes_the_branch_and_opens_the_pull_request_against_a_local_forge_stand_in(
    cli: Cli, example_repo: Repo, bare_remote: Callable[[Repo, str], Path], forge: ForgeStandIn
) -> None:
    config = example_repo.path / "releasekit.yaml"
    config.write_text(config.read_text() + forge_yaml(forge))
    example_repo.commit("chore: configure the forge")
    bare = bare_remote(example_repo, "origin")
    result = cli(
        "release.prepare", "0.1.8", "--date", "2026-11-21", "--open-pr", cwd=example_repo.path
    )
    assert result.code == 0, result.err
    assert result.lines[-2] == "pushed release/v0.1.8 to origin"
    (pr,) = forge.state.pulls
    assert result.lines[-1] == f"opened pull request #1 release/v0.1.8 -> main: {pr['html_url']}"
    assert (pr["head"]["ref"], pr["base"]["ref"], pr["title"]) == (
        "release/v0.1.8",
        "main",
        "chore: prepare v0.1.8 release",
    )
    body = example_repo.git("log", "-1", "--format=%b", "release/v0.1.8").strip()
    assert pr["body"] == body and "Signed-off-by: Release Bot" in body
    from conftest import git

    assert (
        git(bare, "rev-parse", "refs/heads/release/v0.1.8").strip()
        == example_repo.git("rev-parse", "HEAD").strip()
    )


def test_prepare_open_pr_without_a_forge_changes_nothing(cli: Cli, example_repo: Repo) -> None:
    before = example_repo.snapshot()
    result = cli("release.prepare", "0.1.8", "--offline", "--open-pr", cwd=example_repo.path)
    assert result.code == 1
    assert "no forge section" in result.err
    assert example_repo.snapshot() == before
    assert example_repo.git("branch", "--show-current").strip() == "main"


def test_an_open_pull_request_is_reported_not_opened_twice_against_a_local_forge_stand_in(
    cli: Cli, example_repo: Repo, bare_remote: Callable[[Repo, str], Path], forge: ForgeStandIn
) -> None:
    config = example_repo.path / "releasekit.yaml"
    config.write_text(config.read_text() + forge_yaml(forge))
    example_repo.commit("chore: configure the forge")
    bare_remote(example_repo, "origin")
    forge.state.pulls.append({"number": 5, "title": "t", "body": "", "head": {"ref": "release/v0.1.8"},
                              "base": {"ref": "main"}, "html_url": "http://forge/pull/5"})  # fmt: skip
    result = cli(
        "release.prepare", "0.1.8", "--date", "2026-11-21", "--open-pr", cwd=example_repo.path
    )
    assert result.code == 0, result.err
    assert (
        result.lines[-1]
        == "pull request #5 is already open for release/v0.1.8: http://forge/pull/5"
    )
    assert len(forge.state.pulls) == 1 and forge.writes() == []
