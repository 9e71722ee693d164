"""Network settings and the rules every network operation follows: a deadline, bounded retries.

A remote that accepts the connection and never answers must not block a release forever:

- every network operation (a ``git ls-remote``/``git push``, an HTTP request with its retries,
  a ``helm push``) ends within ``network.timeout`` seconds. git over ssh or git:// has no
  timeout of its own, so :func:`.process.run` kills the command's whole process group;
- idempotent reads (``git ls-remote``, HTTP GET/HEAD) are retried up to ``network.retries``
  times after a transient failure (HTTP 429/5xx, a reset connection), with exponential backoff
  and ``Retry-After`` honoured, all inside that same deadline. A silent remote is not asked
  again: it used the whole budget. Writes (``git push``) are never retried.

``network:`` in releasekit.yaml sets both; ``RELEASEKIT_NETWORK_TIMEOUT`` and
``RELEASEKIT_NETWORK_RETRIES`` override it for one run (a CI job, a slow link).
"""

# Annotations are objects here, not strings: see common/section.py.

import math
import os
import re
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from msgspec import Meta

from .errors import CommandError, ConfigError
from .section import Section

if TYPE_CHECKING:
    from ..config import Config
    from .process import Result

# process (and the redaction rules it loads) is imported by the functions that run a command:
# loading the config imports this module for Network, and a task that runs no git (say
# changelog.check) should not pay for them.

ENV_TIMEOUT = "RELEASEKIT_NETWORK_TIMEOUT"
ENV_RETRIES = "RELEASEKIT_NETWORK_RETRIES"
MAX_BACKOFF = 10.0


class Network(Section, frozen=True, kw_only=False):
    """Network operations: git ls-remote/push to the remote, HTTP to registries and the Go proxy.
    RELEASEKIT_NETWORK_TIMEOUT and RELEASEKIT_NETWORK_RETRIES override these for one run."""

    timeout: Annotated[
        float,
        Meta(
            gt=0,
            le=86400,
            description="Seconds any network operation may take, retries included.",
            extra={"expected": "a number of seconds above 0"},
        ),
    ] = 60.0
    retries: Annotated[
        int,
        Meta(
            ge=0,
            le=10,
            description="Retries of an idempotent read after a transient failure (HTTP 429/5xx, "
            "a dropped connection), with backoff, honouring Retry-After.",
        ),
    ] = 3


class NetworkTimeout(CommandError):
    """A network operation did not finish within ``network.timeout`` and was stopped."""


def settings(config: "Config | None" = None) -> "Network":
    """The network settings of a run: the environment, else ``network:``, else the defaults.

    Raises:
        ConfigError: an environment override is not a number in range.
    """
    base = getattr(config, "network", None) or Network()
    timeout, retries = base.timeout, base.retries
    if os.environ.get(ENV_TIMEOUT, "").strip():
        text = os.environ[ENV_TIMEOUT].strip()
        try:
            timeout = float(text)
        except ValueError:
            timeout = math.nan
        if not 0 < timeout <= 86400:  # also refuses nan and inf
            raise ConfigError(f"{ENV_TIMEOUT}={text!r} must be a number of seconds above 0")
    if os.environ.get(ENV_RETRIES, "").strip():
        text = os.environ[ENV_RETRIES].strip()
        if not text.isdigit() or int(text) > 10:
            raise ConfigError(f"{ENV_RETRIES}={text!r} must be a whole number from 0 to 10")
        retries = int(text)
    return Network(timeout, retries)


def advice(net: Network) -> str:
    """What to do after a timeout, for every message that reports one."""
    return (
        f"check the network and the remote's URL, then retry; a remote that is only slow needs "
        f"a larger network.timeout in releasekit.yaml or {ENV_TIMEOUT} (now {net.timeout:g} s)"
    )


# git reports these for failures that may pass on their own; anything else (no such
# repository, authentication failed, a rejected ref) fails the same way every time.
_TRANSIENT = re.compile(
    r"returned error: (?:429|5\d\d)|connection (?:reset|timed out)|timed out|"
    r"the remote end hung up unexpectedly|early eof|temporary failure in name resolution|"
    r"could not resolve host|rpc failed|http/2 stream \d+ was not closed cleanly|"
    r"unexpected disconnect",
    re.IGNORECASE,
)


def is_transient(stderr: str) -> bool:
    return bool(_TRANSIENT.search(stderr))


def backoff(attempt: int) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): 1, 2, 4 … at most 10."""
    return min(float(2**attempt), MAX_BACKOFF)


def run_git(
    root: Path,
    args: Sequence[str],
    *,
    net: Network,
    remote: str,
    read: bool,
) -> "Result":
    """Run a git command that talks to ``remote`` within ``net.timeout``; retry reads.

    Returns:
        The last attempt's result (the caller checks its exit code).

    Raises:
        NetworkTimeout: the command did not finish in time; the message names the remote.
    """
    from . import process

    argv = ["git", "-C", str(root), *args]
    # Prompting is impossible (the command runs in its own session, without a terminal);
    # credentials come from ssh-agent and git's credential helpers.
    env = {"GIT_TERMINAL_PROMPT": "0"}
    deadline = time.monotonic() + net.timeout
    attempt = 0
    while True:
        remaining = deadline - time.monotonic()
        try:
            result = process.run(argv, env=env, check=False, timeout=max(remaining, 0.001))
        except process.Timeout:
            raise NetworkTimeout(
                f"{_describe_remote(root, remote, push=not read)} did not answer within "
                f"{net.timeout:g} s (git {args[0]}); releasekit stopped it — {advice(net)}"
            ) from None
        if result.returncode == 0 or not read or attempt >= net.retries:
            return result
        # Killed by SIGPIPE: git wrote to a connection the other side had closed.
        dropped = result.returncode == -signal.SIGPIPE
        if not dropped and not is_transient(result.stderr):
            return result
        delay = backoff(attempt)
        if time.monotonic() + delay >= deadline:
            return result
        time.sleep(delay)
        attempt += 1


def _describe_remote(root: Path, remote: str, *, push: bool) -> str:
    from . import process

    result = process.run(
        ["git", "-C", str(root), "remote", "get-url", *(["--push"] if push else []), remote],
        check=False,
    )
    url = result.stdout.strip()
    return f"{remote} ({url})" if result.returncode == 0 and url and url != remote else remote
