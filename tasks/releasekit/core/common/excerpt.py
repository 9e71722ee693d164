"""User data shown in messages and output: bounded, and always printable.

A value reprinted in a message must stay short whatever the input: a 1 KB YAML alias bomb
expands to gigabytes under ``repr``, a 300-deep list overflows the stack, and an integer of
5,000 digits cannot even be turned into a string. :func:`excerpt` walks the value lazily and
stops as soon as it has enough characters. :func:`printable` makes text that holds a file
name's undecodable bytes (``os.fsdecode``'s surrogates) safe for a strict UTF-8 stream.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

LIMIT = 80
_MAX_DEPTH = 6


def excerpt(value: object, limit: int = LIMIT) -> str:
    """``repr(value)`` cut to about ``limit`` characters (``…`` marks the cut)."""
    shown = ""
    for piece in _pieces(value, 0, limit):
        shown += piece
        if len(shown) > limit:
            return shown[:limit] + "…"
    return shown


def clip(text: str, limit: int = LIMIT) -> str:
    """Free text (another library's message) on one line, cut to about ``limit`` characters."""
    flat = " ".join(text[: limit * 4].split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def describe(value: object, limit: int = LIMIT) -> str:
    """What a configuration value is, for "must be X, got Y": ``str 'yes please'``."""
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {excerpt(value, limit)}"


def _pieces(value: object, depth: int, limit: int) -> Iterator[str]:
    # A generator, so an alias bomb is only expanded as far as the message shows it, and a
    # depth cap, so a deeply nested value never recurses far.
    if isinstance(value, str | bytes):
        yield repr(value[: limit + 1])
    elif isinstance(value, Mapping):
        if depth >= _MAX_DEPTH:
            yield "{…}"
            return
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ", " if index else ""
            yield from _pieces(key, depth + 1, limit)
            yield ": "
            yield from _pieces(item, depth + 1, limit)
        yield "}"
    elif isinstance(value, list | tuple):
        if depth >= _MAX_DEPTH:
            yield "[…]"
            return
        yield "["
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _pieces(item, depth + 1, limit)
        yield "]"
    elif isinstance(value, int) and value.bit_length() > 64 * 8:
        yield f"<an integer of {value.bit_length()} bits>"
    else:
        try:
            yield repr(value)[: limit + 1]
        except Exception:  # a foreign object whose repr fails must not hide the real error
            yield f"<{type(value).__name__}>"


def printable(text: str, encoding: str = "utf-8") -> str:
    """``text`` unchanged when ``encoding`` can write it, else with the bytes of a non-UTF-8
    file name shown as ``\\xe9`` and other unwritable characters as ``\\u....`` escapes."""
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    try:  # os.fsdecode turned undecodable bytes into surrogates: show those bytes
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        return text
