"""SIGINT, SIGTERM and SIGHUP while releasekit changes files.

Two modes, nested freely: :func:`raising` turns a signal into :class:`Interrupted` at once (while
staging, when nothing has changed yet and unwinding cleans up), and :func:`deferred` only records
it (while renaming, rolling back or committing) so that the work stops at the next consistent
point, where :func:`check` raises it. Outside these blocks Python's own handling applies.

Only the main thread can own signal handlers; elsewhere both blocks change nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Literal

from .errors import ReleaseError

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
Mode = Literal["raise", "defer"]


class Interrupted(BaseException):
    """A signal stopped releasekit; raised once the files are consistent again.

    A BaseException, like KeyboardInterrupt, so that ``except Exception`` never swallows it.
    """

    def __init__(self, signum: int, detail: str = "") -> None:
        super().__init__(signum, detail)
        self.signum = signum
        self.detail = detail

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process stopped by a signal: 128 + its number."""
        return 128 + self.signum

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        return f"interrupted by {name}" + (f"; {self.detail}" if self.detail else "")


class _State:
    def __init__(self) -> None:
        self.modes: list[Mode] = []
        self.pending: int | None = None
        self.saved: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.pending is None:
        _state.pending = signum
    if _state.modes and _state.modes[-1] == "raise":
        _state.pending = None
        # The block stops once; more signals while it unwinds and cleans up are recorded, as
        # a second Ctrl-C must not cut the clean-up short.
        _state.modes[-1] = "defer"
        raise Interrupted(signum)


def pending() -> int | None:
    """The signal received and not yet acted on, if any."""
    return _state.pending


def check() -> None:
    """Raise :class:`Interrupted` for a signal that was deferred."""
    signum, _state.pending = _state.pending, None
    if signum is not None:
        raise Interrupted(signum)


@contextmanager
def _guard(mode: Mode) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outermost = not _state.modes
    if outermost:
        for sig in SIGNALS:
            previous = signal.getsignal(sig)
            if previous is signal.SIG_IGN:  # started under nohup (or told to ignore): keep it
                continue
            _state.saved[sig] = previous
            signal.signal(sig, _handler)
    _state.modes.append(mode)
    try:
        if mode == "raise":
            check()
        yield
    except ReleaseError as exc:
        # A failure caused by the signal (git died of the same Ctrl-C) is reported as the
        # interruption it is, with the failure as its detail.
        _state.modes.pop()
        signum = _state.pending
        if signum is not None and (outermost or _state.modes[-1] == "raise"):
            _state.pending = None
            raise Interrupted(signum, str(exc)) from exc
        raise
    except BaseException:
        _state.modes.pop()
        raise
    else:
        _state.modes.pop()
        if outermost or _state.modes[-1] == "raise":
            check()
    finally:
        if outermost:
            for signum, previous in _state.saved.items():
                signal.signal(signum, previous)
            _state.saved.clear()
            _state.pending = None


def raising() -> Any:
    """A block where a signal raises :class:`Interrupted` immediately."""
    return _guard("raise")


def deferred() -> Any:
    """A block where a signal is recorded and raised by :func:`check` (or when it ends)."""
    return _guard("defer")


def failpoint(name: str) -> None:
    """Pause at a named point of a write, for the fault-injection tests only.

    Set ``RELEASEKIT_FAILPOINT=<name>`` and ``RELEASEKIT_FAILPOINT_MARKER=<file>``: on reaching
    that point releasekit creates the file and waits (up to a minute) until the test removes it
    or sends a signal. Without it a test could hit a phase that lasts microseconds (one rename)
    only by luck; with it every phase is hit on purpose. Unset (always, outside the tests), this
    is one dictionary lookup.
    """
    if os.environ.get("RELEASEKIT_FAILPOINT") != name:
        return
    marker = os.environ.get("RELEASEKIT_FAILPOINT_MARKER", "")
    if not marker:
        return
    with open(marker, "w", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()} {name}\n")
    deadline = time.monotonic() + 60
    while os.path.exists(marker) and _state.pending is None and time.monotonic() < deadline:
        time.sleep(0.005)
