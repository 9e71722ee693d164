"""What is generated from the config models: the JSON Schema, the starter, the docs tables.

Each test fails while a generated file differs from what the models say: run `inv generate`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from releasekit.core.common.errors import ConfigError
from releasekit.core.common.starters import read_starter
from releasekit.core.config import DEFAULTS, Settings, load_config
from releasekit.core.config.fields import fields, struct_of
from releasekit.core.config.reference import generated, schema

STALE = "is stale: run `inv generate` (the config models changed)"


@pytest.mark.parametrize(
    "path",
    sorted(generated(REPO_ROOT)),
    ids=lambda p: str(Path(p).relative_to(REPO_ROOT)),
)
def test_generated_file_is_current(path: Path) -> None:
    expected = generated(REPO_ROOT)[path]
    assert path.read_text(encoding="utf-8") == expected, f"{path.relative_to(REPO_ROOT)} {STALE}"


def test_starter_begins_with_the_schema_line_and_is_printed_by_the_cli() -> None:
    starter = read_starter("releasekit.yaml")
    assert starter.startswith("# yaml-language-server: $schema=releasekit.schema.json\n")
    assert json.loads(read_starter("releasekit.schema.json")) == schema()


def test_starter_is_a_valid_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "releasekit.yaml").write_text(read_starter("releasekit.yaml"))
    cfg = load_config(tmp_path)
    assert cfg.helm is not None and cfg.artifacts is not None and cfg.network is not None


def _every_field(struct: type, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for item in fields(struct):
        out.append((prefix + item.name, item))
        nested = struct_of(item.type)
        if nested is not None:
            out.extend(_every_field(nested, f"{prefix}{item.name}{'[]' if item.is_list else ''}."))
    return out


@pytest.mark.parametrize(
    ("key", "item"), _every_field(Settings), ids=[k for k, _ in _every_field(Settings)]
)
def test_every_key_is_described_and_shown(key: str, item: object) -> None:
    assert item.description, f"{key} has no Meta(description=...)"
    leaf = key.rsplit(".", 1)[-1]
    assert f"{leaf}:" in read_starter("releasekit.yaml"), f"{key} is missing from the starter"
    if struct_of(item.type) is not None and not item.is_list:
        return  # a nested mapping: its keys have the rows
    tables = "".join(text for path, text in generated(REPO_ROOT).items() if path.suffix == ".md")
    relative = key.split(".", 1)[-1]  # the docs/ tables are per section
    assert f"`{key}" in tables or f"`{relative}`" in tables, f"{key} has no row in the tables"


def test_schema_forbids_unknown_keys_everywhere() -> None:
    document = schema()
    assert document["additionalProperties"] is False
    for name, definition in document["$defs"].items():
        assert definition.get("additionalProperties") is False, name


def test_invoke_defaults_match_the_model() -> None:
    # core/defaults.py keeps msgspec off `--list`; it must say what the models say.
    model = {item.name: item.default for item in fields(Settings) if item.name in DEFAULTS}
    assert model == DEFAULTS


def _yaml(text: str) -> object:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


@pytest.mark.parametrize(
    "source",
    [
        "templates/releasekit.yaml",
        "examples/demo-operator/releasekit.yaml",
        "releasekit.yaml",
    ],
)
def test_configs_validate_against_the_schema_outside_releasekit(source: str) -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema())
    Draft202012Validator(schema()).validate(_yaml((REPO_ROOT / source).read_text()))


@pytest.mark.parametrize(
    "text",
    [
        "tag_fromat: v{version}\n",
        "helm:\n  charts:\n    - valuez: [a]\n",
        "tags:\n  channel: beta\n",
        "network:\n  retries: 11\n",
        "main_branch: ''\n",
    ],
)
def test_the_schema_refuses_what_releasekit_refuses(tmp_path: Path, text: str) -> None:
    from jsonschema import Draft202012Validator, ValidationError

    with pytest.raises(ValidationError):
        Draft202012Validator(schema()).validate(_yaml(text))
    (tmp_path / ".git").mkdir()
    (tmp_path / "releasekit.yaml").write_text(text)
    with pytest.raises(ConfigError):
        load_config(tmp_path)
