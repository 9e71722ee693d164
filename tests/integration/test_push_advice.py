"""After an atomic push that published nothing, the re-run says to retry the push, not to skip.

A real bare remote whose pre-receive hook rejects the first push and accepts the next one; the
advice printed by the re-run is run as printed and must publish the release as planned.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GO_MODULE_ORDER, CliResult, Repo, git

Cli = Callable[..., CliResult]


def reject_first_push(bare: Path) -> None:
    marker = bare / "rejected-once"
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\ncat >/dev/null\n"
        f'if [ ! -e "{marker}" ]; then touch "{marker}"; echo "busy, try later" >&2; exit 1; fi\n'
    )
    hook.chmod(0o755)


def advised_push(err: str) -> list[str]:
    found = re.search(r"retry the push: (git push --atomic [^\n]+)", err)
    assert found, err
    return shlex.split(found.group(1))


@pytest.fixture
def rejecting(
    make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> tuple[Repo, Path]:
    repo = make_repo({"README.md": "demo\n"}, name="app")
    repo.git("tag", "-a", "v0.1.9", "-m", "Release v0.1.9")
    bare = bare_remote(repo, "origin")
    repo.git("push", "-q", "origin", "v0.1.9")
    repo.commit("fix: something")
    reject_first_push(bare)
    return repo, bare


def test_tag_rerun_after_a_rejected_push_says_retry_with_the_exact_command(
    cli: Cli, rejecting: tuple[Repo, Path]
) -> None:
    repo, bare = rejecting
    head = repo.git("rev-parse", "HEAD").strip()
    first = cli("release.tag", "0.1.10", "--push", cwd=repo.path)
    assert first.code == 1
    assert "busy, try later" in first.err
    assert "pushed: none; not pushed: v0.1.10 (checked origin after the failure)" in first.err
    assert git(bare, "tag", "-l").split() == ["v0.1.9"]

    again = cli("release.tag", "0.1.10", "--push", cwd=repo.path)
    assert (again.code, again.err) == (
        1,
        f"releasekit: error: tag v0.1.10 (locally on {head[:12]}) already exists locally but "
        "not on origin (asked just now): an earlier push did not publish it, so the version is "
        "still free — retry the push: git push --atomic origin refs/tags/v0.1.10\n",
    )
    assert "v0.1.11" not in again.err

    command = advised_push(again.err)
    assert command == ["git", "push", "--atomic", "origin", "refs/tags/v0.1.10"]
    git(repo.path, *command[1:])
    assert git(bare, "rev-parse", "v0.1.10^{commit}").strip() == head
    published = cli("release.tag", "0.1.10", "--push", cwd=repo.path)
    assert "release v0.1.11 instead" in published.err  # now it is published: immutable


def test_go_tag_rerun_after_a_rejected_push_says_retry_not_the_next_patch(
    cli: Cli, go_repo: Repo, bare_remote: Callable[[Repo, str], Path]
) -> None:
    bare = bare_remote(go_repo, "upstream")
    reject_first_push(bare)
    head = go_repo.git("rev-parse", "HEAD").strip()
    argv = ["release.go-tag", "v0.9.0", "--remote", "upstream", "--execute"]
    first = cli(*argv, cwd=go_repo.path)
    assert first.code == 1
    assert git(bare, "tag", "-l") == ""

    again = cli(*argv, cwd=go_repo.path)
    assert again.code == 1
    assert "v0.9.1" not in again.err
    tags = [f"{m}/v0.9.0" for m in GO_MODULE_ORDER]
    assert "already exists locally but not on upstream (asked just now)" in again.err
    assert advised_push(again.err) == [
        "git",
        "push",
        "--atomic",
        "upstream",
        *(f"refs/tags/{t}" for t in tags),
    ]
    git(go_repo.path, *advised_push(again.err)[1:])
    assert sorted(git(bare, "tag", "-l").split()) == sorted(tags)
    assert {git(bare, "rev-parse", f"{t}^{{commit}}").strip() for t in tags} == {head}


def test_without_asking_the_remote_it_never_claims_the_tag_is_unpublished(
    cli: Cli, rejecting: tuple[Repo, Path], tmp_path: Path
) -> None:
    repo, bare = rejecting
    assert cli("release.tag", "0.1.10", "--push", cwd=repo.path).code == 1
    bare.rename(tmp_path / "away.git")  # the remote is now unreachable
    unreachable = cli("release.tag", "0.1.10", "--push", cwd=repo.path)
    assert unreachable.code == 1
    assert "cannot ask origin which tags it has" in unreachable.err
    assert "not on origin" not in unreachable.err
    offline = cli("release.tag", "0.1.10", "--offline", cwd=repo.path)
    assert offline.code == 1
    assert "origin was not asked (--offline), so releasekit cannot tell whether it was " in (
        offline.err
    )
    assert "not on origin" not in offline.err
    assert "git push --atomic origin refs/tags/v0.1.10" in offline.err
    assert "release v0.1.11 instead" in offline.err  # the answer when ls-remote lists it


def test_a_local_tag_on_another_commit_is_pushed_or_deleted_never_skipped(
    cli: Cli, rejecting: tuple[Repo, Path]
) -> None:
    repo, _ = rejecting
    old = repo.git("rev-parse", "HEAD").strip()
    repo.git("tag", "-a", "v0.1.10", "-m", "Release v0.1.10")
    new = repo.commit("fix: another")
    result = cli("release.tag", "0.1.10", cwd=repo.path)
    assert result.err == (
        f"releasekit: error: tag v0.1.10 (locally on {old[:12]}) already exists locally but not "
        "on origin (asked just now), so it was never published — to release the commit it "
        "names, push it: git push --atomic origin refs/tags/v0.1.10; to tag "
        f"{new[:12]} instead, delete it first: git tag -d v0.1.10\n"
    )


def test_prepare_with_an_unpublished_local_tag_says_push_or_delete(
    cli: Cli, example_repo: Repo, bare_remote: Callable[[Repo, str], Path]
) -> None:
    bare_remote(example_repo, "origin")
    example_repo.git("tag", "v0.1.8")
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: tag v0.1.8 already exists in this repository but not on origin "
        "(asked just now), so it was never published and v0.1.8 is still free — push it "
        "(git push --atomic origin refs/tags/v0.1.8) or delete it (git tag -d v0.1.8)\n",
    )
