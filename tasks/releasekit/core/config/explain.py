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
from typing import Any, Literal, get_args, get_origin

import msgspec

from ..common.errors import ConfigError
from ..common.excerpt import describe, excerpt
from ..common.section import NON_EMPTY, FieldError
from .fields import is_struct as _is_struct
from .fields import members as _members
from .fields import unwrap as _unwrap
from .loader import INVOKE_LAYER, Layer
from .model import Settings

Path = tuple[str | int, ...]

_AT = re.compile(r"^(?P<problem>.*) - at `(?P<path>[^`]*)`(?: in `(?P<within>[^`]*)`)?$", re.S)
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
_EXPECTED = re.compile(r"^Expected `(?P<type>[^`]+)`(?:, got `(?P<got>[^`]+)`)?(?P<rest>.*)$", re.S)


def explain(
    exc: msgspec.ValidationError,
    merged: Mapping[Any, Any],
    owners: Mapping[Any, Layer],
    fallback: Layer | None,
) -> ConfigError:
    """The ConfigError for a validation failure of the merged settings."""
    match = _AT.match(str(exc))
    problem = match["problem"] if match else str(exc)
    if match and match["within"]:  # a mapping key that is not a string
        return _bad_key(_parse(match["within"]), merged, owners, fallback)
    path = _resolve_dict_keys(_parse(match["path"]) if match else (), merged)
    cause = exc.__cause__
    if isinstance(cause, FieldError):
        path = (*path, *_parse("." + cause.key))
        if cause.sentence:
            return ConfigError(f"{_where(path, owners, fallback)}: {cause.problem}")
        return _error(path, owners, fallback, cause.problem)
    if isinstance(cause, ValueError | TypeError):
        return _error(path, owners, fallback, str(cause))
    if problem.startswith("Object contains unknown field"):
        return _unknown_key(path, merged, owners, fallback)
    if problem.startswith("Object missing required field"):
        name = problem.partition("`")[2].rpartition("`")[0]
        needs = _extra(_field_type(_type_at(path), name), "needs") or name
        return _error(path, owners, fallback, f"needs {needs}")
    value = _value(path, owners, merged)
    expected = _extra(_type_at(path), "expected")
    if problem.startswith("Invalid enum value"):
        phrase = expected or _choices(_type_at(path))
        return _error(path, owners, fallback, f"must be {phrase}, got {excerpt(value)}")
    found = _EXPECTED.match(problem)
    if found is None:
        return _error(path, owners, fallback, problem)
    if found["got"] is not None:  # a wrong type
        wrong = _extra(_type_at(path), "wrong")
        if wrong is not None:
            return _error(path, owners, fallback, wrong.replace("{value}", excerpt(value)))
        phrase = expected or _type_words(found["type"])
        return _error(path, owners, fallback, f"must be {phrase}, got {describe(value)}")
    if found["rest"].startswith(" matching regex") and NON_EMPTY in found["rest"]:
        return _error(path, owners, fallback, "must not be empty")
    phrase = expected or _bounds(_type_at(path)) or f"{found['type']}{found['rest']}"
    return _error(path, owners, fallback, f"must be {phrase}, got {excerpt(value)}")


def not_unicode(owners: Mapping[Any, Layer], fallback: Layer | None) -> ConfigError:
    """The error for text that is not Unicode (a lone surrogate), at the first such string."""
    path: Path = ()
    stack: list[tuple[Path, Any]] = [((key,), layer.data[key]) for key, layer in owners.items()]
    stack.reverse()
    seen: set[int] = set()
    while stack:
        where, data = stack.pop()
        if where and isinstance(where[-1], str) and not _is_text(where[-1]):
            path = where
            break
        if isinstance(data, str) and not _is_text(data):
            path = where
            break
        if isinstance(data, Mapping | list) and id(data) not in seen:
            seen.add(id(data))
            items = data.items() if isinstance(data, Mapping) else enumerate(data)
            stack.extend(((*where, k), v) for k, v in reversed(list(items)))
    return _error(
        path,
        owners,
        fallback,
        "holds a lone surrogate (such as \\ud800), which is not text; remove it",
    )


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse(text: str) -> Path:
    """``$.helm.charts[0].path`` (or a relative ``.values[1]``) as segments."""
    out: list[str | int] = []
    for name, index in _SEGMENT.findall(text):
        out.append(name if name else int(index) if index.isdigit() else "...")
    return tuple(out)


def _layer(path: Path, owners: Mapping[Any, Layer], fallback: Layer | None) -> Layer | None:
    return owners.get(path[0], fallback) if path else fallback


def _where(path: Path, owners: Mapping[Any, Layer], fallback: Layer | None) -> str:
    layer = _layer(path, owners, fallback)
    if layer is None:
        return INVOKE_LAYER
    line = layer.line(path)
    return f"{layer.name}:{line}" if line is not None else layer.name


