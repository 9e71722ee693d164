"""release.go-tag on a cloud-api-adaptor-shaped repo: order, exact output, refusals, atomic push."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import (
    CAA,
    GO_MODULE_ORDER,
    REPO_ROOT,
    CliResult,
    GitDaemon,
    Repo,
    free_port,
    git,
    tag_state,
)
from http_parts import StandInServer
from releasekit.core.common.errors import GitError
from releasekit.core.tags.gomodules import (
    BANNER,
    GoModule,
    escape_module_path,
    order_modules,
    parse_gomod,
)

Cli = Callable[..., CliResult]


@pytest.fixture
def upstream(go_repo: Repo, bare_remote: Callable[[Repo, str], Path]) -> Path:
    return bare_remote(go_repo, "upstream")


def expected_plan(sha: str, version: str, remote: str) -> list[str]:
    lines = [f"go-tag {version}: 5 tags on {sha} (HEAD)", *BANNER.splitlines()]
    for module in GO_MODULE_ORDER:
        lines += [f"git tag {module}/{version} {sha}", f"git push {remote} {module}/{version}"]
    return [*lines, "run with --execute to create them and push all in one atomic push"]


def test_prints_the_banner_and_exact_commands_in_dependency_order(
    cli: Cli, go_repo: Repo, upstream: Path
) -> None:
    sha = go_repo.git("rev-parse", "HEAD").strip()
    before = tag_state(go_repo, upstream)
    result = cli("release.go-tag", "v0.8.0", "--remote", "upstream", cwd=go_repo.path)
    assert result.code == 0, result.err
    assert result.lines == expected_plan(sha, "v0.8.0", "upstream")
    assert tag_state(go_repo, upstream) == before  # printing changes nothing


def test_accepts_a_prerelease_and_names_the_sha_not_the_branch(
    cli: Cli, go_repo: Repo, upstream: Path
) -> None:
    first = go_repo.git("rev-parse", "HEAD").strip()
    go_repo.commit("later")
    result = cli(
        "release.go-tag",
        "v0.8.0-alpha.1",
        "--remote",
        "upstream",
        "--ref",
        "main~1",
        cwd=go_repo.path,
    )
    assert result.code == 0, result.err
    assert result.lines[0] == f"go-tag v0.8.0-alpha.1: 5 tags on {first} (main~1)"
    assert f"git tag src/cloud-providers/v0.8.0-alpha.1 {first}" in result.lines
    assert not any(line.endswith(" main") for line in result.lines)


def test_modules_are_read_from_the_tagged_commit_not_the_work_tree(
    cli: Cli, go_repo: Repo, upstream: Path
) -> None:
    first = go_repo.git("rev-parse", "HEAD").strip()
    go_repo.write({"src/newmod/go.mod": f"module {CAA}/newmod\n"})
    go_repo.commit("feat: add newmod")
    # a work-tree edit that would reorder the modules if it were read
    go_repo.write(
        {
            "src/cloud-providers/go.mod": f"module {CAA}/cloud-providers\n\nrequire {CAA}/webhook v0.0.0\n"
        }
    )
    result = cli(
        "release.go-tag", "v0.8.0", "--remote", "upstream", "--ref", "main~1", cwd=go_repo.path
    )
    assert result.code == 0, result.err
    assert result.lines == [
        f"go-tag v0.8.0: 5 tags on {first} (main~1)",
        *expected_plan(first, "v0.8.0", "upstream")[1:],
    ]


def test_execute_creates_every_tag_on_one_commit_and_pushes_atomically(
    cli: Cli, go_repo: Repo, upstream: Path
) -> None:
    sha = go_repo.git("rev-parse", "HEAD").strip()
    result = cli("release.go-tag", "v0.8.0", "--remote", "upstream", "--execute", cwd=go_repo.path)
    assert result.code == 0, result.err
    tags = [f"{m}/v0.8.0" for m in GO_MODULE_ORDER]
    assert result.lines[-5:] == [f"created and pushed {t}" for t in tags]
    for where in (go_repo.path, upstream):
        listed = git(
            where, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/tags"
        )
        assert sorted(listed.splitlines()) == sorted(f"{t} {sha}" for t in tags)
    assert "src/cloud-api-adaptor/podvm/v0.8.0" not in result.out  # excluded by config
    assert "src/scratch" not in result.out  # not tracked by git


def test_root_module_gets_the_plain_tag_and_a_release_tag_on_the_same_commit_is_kept(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(
        {
            "go.mod": "module example.com/demo\n\nrequire example.com/demo/lib v0.0.0\n\n"
            "replace example.com/demo/lib => ./lib\n",
            "lib/go.mod": "module example.com/demo/lib\n",
        }
    )
    sha = repo.git("rev-parse", "HEAD").strip()
    plan = cli("release.go-tag", "v1.0.0", cwd=repo.path)
    assert [line for line in plan.lines if line.startswith("git tag")] == [
        f"git tag lib/v1.0.0 {sha}",
        f"git tag v1.0.0 {sha}",
    ]
    assert cli("release.tag", "1.0.0", cwd=repo.path).code == 0
    again = cli("release.go-tag", "v1.0.0", cwd=repo.path)
    assert again.code == 0, again.err
    assert f"v1.0.0 is already on {sha[:12]}; kept as it is" in again.lines
    assert [line for line in again.lines if line.startswith("git tag")] == [
        f"git tag lib/v1.0.0 {sha}"
    ]


# --- refusals: none of them creates a tag, locally or on the remote ----------------------------


@pytest.mark.parametrize("execute", [False, True])
def test_refuses_a_version_without_v(
    cli: Cli, go_repo: Repo, upstream: Path, execute: bool
) -> None:
    before = tag_state(go_repo, upstream)
    argv = ["release.go-tag", "0.8.0", "--remote", "upstream", *(["--execute"] if execute else [])]
    result = cli(*argv, cwd=go_repo.path)
    assert result.code == 1
    assert "Go module versions start with v: use v0.8.0, not 0.8.0" in result.err
    assert tag_state(go_repo, upstream) == before


def test_refuses_existing_tags_naming_each(cli: Cli, go_repo: Repo, upstream: Path) -> None:
    go_repo.git("tag", "src/webhook/v0.8.0")
    go_repo.git("tag", "src/peerpod-ctrl/v0.8.0")
    go_repo.git("push", "-q", "upstream", "src/peerpod-ctrl/v0.8.0")
    go_repo.git("tag", "-d", "src/peerpod-ctrl/v0.8.0")
    before = tag_state(go_repo, upstream)
    result = cli("release.go-tag", "v0.8.0", "--remote", "upstream", "--execute", cwd=go_repo.path)
    assert result.code == 1
    assert "src/peerpod-ctrl/v0.8.0 (on upstream at" in result.err
    assert "src/webhook/v0.8.0 (locally on" in result.err
    assert "releasekit release.go-tag v0.8.1" in result.err
    assert tag_state(go_repo, upstream) == before


def test_refuses_a_major_version_the_module_paths_lack(
    cli: Cli, go_repo: Repo, upstream: Path
) -> None:
    before = tag_state(go_repo, upstream)
    result = cli("release.go-tag", "v2.0.0", "--remote", "upstream", "--execute", cwd=go_repo.path)
    assert result.code == 1
    assert (
        "src/cloud-providers/go.mod:1: module "
        "github.com/confidential-containers/cloud-api-adaptor/src/cloud-providers must end in /v2"
    ) in result.err
    assert tag_state(go_repo, upstream) == before


def test_major_version_subdirectory_tags_drop_the_suffix(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"lib/v2/go.mod": "module example.com/repo/lib/v2\n"})
    sha = repo.git("rev-parse", "HEAD").strip()
    result = cli("release.go-tag", "v2.1.0", cwd=repo.path)
    assert result.code == 0, result.err
    assert f"git tag lib/v2.1.0 {sha}" in result.lines


def test_refuses_a_cycle(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "a/go.mod": "module example.com/a\nrequire example.com/b v0.0.0\n",
            "b/go.mod": "module example.com/b\nreplace example.com/a => ../a\n",
            "c/go.mod": "module example.com/c\n",
        }
    )
    result = cli("release.go-tag", "v0.1.0", "--execute", cwd=repo.path)
    assert result.code == 1
    assert (
        "the Go modules require each other in a cycle: a/go.mod -> b/go.mod -> a/go.mod"
        in result.err
    )
    assert tag_state(repo) == ("", "")


def test_refuses_a_repository_without_go_modules(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    result = cli("release.go-tag", "v0.1.0", cwd=repo.path)
    assert result.code == 1
    assert "git tracks no go.mod" in result.err


# --- order and parsing in core ----------------------------------------------------------------


def test_gomod_parsing_blocks_comments_and_local_replaces() -> None:
    module = parse_gomod(
        '// header\nmodule "example.com/x" // the module\n\nrequire (\n\texample.com/y v1.0.0\n)\n'
        "replace example.com/y v1.0.0 => ../y\nreplace example.com/z => example.com/z2 v1.0.0\n",
        "src/x",
        "src/x/go.mod",
    )
    assert module == GoModule("src/x", "example.com/x", 2, ("example.com/y",), ("src/y",))


def test_order_is_dependencies_first_then_by_path() -> None:
    mods = [
        GoModule("b", "m/b", 1, ("m/a",)),
        GoModule("a", "m/a", 1),
        GoModule("c", "m/c", 1, (), ("b",)),
        GoModule(".", "m", 1),
    ]
    assert [m.dir for m in order_modules(mods)] == [".", "a", "b", "c"]
    with pytest.raises(GitError, match="cycle"):
        order_modules([GoModule("a", "m/a", 1, ("m/b",)), GoModule("b", "m/b", 1, ("m/a",))])


# --- the Go module proxy: a real HTTP server speaking the GOPROXY protocol, or none ------------


@pytest.fixture
def proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "goproxy"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = StandInServer(handler).start()
    monkeypatch.setenv("GOPROXY", f"http://127.0.0.1:{server.port},direct")
    yield root
    server.stop()


def test_check_proxy_refuses_a_version_the_proxy_knows(
    cli: Cli, go_repo: Repo, upstream: Path, proxy: Path
) -> None:
    module = "github.com/confidential-containers/cloud-api-adaptor/src/webhook"
    info = proxy / escape_module_path(module) / "@v" / "v0.8.0.info"
    info.parent.mkdir(parents=True)
    info.write_text('{"Version":"v0.8.0","Time":"2026-01-02T03:04:05Z"}')
    before = tag_state(go_repo, upstream)
    result = cli(
        "release.go-tag",
        "v0.8.0",
        "--remote",
        "upstream",
        "--check-proxy",
        "--execute",
        cwd=go_repo.path,
    )
    assert result.code == 1
    assert f"already knows {module}@v0.8.0" in result.err
    assert tag_state(go_repo, upstream) == before
    unknown = cli(
        "release.go-tag", "v0.8.1", "--remote", "upstream", "--check-proxy", cwd=go_repo.path
    )
    assert unknown.code == 0, unknown.err
    assert "skipped" not in unknown.err


def test_check_proxy_reads_a_file_proxy_where_a_missing_version_is_unknown(
    cli: Cli, go_repo: Repo, upstream: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GOPROXY=file:///... (an on-disk module cache/mirror): urllib reports a missing file as a
    # URLError, which used to skip the whole check as "cannot reach" at the first module.
    root = tmp_path / "cache"
    module = "github.com/confidential-containers/cloud-api-adaptor/src/webhook"  # tagged last
    info = root / escape_module_path(module) / "@v" / "v0.8.0.info"
    info.parent.mkdir(parents=True)
    info.write_text('{"Version":"v0.8.0"}')
    monkeypatch.setenv("GOPROXY", f"{root.as_uri()},direct")
    before = tag_state(go_repo, upstream)
    known = cli(
        "release.go-tag", "v0.8.0", "--remote", "upstream", "--check-proxy", cwd=go_repo.path
    )
    assert known.code == 1
    assert f"already knows {module}@v0.8.0" in known.err
    unknown = cli(
        "release.go-tag", "v0.8.1", "--remote", "upstream", "--check-proxy", cwd=go_repo.path
    )
    assert unknown.code == 0, unknown.err
    assert "skipped" not in unknown.err
    assert tag_state(go_repo, upstream) == before


def test_check_proxy_case_encodes_the_version(
    cli: Cli, go_repo: Repo, upstream: Path, proxy: Path
) -> None:
    module = "github.com/confidential-containers/cloud-api-adaptor/src/webhook"
    info = proxy / escape_module_path(module) / "@v" / "v0.8.0-!r!c.1.info"  # as go stores it
    info.parent.mkdir(parents=True)
    info.write_text('{"Version":"v0.8.0-RC.1"}')
    result = cli(
        "release.go-tag", "v0.8.0-RC.1", "--remote", "upstream", "--check-proxy", cwd=go_repo.path
    )
    assert result.code == 1
    assert f"already knows {module}@v0.8.0-RC.1" in result.err


def test_check_proxy_offline_is_skipped_with_a_notice(
    cli: Cli, go_repo: Repo, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOPROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    result = cli(
        "release.go-tag", "v0.8.0", "--remote", "upstream", "--check-proxy", cwd=go_repo.path
    )
    assert result.code == 0, result.err
    assert (
        "releasekit: note: skipped the Go module proxy check: cannot reach http://127.0.0.1:"
        in result.err
    )
    monkeypatch.setenv("GOPROXY", "off")
    off = cli("release.go-tag", "v0.8.0", "--remote", "upstream", "--check-proxy", cwd=go_repo.path)
    assert "skipped the Go module proxy check: GOPROXY=off names no proxy" in off.err


def test_escape_module_path_follows_the_proxy_protocol() -> None:
    assert escape_module_path("github.com/Azure/azure-sdk") == "github.com/!azure/azure-sdk"


# --- a remote over the network: git daemon on 127.0.0.1 ----------------------------------------

TAGS = [f"{m}/v0.8.0" for m in GO_MODULE_ORDER]


def _daemon_remote(go_repo: Repo, git_daemon: GitDaemon) -> Path:
    bare = git_daemon.bare("caa.git")
    go_repo.git("remote", "add", "upstream", git_daemon.url("caa.git"))
    go_repo.git("push", "-q", "upstream", "main")
    return bare


def _hook(bare: Path, name: str, body: str) -> None:
    hook = bare / "hooks" / name
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_push_over_git_daemon(cli: Cli, go_repo: Repo, git_daemon: GitDaemon) -> None:
    bare = _daemon_remote(go_repo, git_daemon)
    result = cli("release.go-tag", "v0.8.0", "--remote", "upstream", "--execute", cwd=go_repo.path)
    assert result.code == 0, result.err
    assert sorted(git(bare, "tag", "-l").split()) == sorted(TAGS)


def test_a_rejected_ref_leaves_no_partial_set_and_says_what_was_pushed(
    cli: Cli, go_repo: Repo, git_daemon: GitDaemon
) -> None:
    bare = _daemon_remote(go_repo, git_daemon)
    # The server refuses one tag; without --atomic the other four would land.
    _hook(
        bare,
        "update",
        'case "$1" in refs/tags/src/csi-wrapper/*) echo "policy: no" >&2; exit 1;; esac\n',
    )
    result = cli("release.go-tag", "v0.8.0", "--remote", "upstream", "--execute", cwd=go_repo.path)
    assert result.code == 1
    assert "git push --atomic upstream failed" in result.err
    assert (
        f"pushed: none; not pushed: {', '.join(TAGS)} (checked upstream after the failure)"
        in result.err
    )
    assert git(bare, "tag", "-l") == ""
    assert sorted(go_repo.git("tag", "-l").split()) == sorted(TAGS)  # kept locally to push again


def test_daemon_stopped_mid_push_leaves_no_partial_set_of_remote_tags(
    go_repo: Repo, git_daemon: GitDaemon, tmp_path: Path
) -> None:
    bare = _daemon_remote(go_repo, git_daemon)
    marker = tmp_path / "receiving"
    # pre-receive runs after the objects arrive and before any ref is updated.
    _hook(bare, "pre-receive", f'cat >/dev/null\ntouch "{marker}"\nsleep 120\n')
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    argv = [
        sys.executable,
        "-m",
        "releasekit.cli",
        "release.go-tag",
        "v0.8.0",
        "--remote",
        "upstream",
        "--execute",
    ]
    proc = subprocess.Popen(
        argv, cwd=go_repo.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the push never reached the server"
    git_daemon.stop()  # kills the daemon, receive-pack and the hook mid-push
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, (out, err)
    assert "git push --atomic upstream failed" in err
    assert "pushed: unknown, upstream did not answer afterwards; the push was atomic" in err
    assert f"holds all 5 or none of: {', '.join(TAGS)}" in err
    assert "git push --atomic upstream " + " ".join(f"refs/tags/{t}" for t in TAGS) in err
    assert git(bare, "for-each-ref", "refs/tags") == ""  # none, not some


def test_release_tag_push_rejected_by_the_server_says_what_was_pushed(
    cli: Cli, go_repo: Repo, git_daemon: GitDaemon
) -> None:
    bare = _daemon_remote(go_repo, git_daemon)
    _hook(bare, "pre-receive", 'echo "tags are frozen" >&2\nexit 1\n')
    result = cli("release.tag", "0.8.0", "--push", "--remote", "upstream", cwd=go_repo.path)
    assert result.code == 1
    assert "git push --atomic upstream failed" in result.err
    assert "tags are frozen" in result.err
    assert "pushed: none; not pushed: v0.8.0 (checked upstream after the failure)" in result.err
    assert git(bare, "tag", "-l") == ""
    assert go_repo.git("tag", "-l").split() == ["v0.8.0"]
    # never pushed, so release.untag may delete it after asking the daemon
    untag = cli("release.untag", "v0.8.0", cwd=go_repo.path)
    assert untag.lines == ["deleted local tag v0.8.0 (not on: upstream)"]


def test_execute_pushes_a_kept_root_tag_the_remote_lacks_in_the_same_atomic_push(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    repo = make_repo(
        {
            "go.mod": "module example.com/demo\n\nrequire example.com/demo/lib v0.0.0\n\n"
            "replace example.com/demo/lib => ./lib\n",
            "lib/go.mod": "module example.com/demo/lib\n",
        }
    )
    bare = bare_remote(repo, "origin")
    sha = repo.git("rev-parse", "HEAD").strip()
    assert cli("release.tag", "1.0.0", cwd=repo.path).code == 0  # tagged, not pushed
    plan = cli("release.go-tag", "v1.0.0", cwd=repo.path)
    assert f"v1.0.0 is already on {sha[:12]}; kept as it is, not yet on origin" in plan.lines
    assert plan.lines[-4:] == [
        f"git tag lib/v1.0.0 {sha}",
        "git push origin lib/v1.0.0",
        "git push origin v1.0.0",
        "run with --execute to create them and push all in one atomic push",
    ]
    result = cli("release.go-tag", "v1.0.0", "--execute", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[-2:] == ["created and pushed lib/v1.0.0", "pushed v1.0.0"]
    assert git(bare, "tag", "-l").split() == ["lib/v1.0.0", "v1.0.0"]
    assert git(bare, "rev-parse", "v1.0.0^{commit}").strip() == sha


def test_nothing_to_do_when_only_the_root_release_tag_is_wanted(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    repo = make_repo({"go.mod": "module example.com/solo\n"})
    bare = bare_remote(repo, "origin")
    assert cli("release.tag", "1.0.0", "--push", cwd=repo.path).code == 0
    before = tag_state(repo, bare), git(bare, "for-each-ref", "refs/heads")
    result = cli("release.go-tag", "v1.0.0", "--execute", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[-1] == "every module already has its v1.0.0 tag; nothing to do"
    assert (tag_state(repo, bare), git(bare, "for-each-ref", "refs/heads")) == before
