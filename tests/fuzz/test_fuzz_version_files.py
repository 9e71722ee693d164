"""Fuzz: key targets in YAML, JSON and TOML (locating, checking, bumping).

Inputs are generated documents (every YAML scalar and collection style, anchors and merge keys,
deep nesting, duplicate keys) and mutations of realistic release files. Locating a key either
returns spans or raises a ReleaseError naming the file; a bump either rewrites exactly the
targeted tokens (found again at the new version) or changes no file at all.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fuzzing import encoded, examples, mutated, nested, scratch, tree, verdict
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all
from releasekit.core.config import VersionFile
from releasekit.core.versioning.bump import plan_bump
from releasekit.core.versioning.version_files import check_versions, find_occurrences
from releasekit.core.versioning.versions import parse_version

TODAY = dt.date(2026, 11, 21)
# One directory for every example (a fresh one each time costs more than the parse).
WORK = scratch("releasekit-fuzz-")


def fresh(files: dict[str, bytes]) -> Path:
    """WORK holding exactly ``files``."""
    for old in WORK.iterdir():
        old.unlink()
    for name, data in files.items():
        (WORK / name).write_bytes(data)
    return WORK


KEYS = ("version", "appVersion", "image", "tag", "a.b", "0", "1", "²", "", "name", "<<", "x y")
VERSIONS = ("0.1.7", "v0.1.7", "1.0.0-rc.1+build.5", "2.3.4", "01.2.3", "1.2", "9" * 30 + ".0.0")

CHART = """\
apiVersion: v2
name: demo # the chart
description: "A chart: with colons"
type: application
version: 0.1.7
appVersion: "v0.1.7"
dependencies:
  - name: common
    version: 1.2.3
    repository: oci://ghcr.io/org/charts
"""
VALUES = """\
image: &img
  repository: ghcr.io/org/app
  tag: 'v0.1.7'
sidecar:
  <<: *img
  pullPolicy: IfNotPresent
flow: {version: 0.1.7, list: [1, 2, {tag: v0.1.7}]}
block: |
  version: 9.9.9
"""
CITATION = """\
cff-version: 1.2.0
title: demo
version: 0.1.7
date-released: 2026-01-02
"""
PACKAGE = json.dumps(
    {"name": "demo", "version": "0.1.7", "packages": {"": {"version": "0.1.7"}}}, indent=2
)
MANIFEST = '{\r\n  ".": "0.1.7",\r\n  "charts/demo": "v0.1.7"\r\n}'
PYPROJECT = """\
[project]
name = "demo"
version = "0.1.7"  # bumped by releasekit
[tool.x]
version = '0.1.7'
inline = { version = "0.1.7" }
"""
SEEDS = {
    ".yaml": (CHART, VALUES, "\ufeff" + CHART.replace("\n", "\r\n"), "version: 0.1.7"),
    ".cff": (CITATION,),
    ".json": (PACKAGE, MANIFEST, '[\n  "0.1.7"\n]\n'),
    ".toml": (PYPROJECT, 'version = """0.1.7"""\n', "[a]\nversion = '0.1.7'\n[a]\nx = 1\n"),
}


# --- generated documents -----------------------------------------------------------------------

scalars = st.one_of(
    st.sampled_from(VERSIONS),
    st.sampled_from(VERSIONS),
    st.sampled_from(("2026-01-02", "2026-13-45", "true", "null", "~", "12", "0x1F", "1e999")),
    st.sampled_from(("!!bool x", "!!int x", "!!float x", "!!binary '@@'", "*a", "&a 0.1.7")),
    st.text(alphabet=" abc:#'\"\\-[]{},.0123456789v\t\r\n\u2028\x85é", max_size=10),
    st.text(max_size=4),
)


def yaml_scalar(draw: st.DrawFn, indent: str = "") -> str:
    text = draw(scalars)
    style = draw(st.sampled_from(("plain", "plain", "single", "double", "block")))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text)
    if style == "block":
        return draw(st.sampled_from(("|", ">", "|-"))) + "\n" + indent + "    " + text
    return text


@st.composite
def yaml_documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML mapping in block style with flow collections, comments and anchors inside."""
    lines = []
    indent = "  " * depth
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True)):
        key = json.dumps(key) if draw(st.booleans()) else key
        kind = draw(st.sampled_from(("scalar", "scalar", "map", "list", "flow")))
        comment = draw(st.sampled_from(("", "  # note", " #x")))
        if kind == "map" and depth < 3:
            lines.append(f"{indent}{key}:{comment}\n" + draw(yaml_documents(depth + 1)))
        elif kind == "list":
            items = [
                f"{indent}  - {yaml_scalar(draw, indent)}" for _ in range(draw(st.integers(0, 3)))
            ]
            lines.append(f"{indent}{key}:\n" + "".join(i + "\n" for i in items))
        elif kind == "flow":
            inner = ", ".join(
                f"{draw(st.sampled_from(KEYS)) or 'k'}: {draw(st.sampled_from(VERSIONS))}"
                for _ in range(draw(st.integers(0, 3)))
            )
            lines.append(f"{indent}{key}: {{{inner}}}{comment}\n")
        else:
            lines.append(f"{indent}{key}: {yaml_scalar(draw, indent)}{comment}\n")
    return "".join(lines)