def _key(path: Path, layer: Layer | None) -> str:
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
            continue
        name = str(segment)
        if not _is_text(name):  # printable, whatever the key holds
            name = name.encode("utf-8", "backslashreplace").decode("utf-8")
        text += f".{name}" if text else name
    return f"{layer.prefix if layer else ''}{text}"


def _error(
    path: Path, owners: Mapping[Any, Layer], fallback: Layer | None, problem: str
) -> ConfigError:
    key = _key(path, _layer(path, owners, fallback))
    where = _where(path, owners, fallback)
    return ConfigError(f"{where}: {key} {problem}" if key else f"{where}: {problem}")


def _value(path: Path, owners: Mapping[Any, Layer], merged: Mapping[Any, Any]) -> Any:
    layer = owners.get(path[0]) if path else None
    return layer.value(path) if layer is not None else merged


def _unknown_key(
    path: Path, merged: Mapping[Any, Any], owners: Mapping[Any, Layer], fallback: Layer | None
) -> ConfigError:
    import difflib

    known = sorted(_known_keys(_type_at(path)))
    data = _walk(merged, path)
    name = next((k for k in data if k not in known), "?") if isinstance(data, Mapping) else "?"
    where = (*path, name)
    layer = _layer(where, owners, fallback)
    message = (
        f"{_where(where, owners, fallback)}: unknown key {excerpt(_key(where, layer))}; "
        f"known keys here: {', '.join(known)}"
    )
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
    return ConfigError(message + (f"; did you mean {close[0]!r}?" if close else ""))


def _bad_key(
    path: Path, merged: Mapping[Any, Any], owners: Mapping[Any, Layer], fallback: Layer | None
) -> ConfigError:
    data = _walk(merged, path)
    name = (
        next((k for k in data if not isinstance(k, str)), None)
        if isinstance(data, Mapping)
        else None
    )
    layer = _layer(path, owners, fallback)
    where = (
        _where((*path, name) if path else (name,), owners, fallback)
        if name is not None
        else _where(path, owners, fallback)
    )
    known = _known_keys(_type_at(path))
    what = f"{_key(path, layer)} has" if _key(path, layer) else "the file has"
    hint = f"; known keys here: {', '.join(sorted(known))}" if known else "; quote it"
    return ConfigError(f"{where}: {what} a key that is not a string, {describe(name)}{hint}")


def _walk(data: Any, path: Path) -> Any:
    for segment in path:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _resolve_dict_keys(path: Path, merged: Mapping[Any, Any]) -> Path:
    """Replace msgspec's ``[...]`` (some key of a mapping) by the key whose value is wrong."""
    if "..." not in path:
        return path
    cut = path.index("...")
    head = path[:cut]
    data = _walk(merged, head)
    value_type = _child_type(_type_at(head), "...")
    if isinstance(data, Mapping) and value_type is not None:
        for key, value in data.items():
            try:
                msgspec.convert(value, value_type)
            except msgspec.ValidationError:
                return _resolve_dict_keys((*head, str(key), *path[cut + 1 :]), merged)
    return (*head, *path[cut + 1 :])


# --- the model at a path -----------------------------------------------------------------------


def _field_type(tp: Any, name: str) -> Any:
    for member in _members(tp):
        if _is_struct(member):
            for info in msgspec.structs.fields(member):
                if info.encode_name == name:
                    return info.type
    return None


def _child_type(tp: Any, segment: str | int) -> Any:
    for member in _members(tp):
        origin = get_origin(member)
        if isinstance(segment, int) and origin in (tuple, list):
            return get_args(member)[0]
        if isinstance(segment, str) and origin is dict:
            return get_args(member)[1]
        if isinstance(segment, str) and _is_struct(member):
            found = _field_type(member, segment)
            if found is not None:
                return found
    return None


def _type_at(path: Path) -> Any:
    tp: Any = Settings
    for segment in path:
        tp = _child_type(tp, segment)
        if tp is None:
            return None
    return tp


def _known_keys(tp: Any) -> list[str]:
    return [i.encode_name for m in _members(tp) if _is_struct(m) for i in msgspec.structs.fields(m)]


def _extra(tp: Any, name: str) -> str | None:
    for meta in _unwrap(tp)[1] if tp is not None else []:
        if meta.extra and name in meta.extra:
            return str(meta.extra[name])
    return None


def _choices(tp: Any) -> str:
    values = [str(v) for m in _members(tp) if get_origin(m) is Literal for v in get_args(m)]
    if len(values) < 2:
        return "one of " + ", ".join(values)
    return ", ".join(values[:-1]) + f" or {values[-1]}"


def _bounds(tp: Any) -> str | None:
    metas = _unwrap(tp)[1] if tp is not None else []
    low = next((m.ge for m in metas if m.ge is not None), None)
    high = next((m.le for m in metas if m.le is not None), None)
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return None


def _type_words(names: str) -> str:
    parts = [p.strip() for p in names.split("|")]
    kept = [p for p in parts if p != "null"] or parts
    return " or ".join(_TYPE_WORDS.get(p, p) for p in kept)
