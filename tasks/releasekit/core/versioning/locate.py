"""Where one target's token sits in a file's text: literal patterns, and key paths into YAML
and JSON (ruamel.yaml, for positions only) or TOML (tomlkit). Spans, never edits.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..common.errors import FileFormatError, TargetError
from ..common.excerpt import clip
from ..common.textfile import BOM, offset_of
from .config import VersionFile
from .versions import CALVER_PATTERN, SPELLED_VERSION_PATTERN

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
_YAML_SUFFIXES = (".yaml", ".yml", ".cff")
# A list index in a key path: ASCII digits only ("²".isdigit() is true), and short enough
# for int() (which refuses 4,300 digits).
_INDEX_RE = re.compile(r"[0-9]{1,9}")


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str, calver: bool = False) -> re.Pattern[str]:
    """Compile a target pattern: literal text anchored at word edges, one placeholder group.

    ``VERSION ?= {version}`` matches ``VERSION ?= 0.1.7`` but not ``OPENCODE_VERSION ?= 1.2.3``;
    the version may sit in quotes that the pattern does not spell. With ``calver`` (a suite
    repository, tags.versioning: calver) ``{version}`` also matches ``2026.04``.
    """
    regex = ""
    token = SPELLED_VERSION_PATTERN + (f"|{CALVER_PATTERN}" if calver else "")
    for part in re.split(r"(\{version\}|\{date\})", pattern):
        if part == "{version}":
            regex += (
                r"(?P<q>[\"']?)(?P<token>" + token + r")(?P=q)"
                r"(?![0-9A-Za-z+-]|\.[0-9A-Za-z])"
            )
        elif part == "{date}":
            regex += r"(?P<token>" + DATE_PATTERN + r")(?!\d)"
        else:
            regex += re.escape(part)
    if re.match(r"\w", pattern):
        regex = r"(?<![\w.-])" + regex
    if re.search(r"\w$", pattern):
        regex += r"(?!\w)"
    return re.compile(regex)


def find_pattern(target: VersionFile, text: str, calver: bool = False) -> list[tuple[int, int]]:
    assert target.pattern is not None
    return pattern_finder(target.pattern, calver)(text)


@functools.lru_cache(maxsize=256)
def pattern_finder(pattern: str, calver: bool = False) -> Callable[[str], list[tuple[int, int]]]:
    """The token spans of ``pattern`` in a text, as a function made once per pattern (a glob
    calls it for every file it matches)."""
    pieces = literal_pieces(pattern)
    finditer = compile_pattern(pattern, calver).finditer

    def spans(text: str) -> list[tuple[int, int]]:
        # Every literal piece of the pattern is in each match: a file without one has none,
        # and `in` skips it far faster than the regex would (most files of a docs glob).
        for piece in pieces:
            if piece not in text:
                return []
        return [m.span("token") for m in finditer(text)]

    return spans


@functools.lru_cache(maxsize=256)
def literal_pieces(pattern: str) -> tuple[str, ...]:
    """The text of ``pattern`` between its placeholders (what every match spells verbatim)."""
    return tuple(p for p in re.split(r"\{version\}|\{date\}", pattern) if p)


# --- key targets: YAML and JSON through ruamel.yaml, TOML through tomlkit ----------------------


def _yaml_parse(text: str, display: str) -> Any:
    from ..common.yamlfile import load_yaml

    return load_yaml(
        text,
        display,
        FileFormatError,
        single_document="a second YAML document starts here; a key target needs a "
        "single-document file — use a pattern target for multi-document YAML",
    )


def _walk(node: Any, key: tuple[str, ...], display: str, label: str) -> tuple[Any, Any]:
    """Follow a key path; return (parent, last segment as used for indexing).

    A segment names a mapping key as the file spells it (``9`` finds the YAML integer key 9),
    a list index, or the list item whose ``name`` is the segment (a chart dependency, a
    kustomize ``images:`` entry).
    """
    parent: Any = None
    index: Any = None
    for depth, segment in enumerate(key):
        if depth:
            node = parent[index]
        if isinstance(node, dict):
            found = _mapping_key(node, segment)
            if found is None:
                raise _missing_key(display, label, key[: depth + 1], [str(k) for k in node])
            segment = found
            merged_at = _merged_line(node, segment)
            if merged_at is not None:
                # Inherited through `<<: *anchor`: the bytes belong to the anchored mapping,
                # and editing them there would change every mapping that merges it.
                raise TargetError(
                    f"{display}:{merged_at}: key {'.'.join(key[: depth + 1])} is inherited "
                    f"through a YAML merge key (<<) (target {label}); point the target at the "
                    "anchored mapping that defines it, or write the key out here"
                )
            parent, index = node, segment
        elif isinstance(node, list) and _INDEX_RE.fullmatch(segment) and int(segment) < len(node):
            parent, index = node, int(segment)
        elif isinstance(node, list):
            parent, index = node, _named_item(node, segment, display, label, key[: depth + 1])
        else:
            raise _missing_key(display, label, key[: depth + 1], [])
    return parent, index


def _mapping_key(node: Any, segment: str) -> Any:
    """The key of ``node`` spelled ``segment``: itself, or a non-string key (YAML ``9:``)."""
    if segment in node:
        return segment
    return next((k for k in node if not isinstance(k, str) and str(k) == segment), None)


def _named_item(
    items: list[Any], name: str, display: str, label: str, upto: tuple[str, ...]
) -> int:
    named = [
        i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == name
    ]
    if len(named) > 1:
        raise TargetError(
            f"{display}: {len(named)} items of {clip('.'.join(upto[:-1]))} are named "
            f"{clip(name)!r} (target {clip(label)}); give the list index instead"
        )
    if not named:
        names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
        raise _missing_key(display, label, upto, names)
    return named[0]


def _merged_line(node: Any, segment: Any) -> int | None:
    """The mapping's 1-based line when ``segment`` comes only from a YAML merge key."""
    if not hasattr(node, "non_merged_items") or any(
        k == segment for k, _ in node.non_merged_items()
    ):
        return None
    return int(node.lc.line) + 1