@st.composite
def json_documents(draw: st.DrawFn) -> str:
    data = draw(
        st.recursive(
            st.one_of(st.sampled_from(VERSIONS), st.integers(), st.booleans(), st.none()),
            lambda children: st.one_of(
                st.lists(children, max_size=3),
                st.dictionaries(st.sampled_from(KEYS), children, max_size=3),
            ),
            max_leaves=12,
        )
    )
    return json.dumps(data, indent=draw(st.sampled_from((None, 2, "\t"))), ensure_ascii=False)


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    lines = []
    names = ("version", "name", "a.version", '"a.b"', "x", "y")
    tables = ("", "[project]", "[a]", "[[a]]", "[a.b]", "[[a]]")
    for table in draw(st.lists(st.sampled_from(tables), min_size=1, max_size=3, unique=True)):
        lines.append(table + "\n")
        for key in draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
            value = draw(
                st.sampled_from(
                    ('"0.1.7"', "'v0.1.7'", '"""0.1.7"""', "1", "{ version = '0.1.7' }")
                )
            )
            lines.append(f"{key} = {value}\n")
    return "".join(lines)


@st.composite
def odd_values(draw: st.DrawFn, suffix: str) -> str:
    """A realistic file whose version tokens are replaced by odd values, in valid syntax."""
    parts = draw(st.sampled_from(SEEDS[suffix])).split("0.1.7")
    text = parts[0]
    for part in parts[1:]:
        value = draw(st.one_of(*[st.sampled_from(VERSIONS)] * 3, scalars))
        if suffix == ".json" or suffix == ".toml":
            value = json.dumps(value)[1:-1]  # inside the file's own quotes
        text += value + part
    return text


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    """(suffix, text): generated, a realistic seed mutated, or deeply nested."""
    suffix = draw(st.sampled_from((".yaml", ".json", ".toml", ".cff")))
    source = draw(
        st.sampled_from(("values", "values", "generated", "generated", "mutated", "deep"))
    )
    if source == "values":
        text = draw(odd_values(suffix))
    elif source == "generated":
        generator = {".json": json_documents(), ".toml": toml_documents()}
        text = draw(generator.get(suffix, yaml_documents()))
    elif source == "deep":
        depth = draw(st.integers(50, 1200))
        flow = suffix != ".toml" and draw(st.booleans())
        prefix = {".json": '{"version": ', ".toml": "version = "}.get(suffix, "version: ")
        text = prefix + (nested(depth, flow) if suffix != ".toml" else "[" * depth + "]" * depth)
        text += "}" if suffix == ".json" else ""
    else:
        text = draw(mutated(SEEDS[suffix], most=draw(st.sampled_from((0, 1, 2, 6)))))
    return suffix, text


# Key paths that exist in the seeds and generated documents (so edits are reached), and others.
REAL_KEYS = (
    ("version",),
    ("appVersion",),
    ("image", "tag"),
    ("sidecar", "tag"),
    ("flow", "version"),
    ("flow", "list", "2", "tag"),
    ("dependencies", "0", "version"),
    ("packages", "", "version"),
    (".",),
    ("charts/demo",),
    ("project", "version"),
    ("tool", "x", "inline", "version"),
    ("0",),
    ("a", "version"),
    ("date-released",),
    ("block",),
    ("version", "version"),
)
key_paths = st.one_of(
    st.sampled_from(REAL_KEYS),
    st.sampled_from(REAL_KEYS),
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(tuple),
    st.lists(st.text(max_size=5), min_size=1, max_size=3).map(tuple),
    st.just(("9" * 5000,)),
)
formats = st.sampled_from((None,) * 6 + ("v{version}", "{version}", "{date}", "x{version}y"))


def _targets(name: str, keys: list[tuple[str, ...]], fmts: list[str | None]) -> list[VersionFile]:
    return [VersionFile(name, key=key, format=fmt) for key, fmt in zip(keys, fmts, strict=False)]


