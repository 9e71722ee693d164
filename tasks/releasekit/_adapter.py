"""What every task module shares: the task decorator, config loading, dry-run and the error
boundary.

Private to the task layer; core/ never imports it.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke import Context, Exit, Failure, ParseError, Task
from invoke import task as invoke_task

from .core.common.errors import EXIT_ERROR, ReleaseError

if TYPE_CHECKING:
    from ._output import Result
    from .core.config import Config

# Help shared by every task that has the flag; a task's own help= wins for dry_run.
STANDARD_HELP = {
    "json": "print one JSON envelope on stdout (README: Output)",
    "dry_run": "show what would change; change nothing",
}
# The only short flags (invoke's automatic ones are off: -h is help everywhere).
SHORT_FLAGS = {"dry_run": "n", "jobs": "j"}


class ReleasekitTask(Task):  # type: ignore[type-arg]
    """An invoke Task with deliberate short flags only (``short_flags``, name -> letter)."""

    short_flags: Mapping[str, str] = {}

    def arg_opts(self, name: str, default: Any, taken_names: set[str]) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        letter = self.short_flags.get(name)
        if letter is not None:
            opts["names"] = [*opts["names"], letter]
        return opts


def task(
    name: str,
    *,
    help: Mapping[str, str],
    short: Mapping[str, str] | None = None,
    recover: bool = True,
    **options: Any,
) -> Callable[[Callable[..., Result]], Task]:  # type: ignore[type-arg]
    """``@task`` for a releasekit task called ``name`` (``verify.versions``) whose body returns
    a :class:`._output.Result`: the boundary turns errors into exit codes, the renderer prints
    the result (text or ``--json``) and writes the Actions files. ``short`` adds short flags
    beyond :data:`SHORT_FLAGS`; ``options`` go to invoke's ``@task`` (aliases, iterable, ...).
    """

    def decorate(body: Callable[..., Result]) -> Task:  # type: ignore[type-arg]
        @functools.wraps(body)
        def run(c: Context, *args: Any, **kwargs: Any) -> Result | None:
            return _run(name, body, recover, c, args, kwargs)

        code = body.__code__  # its parameter names, without inspect.signature's cost at import
        params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        made = invoke_task(
            run,
            name=name.rpartition(".")[2],
            klass=ReleasekitTask,
            auto_shortflags=False,
            # Keys as parameter names: "dry-run" and "dry_run" are one flag, said once.
            help={k: v for k, v in STANDARD_HELP.items() if k in params}
            | {k.replace("-", "_"): v for k, v in help.items()},
            **options,
        )
        assert isinstance(made, ReleasekitTask)
        made.short_flags = {k: v for k, v in SHORT_FLAGS.items() if k in params} | dict(short or {})
        return made

    return decorate


def _run(
    name: str,
    body: Callable[..., Result],
    recover: bool,
    c: Context,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Result | None:
    from . import _output

    bound = inspect.signature(body).bind(c, *args, **kwargs)
    bound.apply_defaults()
    flags = bound.arguments
    if _wants_help(body, flags):
        _print_task_help(name)
        return None
    as_json = bool(flags.get("json", False))
    with boundary(recover=recover):
        try:
            result = body(c, *args, **kwargs)
        except ReleaseError as exc:
            dry = is_dry(c, bool(flags.get("dry_run", False)))
            _output.render_error(name, exc, as_json=as_json, dry_run=dry)
            raise
        _output.render(name, result, as_json=as_json)
    return result


def _wants_help(body: Callable[..., Any], flags: Mapping[str, Any]) -> bool:
    """``inv release.bump --help``: invoke hands a flag after the task name to a positional
    argument still missing, so the body sees "--help" as the version."""
    params = list(inspect.signature(body).parameters.values())[1:]
    positional = [p.name for p in params if p.default is inspect.Parameter.empty]
    return any(flags.get(p) in ("--help", "-h") for p in positional)


def _print_task_help(name: str) -> None:
    from invoke import Program

    from . import ns

    # Spelled as invoke spells itself ("inv[oke]"), or as the Program that runs us calls itself.
    called = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    binary = "inv[oke]" if called in ("", "inv", "invoke", "__main__.py") else called
    Program(namespace=ns, binary=binary).run([called or "inv", "--help", name], exit=False)


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
    from .core.common.gitdir import pending_journal

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
