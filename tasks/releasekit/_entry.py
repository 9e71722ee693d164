"""The ``releasekit`` console script: :func:`releasekit.cli.main` in a process that is one
command long, its imports' objects out of the cyclic collector's passes (core/common/gcpause.py)."""

from __future__ import annotations


def main() -> None:
    from .cli import main as run
    from .core.common import gcpause

    gcpause.one_shot()
    run()
