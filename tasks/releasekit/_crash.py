"""The last line of defence: an unexpected exception becomes a clear message, not a traceback.

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

from .core.common.excerpt import clip, printable

DEBUG_ENV = "RELEASEKIT_DEBUG"


def debugging() -> bool:
    """True under ``RELEASEKIT_DEBUG=1`` or invoke's ``--debug`` (which turns on its logger)."""
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        return True
    return logging.getLogger("invoke").isEnabledFor(logging.DEBUG)


def internal_error(exc: BaseException) -> str:
    """The message for an unexpected exception (exit 1); prints its traceback first when
    debugging."""
    from .core.common.redact import redact

    if debugging():  # redacted like every other output: a URL in a message may hold a token
        shown = redact("".join(traceback.format_exception(exc)))
        print(printable(shown, sys.stderr.encoding or "utf-8"), file=sys.stderr, end="")
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
    return (
        f"releasekit: internal error: {name}: {detail}\n"
        f"releasekit: this is a bug in releasekit, not in your input; please report it with the "
        f"command you ran and this message — {how}"
    )
