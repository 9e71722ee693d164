"""SBOMs in verify.assets and verify.artifacts through the real CLI."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable

import pytest

from conftest import FIXTURES, CliResult, Repo

Cli = Callable[..., CliResult]
CONFIG = """\
artifacts:
  dir: dist
  files: [install.yaml]
  sboms:
    - file: "krt_{tag}.spdx.json"
    - file: "sbom-*.cdx.json"
      format: cyclonedx
"""


@pytest.fixture
def repo(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo({"releasekit.yaml": CONFIG})
    dist = repo.path / "dist"
    dist.mkdir()
    (dist / "install.yaml").write_text("kind: List\n")
    shutil.copy(FIXTURES / "sbom" / "krt.spdx.json", dist / "krt_v0.1.0.spdx.json")
    shutil.copy(FIXTURES / "sbom" / "krt.cdx.json", dist / "sbom-controller.cdx.json")
    return repo


def test_valid_sboms_pass_verify_assets_and_verify_artifacts(cli: Cli, repo: Repo) -> None:
    printed = cli("verify.assets", "--tag", "v0.1.0", "--print", cwd=repo.path)
    assert printed.lines == ["install.yaml", "krt_v0.1.0.spdx.json"]
    result = cli("verify.assets", "--tag", "v0.1.0", cwd=repo.path)
    assert (result.code, result.lines) == (0, ["dist: all 2 expected files present"])
    report = cli("verify.artifacts", "--tag", "v0.1.0", cwd=repo.path)
    assert report.code == 0, report.out + report.err
    assert "sbom dist/krt_v0.1.0.spdx.json: OK valid spdx" in report.lines
    assert "sbom dist/sbom-controller.cdx.json: OK valid cyclonedx" in report.lines


def test_a_broken_sbom_is_a_mismatch_naming_the_field(cli: Cli, repo: Repo) -> None:
    path = repo.path / "dist" / "sbom-controller.cdx.json"
    data = json.loads(path.read_text())
    data["components"][0]["type"] = "gadget"
    path.write_text(json.dumps(data))
    result = cli("verify.assets", "--tag", "v0.1.0", cwd=repo.path)
    assert result.code == 3
    (line,) = result.lines  # the finding once, on stdout (README: Output)
    assert line.startswith(
        "dist/sbom-controller.cdx.json: not a valid cyclonedx: 'gadget' is not one of"
    )
    report = cli("verify.artifacts", "--tag", "v0.1.0", "--json", cwd=repo.path)
    rows = {r["subject"]: r for r in json.loads(report.out)["results"] if r["check"] == "sbom"}
    assert rows["dist/sbom-controller.cdx.json"]["status"] == "mismatch" and report.code == 3


def test_a_missing_sbom_is_missing(cli: Cli, repo: Repo) -> None:
    (repo.path / "dist" / "krt_v0.1.0.spdx.json").unlink()
    (repo.path / "dist" / "sbom-controller.cdx.json").unlink()
    result = cli("verify.assets", "--tag", "v0.1.0", cwd=repo.path)
    assert result.code == 3 and result.lines == ["dist/krt_v0.1.0.spdx.json: missing"]
    report = cli("verify.artifacts", "--tag", "v0.1.0", cwd=repo.path)
    assert (
        "sbom sbom-*.cdx.json: FAILED dist/sbom-*.cdx.json: missing; the release ships this SBOM"
        in report.lines
    )


def test_without_the_validators_it_is_an_error_never_a_pass(
    cli: Cli, repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("spdx_tools", "cyclonedx")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, "spdx_tools", None)
    monkeypatch.setitem(sys.modules, "cyclonedx", None)
    result = cli("verify.assets", "--tag", "v0.1.0", cwd=repo.path)
    assert result.code == 1
    assert "install it with pip install 'releasekit[sbom]'" in result.err
    report = cli("verify.artifacts", "--tag", "v0.1.0", cwd=repo.path)
    assert report.code == 3
    assert any(
        line.startswith("sbom krt_{tag}.spdx.json: FAILED SBOMs cannot be validated")
        for line in report.lines
    )


@pytest.mark.parametrize(
    ("yaml", "said"),
    [
        (
            "artifacts:\n  sboms:\n    - {file: a.json, kind: spdx}\n",
            "releasekit.yaml:3: unknown key 'artifacts.sboms[0].kind'; known keys here: file, format",
        ),
        (
            "artifacts:\n  sboms:\n    - {file: a.json, format: swid}\n",
            "releasekit.yaml:3: artifacts.sboms[0].format must be one of auto, spdx, cyclonedx, got 'swid'",
        ),
        ("artifacts:\n  sboms:\n    - file: '{os}.json'\n", "has unknown placeholder {os}"),
    ],
)
def test_sbom_config_errors_name_key_and_line(
    cli: Cli, make_repo: Callable[..., Repo], yaml: str, said: str
) -> None:
    repo = make_repo({"releasekit.yaml": yaml})
    result = cli("verify.assets", "--tag", "v0.1.0", cwd=repo.path)
    assert result.code == 1 and said in result.err, result.err
