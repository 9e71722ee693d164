"""release.get / release.set on JSON and TOML (the YAML cases run on the seed repository in
tests/integration/test_pins.py): one token, the rest byte for byte, read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core.common.errors import ReleaseError
from releasekit.core.pins.keys import build_edits, get_value, parse_key, plan_set

JSON = '{\n  "name": "demo",\n  "version": "0.1.7",\n  "workers": 4,\n  "packages": {"": {"version": "0.1.7"}}\n}\n'
TOML = '[project]\nname = "demo"  # the distribution\nversion = "0.1.7"\nrequires-python = ">=3.11"\n\n[tool.demo]\nimage = \'ghcr.io/x:latest\'\n'


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_bytes(text.encode())


@pytest.mark.parametrize(
    ("name", "text", "key", "value"),
    [
        ("package.json", JSON, "version", "0.1.7"),
        ("package.json", JSON, '["packages", "", "version"]', "0.1.7"),
        ("package.json", JSON, "workers", "4"),
        ("pyproject.toml", TOML, "project.requires-python", ">=3.11"),
        ("pyproject.toml", TOML, "tool.demo.image", "ghcr.io/x:latest"),
    ],
)
def test_get_reads_the_token(tmp_path: Path, name: str, text: str, key: str, value: str) -> None:
    _write(tmp_path, name, text)
    assert get_value(tmp_path, name, parse_key(key)).found == value


def test_set_in_json_and_toml_changes_only_the_tokens(tmp_path: Path) -> None:
    _write(tmp_path, "package.json", JSON)
    _write(tmp_path, "pyproject.toml", TOML)
    [edit] = build_edits(plan_set(tmp_path, "package.json", ["version=0.1.8", "workers=8"]))
    assert edit.new == JSON.replace('"version": "0.1.7",', '"version": "0.1.8",').replace(
        ": 4", ": 8"
    )
    [edit] = build_edits(plan_set(tmp_path, "pyproject.toml", ["tool.demo.image=ghcr.io/x:v1"]))
    assert edit.new == TOML.replace("ghcr.io/x:latest", "ghcr.io/x:v1")


@pytest.mark.parametrize(
    ("name", "assignment", "message"),
    [
        ("package.json", "workers=four", "would break the file"),  # a bare word is not JSON
        ("package.json", 'version=a"b', "would break the file"),
        ("pyproject.toml", 'project.version=0"1', "would break the file"),
        ("package.json", "nope=1", "no such key nope"),
    ],
)
def test_set_refuses_what_would_not_read_back(
    tmp_path: Path, name: str, assignment: str, message: str
) -> None:
    _write(tmp_path, "package.json", JSON)
    _write(tmp_path, "pyproject.toml", TOML)
    with pytest.raises(ReleaseError, match=message):
        build_edits(plan_set(tmp_path, name, [assignment]))
