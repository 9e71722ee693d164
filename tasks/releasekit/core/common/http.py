"""The one way releasekit makes HTTP requests: requests, a deadline, bounded retries for reads.

Every request ends within ``network.timeout`` seconds in all (connect, read and the waits
between retries). GET and HEAD are retried after a transient failure — HTTP 429 or 5xx, a
refused or reset connection — with exponential backoff, or after the server's ``Retry-After``
(seconds or an HTTP date) when it sends one, as long as the wait fits before the deadline. A
server that accepts and never answers is not asked again: it used the whole budget.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import CommandError
from .network import Network, NetworkTimeout, advice, backoff

if TYPE_CHECKING:
    import requests

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD"})


def request(
    method: str,
    url: str,
    *,
    net: Network,
    what: str,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    session: requests.Session | None = None,
) -> requests.Response:
    """Send one request (retried when it is a read) and return the final response.

    Args:
        what: how messages name the server, e.g. ``registry 127.0.0.1:5000``.

    Raises:
        NetworkTimeout: no answer before the deadline.
        CommandError: the server cannot be reached (after the retries).
    """
    import requests

    http = session or requests.Session()
    retryable = method.upper() in IDEMPOTENT
    deadline = time.monotonic() + net.timeout
    attempt = 0
    while True:
        remaining = max(deadline - time.monotonic(), 0.001)
        try:
            response = http.request(
                method,
                url,
                headers=dict(headers or {}),
                auth=auth,
                timeout=(remaining, remaining),
                allow_redirects=True,
            )
        except requests.Timeout:
            raise NetworkTimeout(
                f"{what} did not answer within {net.timeout:g} s ({method} {url}); "
                f"releasekit stopped waiting — {advice(net)}"
            ) from None
        except requests.ConnectionError as exc:
            # A refused connection is a wrong address or a stopped server: asking again
            # gives the same answer. A reset or dropped one may pass.
            refused = "refused" in _reason(exc).lower()
            if refused or not _wait(retryable, attempt, net, deadline, None):
                raise CommandError(
                    f"cannot reach {what} ({method} {url}): {_reason(exc)}; check the address "
                    "and the network"
                ) from None
            attempt += 1
            continue
        if response.status_code not in RETRY_STATUS or not _wait(
            retryable, attempt, net, deadline, retry_after(response)
        ):
            return response
        response.close()
        attempt += 1


def _wait(
    retryable: bool, attempt: int, net: Network, deadline: float, hinted: float | None
) -> bool:
    """Sleep before the next attempt; False when there is none (a write, no retries, no time)."""
    if not retryable or attempt >= net.retries:
        return False
    delay = hinted if hinted is not None else backoff(attempt)
    if time.monotonic() + delay >= deadline:
        return False
    time.sleep(delay)
    return True


def retry_after(response: requests.Response) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date), if any."""
    from urllib3.util.retry import Retry

    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(Retry().parse_retry_after(value)), 0.0)
    except Exception:  # urllib3 raises InvalidHeader for a value it cannot read
        return None


def _reason(exc: Exception) -> str:
    # requests nests urllib3's MaxRetryError(NewConnectionError(...)); the innermost says why.
    inner: Any = exc
    while inner.args and isinstance(inner.args[0], Exception):
        inner = inner.args[0]
    reason = getattr(inner, "reason", None)
    text = str(reason if reason is not None else inner)
    text = text.split("] ", 1)[-1] if "] " in text else text
    return text[:1].lower() + text[1:]
