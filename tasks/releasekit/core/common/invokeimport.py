"""Importing invoke without the two stdlib modules it loads only for rare uses.

``import invoke`` costs ~90 ms on the development machine, two thirds of releasekit's start-up,
and most of it is not invoke's own code: ``invoke.context`` imports ``unittest.mock`` (which
imports ``asyncio``, ``ssl``, ``email``… ~40 ms) for ``MockContext``, a test helper; and
``invoke/__init__`` imports ``importlib.metadata`` (``email``, ``zipfile``, ``csv``… ~30 ms)
to read its own ``__version__``. Start-up is the largest part of the short commands'
budgets (issue 16: a cached changelog, ``verify.sha256sum`` on 200 MiB), so when releasekit is
the first to import invoke (the ``releasekit`` command, ``python -m releasekit.cli``, a
library import) those two are deferred, the way Mercurial's demandimport defers modules:

- ``Mock`` in ``invoke.context`` is :class:`DeferredMock`, which imports ``unittest.mock`` when
  ``MockContext`` first builds a mock and returns the real ``Mock``;
- ``invoke.__version__`` is read from invoke's ``*.dist-info/METADATA`` beside its package (the
  file ``importlib.metadata.version`` reads); any other layout falls back to the real
  ``importlib.metadata``.

The stand-ins live in ``sys.modules`` only while invoke's package imports and are then removed,
so any later ``import unittest.mock`` or ``importlib.metadata`` gets the real module. When
invoke is already imported (``inv``, a project's tasks.py) nothing is done, and a module
already imported is used as it is.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any


class DeferredMock:
    """``unittest.mock.Mock`` as ``invoke.context`` sees it: calling it imports the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from unittest.mock import Mock

        return Mock(*args, **kwargs)


def dist_version(name: str) -> str:
    """The ``Version:`` of ``name``'s ``<name>-<version>.dist-info/METADATA`` in the directory
    holding its package, without importing ``importlib.metadata``; where that is not the layout
    (or the file is not one such entry) the real ``importlib.metadata.version``."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec else None
    if origin:
        site = Path(origin).parent.parent
        found = list(site.glob(f"{name}-*.dist-info/METADATA"))
        if len(found) == 1:
            with open(found[0], encoding="utf-8") as metadata:
                for line in metadata:
                    if line.startswith("Version:"):
                        return line.partition(":")[2].strip()
                    if not line.strip():
                        break  # the headers end at the first blank line
    return _real_version(name)


def _real_version(name: str) -> str:
    if isinstance(sys.modules.get("importlib.metadata"), _Standin):
        del sys.modules["importlib.metadata"]  # the real one from here on
    from importlib import metadata

    return metadata.version(name)


class _Standin(types.ModuleType):
    pass


def import_invoke() -> None:
    """Import invoke with ``unittest.mock`` and ``importlib.metadata`` deferred (see the module's
    docstring); a no-op when invoke is already imported."""
    if "invoke" in sys.modules:
        return
    standins: dict[str, types.ModuleType] = {}
    if "unittest.mock" not in sys.modules:  # one already imported costs nothing more
        standins["unittest.mock"] = _Standin("unittest.mock")
        standins["unittest.mock"].Mock = DeferredMock  # type: ignore[attr-defined]
    if "importlib.metadata" not in sys.modules:
        standins["importlib.metadata"] = _Standin("importlib.metadata")
        standins["importlib.metadata"].version = dist_version  # type: ignore[attr-defined]
    sys.modules.update(standins)
    try:
        import invoke  # noqa: F401
    finally:
        for key in standins:
            if isinstance(sys.modules.get(key), _Standin):
                del sys.modules[key]
