"""Pausing the cyclic garbage collector while building many small objects.

Building 10⁵ tuples (checksum entries and verdicts, parsed YAML nodes, a changelog's commits)
starts a young collection every 700 allocations and, as they survive, full collections that
walk every object of the process: 10-30 % of the time of such a loop, for objects that form no
cycles (or whose cycles wait for the next collection harmlessly). Reference counting still
frees everything; only the cycle search waits until the block ends.

In the ``releasekit`` command (a process that ends with the command: :func:`one_shot`), the
block's objects are then frozen (``gc.freeze``) rather than handed back to the collector,
whose first pass after the block would walk every one of them (25-40 ms for the 100k commits
of a changelog) to find no cycle; and so are the objects of releasekit's own imports (68
collections, ~10 ms of start-up). A library user's process keeps its collector as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_one_shot = False


def one_shot() -> None:
    """Declare this process one command long (the ``releasekit`` command, once its imports are
    done): what exists now is frozen, and paused blocks end with their objects frozen."""
    global _one_shot
    _one_shot = True
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block (nested blocks and a collector already
    disabled by the caller are left as they are)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _one_shot:
            gc.freeze()
        gc.enable()
