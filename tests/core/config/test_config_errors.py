"""Config errors from the models: file:line and key for every shape of bad input, bounded
messages, and never a traceback (hostile YAML included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.core.common.errors import ConfigError
from releasekit.core.config import DEFAULTS, Origin, load_config


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "releasekit.yaml").write_text(text)
    return tmp_path


def error_of(root: Path, layer: Any = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(root, layer)
    return str(info.value)


def _bomb(key: str) -> str:
    """About 1 KB of YAML whose value under ``key`` expands to 9**9 strings."""
    levels = ["&a [" + ", ".join(["lol"] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"&{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return f"{key}: [{', '.join(levels)}]\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tag_fromat: v{version}\n", "; did you mean 'tag_format'?"),
        ("helm:\n  chart: x\n", "releasekit.yaml:2: unknown key 'helm.chart'; known keys here: "),
        ("helm:\n  chart: x\n", "; did you mean 'charts'?"),
        ('main_branch: ""\n', "releasekit.yaml:1: main_branch must not be empty"),
        ("main_branch: '  '\n", "releasekit.yaml:1: main_branch must not be empty"),
        ("main_branch: 2026-01-01\n", "releasekit.yaml:1: main_branch must be a string, got "),
        (
            "prerelease_token: '01'\n",
            "releasekit.yaml:1: prerelease_token must be a SemVer pre-release",
        ),
        ("1: x\n", "releasekit.yaml:1: the file has a key that is not a string, int 1"),
        ("? [a, b]\n: x\n", "releasekit.yaml:1: the file has a key that is not a string"),
        ("changelog:\n  groups: {1: x}\n", "changelog.groups has a key that is not a string"),
        (
            "network:\n  retries: " + "9" * 4000 + "\n",
            "releasekit.yaml:2: network.retries must be ",
        ),
        ('remote: "\\ud800\\udc00"\n', "releasekit.yaml:1: remote holds a lone surrogate"),
        ('"\\ud800\\udc00": x\n', "releasekit.yaml:1: \\ud800\\udc00 holds a lone surrogate"),
        ("network:\n  timeout: .nan\n", "network.timeout must be a number of seconds above 0"),
        ("tags:\n  go_modules: [a]\n", "releasekit.yaml:2: tags.go_modules must be a mapping"),
        (
            "artifacts:\n  matrix:\n    name: a_{os}_{arch}\n    platforms: [linux/amd64]\n"
            "    ext: {solaris: zip}\n",
            "releasekit.yaml:5: artifacts.matrix.ext.solaris is not an OS of platforms",
        ),
        (
            "version_files:\n  - path: a\n    key: ''\n",
            "releasekit.yaml:3: version_files[0].key must be a key path",
        ),
        ("---\na: 1\n---\nb: 2\n", "releasekit.yaml:3: not valid YAML"),
    ],
)
def test_each_shape_of_bad_input_names_file_line_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    assert message in error_of(write(tmp_path, text))


@pytest.mark.parametrize(
    "text",
    [_bomb("main_branch"), _bomb("bogus"), "changelog:\n  " + _bomb("sections")],
    ids=["typed-key", "unknown-key", "list-item"],
)
def test_an_alias_bomb_gives_a_short_message(tmp_path: Path, text: str) -> None:
    # Without the loader's alias memo this expands to 9**9 nodes and never returns (the
    # benchmark-free guard: the suite would hang here, not pass).
    assert len(text) < 1200
    message = error_of(write(tmp_path, text))
    assert len(message) < 600
    assert message.startswith("releasekit.yaml:")


def test_invoke_layer_errors_name_the_invoke_config(tmp_path: Path) -> None:
    root = write(tmp_path, "remote: upstream\n")
    layer = {**DEFAULTS, "helm": {"charts": [{"path": "/abs"}]}}
    assert error_of(root, layer) == (
        "invoke config: releasekit.helm.charts[0].path must be a path inside the repository, "
        "got '/abs'"
    )
    assert error_of(root, ["tag_format"]).startswith(
        "invoke config: releasekit must be a mapping of releasekit.yaml's keys (tag_format:, "
        "version_files: ...), got list ['tag_format']"
    )


def test_sections_know_where_they_were_written(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        "version_files:\n  - path: a\n    key: v\n  - path: b\n    key: v\n"
        "artifacts:\n  dir: dist\n",
    )
    cfg = load_config(root, DEFAULTS)
    assert [t.origin for t in cfg.version_files] == [
        Origin("releasekit.yaml", 2),
        Origin("releasekit.yaml", 4),
    ]
    assert cfg.artifacts is not None and cfg.artifacts.origin == Origin("releasekit.yaml", 6)


def test_round_trip_scalar_types_are_plain_values(tmp_path: Path) -> None:
    root = write(
        tmp_path, "signoff: &s false\nnetwork:\n  timeout: 1.5\n  retries: 0x2\nremote: &r up\n"
    )
    cfg = load_config(root)
    assert (cfg.signoff, cfg.remote) == (False, "up")
    assert cfg.network is not None and (cfg.network.timeout, cfg.network.retries) == (1.5, 2)
    assert type(cfg.remote) is str and type(cfg.network.timeout) is float


_KEYS = st.sampled_from(
    ["tag_format", "version_files", "tags", "helm", "changelog", "artifacts", "network", "x"]
)
_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["path", "key", "charts", "images", "matrix", "name", "include", "y"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(_KEYS, _VALUES, max_size=3))
def test_any_data_is_a_config_or_a_config_error(tmp_path: Path, data: dict[str, Any]) -> None:
    root = tmp_path
    (root / ".git").mkdir(exist_ok=True)
    (root / "releasekit.yaml").write_text(json.dumps(data, allow_nan=True))
    for layer in (None, data):
        try:
            load_config(root, layer)
        except ConfigError as exc:
            assert len(str(exc)) < 2000