def scalar_paths(suffix: str, text: str) -> list[tuple[str, ...]]:
    """The key paths of every scalar in the document, when some parser can read it."""
    try:
        if suffix == ".toml":
            import tomllib

            data: object = tomllib.loads(text)
        else:
            data = json.loads(text) if suffix == ".json" else _yaml_data(text)
    except Exception:  # an unreadable document has no paths; the parser under test says why
        return []
    found, stack = [], [((), data)]
    while stack and len(found) < 50:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*path, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, str(i)), v) for i, v in enumerate(node))
        elif path:
            found.append(path)
    return found


def _yaml_data(text: str) -> object:
    import warnings

    from ruamel.yaml import YAML

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return YAML(typ="safe", pure=True).load(text)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, ...]], list[str | None]]:
    """A document with 1-3 key paths (mostly ones it has) and formats for them."""
    suffix, text = draw(documents())
    real = scalar_paths(suffix, text)
    paths = st.one_of(*[st.sampled_from(real)] * 6, key_paths) if real else key_paths
    keys = draw(st.lists(paths, min_size=1, max_size=draw(st.sampled_from((1, 1, 2, 3)))))
    return suffix, text, keys, draw(st.lists(formats, min_size=len(keys), max_size=len(keys)))


@examples(ci=60)
@given(cases())
def test_locating_key_targets_never_crashes(
    case: tuple[str, str, list[tuple[str, ...]], list[str | None]],
) -> None:
    suffix, text, keys, fmts = case
    name = "target" + suffix
    root = fresh({name: encoded(text)})
    targets = _targets(name, keys, fmts)
    slack = _slack(keys)
    found = verdict(lambda: find_occurrences(root, targets), where=name, slack=slack)
    if not isinstance(found, ReleaseError):
        for occurrence in found:
            assert 1 <= occurrence.line <= text.count("\n") + 1
    check = lambda: check_versions(root, targets, parse_version("0.1.8"))  # noqa: E731
    verdict(check, where=name, slack=slack)


@examples(ci=60)
@given(cases(), st.sampled_from(("9.9.9", "v10.0.0-rc.1", "major", "prerelease", "0.0.1", "x")))
def test_bump_of_hostile_targets_rewrites_exactly_the_tokens_or_nothing(
    case: tuple[str, str, list[tuple[str, ...]], list[str | None]], version: str
) -> None:
    suffix, text, keys, fmts = case
    name = "target" + suffix
    root = fresh({name: encoded(text), "untouched.txt": b"VERSION = 0.1.7\n"})
    targets = _targets(name, keys, fmts)
    before = tree(root)

    def bump() -> None:
        plan = plan_bump(root, targets, version, today=TODAY, allow_downgrade=True)
        write_all(plan.edits)
        if plan.is_noop:  # dates move only with a version
            assert tree(root) == before
            return
        for occurrence in find_occurrences(root, targets):  # each target holds the new value
            if occurrence.is_date:
                assert occurrence.found == TODAY.isoformat(), occurrence
            else:
                assert occurrence.version() == plan.new_version, occurrence

    outcome = verdict(bump, slack=_slack(keys))
    if isinstance(outcome, ReleaseError):
        assert tree(root) == before, f"files changed on error: {outcome}"
    else:
        assert tree(root)["untouched.txt"] == before["untouched.txt"]


def _slack(keys: list[tuple[str, ...]]) -> int:
    """Room for the key paths (configuration, not file content) a message may name."""
    return 4 * sum(len(".".join(k)) + 4 * len(k) for k in keys)


# The keys each seed holds, for the test that must mostly reach the edit.
SEED_KEYS = {
    ".yaml": (*REAL_KEYS[:6], ("dependencies", "0", "version"), ("block",)),
    ".cff": (("version",), ("date-released",)),
    ".json": (("version",), ("packages", "", "version"), (".",), ("charts/demo",), ("0",)),
    ".toml": (("project", "version"), ("tool", "x", "version"), ("tool", "x", "inline", "version")),
}


@st.composite
def realistic(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, ...]], list[str | None]]:
    suffix = draw(st.sampled_from(tuple(SEED_KEYS)))
    keys = draw(st.lists(st.sampled_from(SEED_KEYS[suffix]), min_size=1, max_size=2))
    fmts = draw(st.lists(formats, min_size=len(keys), max_size=len(keys)))
    return suffix, draw(odd_values(suffix)), keys, fmts


@examples(ci=60)
@given(realistic(), st.sampled_from(("9.9.9", "v10.0.0-rc.1", "major", "prerelease", "1.0.0")))
def test_bump_of_realistic_files_with_odd_values_is_exact_or_nothing(
    case: tuple[str, str, list[tuple[str, ...]], list[str | None]], version: str
) -> None:
    test_bump_of_hostile_targets_rewrites_exactly_the_tokens_or_nothing.hypothesis.inner_test(  # type: ignore[attr-defined]
        case, version
    )
