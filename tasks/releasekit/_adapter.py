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

from .core.common.errors import EXIT_ERROR, ReleaseError

if TYPE_CHECKING:
    from .core.config import Config


def config(c: Context) -> Config:
    """The repository's config: invoke's ``releasekit`` section, then releasekit.yaml."""
    from .core.config import load_config

    layer = c.config.get("releasekit") if hasattr(c, "config") else None
    return load_config(Path.cwd(), layer)


def release_date(date: str) -> dt.date:
    """The ``--date`` flag (YYYY-MM-DD), or today when it is empty."""
    from .core.common.errors import UsageError

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
def boundary(*, recover: bool = True) -> Iterator[None]:
    """Turn a ReleaseError into invoke's Exit with the error's exit code (redacted), a signal
    that stopped a write into the shell's 128 + signal number, and any other exception (a
    bug) into ``releasekit: internal error: ...`` with exit 1.

    First of all, put back what an interrupted (killed) releasekit command left half-written,
    and say so on stderr (``recover=False`` only for release.recover itself).
    """
    from .core.common.interrupts import Interrupted

    try:
        if recover:
            _recover_first()
        yield
    except ReleaseError as exc:
        message = _printable(redact(f"releasekit: error: {exc}"), sys.stderr)
        raise Exit(message, code=exc.exit_code) from None
    except Interrupted as exc:
        raise Exit(redact(f"releasekit: {exc}"), code=exc.exit_code) from None
    except KeyboardInterrupt:  # outside a write (there SIGINT is Interrupted): files are whole
        raise Exit("releasekit: interrupted by SIGINT", code=128 + 2) from None
    except (Exit, ParseError, Failure, BrokenPipeError):
        raise  # invoke's own exits, and a closed pipe (cli.main ends those quietly)
    except Exception as exc:
        from ._crash import internal_error

        raise Exit(_printable(internal_error(exc), sys.stderr), code=EXIT_ERROR) from None


def _recover_first() -> None:
    from .core.common.recovery import pending_journal

    if pending_journal(Path.cwd()) is None:  # a few stat calls: the usual case
        return
    from .core.common.recovery import recover

    result = recover(Path.cwd())
    if result is not None:
        for line in result.lines():
            note(f"releasekit: {line}")


def redact(text: str) -> str:
    """:func:`.core.common.redact.redact`, imported on first use (its patterns stay off start-up)."""
    from .core.common.redact import redact as mask

    return mask(text)


def out(text: str = "") -> None:
    """A result line on stdout (redacted: secrets never reach output)."""
    print(_printable(redact(text), sys.stdout), flush=True)


def note(text: str) -> None:
    """A message on stderr (redacted)."""
    print(_printable(redact(text), sys.stderr), file=sys.stderr, flush=True)


def _printable(text: str, stream: Any) -> str:
    """Text the stream can write: a file name that is not UTF-8 must not crash a report (a
    strict UTF-8 stdout, as in GitHub Actions, refuses os.fsdecode's surrogates)."""
    from .core.common.excerpt import printable

    if getattr(stream, "errors", "strict") == "surrogateescape":
        return text  # the stream writes those bytes back as they were
    return printable(text, getattr(stream, "encoding", None) or "utf-8")


def redact_logs() -> None:
    """Redact every log record of this process (invoke's ``--debug`` logs argv, urllib3 URLs).

    A record factory, not a handler filter: it holds whichever handlers invoke, pytest or the
    user configure later, and costs nothing while no logger is enabled.
    """
    import contextlib
    import logging

    previous = logging.getLogRecordFactory()
    if getattr(previous, "releasekit_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        # A malformed log call is left to logging's own error handling.
        with contextlib.suppress(Exception):
            record.msg, record.args = redact(record.getMessage()), None
        return record

    factory.releasekit_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def emit_json(data: Any) -> None:
    """The ``--json`` result, every string in it redacted."""
    from .core.common.redact import redact_data

    print(json.dumps(redact_data(data), indent=2, sort_keys=False), flush=True)
