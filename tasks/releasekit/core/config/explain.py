"""The validation library's errors in releasekit's words: the key path, file:line, what to do.

msgspec reports one error as text with a JSON path (``Expected `str`, got `int` - at
`$.helm.charts[0].path```). The path is mapped to the layer that wrote the key and to the
line ruamel.yaml recorded; the model at that path gives the words (the choices of a Literal,
the known keys of a section, a field's ``needs`` or ``expected`` phrasing). Every value
reprinted is cut short (:mod:`..common.excerpt`), whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from ..common.errors import ConfigError
from ..common.excerpt import describe, excerpt, printable
from ..common.section import NON_EMPTY, FieldError
from . import fields as model
from .loader import INVOKE_LAYER, Layer
from .model import Settings

Path = tuple[str | int, ...]

_AT = re.compile(r"^(?P<problem>.*) - at `(?P<path>[^`]*)`(?: in `(?P<within>[^`]*)`)?$", re.S)
_EXPECTED = re.compile(r"^Expected `(?P<type>[^`]+)`(?:, got `(?P<got>[^`]+)`)?(?P<rest>.*)$", re.S)
_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+|\.\.\.)\]")
_TYPE_WORDS = {
    "str": "a string",
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


@dataclass(frozen=True)
class Report:
    """Words errors for the merged settings: who wrote each key, and at which line."""

    merged: Mapping[Any, Any]
    owners: Mapping[Any, Layer]
    fallback: Layer | None  # for paths that no top-level key owns (the file, if any)

    def layer(self, path: Path) -> Layer | None:
        return self.owners.get(path[0], self.fallback) if path else self.fallback

    def where(self, path: Path) -> str:
        layer = self.layer(path)
        if layer is None:
            return INVOKE_LAYER
        line = layer.line(path)
        return f"{layer.name}:{line}" if line is not None else layer.name

    def key(self, path: Path) -> str:
        text = ""
        for segment in path:
            if isinstance(segment, int):
                text += f"[{segment}]"
                continue
            name = printable(str(segment))
            text += f".{name}" if text else name
        layer = self.layer(path)
        return f"{layer.prefix if layer else ''}{text}"

    def error(self, path: Path, problem: str) -> ConfigError:
        key = self.key(path)
        return ConfigError(
            f"{self.where(path)}: {key} {problem}" if key else f"{self.where(path)}: {problem}"
        )

    def value(self, path: Path) -> Any:
        """The value as written (ruamel's types, for ``got CommentedSeq [...]``)."""
        layer = self.owners.get(path[0]) if path else None
        return layer.value(path) if layer is not None else _walk(self.merged, path)


def explain(
    exc: msgspec.ValidationError,
    merged: Mapping[Any, Any],
    owners: Mapping[Any, Layer],
    fallback: Layer | None,
) -> ConfigError:
    """The ConfigError for a validation failure of the merged settings."""
    report = Report(merged, owners, fallback)
    match = _AT.match(str(exc))
    problem = match["problem"] if match else str(exc)
    if match and match["within"]:  # a key of a mapping that is not a string
        return _not_a_string_key(report, _parse(match["within"]))
    path = _resolve_dict_keys(report, _parse(match["path"]) if match else ())
    cause = exc.__cause__
    if isinstance(cause, FieldError):  # a check in __post_init__ that names its key
        path = (*path, *_parse("." + cause.key))
        if cause.sentence:
            return ConfigError(f"{report.where(path)}: {cause.problem}")
        return report.error(path, cause.problem)
    if isinstance(cause, ValueError | TypeError):  # a check about the section as a whole
        return report.error(path, str(cause))
    if problem.startswith("Object contains unknown field"):
        return _unknown_key(report, path)
    tp = model.type_at(Settings, path)
    if problem.startswith("Object missing required field"):
        name = problem.partition("`")[2].rpartition("`")[0]
        return report.error(
            path, f"needs {model.extra(model.field_type(tp, name), 'needs') or name}"
        )
    return report.error(path, _wrong_value(problem, tp, report.value(path)))


def _wrong_value(problem: str, tp: Any, value: Any) -> str:
    expected = model.extra(tp, "expected")
    if problem.startswith("Invalid enum value"):
        return f"must be {expected or model.choices(tp)}, got {excerpt(value)}"
    found = _EXPECTED.match(problem)
    if found is None:
        return problem
    if found["got"] is not None:  # a wrong type
        wrong = model.extra(tp, "wrong")
        if wrong is not None:
            return wrong.replace("{value}", excerpt(value))
        return f"must be {expected or _type_words(found['type'])}, got {describe(value)}"
    if found["rest"].startswith(" matching regex") and NON_EMPTY in found["rest"]:
        return "must not be empty"
    phrase = expected or model.bounds(tp) or f"{found['type']}{found['rest']}"
    return f"must be {phrase}, got {excerpt(value)}"


def _unknown_key(report: Report, path: Path) -> ConfigError:
    import difflib

    known = model.known_keys(model.type_at(Settings, path))
    data = _walk(report.merged, path)
    name = next((k for k in data if k not in known), "?") if isinstance(data, Mapping) else "?"
    where = (*path, name)
    message = (
        f"{report.where(where)}: unknown key {excerpt(report.key(where))}; "
        f"known keys here: {', '.join(known)}"
    )
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    return ConfigError(message + (f"; did you mean {close[0]!r}?" if close else ""))


def _not_a_string_key(report: Report, path: Path) -> ConfigError:
    data = _walk(report.merged, path)
    keys = list(data) if isinstance(data, Mapping) else []
    name = next((k for k in keys if not isinstance(k, str)), None)
    where = report.where((*path, name)) if name is not None else report.where(path)
    known = model.known_keys(model.type_at(Settings, path))
    owner = f"{report.key(path)} has" if path else "the file has"
    hint = f"known keys here: {', '.join(known)}" if known else "quote it to make it a string"
    return ConfigError(f"{where}: {owner} a key that is not a string, {describe(name)}; {hint}")


def not_unicode(owners: Mapping[Any, Layer], fallback: Layer | None) -> ConfigError:
    """The error for text that is not Unicode (a lone surrogate), at the first such string."""
    path: Path = ()
    stack: list[tuple[Path, Any]] = [((key,), layer.data[key]) for key, layer in owners.items()]
    stack.reverse()
    seen: set[int] = set()
    while stack:
        where, data = stack.pop()
        named = where and isinstance(where[-1], str) and not _is_text(where[-1])
        if named or (isinstance(data, str) and not _is_text(data)):
            path = where
            break
        if isinstance(data, Mapping | list) and id(data) not in seen:
            seen.add(id(data))
            items = data.items() if isinstance(data, Mapping) else enumerate(data)
            stack.extend(((*where, k), v) for k, v in reversed(list(items)))
    problem = "holds a lone surrogate (such as \\ud800), which is not text; remove it"
    return Report({}, owners, fallback).error(path, problem)


def _resolve_dict_keys(report: Report, path: Path) -> Path:
    """Replace msgspec's ``[...]`` (some key of a mapping) by the key whose value is wrong."""
    if "..." not in path:
        return path
    cut = path.index("...")
    head, tail = path[:cut], path[cut + 1 :]
    data = _walk(report.merged, head)
    value_type = model.child_type(model.type_at(Settings, head), "...")
    if isinstance(data, Mapping) and value_type is not None:
        for key, value in data.items():
            try:
                msgspec.convert(value, value_type)
            except msgspec.ValidationError:
                return _resolve_dict_keys(report, (*head, str(key), *tail))
    return (*head, *tail)


def _parse(text: str) -> Path:
    """``$.helm.charts[0].path`` (or a relative ``.values[1]``) as segments."""
    out: list[str | int] = []
    for name, index in _SEGMENT.findall(text):
        out.append(name if name else int(index) if index.isdigit() else "...")
    return tuple(out)


def _walk(data: Any, path: Path) -> Any:
    for segment in path:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _type_words(names: str) -> str:
    parts = [p.strip() for p in names.split("|")]
    kept = [p for p in parts if p != "null"] or parts
    return " or ".join(_TYPE_WORDS.get(p, p) for p in kept)


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