class NotHere(TargetError):
    """The file has no such key (or no scalar there): a glob target skips it, a path fails."""


class KeyNotFound(NotHere):
    """No such key: ``upto`` is the key path down to the missing segment, ``close`` the
    existing keys (or item names) there that look like it."""

    def __init__(self, message: str, upto: tuple[str, ...], close: tuple[str, ...]) -> None:
        super().__init__(message)
        self.upto, self.close = upto, close

    def suggestion(self) -> str:
        """``did you mean a.b.c?`` for a near miss, else empty."""
        if not self.close:
            return ""
        head = ".".join(self.upto[:-1])
        spelled = [clip(f"{head}.{c}" if head else c) for c in self.close]
        return f"did you mean {' or '.join(spelled)}?"


def _missing_key(display: str, label: str, upto: tuple[str, ...], there: list[str]) -> KeyNotFound:
    import difflib

    # difflib is quadratic in the lengths: long names (fuzzed input) are no near misses.
    short = [k for k in there if len(k) <= 200] if len(upto[-1]) <= 200 else []
    close = tuple(difflib.get_close_matches(upto[-1], short, n=2, cutoff=0.6))
    error = KeyNotFound("", upto, close)
    hint = f"; {error.suggestion()}" if close else ""
    error.args = (
        f"{display}: key {clip('.'.join(upto))} not found (target {clip(label)}){hint}; "
        "add it to the file or fix the key in releasekit.yaml",
    )
    return error


def _scalar_span(text: str, offset: int, flow: bool, where: str) -> tuple[int, int]:
    """Span of a YAML/JSON scalar's characters starting at ``offset``, without quotes."""
    ch = text[offset]
    if ch == '"':
        end = offset + 1
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        inner = (offset + 1, end)
        if "\\" in text[inner[0] : inner[1]]:
            raise TargetError(f"{where}: escaped characters in a version string are not supported")
        return inner
    if ch == "'":
        end = text.index("'", offset + 1)
        return offset + 1, end
    if ch in "|>*&!":
        raise TargetError(
            f"{where}: the value is a block scalar, alias or tagged value; "
            "write the version as a plain or quoted scalar"
        )
    stop = len(text)
    for terminator in ("\n", " #", "\t#", *((",", "}", "]") if flow else ())):
        found = text.find(terminator, offset)
        if 0 <= found < stop:
            stop = found
    while stop > offset and text[stop - 1] in " \t\r":
        stop -= 1
    return offset, stop


def _find_yaml_key(
    target: VersionFile, text: str, display: str, is_json: bool
) -> list[tuple[int, int]]:
    key = target.key_path
    assert key is not None
    body = text
    if is_json:
        try:
            json.loads(body)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{display}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        except RecursionError:
            raise FileFormatError(
                f"{display}: the JSON nests too deeply to read (hundreds of levels); flatten it"
            ) from None
    data = _yaml_parse(body, display)
    parent, index = _walk(data, key, display, target.label)
    value = parent[index]
    if isinstance(value, dict | list) or value is None:
        raise NotHere(
            f"{display}: {target.label} is not a scalar value; point the key at the version"
        )
    lc: Any = parent.lc
    line, column = lc.value(index) if isinstance(parent, dict) else lc.item(index)
    offset = offset_of(body, line, column)
    start, end = _scalar_span(body, offset, is_json or _in_flow(parent), f"{display}:{line + 1}")
    return [(start, end)]


def _in_flow(parent: Any) -> bool:
    """Whether the value sits in a flow collection (``{a: 1, b: 2}``), even one spread over
    several lines, where ``,``, ``}`` and ``]`` end a plain scalar."""
    return bool(parent.fa.flow_style())


