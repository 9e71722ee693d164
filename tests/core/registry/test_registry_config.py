"""The registry: section (msgspec models): every mistake names the key and its line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from releasekit.core.common.errors import ConfigError, UsageError
from releasekit.core.config import load_config
from releasekit.core.registry.auth import stored_login
from releasekit.core.registry.refs import parse_reference

GOOD = """\
registry:
  plain_http: ["127.0.0.1:5000"]
  labels: {org.opencontainers.image.version: "{version}"}
  promote_from: build-{commit}
  images:
    - repository: ghcr.io/example/demo
      tags: ["{tag}", latest, stable]
      moving_tags: [latest, stable]
      platforms: [linux/amd64, linux/arm64/v8]
      source: ghcr.io/example/demo-ci
  charts:
    - path: charts/demo
      repository: oci://ghcr.io/example/charts
"""


def test_a_full_section_parses(tmp_path: Path) -> None:
    (tmp_path / "releasekit.yaml").write_text(GOOD)
    section = load_config(tmp_path).registry
    assert section is not None
    assert section.images[0].tags == ("{tag}", "latest", "stable")
    assert section.platforms == ("linux/amd64", "linux/arm64")  # the default
    assert section.charts[0].repository == "oci://ghcr.io/example/charts"


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("registry:\n  bogus: 1\n", "releasekit.yaml:2: unknown key 'registry.bogus'; known keys here: charts, digests"),
        ("registry:\n  images:\n    - tags: [x]\n", "releasekit.yaml:3: registry.images[0] needs repository"),
        ("registry:\n  images:\n    - repository: ghcr.io/Org/x\n",
         "releasekit.yaml:3: registry.images[0] repository 'ghcr.io/Org/x' must be host/path"),
        ("registry:\n  images:\n    - repository: a.io/x\n      moving_tags: ['{tag}']\n",
         "names a release; published releases are immutable"),
        ("registry:\n  platforms: [linux]\n", "releasekit.yaml:1: registry platform 'linux' must be os/arch"),
        ("registry:\n  images:\n    - repository: a.io/x\n      source: b.io/x\n", "must be on the same registry"),
        ("registry:\n  images:\n    - repository: a.io/x\n      tags: ['{nope}']\n", "unknown placeholder {nope}"),
        ("registry:\n  plain_http: 5\n", "releasekit.yaml:2: registry.plain_http must be a list, got int 5"),
        ("registry:\n  charts:\n    - {path: c, repository: 'https://x'}\n", "must be oci://host/path"),
    ],
)  # fmt: skip
def test_mistakes_name_the_key_and_line(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "releasekit.yaml").write_text(yaml)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("alpine", ("docker.io", "library/alpine", "latest", None)),
        ("org/app:v1", ("docker.io", "org/app", "v1", None)),
        ("127.0.0.1:5000/t/app:v1", ("127.0.0.1:5000", "t/app", "v1", None)),
        ("oci://ghcr.io/o/charts/demo:0.1.0", ("ghcr.io", "o/charts/demo", "0.1.0", None)),
        ("localhost/app@sha256:" + "a" * 64, ("localhost", "app", None, "sha256:" + "a" * 64)),
    ],
)
def test_references(text: str, parts: tuple[str, str, str | None, str | None]) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == parts


def test_bad_references_are_usage_errors() -> None:
    for text in ("", "ghcr.io/Org/App", "x@sha256:00", "http://x/y"):
        with pytest.raises(UsageError):
            parse_reference(text)


def test_docker_hub_login_under_the_legacy_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = base64.b64encode(b"hubuser:hub-Secret-123").decode()
    (tmp_path / "config.json").write_text(
        json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": auth}}})
    )
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    login = stored_login("registry-1.docker.io")
    assert login is not None and (login.username, login.password) == ("hubuser", "hub-Secret-123")
    assert "hub-Secret-123" not in repr(login)
