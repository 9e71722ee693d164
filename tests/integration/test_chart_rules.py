"""verify.chart and release.bump-chart on real git histories."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult, Repo

PARENT = """\
apiVersion: v2
name: platform
version: 1.0.0
appVersion: "v1.0.0"
dependencies:
  - name: runtimes   # the local sub-chart
    version: 0.3.0
    repository: file://../runtimes
  - name: redis
    version: "18.1.0"
    repository: https://charts.bitnami.com/bitnami
"""
RANGE_PARENT = """\
apiVersion: v2
name: edge
version: 2.0.0
dependencies:
  - {name: runtimes, version: "~0.3.0", repository: "file://../runtimes"}
"""
CHILD = "apiVersion: v2\nname: runtimes\nversion: 0.3.0\nappVersion: v1.0.0\n"


def test_example_chart_passes_at_its_release(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("verify.chart", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        "OK       charts/demo-operator/Chart.yaml: appVersion v0.1.7 matches v0.1.7",
        "OK       charts/demo-operator/Chart.yaml: version 0.1.7 is SemVer",
        "OK       charts/demo-operator: no release before v0.1.7; nothing to compare",
    ]


def test_app_version_must_match_the_tag(example_repo: Repo, cli: Callable[..., CliResult]) -> None:
    result = cli("verify.chart", "--tag", "v0.1.8", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[0] == (
        "MISMATCH charts/demo-operator/Chart.yaml: appVersion v0.1.7 does not match the release (expected v0.1.8)"
    )
    assert result.lines[2] == "OK       charts/demo-operator: unchanged since v0.1.7"
    # Each fact once: the mismatch is on stdout; stderr counts.
    assert result.err == "releasekit: error: 1 of 3 chart checks fail\n"


def test_changed_chart_without_version_bump_names_the_files(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    chart = example_repo.path / "charts/demo-operator"
    (chart / "values.yaml").write_text(
        (chart / "values.yaml").read_text().replace("replicaCount: 1", "replicaCount: 2")
    )
    (chart / "Chart.yaml").write_text(
        (chart / "Chart.yaml").read_text().replace('"v0.1.7"', '"v0.1.8"')
    )
    example_repo.commit("feat: two replicas")
    result = cli("verify.chart", "--tag", "v0.1.8", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[2] == (
        "MISMATCH charts/demo-operator/Chart.yaml: version 0.1.7 did not go up since v0.1.7 (was 0.1.7) "
        "although these files changed: charts/demo-operator/Chart.yaml, charts/demo-operator/values.yaml; "
        "run releasekit release.bump-chart charts/demo-operator <new version>"
    )
    bumped = cli("release.bump-chart", "charts/demo-operator", "0.1.8", cwd=example_repo.path)
    assert bumped.code == 0, bumped.err
    again = cli("verify.chart", "--tag", "v0.1.8", "--json", cwd=example_repo.path)
    assert again.code == 0, again.out
    checks = json.loads(again.out)["results"]
    assert {c["tag"] for c in checks} == {"v0.1.8"}
    assert [c["rule"] for c in checks] == ["appVersion", "version", "bumped"]
    assert [c["status"] for c in checks] == ["ok", "ok", "ok"]
    assert checks[2]["message"] == "charts/demo-operator: version 0.1.7 -> 0.1.8 since v0.1.7"
    assert checks[2]["path"] == "charts/demo-operator/Chart.yaml"


def test_version_must_be_semver_and_app_version_spelling_is_configurable(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": 'helm:\n  charts:\n    - path: charts/krt\n      app_version: "{version}"\n',
            "charts/krt/Chart.yaml": "apiVersion: v2\nname: krt\nversion: v1.4\nappVersion: 1.4.0\n",
        }
    )
    result = cli("verify.chart", "--tag", "v1.4.0", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        "OK       charts/krt/Chart.yaml: appVersion 1.4.0 matches v1.4.0",
        "MISMATCH charts/krt/Chart.yaml: version 'v1.4' is not SemVer (MAJOR.MINOR.PATCH, no v)",
        "OK       charts/krt: no release before v1.4.0; nothing to compare",
    ]


def test_bump_chart_updates_local_dependants_surgically(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {
            "charts/runtimes/Chart.yaml": CHILD,
            "charts/platform/Chart.yaml": PARENT,
            "charts/edge/Chart.yaml": RANGE_PARENT,
        }
    )
    before = repo.snapshot()
    result = cli("release.bump-chart", "charts/runtimes", "0.4.0", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        "charts/runtimes/Chart.yaml: version 0.3.0 -> 0.4.0",
        "charts/platform/Chart.yaml: dependencies[0] runtimes: version 0.3.0 -> 0.4.0",
        "bumped runtimes 0.3.0 -> 0.4.0 in 2 files",
    ]
    assert (
        "charts/edge/Chart.yaml: dependencies[0] runtimes asks for '~0.3.0' (a range); left as is"
        in result.err
    )
    after = repo.snapshot()
    assert (
        after["charts/runtimes/Chart.yaml"]
        == CHILD.replace("version: 0.3.0", "version: 0.4.0").encode()
    )
    assert (
        after["charts/platform/Chart.yaml"]
        == PARENT.replace("    version: 0.3.0", "    version: 0.4.0").encode()
    )
    assert after["charts/edge/Chart.yaml"] == before["charts/edge/Chart.yaml"]


def test_bump_chart_dry_run_prints_diff_and_writes_nothing(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo({"charts/runtimes/Chart.yaml": CHILD, "charts/platform/Chart.yaml": PARENT})
    before = repo.snapshot()
    result = cli("release.bump-chart", "charts/runtimes", "0.4.0", "--dry-run", cwd=repo.path)
    assert result.code == 0
    assert repo.snapshot() == before
    assert "-  - name: runtimes   # the local sub-chart" not in result.out
    assert "-    version: 0.3.0\n+    version: 0.4.0" in result.out
    assert result.lines[-1] == "dry run: nothing was written"


def test_bump_chart_refuses_bad_versions_and_changes_nothing(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo({"charts/runtimes/Chart.yaml": CHILD, "charts/platform/Chart.yaml": PARENT})
    before = repo.snapshot()
    lower = cli("release.bump-chart", "charts/runtimes", "0.2.9", cwd=repo.path)
    assert lower.code == 1
    assert "charts/runtimes/Chart.yaml: version 0.2.9 does not go up from 0.3.0" in lower.err
    spelled = cli("release.bump-chart", "charts/runtimes", "v0.4.0", cwd=repo.path)
    assert spelled.code == 1
    assert "chart version 'v0.4.0' is not SemVer" in spelled.err
    missing = cli("release.bump-chart", "charts/nope", "1.0.0", cwd=repo.path)
    assert missing.code == 1  # bad input, not usage
    assert "charts/nope: no Chart.yaml here" in missing.err
    assert repo.snapshot() == before


def test_bump_chart_reports_a_broken_chart_yaml_with_its_line(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo({"charts/x/Chart.yaml": "apiVersion: v2\nname: x\nversion: [1.0.0\n"})
    before = repo.snapshot()
    result = cli("release.bump-chart", "charts/x", "1.0.1", cwd=repo.path)
    assert result.code == 1
    assert "charts/x/Chart.yaml:4: not valid YAML" in result.err
    assert repo.snapshot() == before


def test_bump_chart_regenerates_a_parent_chart_lock(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult], helm_sdk: object
) -> None:
    repo = make_repo(
        {
            "charts/runtimes/Chart.yaml": CHILD,
            "charts/runtimes/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rt}\n",
            "charts/platform/Chart.yaml": PARENT.split("  - name: redis")[0],
        }
    )
    import helm_python

    helm_python.dependency_update(repo.path / "charts/platform")
    assert "version: 0.3.0" in (repo.path / "charts/platform/Chart.lock").read_text()
    repo.commit("chore: lock")
    result = cli("release.bump-chart", "charts/runtimes", "0.4.0", cwd=repo.path)
    assert result.code == 0, result.err
    assert "regenerated charts/platform/Chart.lock" in result.lines
    lock = (repo.path / "charts/platform/Chart.lock").read_text()
    assert "  version: 0.4.0\n" in lock
    assert (repo.path / "charts/platform/charts/runtimes-0.4.0.tgz").is_file()


def test_bump_rule_in_a_shallow_clone_without_tags_fails_instead_of_passing(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """actions/checkout's default fetch-depth 1 brings no older tags: nothing to compare with."""
    values = example_repo.path / "charts/demo-operator/values.yaml"
    changed = values.read_text().replace("replicaCount: 1", "replicaCount: 2")
    example_repo.commit("fix: two replicas", {"charts/demo-operator/values.yaml": changed})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{example_repo.path}", str(clone)],
        check=True,
    )
    assert subprocess.run(["git", "-C", str(clone), "tag"], capture_output=True).stdout == b""
    result = cli("verify.chart", "--tag", "v0.1.8", cwd=clone)
    assert result.code == 3
    assert result.lines[2].startswith(
        "MISMATCH charts/demo-operator: this is a shallow clone without the release tags"
    )
    assert "fetch-depth: 0" in result.lines[2]
    assert result.err == "releasekit: error: 2 of 3 chart checks fail\n"
    full = cli("verify.chart", "--tag", "v0.1.8", cwd=example_repo.path)
    # the full history shows what the shallow clone hid
    assert full.lines[2].startswith(
        "MISMATCH charts/demo-operator/Chart.yaml: version 0.1.7 did not go up since v0.1.7"
    )
