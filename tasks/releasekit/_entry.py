"""The ``releasekit`` console script: :func:`releasekit.cli.main`, started without the cyclic
collector's passes over releasekit's own imports (see core/common/gcpause.py)."""

from __future__ import annotations


def main() -> None:
    from .core.common import gcpause

    gcpause.one_shot()
    with gcpause.paused_gc():  # the imports' objects live as long as the process: frozen
        from .cli import main as run
    run()
