"""Pausing the cyclic garbage collector while building many small objects.

Building 10⁵ tuples (checksum entries and verdicts, parsed YAML nodes) starts a young
collection every 700 allocations and, as they survive, full collections that walk every
object of the process: 10-30 % of the time of such a loop, for objects that form no cycles
(or whose cycles wait for the next collection harmlessly). Reference counting still frees
everything; only the cycle search waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
        gc.enable()
