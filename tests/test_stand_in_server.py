"""The stand-in HTTP servers never print into another test's output (a CI failure: a slow
fault's handler thread woke after its test and its traceback landed in verify.assets' stderr)."""

from __future__ import annotations

import http.client
import http.server
import threading
import time

import pytest

from http_parts import StandInServer
from registry_parts import FaultProxy


def _server(error: BaseException) -> StandInServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            raise error

        def log_message(self, *args: object) -> None:
            pass

    return StandInServer(Handler).start()


def _get(port: int, timeout: float = 5) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/")
        conn.getresponse()
    except (http.client.HTTPException, OSError):
        pass  # the handler failed: no answer
    finally:
        conn.close()


def test_a_client_that_hung_up_is_not_printed_nor_an_error(
    capfd: pytest.CaptureFixture[str],
) -> None:
    server = _server(ConnectionResetError("peer hung up"))
    _get(server.port)
    server.stop()  # does not raise
    assert capfd.readouterr().err == ""


def test_any_other_handler_failure_fails_the_owning_test_not_a_later_one(
    capfd: pytest.CaptureFixture[str],
) -> None:
    server = _server(ValueError("a bug in the stand-in"))
    _get(server.port)
    with pytest.raises(AssertionError, match="a bug in the stand-in"):
        server.stop()
    assert capfd.readouterr().err == ""


def test_stopping_a_fault_proxy_ends_its_slow_answers_at_once() -> None:
    proxy = FaultProxy("127.0.0.1:9", lambda method, path: ("slow", 60))
    port = int(proxy.host.rpartition(":")[2])
    client = threading.Thread(target=_get, args=(port, 30), daemon=True)
    client.start()
    deadline = time.monotonic() + 10
    while not proxy.seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proxy.seen == [("GET", "/")]
    proxy.stop()
    client.join(timeout=10)  # the 60 s wait ended with stop(); the client (30 s) got a hang-up
    assert not client.is_alive()
