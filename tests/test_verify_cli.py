"""verify.versions through the real `releasekit` Program: exact lines, exit codes, JSON, CI."""

from __future__ import annotations

import json

from conftest import Repo

OK_LINES = [
    "Makefile:3 VERSION: 0.1.7 (expected 0.1.7) OK",
    "agents/Makefile:5 VERSION: 0.1.7 (expected 0.1.7) OK",
    "charts/demo-operator/Chart.yaml:8 version: 0.1.7 (expected 0.1.7) OK",
    "charts/demo-operator/Chart.yaml:9 appVersion: v0.1.7 (expected v0.1.7) OK",
    "CLAUDE.md:5 **Version**: v0.1.7 (expected v0.1.7) OK",
    "CITATION.cff:7 version: 0.1.7 (expected 0.1.7) OK",
    "docs/install.md:11 DEMO_VERSION: 0.1.7 (expected 0.1.7) OK",
    "docs/install.md:7 --version: 0.1.7 (expected 0.1.7) OK",
]


def test_all_match_exit_0(example_repo: Repo, cli) -> None:
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    assert (result.code, result.lines, result.err) == (0, OK_LINES, "")


def test_version_instead_of_tag(example_repo: Repo, cli) -> None:
    result = cli("verify.versions", "--version", "0.1.7", cwd=example_repo.path)
    assert (result.code, result.lines) == (0, OK_LINES)


def _leave_chart_behind(repo: Repo) -> None:
    """The seed-000 failure: everything bumped but Chart.yaml appVersion."""
    chart = repo.path / "charts/demo-operator/Chart.yaml"
    keep = chart.read_bytes()
    for path in (
        "Makefile",
        "agents/Makefile",
        "CLAUDE.md",
        "CITATION.cff",
        "docs/install.md",
        "charts/demo-operator/Chart.yaml",
    ):
        target = repo.path / path
        target.write_bytes(target.read_bytes().replace(b"0.1.7", b"0.1.8"))
    chart.write_bytes(keep.replace(b"version: 0.1.7", b"version: 0.1.8"))


def test_mismatch_is_exit_3_with_file_line_messages(example_repo: Repo, cli) -> None:
    _leave_chart_behind(example_repo)
    result = cli("verify.versions", "--tag", "v0.1.8", cwd=example_repo.path)
    assert result.code == 3
    assert (
        result.lines[3]
        == "charts/demo-operator/Chart.yaml:9 appVersion: v0.1.7 (expected v0.1.8) MISMATCH"
    )
    assert sum(line.endswith(" OK") for line in result.lines) == 7
    assert result.err == (
        "charts/demo-operator/Chart.yaml:9 appVersion (v0.1.7) does not match tag (v0.1.8)\n"
        "releasekit: error: 1 of 8 version files do not match tag (v0.1.8)\n"
    )


def test_format_enforces_the_spelling(example_repo: Repo, cli) -> None:
    chart = example_repo.path / "charts/demo-operator/Chart.yaml"
    chart.write_bytes(chart.read_bytes().replace(b'appVersion: "v0.1.7"', b'appVersion: "0.1.7"'))
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    assert result.code == 3
    assert (
        "charts/demo-operator/Chart.yaml:9 appVersion: 0.1.7 (expected v0.1.7) MISMATCH"
        in result.lines
    )


def test_json_output(example_repo: Repo, cli) -> None:
    _leave_chart_behind(example_repo)
    result = cli("verify.versions", "--tag", "v0.1.8", "--json", cwd=example_repo.path)
    assert result.code == 3
    data = json.loads(result.out)
    assert (data["tag"], data["version"], data["ok"]) == ("v0.1.8", "0.1.8", False)
    assert data["checks"][3] == {
        "path": "charts/demo-operator/Chart.yaml",
        "line": 9,
        "target": "appVersion",
        "found": "v0.1.7",
        "expected": "v0.1.8",
        "ok": False,
    }


def test_github_actions_annotations_and_summary(example_repo: Repo, cli, env_ci) -> None:
    _leave_chart_behind(example_repo)
    result = cli("verify.versions", "--tag", "v0.1.8", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[-1] == (
        "::error file=charts/demo-operator/Chart.yaml,line=9::"
        "charts/demo-operator/Chart.yaml:9 appVersion (v0.1.7) does not match tag (v0.1.8)"
    )
    assert env_ci["summary"].read_text() == "### verify.versions: 7/8 match tag (v0.1.8)\n"


def test_tag_not_following_tag_format_is_exit_1(example_repo: Repo, cli) -> None:
    result = cli("verify.versions", "--tag", "0.1.7", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: tag '0.1.7' does not follow tag_format 'v{version}' (e.g. v0.1.0); "
        "pass the release tag or fix tag_format in releasekit.yaml\n"
    )


def test_neither_or_both_of_tag_and_version_is_usage_exit_2(example_repo: Repo, cli) -> None:
    for argv in (
        ("verify.versions",),
        ("verify.versions", "--tag", "v0.1.7", "--version", "0.1.7"),
    ):
        result = cli(*argv, cwd=example_repo.path)
        assert (result.code, result.err) == (
            2,
            "releasekit: error: give exactly one of --tag v0.1.8 or --version 0.1.8\n",
        )


def test_missing_version_file_is_exit_1(example_repo: Repo, cli) -> None:
    (example_repo.path / "agents/Makefile").unlink()
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: agents/Makefile: file not found (target at releasekit.yaml:7); "
        "fix the path or remove the target\n"
    )


def test_no_config_is_exit_1_with_the_template_hint(make_repo, cli) -> None:
    repo = make_repo()
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: no version_files are configured; add them to releasekit.yaml "
        "(every key: releasekit --print-template releasekit.yaml)\n"
    )
