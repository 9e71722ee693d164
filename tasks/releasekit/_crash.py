"""The last line of defence: an unexpected exception becomes one clear line, not a traceback.

Every parser raises a ReleaseError for bad input (the fuzz suites in tests/fuzz hold them to
it, and fail whenever this guard fires), so reaching this module means a bug in releasekit.
The traceback is for the person fixing it: shown under invoke's ``--debug`` (or
``INVOKE_DEBUG=1``) or ``RELEASEKIT_DEBUG=1``.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

from invoke import Exit

from .core.common.errors import EXIT_ERROR
from .core.common.excerpt import clip

DEBUG_ENV = "RELEASEKIT_DEBUG"


def debugging() -> bool:
    """True under ``RELEASEKIT_DEBUG=1`` or invoke's ``--debug`` (which turns on its logger)."""
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        return True
    return logging.getLogger("invoke").isEnabledFor(logging.DEBUG)


def internal_error(exc: BaseException) -> Exit:
    """The Exit for an unexpected exception; prints its traceback first when debugging."""
    from .core.common.redact import redact

    if debugging():  # redacted like every other output: a URL in a message may hold a token
        print(redact("".join(traceback.format_exception(exc))), file=sys.stderr, end="")
    try:
        detail = redact(clip(str(exc), 300))
    except Exception:  # an exception whose str() fails still gets reported by its type
        detail = ""
    name = type(exc).__name__
    how = (
        "the traceback is above"
        if debugging()
        else f"run the command again with --debug (or {DEBUG_ENV}=1) to see the traceback"
    )
    return Exit(
        f"releasekit: internal error: {name}: {detail}\n"
        f"releasekit: this is a bug in releasekit, not in your input; please report it with the "
        f"command you ran and this message — {how}",
        code=EXIT_ERROR,
    )
