"""A byte-counting progress bar on a terminal (rich), nothing in CI or when piped."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Below this much data hashing takes well under a second: no bar.
MIN_BYTES = 256 << 20


def wanted() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get("GITHUB_ACTIONS")


@contextmanager
def bytes_progress(label: str) -> Iterator[Callable[[int], Callable[[int], None]] | None]:
    """Yield a progress factory for core (total bytes -> per-chunk callback), or None."""
    if not wanted():
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    lock = threading.Lock()
    state: dict[str, Any] = {}

    def factory(total: int) -> Callable[[int], None]:
        if total < MIN_BYTES:
            return lambda n: None
        progress.start()
        task_id = progress.add_task(label, total=total)
        state["started"] = True

        def advance(n: int) -> None:
            with lock:
                progress.advance(task_id, n)

        return advance

    try:
        yield factory
    finally:
        if state.get("started"):
            progress.stop()


@contextmanager
def count_progress(label: str, total: int) -> Iterator[Callable[[], None] | None]:
    """A progress line counting ``total`` requests or items on a terminal; None elsewhere."""
    if not wanted() or total < 2:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    )
    lock = threading.Lock()
    task_id = progress.add_task(label, total=total)

    def advance() -> None:
        with lock:
            progress.advance(task_id, 1)

    progress.start()
    try:
        yield advance
    finally:
        progress.stop()
