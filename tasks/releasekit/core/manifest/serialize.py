"""The one serializer of release manifests: deterministic YAML from plain data.

Keys are sorted, every string value is double-quoted (JSON's escapes are YAML's), block style
throughout, one final newline: the same data always gives the same bytes, and any YAML loader
reads back exactly the data (a hypothesis round trip proves it).
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
# Words YAML 1.1 loaders read as booleans or null; such a key is quoted.
_SPECIAL = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])


def _printable(ch: str) -> bool:
    """What YAML allows unescaped inside a double-quoted scalar (and is not a line break)."""
    code = ord(ch)
    if ch == "\t" or 0x20 <= code <= 0x7E:
        return True
    if code in (0x85, 0x2028, 0x2029, 0xFEFF):
        return False
    return 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def quote(text: str) -> str:
    body = json.dumps(text, ensure_ascii=False)
    return "".join(ch if _printable(ch) or ch in '"\\' else _escape(ch) for ch in body)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and key.lower() not in _SPECIAL else quote(key)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    raise TypeError(
        f"a manifest holds strings, integers, booleans, lists and mappings, not {type(value).__name__}"
    )


def _block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key in sorted(value):
            item = value[key]
            if not isinstance(key, str):
                raise TypeError(f"manifest keys are strings, not {key!r}")
            if _block(item):
                out += [f"{pad}{_key(key)}:", *_lines(item, indent + 2)]
            else:
                out.append(f"{pad}{_key(key)}: {_scalar(item)}")
        return out
    for item in value:
        if _block(item):
            inner = _lines(item, indent + 2)
            out += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
        else:
            out.append(f"{pad}- {_scalar(item)}")
    return out


def dump(data: dict[str, Any]) -> str:
    """``data`` as YAML text (keys sorted, lists in their order)."""
    return "\n".join(_lines(data, 0)) + "\n" if data else "{}\n"


def load(text: str, where: str) -> Any:
    """A manifest's data (any YAML; releasekit's own are written by :func:`dump`).

    Raises:
        FileFormatError: not valid YAML (with the line).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from ..common.errors import FileFormatError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise FileFormatError(
            f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