def _find_toml_key(target: VersionFile, text: str, display: str) -> list[tuple[int, int]]:
    import tomlkit
    import tomlkit.exceptions
    import tomlkit.items

    key = target.key_path
    assert key is not None
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise FileFormatError(f"{display}:{exc.line}: not valid TOML: {exc}") from None
    except tomlkit.exceptions.TOMLKitError as exc:  # KeyAlreadyPresent has no position
        raise FileFormatError(
            f"{display}{_second_definition(text, str(exc))}: not valid TOML: {clip(str(exc))}"
        ) from None
    except RecursionError:
        raise FileFormatError(
            f"{display}: the TOML nests too deeply to read (hundreds of levels); flatten it"
        ) from None
    parent, index = _walk(doc, key, display, target.label)
    item = parent[index]
    if not isinstance(item, tomlkit.items.String) or item.type.is_multiline():
        raise TargetError(f"{display}: {target.label} is not a single-line TOML string")
    token = item.as_string()
    # tomlkit keeps no positions, but it round-trips untouched text exactly: replace the value
    # with a marker, and the marker's offset in the dump is the token's offset in the original.
    marker = "releasekit-locate-7f3a9c"
    parent[index] = marker
    dumped = tomlkit.dumps(doc)
    # The marker's quote is tomlkit's choice: '"' up to 0.15.2, the replaced value's own quote
    # (a literal string keeps its ') from 0.15.3 on.
    start = dumped.find(marker) - 1
    if (
        start < 0
        or dumped[start] not in "\"'"
        or dumped[:start] != text[:start]
        or text[start : start + len(token)] != token
    ):
        raise TargetError(f"{display}: cannot locate {target.label} exactly; use a pattern target")
    quote = 3 if token.startswith(('"""', "'''")) else 1
    return [(start + quote, start + len(token) - quote)]


def _second_definition(text: str, message: str) -> str:
    """``:LINE`` of the second place that defines the key tomlkit names, when it can be found."""
    name = re.search(r'Key "([^"]*)" already exists', message)
    if name is None:
        return ""
    key = re.escape(name.group(1))
    defines = re.compile(rf"\s*(?:\[\[?[^\]\n]*\b{key}\b[^\]\n]*\]|[^=\n]*\b{key}\b\s*=)")
    found = [n for n, line in enumerate(text.splitlines(), 1) if defines.match(line)]
    return f":{found[1]}" if len(found) > 1 else ""


def find_key(target: VersionFile, text: str, display: str) -> list[tuple[int, int]]:
    # Parsers see the text without a BOM; offsets are shifted back onto the original text.
    body = text[1:] if text.startswith(BOM) else text
    shift = len(text) - len(body)
    suffix = Path(display).suffix.lower()
    if suffix in _YAML_SUFFIXES:
        spans = _find_yaml_key(target, body, display, is_json=False)
    elif suffix == ".json":
        spans = _find_yaml_key(target, body, display, is_json=True)
    elif suffix == ".toml":
        spans = _find_toml_key(target, body, display)
    else:
        raise NotHere(
            f"{display}: cannot tell the file format for key {target.label}; key targets support "
            f"{', '.join(_YAML_SUFFIXES)}, .json and .toml — use a pattern target for other files"
        )
    return [(start + shift, end + shift) for start, end in spans]


def locate_key(text: str, display: str, key: tuple[str, ...]) -> tuple[int, int]:
    """The span of the scalar at ``key`` in a YAML (.yaml .yml .cff), JSON or TOML text,
    quotes excluded: what release.pin, release.set and verify.docs edit or read.

    Raises:
        KeyNotFound: no such key (with the near misses).
        TargetError: the value is not a plain or quoted scalar, or the format is unknown.
        FileFormatError: the text does not parse.
    """
    [span] = find_key(VersionFile(display, key=key), text, display)
    return span


def key_value(text: str, display: str, key: tuple[str, ...]) -> Any:
    """The value at ``key`` as a reader of the file gets it (a YAML ``3.9`` is a float), to
    check that an edited token still reads back as what was written.

    Raises:
        KeyNotFound, FileFormatError: as :func:`locate_key`.
    """
    body = text[1:] if text.startswith(BOM) else text
    label = VersionFile(display, key=key).label
    if Path(display).suffix.lower() == ".toml":
        import tomlkit
        import tomlkit.exceptions

        try:
            doc = tomlkit.parse(body)
        except tomlkit.exceptions.ParseError as exc:
            raise FileFormatError(f"{display}:{exc.line}: not valid TOML: {exc}") from None
        except (tomlkit.exceptions.TOMLKitError, RecursionError) as exc:
            raise FileFormatError(f"{display}: not valid TOML: {clip(str(exc))}") from None
        parent, index = _walk(doc, key, display, label)
        return parent[index]
    parent, index = _walk(_yaml_parse(body, display), key, display, label)
    return parent[index]
