"""Compiling a regular expression a user wrote (releasekit.yaml, a flag).

``re.compile`` raises ``re.error`` for bad syntax, but OverflowError for a repetition count
past its limit (``a{4294967296}``) and RecursionError for a few hundred nested groups; all
three mean the same to the user: that text is not a regular expression releasekit can use.
"""

from __future__ import annotations

import re


class BadRegex(ValueError):
    """The text is not a regular expression Python can compile; ``str()`` says why."""


def compile_regex(text: str) -> re.Pattern[str]:
    """``re.compile(text)``.

    Raises:
        BadRegex: bad syntax, a repetition count too large, or nesting too deep.
    """
    try:
        return re.compile(text)
    except re.error as exc:
        raise BadRegex(str(exc)) from None
    except OverflowError as exc:
        raise BadRegex(str(exc)) from None
    except RecursionError:
        raise BadRegex("it nests too deeply to compile") from None
