"""Fuzz: releasekit.yaml and the invoke-config layer (``releasekit:`` in invoke.yaml).

Files are generated from the schema (every known key with values of every type, unknown keys,
non-mapping documents, YAML alias bombs, deep nesting, dates and numbers ruamel cannot build)
and mutated from the commented starter and real configurations; the invoke layer gets arbitrary
nested data. Loading returns a Config or a ConfigError that names releasekit.yaml (or the
invoke config) and stays short, however large the value it complains about.
"""

from __future__ import annotations

from fuzzing import encoded, examples, mutated, nested, scratch, verdict
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLE, REPO_ROOT
from releasekit.core.config import Config, load_config, tags_config

WORK = scratch("releasekit-fuzz-config-")
(WORK / ".git").mkdir()
STARTER = (REPO_ROOT / "templates" / "releasekit.yaml").read_text(encoding="utf-8")
SEEDS = (
    (EXAMPLE / "releasekit.yaml").read_text(encoding="utf-8"),
    (REPO_ROOT / "releasekit.yaml").read_text(encoding="utf-8"),
    "tag_format: 'v{version}'\nprerelease_token: rc\nversion_files:\n"
    "  - path: Makefile\n    pattern: 'VERSION ?= {version}'\n",
    "tags:\n  versioning: calver\n  go_modules:\n    exclude: ['src/*/podvm']\n",
    "changelog:\n  groups: {feat: Added}\n  exclude: ['^wip']\nhelm:\n  charts:\n"
    "    - path: charts/demo\n      image_patterns: ['--image=(\\\\S+)']\n",
)
KEYS = (
    "tag_format", "main_branch", "remote", "release_branch", "commit_message", "signoff",
    "prerelease_token", "version_files", "tags", "helm", "changelog", "artifacts", "network",
    "bogus", "path", "pattern", "key", "format", "charts", "groups", "exclude", "matrix",
    "signing", "identity_regexp", "platforms", "go_modules", "include", "images",
)  # fmt: skip
SCALARS = (
    "v{version}", "{version}", "release/{tag}", "rc", "01", "rc.01", "true", "no", "null", "~",
    "2026-13-45", "!!bool x", "9" * 5000, "'[unclosed'", "'(?P<x'", "'a{4294967296}'",
    "'(((((((((((((((((((((((x)))))))))))))))))))))))'", "linux/amd64", "'{os}_{arch}'",
    "'" + "(" * 1000 + ")" * 1000 + "'", "'(a{4294967296})'", "'(x)'", "'--image=(\\S+)'",
    "[]", "{}", "[a, b]", "{a: 1}", "*undefined", "''", "'../escape'", "/abs", "'x' 'y'",
)  # fmt: skip


@st.composite
def config_texts(draw: st.DrawFn, depth: int = 0) -> str:
    lines = []
    indent = "  " * depth
    for key in draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True)):
        kind = draw(st.sampled_from(("scalar", "scalar", "map", "list")))
        if kind == "map" and depth < 3:
            lines.append(f"{indent}{key}:\n" + draw(config_texts(depth + 1)))
        elif kind == "list" and depth < 3:
            lines.append(f"{indent}{key}:")
            for _ in range(draw(st.integers(0, 2))):
                if draw(st.booleans()):
                    item = draw(config_texts(depth + 2)).lstrip(" ")
                else:  # a list of scalars: patterns, globs, platforms
                    item = draw(st.sampled_from(SCALARS))
                lines.append(f"{indent}  - {item.rstrip()}")
        else:
            lines.append(f"{indent}{key}: {draw(st.sampled_from(SCALARS))}")
    return "\n".join(lines) + "\n"


def alias_bomb(levels: int, key: str) -> str:
    """Nine references per level, all inside one key's value: a kilobyte of YAML that expands
    to 9**levels strings when printed whole."""
    items = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    items += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels + 1)]
    return f"{key}: [{', '.join(items)}]\n"


documents = st.one_of(
    config_texts(),
    config_texts(),
    mutated(SEEDS),
    mutated((STARTER,), most=3),
    st.builds(alias_bomb, st.integers(1, 9), st.sampled_from(KEYS)),
    st.builds(lambda n, k: f"{k}: {nested(n)}\n", st.integers(10, 400), st.sampled_from(KEYS)),
    st.sampled_from(("- a\n", "just text\n", "42\n", "", "---\n...\n", "[1, 2]\n", "~\n")),
)


@examples(ci=200)
@given(documents)
def test_loading_releasekit_yaml_never_crashes(text: str) -> None:
    (WORK / "releasekit.yaml").write_bytes(encoded(text))
    config = verdict(lambda: load_config(WORK), where="releasekit.yaml")
    if isinstance(config, Config):
        tags_config(config)
        assert all(target.path for target in config.version_files)


layers = st.recursive(
    st.one_of(st.sampled_from(SCALARS), st.integers(), st.booleans(), st.none(), st.floats()),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), children, min_size=1, max_size=4),
    ),
    max_leaves=15,
)


@examples(ci=100)
@given(st.one_of(layers, st.dictionaries(st.sampled_from(KEYS), layers, max_size=5)))
def test_an_invoke_config_layer_never_crashes(layer: object) -> None:
    (WORK / "releasekit.yaml").unlink(missing_ok=True)
    verdict(lambda: load_config(WORK, layer), where="invoke config")  # type: ignore[arg-type]
