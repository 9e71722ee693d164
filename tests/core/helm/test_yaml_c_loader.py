"""load_yaml_documents through libyaml's parser (ruamel.yaml.clib) gives what the pure parser
gives: the same data, of the same types, for CRDs and for hostile mutations of them; where the
pure parser fails, the same error, word for word (the pure parser reads the text again)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import ruamel.yaml.main
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from conftest import EXAMPLE, REPO_ROOT
from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.yamlfile import CONSTRUCTOR_ERRORS, unbuildable
from releasekit.core.helm.yamldocs import _load_all_c, load_yaml_documents

pytestmark = pytest.mark.skipif(
    getattr(ruamel.yaml.main, "CParser", None) is None, reason="ruamel.yaml.clib is not installed"
)

SEEDS = sorted(
    {p.read_text(encoding="utf-8") for p in EXAMPLE.rglob("*.yaml")}
    | {p.read_text(encoding="utf-8") for p in (REPO_ROOT / "tests" / "fixtures").rglob("*.yaml")}
)
# What changes a YAML document's meaning: indentation, flow and block markers, scalars that
# YAML 1.1 and 1.2 read differently, anchors, tags, directives, comments, odd characters.
PIECES = ["  ", "\n", "- ", ": ", "{", "}", "[", "]", ",", "'", '"', "|", ">", "#", "&a ", "*a",
          "!!str ", "!!int ", "<<: ", "%YAML 1.1\n---\n", "---\n", "...\n", "yes", "no", "on",
          "off", "0777", "0o17", "0x1F", "1_000", "1:20", "2001-12-14", ".inf", ".NaN", "~",
          "null", "True", "\t", "\r\n", "\ufeff", "\x85", "\u2028", "é", "\\", "?", "@", "`"]  # fmt: skip


def pure(text: str) -> object:
    try:
        docs = list(YAML(typ="safe", pure=True).load_all(text))
    except Exception as exc:
        return ("error", type(exc).__name__)
    return docs


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
    return text


def old_load(text: str, where: str) -> list[object]:
    """load_yaml_documents of 13aab81 (the pure parser only), with an unbuildable scalar
    (``!!int x``) reported instead of escaping as a ValueError: the oracle."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        docs = list(YAML(typ="safe", pure=True).load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ReleaseError(f"{where}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except YAMLError as exc:
        raise ReleaseError(f"{where}: not valid YAML: {exc}") from None
    except CONSTRUCTOR_ERRORS as exc:  # 13aab81 let these escape (a traceback): now reported
        raise ReleaseError(unbuildable(text, where, exc)) from None
    return [doc for doc in docs if doc is not None]


def verdict(load: Callable[[str, str], list[object]], text: str) -> object:
    try:
        docs = load(text, "f.yaml")
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    return (repr(docs), docs)  # repr: the same types (1 is not 1.0 nor True, "0777" not 511)


@settings(max_examples=600, deadline=None)
@given(mutated())
def test_c_parser_loads_what_the_pure_parser_loads(text: str) -> None:
    fast = _load_all_c(text)
    if fast is not None:
        assert repr(fast) == repr(pure(text))
    assert verdict(load_yaml_documents, text) == verdict(old_load, text)


def test_every_seed_loads_the_same() -> None:
    fast = [(text, _load_all_c(text)) for text in SEEDS]
    assert sum(docs is not None for _, docs in fast) > len(SEEDS) // 2  # most take the C path
    for text, docs in fast:
        if docs is not None:
            assert docs == pure(text)


def test_the_error_is_the_pure_parsers(tmp_path: Path) -> None:
    text = "a: [unclosed\nb: 1\n"
    assert _load_all_c(text) is None
    with pytest.raises(ReleaseError, match=r"^f.yaml:2: not valid YAML: expected ',' or ']'"):
        load_yaml_documents(text, "f.yaml")


@pytest.mark.parametrize(
    ("text", "line", "value"),
    [("!!int ---\n", 1, "'---'"), ("a: 1\nb: !!int x\n", 2, "'x'"),
     ("d: !!timestamp 2020-99-99\n", 1, "'2020-99-99'"), ("f: !!float abc\n", 1, "'abc'")],
)  # fmt: skip
def test_a_scalar_its_tag_cannot_build_is_a_release_error_naming_its_line(
    text: str, line: int, value: str
) -> None:
    with pytest.raises(ReleaseError) as caught:
        load_yaml_documents(text, "crds/x.yaml")
    assert str(caught.value).startswith(
        f"crds/x.yaml:{line}: not valid YAML: cannot read the value {value} ("
    )
