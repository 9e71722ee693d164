"""Loading YAML (round-trip, for positions) so that no input escapes as a traceback.

ruamel.yaml reports syntax errors as ``MarkedYAMLError`` with a position, but its
constructors let other exceptions through for well-formed YAML they cannot build: a date
like ``2026-13-45`` (ValueError), an integer of 5,000 digits, ``!!bool x`` (KeyError), and a
few hundred levels of nesting (RecursionError). Each becomes the caller's error with the
file and, when it can be found, the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import ReleaseError
from .excerpt import clip, excerpt

# What ruamel's constructors raise for a well-formed scalar they cannot build.
_CONSTRUCTOR_ERRORS = (ValueError, KeyError, TypeError, OverflowError, IndexError)


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
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        if single_document and exc.problem == "but found another document":
            raise error(f"{display}{line}: {single_document}") from None
        problem = clip(exc.problem or exc.context or "", 200)
        raise error(f"{display}{line}: not valid YAML: {problem}{hint}") from None
    except YAMLError as exc:
        raise error(f"{display}: not valid YAML: {clip(str(exc), 200)}{hint}") from None
    except RecursionError:
        raise error(
            f"{display}:{_deepest_line(text)}: the YAML nests too deeply to read (hundreds of "
            "levels); flatten the structure"
        ) from None
    except _CONSTRUCTOR_ERRORS as exc:
        line, value = _unbuildable_scalar(text)
        raise error(
            f"{display}{f':{line}' if line else ''}: not valid YAML: cannot read the value "
            f"{excerpt(value, 60)} ({type(exc).__name__}: {clip(str(exc), 100)}); quote it "
            "to make it a string"
        ) from None


def _unbuildable_scalar(text: str) -> tuple[int | None, str]:
    """The 1-based line and text of the first scalar ruamel cannot construct on its own."""
    from ruamel.yaml import YAML

    try:
        root = YAML(typ="rt").compose(text)
    except Exception:  # composing succeeded once already; this only looks for a line
        return None, ""
    for node in _scalars(root):
        try:
            YAML(typ="rt").constructor.construct_object(node, deep=True)
        except _CONSTRUCTOR_ERRORS:
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


def _deepest_line(text: str) -> int:
    """The first line where indentation plus open brackets is deepest: where to look."""
    best, best_line, depth = -1, 1, 0
    for number, line in enumerate(text.splitlines() or [""], start=1):
        stripped = line.lstrip(" -")
        level = (len(line) - len(stripped)) + depth
        depth += line.count("[") + line.count("{") - line.count("]") - line.count("}")
        level = max(level, depth)
        if level > best:
            best, best_line = level, number
    return best_line
