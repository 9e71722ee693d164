"""Loading YAML (round-trip, for positions) so that no input escapes as a traceback.

ruamel.yaml reports syntax errors as ``MarkedYAMLError`` with a position, but its
constructors let other exceptions through for well-formed YAML they cannot build: a date
like ``2026-13-45`` (ValueError), an integer of 5,000 digits, ``!!bool x`` (KeyError), and a
few hundred levels of nesting (RecursionError). Each becomes the caller's error with the
file and, when it can be found, the line.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ReleaseError
from .excerpt import clip, excerpt

MAX_DEPTH = 100
# What ruamel's constructors raise for a well-formed scalar they cannot build.
CONSTRUCTOR_ERRORS = (ValueError, KeyError, TypeError, OverflowError, IndexError)


def load_yaml(
    text: str,
    display: str,
    error: type[ReleaseError],
    *,
    hint: str = "",
    single_document: str = "",
) -> Any:
    """The round-trip data of ``text`` (a ``CommentedMap``, list, scalar or None).

    Args:
        display: the file name used in messages.
        error: the ReleaseError subclass to raise.
        hint: appended to syntax errors (``; fix the syntax``).
        single_document: the message for a second ``---`` document, if that is refused
            with advice of its own.

    Raises:
        ReleaseError: ``error`` for every input ruamel.yaml cannot load.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    too_deep = _too_deep(text)
    if too_deep is not None:
        raise error(
            f"{display}:{too_deep}: the YAML nests more than {MAX_DEPTH} levels deep here; "
            "releasekit reads release files, which never nest that far — flatten it"
        )
    try:
        with _quiet():
            return YAML(typ="rt").load(text)
    except DuplicateKeyError as exc:  # well-formed, but which value counts? (JSON too)
        raise error(_duplicate(exc, display)) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        if single_document and exc.problem == "but found another document":
            raise error(f"{display}{line}: {single_document}") from None
        problem = clip(exc.problem or exc.context or "", 200)
        raise error(f"{display}{line}: not valid YAML: {problem}{hint}") from None
    except YAMLError as exc:
        raise error(f"{display}: not valid YAML: {clip(str(exc), 200)}{hint}") from None
    except RecursionError:  # the depth check above counts conservatively; this is the backstop
        raise error(f"{display}: the YAML nests too deeply to read; flatten it") from None
    except CONSTRUCTOR_ERRORS as exc:
        raise error(unbuildable(text, display, exc)) from None


def unbuildable(text: str, display: str, exc: BaseException) -> str:
    """The message for a well-formed scalar ruamel cannot build (``!!int x``): its line."""
    number, value = _unbuildable_scalar(text)
    return (
        f"{display}{f':{number}' if number else ''}: not valid YAML: cannot read the value "
        f"{excerpt(value, 60)} ({type(exc).__name__}: {clip(str(exc), 100)}); quote it "
        "to make it a string"
    )


def _duplicate(exc: Any, display: str) -> str:
    """One key twice in a mapping: its line and the mapping's, without the values."""
    import re

    found = re.match(r'found duplicate key "(.*)" with value', exc.problem or "", re.DOTALL)
    key = f" {excerpt(found.group(1), 60)}" if found else ""
    line = f":{exc.problem_mark.line + 1}" if exc.problem_mark is not None else ""
    where = f" (in the mapping at line {exc.context_mark.line + 1})" if exc.context_mark else ""
    return (f"{display}{line}: duplicate key{key}{where}; readers disagree on which value "
            "counts — keep one")  # fmt: skip


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence ruamel's warnings (a reused anchor is valid YAML 1.2): they would print raw
    ``warnings`` text on stderr, around the task's own output."""
    from ruamel.yaml.error import YAMLFutureWarning, YAMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        yield


def _unbuildable_scalar(text: str) -> tuple[int | None, str]:
    """The 1-based line and text of the first scalar ruamel cannot construct on its own."""
    from ruamel.yaml import YAML

    try:
        with _quiet():
            root = YAML(typ="rt").compose(text)
    except Exception:  # composing succeeded once already; this only looks for a line
        return None, ""
    for node in _scalars(root):
        try:
            with _quiet():
                YAML(typ="rt").constructor.construct_object(node, deep=True)
        except CONSTRUCTOR_ERRORS:
            return node.start_mark.line + 1, str(node.value)
        except Exception:  # another scalar may be the culprit; keep looking
            continue
    return None, ""


def _scalars(root: Any) -> Iterator[Any]:
    """Every scalar node, in document order, without recursion (aliases visited once)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node
        elif isinstance(node, MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))


def _too_deep(text: str) -> int | None:
    """The 1-based line where nesting passes MAX_DEPTH, else None.

    ruamel.yaml's scanner is quadratic in the number of open flow collections (1,200 nested
    ``[`` take ten seconds) and its composer recursive, so depth is checked first, cheaply:
    flow brackets where a value may start (not inside quotes, comments or plain scalars),
    plus block indentation levels.
    """
    flow = 0
    indents: list[int] = []
    quote = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if not quote and flow == 0:
            body = line.lstrip(" ")
            if body and not body.startswith("#"):
                indent = len(line) - len(body)
                while indents and indents[-1] >= indent:
                    indents.pop()
                indents.append(indent)
                if len(indents) + _dashes(body) > MAX_DEPTH:
                    return number
        start, escaped = not quote, False
        for index, ch in enumerate(line):
            if quote:
                if escaped:
                    escaped = False
                elif ch == "\\" and quote == '"':
                    escaped = True
                elif ch == quote:
                    quote = ""
            elif ch in " \t":
                continue
            elif ch == "#":
                break
            elif start and ch in "[{":
                flow += 1
                if flow > MAX_DEPTH:
                    return number
            elif start and ch in "\"'":
                quote, start = ch, False
            elif ch in "]}":
                flow, start = max(flow - 1, 0), False
            else:  # a value may start after "key: ", "- ", "? " and, in flow, after , and :
                spaced = line[index + 1 : index + 2] in ("", " ", "\t")
                start = (ch == "," and flow > 0) or (ch in ":-?" and (spaced or flow > 0))
    return None


def _dashes(body: str) -> int:
    """The sequences a line opens in compact form: ``- - - x`` opens three."""
    count = 0
    while body.startswith("- ") or body == "-":
        count += 1
        body = body[2:].lstrip(" ")
    return count
