"""The HTTP server every stand-in in the tests runs on (forge, token server, fault proxy, ...).

``socketserver`` prints a handler's exception to ``sys.stderr`` from the handler's thread. The
stand-ins' fault tests make clients hang up on purpose (a timeout, a dropped answer), and a
handler thread can outlive its test by seconds (a slow answer), so that print landed in a
*later* test's captured stderr and failed an unrelated assertion on it (CI, verify.assets after
the slow-registry test). Here a client that hung up is expected and ignored; any other handler
exception is kept in ``errors`` and raised by ``stop()`` in the test that owns the server.
"""

from __future__ import annotations

import http.server
import socketserver
import sys
import threading
from collections.abc import Callable


class StandInServer(http.server.ThreadingHTTPServer):
    """``ThreadingHTTPServer`` on 127.0.0.1 that never prints and can be stopped once."""

    def __init__(self, handler: Callable[..., socketserver.BaseRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.errors: list[BaseException] = []
        # Set by stop(): a handler that waits (a "slow" fault) waits on this, not on time.sleep.
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> StandInServer:
        self._thread.start()
        return self

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the client hung up (on purpose in the fault tests)
        if error is not None:
            self.errors.append(error)

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
        if self.errors:
            raise AssertionError(f"the stand-in server failed: {self.errors[0]!r}") from (
                self.errors[0]
            )
