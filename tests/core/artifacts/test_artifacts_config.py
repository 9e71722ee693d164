"""The `artifacts` section of releasekit.yaml and the expected asset list it renders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Repo
from releasekit.core.artifacts.assets import attested_files, expected_assets, signed_blobs
from releasekit.core.artifacts.checksum_check import CheckOptions, check_checksums
from releasekit.core.artifacts.checksums import parse_checksums
from releasekit.core.common.errors import ConfigError
from releasekit.core.config import load_config

BASE = 'tag_format: "v{version}"\nartifacts:\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  colour: red\n", "releasekit.yaml:3: unknown key 'artifacts.colour'"),
        ("  matrix:\n    name: x_{os}_{arch}\n", "artifacts.matrix needs name"),
        ("  matrix:\n    name: x_{os}\n    platforms: [linux/amd64]\n",
         "must contain {os} and {arch}"),
        ("  matrix:\n    name: x_{os}_{arch}.{ext}\n    platforms: [linux/amd64]\n", "uses {ext}"),
        ('  files: ["a_{colour}.txt"]\n', "unknown placeholder {colour}"),
        ("  signing:\n    owner: a\n", "missing repo, workflow"),
        ("  signing:\n    identity: a\n    identity_regexp: b\n", "not both"),
        ("  signing:\n    identity: a\n    bundle: sig.json\n", "must contain {file} exactly once"),
        ("  attestations:\n    repo: noslash\n", "must be owner/name"),
        ("  dir: ../elsewhere\n", "must be a path inside the repository"),
        ("  files: [a.txt, a.txt]\n", "renders 'a.txt' twice"),
    ],
)  # fmt: skip
def test_bad_artifacts_config_names_the_key(
    make_repo: Callable[..., Repo], body: str, message: str
) -> None:
    repo = make_repo({"releasekit.yaml": BASE + body})
    with pytest.raises(ConfigError, match=message.replace("{", r"\{").replace("}", r"\}")):
        cfg = load_config(repo.path)
        assert cfg.artifacts is not None
        expected_assets(cfg.artifacts, "v1.0.0", "1.0.0")


def test_template_config_renders_the_seed_layout(make_repo: Callable[..., Repo]) -> None:
    template = Path(__file__).resolve().parents[3] / "templates" / "releasekit.yaml"
    repo = make_repo({"releasekit.yaml": template.read_text()})
    art = load_config(repo.path).artifacts
    assert art is not None
    names = [a.name for a in expected_assets(art, "v0.0.3", "0.0.3")]
    assert names[:5] == [
        "krt_v0.0.3_linux_amd64.tar.gz",
        "krt_v0.0.3_linux_arm64.tar.gz",
        "krt_v0.0.3_darwin_amd64.tar.gz",
        "krt_v0.0.3_darwin_arm64.tar.gz",
        "krt_v0.0.3_windows_amd64.zip",
    ]
    assert "krt_v0.0.3_checksums.txt" in names
    assert signed_blobs(art, "v0.0.3", "0.0.3") == ["krt_v0.0.3_checksums.txt"]
    assert attested_files(art, "v0.0.3", "0.0.3") == names[:4]
    assert "krt_v0.0.3_checksums.txt.sigstore.json" in names


def test_progress_callback_sees_every_byte(tmp_path: Path) -> None:
    import hashlib

    lines = []
    for i in range(5):
        data = bytes([i]) * (300_000 * (i + 1))
        (tmp_path / f"f{i}").write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  f{i}\n")
    totals: list[int] = []
    seen: list[int] = []

    def factory(total: int) -> Callable[[int], None]:
        totals.append(total)
        return seen.append

    listing = parse_checksums("".join(lines).encode())
    report = check_checksums(listing, tmp_path, CheckOptions(jobs=3), progress_factory=factory)
    assert report.ok
    assert totals == [sum(300_000 * (i + 1) for i in range(5))]
    assert sum(seen) == totals[0]


def test_identity_regexp_placeholders_are_literal_text() -> None:
    import re

    from releasekit.core.artifacts.report import render_identity
    from releasekit.core.config import SigningConfig

    signing = SigningConfig(
        identity_regexp=r"https://github\.com/acme/krt/\.github/workflows/.+@refs/tags/{tag}"
    )
    identity, regexp = render_identity(signing, "v0.1.2+build.1", "0.1.2+build.1")
    assert identity is None and regexp is not None
    san = "https://github.com/acme/krt/.github/workflows/release.yml@refs/tags/"
    assert re.fullmatch(regexp, san + "v0.1.2+build.1")
    assert not re.fullmatch(regexp, san + "v0x1x2+build.1")
