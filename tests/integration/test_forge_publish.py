"""release.publish, release.supersede --publish and release.prepare --open-pr against a local
stand-in for the GitHub and Gitea/Forgejo REST APIs (tests/forge_stand_in.py): no forge server
can be installed here, so the stand-in implements their documented endpoints and behaviours
(drafts hidden from get-by-tag, 422/409 on a duplicate) and fails requests on purpose."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, Repo
from forge_stand_in import ForgeStandIn

Cli = Callable[..., CliResult]
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
NOTES = "## Highlights\n\nFaster reconciles.\n"
ASSETS = {"demo_v0.1.8_linux_amd64.tar.gz": b"linux" * 1000, "demo_v0.1.8_darwin_arm64.tar.gz": b"darwin" * 999,
          "install.yaml": b"kind: List\n"}  # fmt: skip


@pytest.fixture(params=["github", "gitea"])
def forge(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ForgeStandIn]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "10")
    monkeypatch.setenv("RELEASEKIT_NETWORK_RETRIES", "1")
    with ForgeStandIn(request.param, TOKEN) as server:
        yield server


def project(
    make_repo: Callable[..., Repo], forge: ForgeStandIn, tags: tuple[str, ...] = ("v0.1.8",)
) -> Repo:
    config = (
        f"forge:\n  kind: {forge.state.kind}\n  api_url: {forge.api_url}\n"
        f"  owner: {forge.state.owner}\n  repo: {forge.state.repo}\n"
        "artifacts:\n  matrix:\n    name: 'demo_{tag}_{os}_{arch}.tar.gz'\n"
        "    platforms: [linux/amd64, darwin/arm64]\n  files: [install.yaml]\n"
    )
    repo = make_repo({"releasekit.yaml": config, "notes.md": NOTES}, name="demo")
    for tag in tags:
        repo.git("tag", "-a", tag, "-m", f"Release {tag}")
    dist = repo.path / "dist"
    dist.mkdir()
    for name, data in ASSETS.items():
        (dist / name.replace("v0.1.8", tags[-1])).write_bytes(data)
    return repo


def publish(cli: Cli, repo: Repo, tag: str = "v0.1.8", *extra: str) -> CliResult:
    return cli("release.publish", "--tag", tag, "--notes", "notes.md", *extra, cwd=repo.path)


def uploaded(forge: ForgeStandIn) -> dict[str, str]:
    (release,) = forge.state.releases
    names = [a["name"] for a in release["assets"]]
    assert len(names) == len(set(names)), f"duplicate assets: {names}"
    return {
        a["name"]: hashlib.sha256(forge.state.blobs[a["id"]]).hexdigest() for a in release["assets"]
    }


def local_sums() -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in ASSETS.items()}


def test_publish_drafts_uploads_rechecks_then_publishes_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    result = publish(cli, repo)
    assert result.code == 0, result.err
    (release,) = forge.state.releases
    assert (release["tag_name"], release["draft"], release["prerelease"], release["body"]) == (
        "v0.1.8",
        False,
        False,
        NOTES,
    )
    assert uploaded(forge) == local_sums()
    methods = [(m, p.split("?")[0].rsplit("/", 2)[-2:]) for m, p, _ in forge.writes()]
    assert [m for m, _ in methods] == [
        "POST",
        "POST",
        "POST",
        "POST",
        "PATCH",
    ]  # create, 3 uploads, publish
    if forge.state.kind == "github":
        assert release["make_latest"] == "true"
    assert result.lines[0] == "created draft release v0.1.8"
    assert result.lines[-1].startswith("release v0.1.8: ")  # its URL, last (README: Output)
    assert result.lines[-5:-4] == ["published release v0.1.8 (latest)"]
    assert sorted(result.lines[-4:-1]) == sorted(
        f"checked {n} sha256:{s}" for n, s in local_sums().items()
    )
    assert TOKEN not in result.out + result.err


def test_a_second_run_sends_nothing_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    assert publish(cli, repo).code == 0
    before = len(forge.writes())
    again = publish(cli, repo)
    assert again.code == 0, again.err
    assert len(forge.writes()) == before
    assert "release v0.1.8 (id " in again.lines[0] and again.lines[0].endswith("already says this")
    assert all(f"{n} already uploaded" in again.lines for n in ASSETS)


@pytest.mark.parametrize("fault", ["drop", "error"])
def test_an_upload_failing_midway_converges_on_rerun_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn, fault: str
) -> None:
    repo = project(make_repo, forge)
    forge.fail(
        "POST", "/assets", nth=2, kind=fault
    )  # the second upload: done but unanswered, or refused
    first = publish(cli, repo)
    assert first.code == 1
    assert forge.state.releases[0]["draft"] is True  # never published with an asset missing
    second = publish(cli, repo)
    assert second.code == 0, second.err
    assert len(forge.state.releases) == 1
    assert uploaded(forge) == local_sums()  # one of each, no duplicate
    assert forge.state.releases[0]["draft"] is False


def test_a_lost_create_answer_is_adopted_not_duplicated_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    forge.fail("POST", "/releases", nth=1, kind="drop")
    first = publish(cli, repo)
    assert first.code == 1
    assert "cannot reach" in first.err
    second = publish(cli, repo)
    assert second.code == 0, second.err
    assert len(forge.state.releases) == 1 and uploaded(forge) == local_sums()


def test_a_draft_is_found_by_listing_since_get_by_tag_hides_it_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    import urllib.request

    repo = project(make_repo, forge)
    forge.state.releases.append({"id": 99, "tag_name": "v0.1.8", "name": "old", "body": "draft",
                                 "draft": True, "prerelease": False, "assets": []})  # fmt: skip
    scheme = "Bearer" if forge.state.kind == "github" else "token"
    ask = urllib.request.Request(f"{forge.api_url}/repos/example/demo/releases/tags/v0.1.8",
                                 headers={"Authorization": f"{scheme} {TOKEN}"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(ask, timeout=5)
    result = publish(cli, repo)
    assert result.code == 0, result.err
    assert [r["id"] for r in forge.state.releases] == [99]
    assert result.lines[0] == "updated body, name of release v0.1.8 (id 99)"
    assert not any(m == "POST" and p.endswith("/releases") for m, p, _ in forge.writes())


def test_a_duplicate_create_is_refused_by_the_stand_in_and_adopted(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    """The forge's answer to a second create for a tag (GitHub 422, Gitea 409) re-lists."""
    from releasekit.core.common.network import Network
    from releasekit.core.forge.client import AlreadyExists, Forge
    from releasekit.core.forge.config import ForgeConfig

    cfg = ForgeConfig(kind=forge.state.kind, api_url=forge.api_url, owner="example", repo="demo")  # type: ignore[arg-type]
    client = Forge(cfg, Network(timeout=10, retries=0), TOKEN)
    client.create_release({"tag_name": "v0.1.8", "name": "v0.1.8", "body": "", "draft": True})
    with pytest.raises(AlreadyExists, match=r"exist"):
        client.create_release({"tag_name": "v0.1.8", "name": "v0.1.8", "body": "", "draft": True})
    assert forge.state.log[-1][2] == (422 if forge.state.kind == "github" else 409)


