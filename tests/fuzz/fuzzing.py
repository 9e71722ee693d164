"""What every fuzz suite shares: the example budget, mutations of realistic seeds, the verdict.

A fuzz test calls a core parser directly and lets any exception that is not a ReleaseError
fail the test: the CLI's internal-error guard is never between the parser and the test, so
it cannot hide a crash. Writers are also held to "an error changes no file".
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import event, settings
from hypothesis import strategies as st

from releasekit.core.common.errors import ReleaseError

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
# A message reprints at most a short excerpt of the input, whatever the input's size.
MAX_MESSAGE = 1500

T = TypeVar("T")


def scratch(prefix: str) -> Path:
    """A directory for one fuzz module's examples, removed when the test process exits.

    Module level, not a pytest fixture: hypothesis runs every example of a test inside one
    call, and a function-scoped tmp_path would be shared by all of them anyway.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


def examples(ci: int, fuzz: int | None = None, **options: Any) -> settings:
    """``ci`` examples in the CI profile; the fuzz profile's 10,000 (or ``fuzz``) under
    ``nox -s fuzz``. ``options`` are further hypothesis settings."""
    if PROFILE == "fuzz":
        return settings(**options) if fuzz is None else settings(max_examples=fuzz, **options)
    return settings(max_examples=ci, **options)


def verdict(call: Callable[[], T], where: str | None = None, *, slack: int = 0) -> T | ReleaseError:
    """The parser's result, or the ReleaseError it raised (checked); anything else propagates.

    ``slack``: characters of configuration (a key path, a pattern) the message may repeat.
    """
    try:
        result = call()
    except ReleaseError as exc:
        check_message(exc, where, slack=slack)
        # What kinds of rejection the inputs reach (nox -s fuzz shows the statistics).
        event(f"{type(exc).__name__}: {_gist(str(exc))}")
        return exc
    event("accepted")
    return result


def _gist(message: str) -> str:
    """A message without its file name and values: what kind of rejection it is."""
    import re

    words = message.split(": ", 1)[-1]
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", words)[:50]


def check_message(exc: ReleaseError, where: str | None = None, *, slack: int = 0) -> None:
    """A ReleaseError names its file first (when there is one) and stays short."""
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} without a message"
    assert len(message) <= MAX_MESSAGE + len(where or "") + slack, (
        f"{len(message)}-character message: {message[:300]}..."
    )
    if where is not None:
        assert message.startswith(where), f"message does not start with {where!r}: {message}"


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes: what an error must leave unchanged."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- mutations of realistic seeds ---------------------------------------------------------------

# Characters and runs that break parsers: quotes, escapes, brackets, line breaks of every kind
# (ruamel.yaml counts NEL, LS and PS as line breaks; str.splitlines even more), a BOM, NUL,
# separators git and our formats use, and numbers too long for int().
TOKENS = (
    '"',
    "'",
    "`",
    "\\",
    "\\x",
    "\\u",
    "\\U0001F600",
    "\\777",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "#",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ",",
    "|",
    ">",
    "*a",
    "&a ",
    "!!str ",
    "!!bool ",
    "<<: ",
    "---\n",
    "...\n",
    "//",
    "/*",
    "=",
    "=>",
    "\x00",
    "\ufeff",
    "\u2028",
    "\x85",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\udcff",
    "é",
    "²",
    "٣",
    "9" * 4400,
    "0" * 30,
    "2026-13-45",
    "v",
    "+",
    ".",
    "..",
    "*",
    "**",
    "%",
)


@st.composite
def mutated(
    draw: st.DrawFn, seeds: Sequence[str], tokens: Sequence[str] = TOKENS, most: int = 6
) -> str:
    """A seed with up to ``most`` edits: insert a token or random text, delete or duplicate a
    span, swap in a span of another seed."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, most))):
        at = draw(st.integers(0, len(text)))
        end = draw(st.integers(at, min(len(text), at + 40)))
        op = draw(st.sampled_from(("token", "text", "delete", "duplicate", "splice", "repeat")))
        if op == "token":
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
        elif op == "text":
            text = text[:at] + draw(st.text(max_size=8)) + text[end:]
        elif op == "delete":
            text = text[:at] + text[end:]
        elif op == "duplicate":  # duplicate keys, sections, rows
            text = text[:end] + text[at:end] + text[end:]
        elif op == "repeat":  # long runs: deep nesting, huge numbers
            text = text[:at] + text[at:end] * draw(st.integers(2, 150)) + text[end:]
        else:
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            text = text[:at] + other[start : start + 80] + text[end:]
    return text


def encoded(text: str) -> bytes:
    """Text as file bytes, lone surrogates included (as the bytes they stand for)."""
    return (
        text.encode("utf-8", "surrogateescape")
        if _escapable(text)
        else text.encode("utf-8", "surrogatepass")
    )


def _escapable(text: str) -> bool:
    try:
        text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def nested(depth: int, flow: bool = True) -> str:
    """A value nested ``depth`` levels deep (YAML flow or block; JSON when flow)."""
    if flow:
        return "[" * depth + "]" * depth
    return "".join("  " * level + "- \n" for level in range(depth)) + "  " * depth + "x\n"
