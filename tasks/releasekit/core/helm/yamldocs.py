"""YAML streams (rendered manifests, CRDs, Chart.yaml) as plain data: libyaml's parser where it
reads a text as ruamel's pure parser does, the pure parser (and its error messages) elsewhere."""

from __future__ import annotations

import re
from typing import Any

from ..common.errors import ReleaseError


def load_yaml_documents(text: str, where: str) -> list[Any]:
    """Every non-empty document of a YAML stream as plain Python data.

    Raises:
        ReleaseError: the text is not valid YAML (``where`` names its origin).
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from ..common.yamlfile import CONSTRUCTOR_ERRORS, unbuildable

    docs = _load_all_c(text)
    if docs is not None:
        return [doc for doc in docs if doc is not None]
    try:
        docs = list(YAML(typ="safe", pure=True).load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ReleaseError(f"{where}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except YAMLError as exc:
        raise ReleaseError(f"{where}: not valid YAML: {exc}") from None
    except CONSTRUCTOR_ERRORS as exc:  # `!!int x`, `2026-13-45`: well-formed, not buildable
        raise ReleaseError(unbuildable(text, where, exc)) from None
    return [doc for doc in docs if doc is not None]


# Where libyaml reads a text otherwise than ruamel's pure parser (a tab inside a plain scalar,
# a tag before a document marker, YAML 1.1 line breaks such as NEL and U+2028, a BOM, control
# characters), found by tests/core/helm/test_yaml_c_loader.py: a text holding a tab, a tag
# (!), an anchor or alias (& *), a directive (%), a backslash escape or a character outside
# printable Unicode goes to the pure parser. Generated CRDs rarely hold any.
_C_UNSAFE = re.compile(
    "[!&*%\\\\\t]|[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def _load_all_c(text: str) -> list[Any] | None:
    """The documents through libyaml's parser (ruamel.yaml.clib, 4-5x faster on a 1,200-line
    CRD: an audit over many releases parses dozens), with ruamel's own constructor and YAML 1.2
    resolver; None without the C extension or when it fails, so the pure parser reads the text
    again and any error is the pure parser's, word for word.
    tests/core/helm/test_yaml_c_loader.py holds the two to the same data on CRDs and hostile
    mutations of them."""
    import ruamel.yaml.main
    from ruamel.yaml import YAML

    if getattr(ruamel.yaml.main, "CParser", None) is None or _C_UNSAFE.search(text):
        return None
    try:
        return list(YAML(typ="safe").load_all(text))
    except Exception:
        return None
