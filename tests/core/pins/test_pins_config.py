"""The pins:, citation: and docs: sections (msgspec models): the starter parses, and every
mistake names the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core.common.errors import ConfigError
from releasekit.core.config import load_config

REPO = Path(__file__).resolve().parents[3]


def test_the_starter_declares_every_section(tmp_path: Path) -> None:
    (tmp_path / "releasekit.yaml").write_text((REPO / "templates" / "releasekit.yaml").read_text())
    cfg = load_config(tmp_path)
    assert cfg.pins is not None and cfg.docs is not None and cfg.citation is not None
    assert [t.label for t in cfg.pins.targets] == [
        "image.tag", "image.tag", "images[controller].newTag", 'tag: \\"{value}\\"',
    ]  # fmt: skip
    assert cfg.pins.release[1].key_path == ("dependencies", "demo-crds", "version")
    assert cfg.pins.release[1].unpin_removes == ("charts/demo/Chart.lock",)
    assert cfg.docs.rules[0].when[2].lines == "^FROM "
    assert cfg.docs.compatibility[2].source.from_ == "golang"
    assert cfg.citation.path == "CITATION.cff"


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("pins:\n  bogus: 1\n", "releasekit.yaml:2: unknown key 'pins.bogus'; known keys here: expect, release, targets"),
        ("pins:\n  targets:\n    - {path: v.yaml, key: image.tag}\n",
         "releasekit.yaml:3: pins.targets[0] needs dev (the development value release.unpin puts back)"),
        ("pins:\n  targets:\n    - {path: v.yaml, image: caa, key: a, dev: x}\n",
         "releasekit.yaml:3: pins.targets[0] needs exactly one of key, pattern or image"),
        ("pins:\n  targets:\n    - {path: Makefile, pattern: 'tag: x', dev: x}\n",
         "releasekit.yaml:3: pins.targets[0].pattern must contain {value} exactly once, got 'tag: x'"),
        ("pins:\n  targets:\n    - {path: v.yaml, key: a, format: 'dev-{value} x', dev: x}\n",
         "releasekit.yaml:3: pins.targets[0].format must be one token of letters"),
        ("pins:\n  targets:\n    - {path: ../v.yaml, key: a, dev: x}\n",
         "releasekit.yaml:3: pins.targets[0].path must be a path inside the repository, got '../v.yaml'"),
        ("pins:\n  targets:\n    - {path: v.yaml, key: a, dev: 3.9}\n",
         "releasekit.yaml:3: pins.targets[0].dev must be a string"),
        ("pins:\n  expect: '['\n", "releasekit.yaml:2: pins.expect is not a regular expression"),
        ("pins:\n  release:\n    - {path: v.yaml, key: a, value: '{sha}', dev: main}\n",
         "releasekit.yaml:3: pins.release[0].value has unknown placeholder {sha}; use {value}, {tag}, {version}"),
        ("citation:\n  path: /etc/CITATION.cff\n", "releasekit.yaml:2: citation.path must be a path inside the repository"),
        ("docs:\n  compatibility:\n    - {doc: d.md, row: Go, source: {path: go.mod}}\n",
         "releasekit.yaml:3: docs.compatibility[0].source must name one value in one file"),
        ("docs:\n  rules:\n    - doc: d.md\n      when: [{path: go.mod, key: a, lines: x}]\n",
         "releasekit.yaml:4: docs.rules[0].when[0] give at most one of key, pattern, variable, from, directive, lines"),
        ("docs:\n  allow:\n    - {path: d.md, lines: '('}\n", "releasekit.yaml:3: docs.allow[0].lines is not a regular expression"),
        ("docs:\n  rules:\n    - doc: d.md\n      when: [{path: go.mod, directive: gopath}]\n",
         "releasekit.yaml:4: docs.rules[0].when[0].directive must be go or toolchain, got 'gopath'"),
    ],
)  # fmt: skip
def test_mistakes_name_the_key_and_line(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "releasekit.yaml").write_text(yaml)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)
