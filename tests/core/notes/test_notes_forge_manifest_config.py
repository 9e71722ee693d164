"""The notes:, forge: and manifest: sections (msgspec models): every mistake names key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core.common.errors import ConfigError
from releasekit.core.config import load_config

GOOD = """\
notes:
  outline: changelog-driven
  charts:
    - {reference: "oci://quay.io/org/helm-charts/app", release: app, namespace: app-system}
  compare_url: "https://github.com/o/r/compare/{previous}...{tag}"
forge:
  kind: gitea
  api_url: https://gitea.example.com/api/v1
  owner: org
  repo: app
manifest:
  image: "git.example.com/org/{module}:{version}"
  modules: [{name: authority}, {name: scanner, version: 1.4.0}]
"""


def test_the_sections_parse(tmp_path: Path) -> None:
    (tmp_path / "releasekit.yaml").write_text(GOOD)
    cfg = load_config(tmp_path)
    assert cfg.notes is not None and cfg.notes.outline == "changelog-driven"
    assert cfg.notes.groups["feat"] == "New Features"  # the default
    assert cfg.forge is not None and cfg.forge.web == "https://gitea.example.com"
    assert cfg.forge.token_variables == ("GITEA_TOKEN", "FORGEJO_TOKEN", "GITHUB_TOKEN")
    assert cfg.forge.repository_url() == "https://gitea.example.com/org/app"
    assert cfg.manifest is not None and cfg.manifest.modules[1].version == "1.4.0"


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        ("notes:\n  outline: fancy\n", "releasekit.yaml:2: notes.outline must be highlights or changelog-driven, got 'fancy'"),
        ("notes:\n  bogus: 1\n", "releasekit.yaml:2: unknown key 'notes.bogus'; known keys here: changelog_url"),
        ("notes:\n  compare_url: https://x/{nope}\n", "unknown placeholder {nope}"),
        ("notes:\n  charts:\n    - {reference: https://x, release: a}\n", "releasekit.yaml:3: notes.charts[0] reference 'https://x' must be oci://"),
        ("notes:\n  exclude: ['(']\n", "is not a regular expression"),
        ("forge:\n  owner: o\n", "releasekit.yaml:1: forge needs repo"),
        ("forge:\n  kind: gitea\n  owner: o\n  repo: r\n", "a gitea forge needs api_url"),
        ("forge:\n  owner: o\n  repo: r\n  api_url: https://u:p@x\n", "without credentials"),
        ("manifest:\n  modules: [{name: a}]\n", "module a needs an image"),
        ("manifest:\n  path: suite.yaml\n", "must contain {version} or {tag}"),
        ("manifest:\n  image: x/{module}:{version}\n  modules: [{name: a}, {name: a}]\n", "module a is listed twice"),
    ],
)  # fmt: skip
def test_mistakes_name_key_and_line(tmp_path: Path, yaml: str, said: str) -> None:
    (tmp_path / "releasekit.yaml").write_text(yaml)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert said in str(caught.value)
