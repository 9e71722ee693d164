"""A remote that fetches from a stale mirror and pushes to the real repository (issue 10).

``remote.origin.url`` is the mirror, ``remote.origin.pushurl`` the real repository: what
releasekit publishes to, and so what it must ask before tagging, preparing, cutting a hotfix
or deleting a tag. Two real bare repositories; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CliResult, Repo, git, tag_state

Cli = Callable[..., CliResult]


@dataclass
class Split:
    repo: Repo
    mirror: Path  # remote.origin.url: fetched from, stale
    real: Path  # remote.origin.pushurl: pushed to

    def publish_branch(self, start: str, branch: str) -> None:
        """A colleague pushed ``branch`` to the real repository; nothing here has fetched it."""
        self.repo.git("push", "-q", "origin", f"{start}:refs/heads/{branch}")
        self.repo.git("update-ref", "-d", f"refs/remotes/origin/{branch}")

    def publish_tag(self, tag: str, *, keep_local: bool = False) -> None:
        """Someone published ``tag`` to the real repository; the mirror has not caught up."""
        self.repo.git("tag", "-a", tag, "-m", f"Release {tag}")
        self.repo.git("push", "-q", "origin", f"refs/tags/{tag}")  # goes to the push URL
        if not keep_local:
            self.repo.git("tag", "-d", tag)


@pytest.fixture
def split(make_repo: Callable[..., Repo], tmp_path: Path) -> Split:
    repo = make_repo(
        {
            "Makefile": "VERSION ?= 0.1.7\n",
            "go.mod": "module example.com/op\n",
            "releasekit.yaml": "version_files:\n  - path: Makefile\n    pattern: 'VERSION ?= {version}'\n",
        },
        name="app",
    )
    mirror, real = tmp_path / "mirror.git", tmp_path / "real.git"
    for bare in (mirror, real):
        git(tmp_path, "init", "-q", "--bare", str(bare))
        repo.git("push", "-q", str(bare), "main")
    repo.git("remote", "add", "origin", str(mirror))
    repo.git("remote", "set-url", "--push", "origin", str(real))
    repo.git("fetch", "-q", "origin")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    for bare in (mirror, real):
        repo.git("push", "-q", str(bare), "refs/tags/v0.1.7")
    return Split(repo, mirror, real)


def test_untag_refuses_a_tag_published_on_the_push_url(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.1.8", keep_local=True)
    assert git(split.mirror, "tag", "-l", "v0.1.8") == ""  # the mirror does not have it yet
    before = tag_state(split.repo, split.real)
    result = cli("release.untag", "v0.1.8", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "tag v0.1.8 is published on origin; published tags are immutable" in result.err
    assert tag_state(split.repo, split.real) == before


def test_untag_asks_both_urls_and_says_so(cli: Cli, split: Split) -> None:
    split.repo.git("tag", "v0.1.9-rc.1")
    result = cli("release.untag", "v0.1.9-rc.1", cwd=split.repo.path)
    assert result.code == 0, result.err
    assert result.lines == ["deleted local tag v0.1.9-rc.1 (not on: origin (push and fetch URLs))"]


def test_tag_refuses_a_tag_that_only_the_push_url_has(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.1.8")
    before = tag_state(split.repo, split.real)
    result = cli("release.tag", "0.1.8", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "tag v0.1.8 (on origin at" in result.err
    assert "release v0.1.9 instead" in result.err
    assert tag_state(split.repo, split.real) == before


def test_go_tag_refuses_a_tag_that_only_the_push_url_has(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.2.0")
    split.repo.commit("fix: after v0.2.0")  # v0.2.0 is not on HEAD: not the release tag to keep
    result = cli("release.go-tag", "v0.2.0", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "tag v0.2.0 (on origin at" in result.err


def test_prepare_refuses_a_tag_that_only_the_push_url_has(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.1.8")
    before = split.repo.snapshot()
    result = cli("release.prepare", "0.1.8", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "tag v0.1.8 already exists on origin" in result.err
    assert split.repo.snapshot() == before
    assert split.repo.git("branch", "--list", "release/*") == ""


def test_prepare_refuses_a_release_branch_that_only_the_push_url_has(
    cli: Cli, split: Split
) -> None:
    split.publish_branch("main", "release/v0.1.8")
    assert split.repo.git("branch", "-r", "--list", "origin/release/*") == ""  # not fetched
    before = split.repo.snapshot()
    result = cli("release.prepare", "0.1.8", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "branch release/v0.1.8 already exists on origin" in result.err
    assert split.repo.snapshot() == before
    assert split.repo.git("branch", "--list", "release/*") == ""


# --- release.hotfix (issue 10: it cut hotfix/0.1.8 although v0.1.8 was on the remote) --------


def test_hotfix_refuses_when_the_next_patch_is_on_the_push_url(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.1.8")
    split.publish_tag("v0.1.9")
    result = cli("release.hotfix", "v0.1.7", "--execute", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert result.err == (
        "releasekit: error: v0.1.8 already exists on origin, so the hotfix of v0.1.7 was "
        "released; the next free patch is v0.1.10: git fetch --tags origin, then releasekit "
        "release.hotfix v0.1.9\n"
    )
    assert split.repo.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_refuses_when_the_next_patch_is_a_local_tag(cli: Cli, split: Split) -> None:
    split.repo.git("tag", "v0.1.8")
    result = cli("release.hotfix", "v0.1.7", cwd=split.repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: v0.1.8 already exists locally, so the hotfix of v0.1.7 was "
        "released; the next free patch is v0.1.9: releasekit release.hotfix v0.1.8\n"
    )


def test_hotfix_refuses_a_hotfix_branch_that_only_the_push_url_has(cli: Cli, split: Split) -> None:
    split.publish_branch("v0.1.7^{commit}", "hotfix/0.1.8")
    assert split.repo.git("branch", "-r", "--list", "origin/hotfix/*") == ""
    result = cli("release.hotfix", "v0.1.7", "--execute", cwd=split.repo.path)
    assert result.code == 1, result.out
    assert "branch hotfix/0.1.8 already exists on origin" in result.err
    assert "git fetch origin" in result.err
    assert split.repo.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_offline_skips_the_remote_and_says_so(cli: Cli, split: Split) -> None:
    split.publish_tag("v0.1.8")
    result = cli("release.hotfix", "v0.1.7", "--offline", cwd=split.repo.path)
    assert result.code == 0, result.err
    assert "releasekit: note: did not check origin (--offline)" in result.err


def test_hotfix_with_an_unreachable_remote_refuses_instead_of_guessing(
    cli: Cli, split: Split, tmp_path: Path
) -> None:
    split.repo.git("remote", "set-url", "--push", "origin", str(tmp_path / "gone.git"))
    result = cli("release.hotfix", "v0.1.7", "--execute", cwd=split.repo.path)
    assert result.code == 1
    assert "cannot ask origin which tags it has" in result.err
    assert "--offline" in result.err
    assert split.repo.git("branch", "--list", "hotfix/*") == ""