def test_dry_run_prints_the_requests_with_the_token_masked_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    result = publish(cli, repo, "v0.1.8", "--dry-run")
    assert result.code == 0, result.err
    assert forge.writes() == [] and forge.state.releases == []
    scheme = "Bearer" if forge.state.kind == "github" else "token"
    assert f"POST {forge.api_url}/repos/example/demo/releases" in result.lines
    assert f"  Authorization: {scheme} ***" in result.lines
    assert TOKEN not in result.out + result.err
    assert "would upload install.yaml (sha256:" in result.out
    assert result.out.endswith("dry run: nothing was sent\n")  # results on stdout


def test_a_placeholder_in_the_notes_is_refused_before_any_request(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    (repo.path / "notes.md").write_text(
        "## Highlights\n\n<!-- releasekit:placeholder --> _write_\n"
    )
    result = publish(cli, repo)
    assert result.code == 3
    assert "notes.md:3: placeholder left under '## Highlights'; write it" in result.err
    assert forge.state.log == []


def test_a_pre_release_is_never_latest_and_an_older_line_is_not_latest(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge, ("v0.2.0", "v0.2.1-rc.1"))
    assert publish(cli, repo, "v0.2.1-rc.1").code == 0
    assert forge.state.releases[0]["prerelease"] is True
    repo.git("tag", "-a", "v0.1.9", "-m", "hotfix")
    for name, data in ASSETS.items():
        (repo.path / "dist" / name.replace("v0.1.8", "v0.1.9")).write_bytes(data)
    assert publish(cli, repo, "v0.1.9").code == 0
    hotfix = forge.state.releases[1]
    assert hotfix["prerelease"] is False
    if forge.state.kind == "github":
        assert [r["make_latest"] for r in forge.state.releases] == ["false", "false"]


def test_a_published_asset_with_other_bytes_is_refused_against_a_local_forge_stand_in(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    assert publish(cli, repo).code == 0
    (repo.path / "dist" / "install.yaml").write_bytes(b"kind: Other\n")
    result = publish(cli, repo)
    assert result.code == 1
    assert "published assets are immutable — release the next patch instead" in result.err


def test_without_a_token_the_error_names_the_variables(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = project(make_repo, forge)
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = publish(cli, repo)
    assert result.code == 1
    wanted = (
        "GITHUB_TOKEN or GH_TOKEN"
        if forge.state.kind == "github"
        else "GITEA_TOKEN or FORGEJO_TOKEN or GITHUB_TOKEN"
    )
    assert f"no token for {forge.state.kind}: set {wanted}" in result.err


def test_json_lists_the_requests_sent(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = project(make_repo, forge)
    result = publish(cli, repo, "v0.1.8", "--json")
    data = json.loads(result.out)  # the envelope (README: Output)
    (sent,) = [r for r in data["results"] if "requests" in r]
    assert sent["release"]["draft"] is False and len(sent["release"]["assets"]) == 3
    assert len(sent["requests"]) == 5 and all("***" in r for r in sent["requests"])


def test_an_asset_that_is_a_symlink_out_of_the_repository_is_never_uploaded(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn, tmp_path: Path
) -> None:
    """dist/install.yaml -> a file outside the work tree (a runner's credentials file): the
    release is not created and nothing is sent."""
    repo = project(make_repo, forge)
    secret = tmp_path / "hosts.yml"
    secret.write_text("oauth_token: not-for-the-release-page\n")
    (repo.path / "dist" / "install.yaml").unlink()
    (repo.path / "dist" / "install.yaml").symlink_to(secret)
    result = publish(cli, repo)
    assert result.code == 1, result.out + result.err
    assert "dist/install.yaml" in result.err and "outside the work tree" in result.err
    assert forge.state.releases == [] and forge.writes() == []


def test_an_asset_that_is_a_symlink_into_the_git_directory_is_never_uploaded(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    """Review: dist/install.yaml -> ../.git/config stays inside the work tree, but .git/config
    holds what actions/checkout persists (http.extraheader with the job's token) and remote
    URLs with credentials: it is refused like a link out of the tree, and nothing is sent."""
    repo = project(make_repo, forge)
    repo.git("config", "http.https://github.com/.extraheader", "AUTHORIZATION: basic c2VjcmV0")
    (repo.path / "dist" / "install.yaml").unlink()
    (repo.path / "dist" / "install.yaml").symlink_to("../.git/config")
    result = publish(cli, repo)
    assert result.code == 1, result.out + result.err
    assert "dist/install.yaml" in result.err and ".git" in result.err
    assert "c2VjcmV0" not in result.out + result.err
    assert forge.state.releases == [] and forge.writes() == []
