"""What every task module shares: config loading, dry-run, output and the error boundary.

Private to the task layer; core/ never imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke import Context, Exit, Failure, ParseError

from .core.errors import ReleaseError

if TYPE_CHECKING:
    from .core.config import Config


def config(c: Context) -> Config:
    """The repository's config: invoke's ``releasekit`` section, then releasekit.yaml."""
    from .core.config import load_config

    layer = c.config.get("releasekit") if hasattr(c, "config") else None
    return load_config(Path.cwd(), layer)


def release_date(date: str) -> dt.date:
    """The ``--date`` flag (YYYY-MM-DD), or today when it is empty."""
    from .core.errors import UsageError

    if not date:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        raise UsageError(f"--date {date!r} is not an ISO date (YYYY-MM-DD)") from None


def is_dry(c: Context, dry_run: bool) -> bool:
    """True for the task's ``--dry-run`` or invoke's global ``--dry``."""
    return dry_run or bool(c.config.run.dry)


@contextmanager
def boundary() -> Iterator[None]:
    """Turn a ReleaseError into invoke's Exit with the error's exit code, and any other
    exception (a bug) into ``releasekit: internal error: ...`` with exit 1."""
    try:
        yield
    except ReleaseError as exc:
        raise Exit(f"releasekit: error: {exc}", code=exc.exit_code) from None
    except (Exit, ParseError, Failure, BrokenPipeError):
        raise  # invoke's own exits, and a closed pipe (cli.main ends those quietly)
    except Exception as exc:
        from ._crash import internal_error

        raise internal_error(exc) from None


def out(text: str = "") -> None:
    """A result line on stdout."""
    print(text, flush=True)


def note(text: str) -> None:
    """A message on stderr."""
    print(text, file=sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False), flush=True)
