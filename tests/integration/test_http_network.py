"""HTTP under faults: a registry that says 503 and then answers, one that never answers.

Real HTTP servers on 127.0.0.1 (http.server threads) that misbehave on purpose, reached by the
real registry client of release.push-chart and by core.common.http directly; each test measures the
waits between attempts (Retry-After honoured) and the time to the error.
"""

from __future__ import annotations

import http.server
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CliResult, Repo, SilentServer
from http_parts import StandInServer
from releasekit.core.common import http as rk_http
from releasekit.core.common.errors import CommandError
from releasekit.core.common.network import Network, NetworkTimeout

Cli = Callable[..., CliResult]


@dataclass
class Flaky:
    """Answers ``failures`` statuses (with Retry-After) first, then ``final``; logs each hit."""

    port: int
    script: list[tuple[int, dict[str, str]]]
    final: int = 404
    hits: list[tuple[float, str]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    state = Flaky(0, [])

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            state.hits.append((time.monotonic(), self.command))
            status, headers = state.script.pop(0) if state.script else (state.final, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = StandInServer(Handler).start()
    state.port = server.port
    yield state
    server.stop()


def gaps(hits: list[tuple[float, str]]) -> list[float]:
    return [later[0] - earlier[0] for earlier, later in itertools.pairwise(hits)]


def test_get_is_retried_after_503_honouring_retry_after(flaky: Flaky) -> None:
    flaky.script = [(503, {"Retry-After": "1"}), (429, {"Retry-After": "1"})]
    flaky.final = 200
    response = rk_http.request("GET", f"http://{flaky.host}/x", net=Network(30, 3), what="test")
    assert response.status_code == 200
    assert [method for _, method in flaky.hits] == ["GET"] * 3
    assert all(gap >= 0.95 for gap in gaps(flaky.hits)), gaps(flaky.hits)


def test_5xx_without_retry_after_backs_off_exponentially_up_to_the_retries(flaky: Flaky) -> None:
    flaky.final = 502
    response = rk_http.request("HEAD", f"http://{flaky.host}/x", net=Network(30, 2), what="test")
    assert response.status_code == 502  # the last answer, after 1 + 2 retries
    assert len(flaky.hits) == 3
    first, second = gaps(flaky.hits)
    assert 0.95 <= first < 1.9 <= second < 3.5, (first, second)


def test_a_write_is_never_retried(flaky: Flaky) -> None:
    flaky.final = 503
    response = rk_http.request("POST", f"http://{flaky.host}/x", net=Network(30, 3), what="test")
    assert response.status_code == 503
    assert len(flaky.hits) == 1


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(flaky: Flaky) -> None:
    flaky.script = [(503, {"Retry-After": "3600"})]
    response = rk_http.request("GET", f"http://{flaky.host}/x", net=Network(5, 3), what="test")
    assert response.status_code == 503
    assert len(flaky.hits) == 1  # asked once: the hour it asks for is past the 5 s deadline


def test_a_refused_connection_is_an_error_that_names_the_address(tmp_path: Path) -> None:
    from conftest import free_port

    with pytest.raises(CommandError, match="connection refused; check the address"):
        rk_http.request("GET", f"http://127.0.0.1:{free_port()}/", net=Network(30, 3), what="test")


def test_a_silent_server_times_out_within_the_deadline(silent_server: SilentServer) -> None:
    # The timeout's own message (not a connection error) proves the deadline ended the wait.
    with pytest.raises(NetworkTimeout, match=r"test did not answer within 1\.5 s \(GET "):
        rk_http.request("GET", f"{silent_server.http_url}/", net=Network(1.5, 3), what="test")


# --- through release.push-chart's registry client ------------------------------------------


@pytest.fixture
def packaged(example_repo: Repo, cli: Cli, tmp_path: Path, helm_sdk: object) -> Path:
    with (example_repo.path / "releasekit.yaml").open("a") as handle:
        handle.write("network:\n  timeout: 3\n  retries: 3\n")
    argv = ["release.package-chart", "--engine", "sdk", "--dest", str(tmp_path / "dist")]
    assert cli(*argv, cwd=example_repo.path).code == 0
    return tmp_path / "dist" / "demo-operator-0.1.7.tgz"


def test_push_chart_retries_a_registry_that_answers_503_then_works(
    cli: Cli, example_repo: Repo, packaged: Path, flaky: Flaky
) -> None:
    flaky.script = [(503, {"Retry-After": "1"}), (503, {"Retry-After": "1"})]
    flaky.final = 404  # the manifest is unknown: the version is free
    argv = ["release.push-chart", str(packaged), f"oci://{flaky.host}/charts", "--plain-http"]
    result = cli(*argv, "--dry-run", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[-1] == "dry run: nothing was pushed"
    assert [method for _, method in flaky.hits] == ["HEAD"] * 3
    assert all(gap >= 0.95 for gap in gaps(flaky.hits))


def test_push_chart_to_a_registry_stuck_on_503_says_so(
    cli: Cli, example_repo: Repo, packaged: Path, flaky: Flaky
) -> None:
    flaky.final = 503
    argv = ["release.push-chart", str(packaged), f"oci://{flaky.host}/charts", "--plain-http"]
    result = cli(*argv, cwd=example_repo.path)
    assert (result.code, result.err) == (
        1,
        f"releasekit: error: asking the registry for oci://{flaky.host}/charts/demo-operator:"
        f"0.1.7: registry {flaky.host} answered HTTP 503 for charts/demo-operator:0.1.7; check "
        "the registry's status and retry\n",
    )
    assert 2 <= len(flaky.hits) <= 4  # retried within the 3 s budget, then given up


def test_push_chart_to_a_registry_that_never_answers_ends_within_the_timeout(
    cli: Cli, example_repo: Repo, packaged: Path, silent_server: SilentServer
) -> None:
    host = f"127.0.0.1:{silent_server.port}"
    argv = ["release.push-chart", str(packaged), f"oci://{host}/charts", "--plain-http"]
    result = cli(*argv, cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        f"releasekit: error: registry {host} did not answer within 3 s (HEAD http://{host}/v2/"
        "charts/demo-operator/manifests/0.1.7); releasekit stopped waiting — check the network "
        "and the remote's URL, then retry; a remote that is only slow needs a larger "
        "network.timeout in releasekit.yaml or RELEASEKIT_NETWORK_TIMEOUT (now 3 s)\n"
    )


@pytest.fixture
def stalls_after_lookup() -> Iterator[tuple[str, list[str]]]:
    """A registry that answers the manifest lookup (404: free) and then never answers again."""
    release = threading.Event()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append(f"{self.command} {self.path}")
            if self.command == "HEAD" and "/manifests/" in self.path:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            release.wait(60)  # the push hangs here: accepted, never answered

        do_HEAD = do_GET = do_POST = do_PUT = do_PATCH = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = StandInServer(Handler).start()
    yield f"127.0.0.1:{server.port}", seen
    release.set()
    server.stop()


def test_a_push_that_hangs_in_the_helm_sdk_ends_within_the_timeout(
    cli: Cli, example_repo: Repo, packaged: Path, stalls_after_lookup: tuple[str, list[str]]
) -> None:
    host, seen = stalls_after_lookup
    argv = ["release.push-chart", str(packaged), f"oci://{host}/charts", "--plain-http"]
    result = cli(*argv, "--engine", "sdk", cwd=example_repo.path)
    assert result.code == 1
    assert result.err.startswith(
        f"releasekit: error: pushing demo-operator-0.1.7.tgz to oci://{host}/charts: registry "
        f"{host} did not answer within 3 s; releasekit stopped waiting — "
    )
    assert len(seen) >= 2  # the lookup, then the push that hung
