"""A remote that accepts the connection and never answers: every task ends within network.timeout.

The remote is a real TCP listener on 127.0.0.1 that accepts and stays silent, used as a
``git://`` (and ``ssh://``) remote of a real repository; git has no timeout of its own there,
so releasekit kills the command's process group. Each test measures the time to the error.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, GitDaemon, Repo, SilentServer, git, require_real, tag_state

Cli = Callable[..., CliResult]

TIMEOUT = 2
# Generous for a loaded 2-core machine; a hang would take forever, not TIMEOUT + SLACK.
SLACK = 6
NETWORK = f"network:\n  timeout: {TIMEOUT}\n  retries: 3\n"


def timed(cli: Cli, *argv: str, cwd: Path) -> tuple[CliResult, float]:
    start = time.monotonic()
    result = cli(*argv, cwd=cwd)
    return result, time.monotonic() - start


def assert_timed_out(result: CliResult, elapsed: float, url: str, command: str) -> None:
    assert result.code == 1, result
    assert TIMEOUT <= elapsed < TIMEOUT + SLACK, elapsed
    assert (
        f"origin ({url}) did not answer within {TIMEOUT} s (git {command}); releasekit "
        "stopped it — check the network and the remote's URL, then retry; a remote that is only "
        "slow needs a larger network.timeout in releasekit.yaml or RELEASEKIT_NETWORK_TIMEOUT "
        f"(now {TIMEOUT} s)"
    ) in result.err
    assert "Traceback" not in result.err


def no_process_talks_to(port: int) -> bool:
    """True when no process (git, ssh, a remote helper) still has the port in its argv."""
    needle = f"127.0.0.1:{port}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline and b"pytest" not in cmdline:
            return False
    return True


@pytest.fixture
def hung_repo(make_repo: Callable[..., Repo], silent_server: SilentServer) -> Repo:
    repo = make_repo({"README.md": "demo\n", "releasekit.yaml": NETWORK}, name="app")
    repo.git("remote", "add", "origin", silent_server.git_url())
    return repo


def test_tag_push_to_a_silent_remote_ends_within_the_timeout(
    cli: Cli, hung_repo: Repo, silent_server: SilentServer
) -> None:
    result, elapsed = timed(cli, "release.tag", "0.1.8", "--push", cwd=hung_repo.path)
    assert_timed_out(result, elapsed, silent_server.git_url(), "ls-remote")
    assert result.err.startswith("releasekit: error: cannot ask origin which tags it has (")
    assert tag_state(hung_repo) == ("", "")  # nothing created
    assert no_process_talks_to(silent_server.port)


def test_tag_without_push_offers_offline(
    cli: Cli, hung_repo: Repo, silent_server: SilentServer
) -> None:
    result, elapsed = timed(cli, "release.tag", "0.1.8", cwd=hung_repo.path)
    assert_timed_out(result, elapsed, silent_server.git_url(), "ls-remote")
    assert result.err.endswith("fix the network or remote, or pass --offline to skip the check\n")


def test_untag_with_a_silent_remote_keeps_the_tag(
    cli: Cli, hung_repo: Repo, silent_server: SilentServer
) -> None:
    hung_repo.git("tag", "v0.1.8")
    result, elapsed = timed(cli, "release.untag", "v0.1.8", cwd=hung_repo.path)
    assert_timed_out(result, elapsed, silent_server.git_url(), "ls-remote")
    assert "cannot prove that origin does not have v0.1.8 (" in result.err
    assert hung_repo.git("tag", "-l").split() == ["v0.1.8"]
    assert no_process_talks_to(silent_server.port)


def test_prepare_with_a_silent_remote_changes_nothing(
    cli: Cli, example_repo: Repo, silent_server: SilentServer
) -> None:
    with (example_repo.path / "releasekit.yaml").open("a") as handle:
        handle.write(NETWORK)
    example_repo.commit("chore: a short network timeout")
    example_repo.git("remote", "add", "origin", silent_server.git_url())
    before = example_repo.snapshot(), example_repo.git("branch", "--list")
    result, elapsed = timed(cli, "release.prepare", "0.1.8", cwd=example_repo.path)
    assert_timed_out(result, elapsed, silent_server.git_url(), "ls-remote")
    assert "cannot ask origin whether tag v0.1.8 exists (" in result.err
    assert "pass --offline to skip the remote check" in result.err
    assert (example_repo.snapshot(), example_repo.git("branch", "--list")) == before


def test_go_tag_execute_with_a_silent_remote_creates_no_tag(
    cli: Cli, go_repo: Repo, silent_server: SilentServer
) -> None:
    go_repo.commit("chore: a short network timeout", {"releasekit.yaml": NETWORK})
    go_repo.git("remote", "add", "origin", silent_server.git_url())
    result, elapsed = timed(cli, "release.go-tag", "v0.8.0", "--execute", cwd=go_repo.path)
    assert_timed_out(result, elapsed, silent_server.git_url(), "ls-remote")
    assert tag_state(go_repo) == ("", "")
    assert no_process_talks_to(silent_server.port)


def test_a_push_url_that_never_answers_is_refused_before_anything_is_tagged(
    cli: Cli,
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
    silent_server: SilentServer,
) -> None:
    # The tag check asks where origin pushes to (a fetch URL may be a stale mirror), so a
    # silent push URL stops the task at the check: no tag is created, nothing to clean up.
    repo = make_repo({"README.md": "demo\n", "releasekit.yaml": NETWORK}, name="app")
    bare = bare_remote(repo, "origin")
    repo.git("remote", "set-url", "--push", "origin", silent_server.git_url())
    result, elapsed = timed(cli, "release.tag", "0.1.8", "--push", cwd=repo.path)
    assert result.code == 1
    assert TIMEOUT <= elapsed < TIMEOUT + SLACK
    assert (
        f"cannot ask origin which tags it has ({silent_server.git_url()} did not answer within "
        f"{TIMEOUT} s (git ls-remote)"
    ) in result.err
    assert repo.git("tag", "-l") == "" and git(bare, "tag", "-l") == ""
    assert no_process_talks_to(silent_server.port)


@pytest.fixture
def reads_only(git_daemon: GitDaemon) -> Iterator[int]:
    """A git:// proxy to git daemon that serves fetches and ls-remote (upload-pack) and holds
    every push (receive-pack) open without a byte: a remote that hangs in the push itself."""
    with git_proxy(git_daemon, hold_pushes=True) as (port, _):
        yield port


def test_a_push_that_hangs_after_the_check_says_how_to_push_again(
    cli: Cli, make_repo: Callable[..., Repo], git_daemon: GitDaemon, reads_only: int
) -> None:
    repo = make_repo({"README.md": "demo\n", "releasekit.yaml": NETWORK}, name="app")
    bare = git_daemon.bare("app.git")
    url = f"git://127.0.0.1:{reads_only}/app.git"
    repo.git("remote", "add", "origin", url)
    head = repo.git("rev-parse", "HEAD").strip()
    result, elapsed = timed(cli, "release.tag", "0.1.8", "--push", cwd=repo.path)
    assert result.code == 1
    assert elapsed < 3 * TIMEOUT + SLACK  # the check, the push, then one more question
    assert f"origin ({url}) did not answer within {TIMEOUT} s (git push)" in result.err
    assert f"the tags exist locally on {head[:12]}" in result.err
    assert "git push --atomic origin refs/tags/v0.1.8" in result.err
    assert git(bare, "tag", "-l") == ""
    assert no_process_talks_to(reads_only)


def test_an_ssh_remote_that_never_answers_is_killed_with_its_ssh_child(
    cli: Cli, hung_repo: Repo, silent_server: SilentServer
) -> None:
    require_real("ssh", "apt-get install -y openssh-client")
    url = f"ssh://git@127.0.0.1:{silent_server.port}/repo.git"
    hung_repo.git("remote", "set-url", "origin", url)
    result, elapsed = timed(cli, "release.untag", "v0.1.8", cwd=hung_repo.path)
    assert result.code == 1  # no such local tag: nothing asked
    hung_repo.git("tag", "v0.1.8")
    result, elapsed = timed(cli, "release.untag", "v0.1.8", cwd=hung_repo.path)
    assert_timed_out(result, elapsed, url, "ls-remote")
    assert no_process_talks_to(silent_server.port)  # git and the ssh it started


def test_the_environment_overrides_the_configured_timeout(
    cli: Cli, hung_repo: Repo, silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "1")
    result, elapsed = timed(cli, "release.tag", "0.1.8", cwd=hung_repo.path)
    assert result.code == 1
    assert 1 <= elapsed < 1 + SLACK
    assert "did not answer within 1 s (git ls-remote)" in result.err
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "soon")
    bad = cli("release.tag", "0.1.8", cwd=hung_repo.path)
    assert (bad.code, bad.err) == (
        1,
        "releasekit: error: RELEASEKIT_NETWORK_TIMEOUT='soon' must be a number of seconds "
        "above 0\n",
    )


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("network:\n  timeout: 0\n", "releasekit.yaml:2: network.timeout must be a number of "
         "seconds above 0, got 0"),
        ("network:\n  retries: -1\n", "releasekit.yaml:2: network.retries must be between 0 "
         "and 10, got -1"),
        ("network:\n  retries: soon\n", "releasekit.yaml:2: network.retries must be an integer, "
         "got str 'soon'"),
        ("network:\n  timout: 5\n", "releasekit.yaml:2: unknown key 'network.timout'; known keys "
         "here: retries, timeout; did you mean 'timeout'?"),
    ],
)  # fmt: skip
def test_network_config_is_validated(
    cli: Cli, make_repo: Callable[..., Repo], network: str, message: str
) -> None:
    repo = make_repo({"releasekit.yaml": network})
    result = cli("release.tag", "0.1.8", "--offline", cwd=repo.path)
    assert (result.code, result.err) == (1, f"releasekit: error: {message}\n")


def test_retries_are_never_spent_on_a_remote_that_does_not_exist(
    cli: Cli, make_repo: Callable[..., Repo], tmp_path: Path
) -> None:
    repo = make_repo({"releasekit.yaml": NETWORK})
    repo.git("remote", "add", "origin", str(tmp_path / "missing.git"))
    result, elapsed = timed(cli, "release.tag", "0.1.8", cwd=repo.path)
    assert result.code == 1
    assert "cannot ask origin which tags it has" in result.err
    assert elapsed < 1.5  # no backoff: the same answer would come back


def test_no_git_process_outlives_a_timeout(silent_server: SilentServer, tmp_path: Path) -> None:
    from releasekit.core.common.network import Network, NetworkTimeout, run_git

    git(tmp_path, "init", "-q")
    git(tmp_path, "remote", "add", "origin", silent_server.git_url())
    start = time.monotonic()
    with pytest.raises(NetworkTimeout):
        run_git(tmp_path, ["ls-remote", "origin"], net=Network(1, 3), remote="origin", read=True)
    assert time.monotonic() - start < 1 + SLACK
    assert no_process_talks_to(silent_server.port)
    assert os.getpgid(0) == os.getpgrp()  # the test process's own group was never signalled


# --- a transient failure: the first connection is hung up, the next ones reach git daemon ------


def _first_pkt_line(conn: socket.socket) -> bytes:
    """git://'s request, one pkt-line ("0032git-upload-pack /app.git\\0host=...\\0"): git may
    send its 4-digit length and the payload in separate writes, so read the whole line."""
    data = b""
    while len(data) < 4 or len(data) < int(data[:4], 16):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@contextlib.contextmanager
def git_proxy(
    git_daemon: GitDaemon, *, hang_up_first: bool = False, hold_pushes: bool = False
) -> Iterator[tuple[int, list[int]]]:
    """A TCP proxy on 127.0.0.1 in front of git daemon that forwards both ways, except that it
    hangs up the first connection at once (``hang_up_first``) and accepts every push and never
    answers it (``hold_pushes``). Yields the port and a log of the connections seen."""
    import threading

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    seen: list[int] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            dst.close()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            seen.append(1)
            if hang_up_first and len(seen) == 1:
                conn.close()  # before reading a byte: "the remote end hung up unexpectedly"
                continue
            first = _first_pkt_line(conn)
            if hold_pushes and b"git-receive-pack" in first:
                held.append(conn)
                continue
            upstream = socket.create_connection(("127.0.0.1", git_daemon.port))
            upstream.sendall(first)
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1]), seen
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture
def hang_up_once(git_daemon: GitDaemon) -> Iterator[tuple[int, list[int]]]:
    """A proxy to git daemon that closes the first connection at once (yields port, log)."""
    with git_proxy(git_daemon, hang_up_first=True) as proxy:
        yield proxy


def test_ls_remote_is_retried_after_the_remote_hangs_up(
    cli: Cli,
    make_repo: Callable[..., Repo],
    git_daemon: GitDaemon,
    hang_up_once: tuple[int, list[int]],
) -> None:
    port, seen = hang_up_once
    repo = make_repo({"README.md": "demo\n", "releasekit.yaml": NETWORK}, name="app")
    bare = git_daemon.bare("app.git")
    repo.git("tag", "v0.1.8")
    repo.git("push", "-q", str(bare), "main", "v0.1.8")
    repo.git("tag", "-d", "v0.1.8")
    repo.git("remote", "add", "origin", f"git://127.0.0.1:{port}/app.git")
    result, elapsed = timed(cli, "release.tag", "0.1.8", cwd=repo.path)
    assert result.code == 1
    assert "tag v0.1.8 (on origin at" in result.err  # the second attempt got the answer
    assert "release v0.1.9 instead" in result.err
    assert len(seen) == 2
    assert 1 <= elapsed < TIMEOUT + SLACK  # one backoff of 1 s


def test_without_retries_the_hang_up_is_reported(
    make_repo: Callable[..., Repo], git_daemon: GitDaemon, hang_up_once: tuple[int, list[int]]
) -> None:
    from releasekit.core.common.errors import CommandError
    from releasekit.core.common.git import remote_tag_commits
    from releasekit.core.common.network import Network

    port, seen = hang_up_once
    repo = make_repo(name="app")
    git_daemon.bare("app.git")
    repo.git("remote", "add", "origin", f"git://127.0.0.1:{port}/app.git")
    # git sees the hang-up as SIGPIPE, EOF or a reset, depending on who was first.
    dropped = r"origin closed the connection|hung up unexpectedly|Connection reset by peer"
    with pytest.raises(CommandError, match=dropped):
        remote_tag_commits(repo.path, "origin", net=Network(TIMEOUT, 0))
    assert len(seen) == 1
    assert remote_tag_commits(repo.path, "origin", net=Network(TIMEOUT, 0)) == {}


TOKEN = "ghp_" + "Zq7" * 12  # a GitHub-token-shaped secret in the remote's URL


@pytest.mark.parametrize("argv", [["release.tag", "0.1.8", "--push"], ["release.untag", "v0.1.8"]])
def test_an_http_remote_with_a_token_times_out_and_the_token_is_never_printed(
    cli: Cli,
    hung_repo: Repo,
    silent_server: SilentServer,
    env_ci: dict[str, Path],
    argv: list[str],
) -> None:
    url = f"http://x-access-token:{TOKEN}@127.0.0.1:{silent_server.port}/repo.git"
    hung_repo.git("remote", "set-url", "origin", url)
    if argv[0] == "release.untag":
        hung_repo.git("tag", "v0.1.8")
    result, elapsed = timed(cli, *argv, cwd=hung_repo.path)
    assert_timed_out(
        result, elapsed, f"http://***@127.0.0.1:{silent_server.port}/repo.git", "ls-remote"
    )
    files = "".join(p.read_text() for p in env_ci.values() if p.exists())
    for text in (result.out, result.err, files):
        assert TOKEN not in text and TOKEN[4:] not in text
    assert no_process_talks_to(silent_server.port)  # git and git-remote-http
