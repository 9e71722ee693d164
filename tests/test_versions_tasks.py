"""versions.py: release.bump, release.prepare and verify.versions through the real `releasekit`
Program on real git repos: exact lines, exit codes, JSON, CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, CliResult, Repo


def test_bump_dry_run_prints_diffs_and_changes_nothing(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result: CliResult = cli(
        "release.bump", "0.1.8", "--dry-run", "--date", "2026-11-21", cwd=example_repo.path
    )
    assert result.code == 0, result.err
    assert example_repo.snapshot() == before
    assert (
        "--- a/charts/demo-operator/Chart.yaml\n+++ b/charts/demo-operator/Chart.yaml\n"
        in result.out
    )
    assert (
        '-version: 0.1.7\n-appVersion: "v0.1.7"\n+version: 0.1.8\n+appVersion: "v0.1.8"\n'
        in result.out
    )
    assert result.lines[-12:] == [
        "Makefile:3 VERSION: 0.1.7 -> 0.1.8",
        "agents/Makefile:5 VERSION: 0.1.7 -> 0.1.8",
        "charts/demo-operator/Chart.yaml:8 version: 0.1.7 -> 0.1.8",
        "charts/demo-operator/Chart.yaml:9 appVersion: v0.1.7 -> v0.1.8",
        "CLAUDE.md:5 **Version**: v0.1.7 -> v0.1.8",
        "CITATION.cff:7 version: 0.1.7 -> 0.1.8",
        "docs/install.md:11 DEMO_VERSION: 0.1.7 -> 0.1.8",
        "docs/install.md:7 --version: 0.1.7 -> 0.1.8",
        "CLAUDE.md:6 **Last Updated**: 2026-01-02 -> 2026-11-21",
        "CITATION.cff:8 date-released: 2026-01-02 -> 2026-11-21",
        "would bump 0.1.7 -> 0.1.8 in 6 files",
        "dry run: nothing was written",
    ]


def test_invoke_global_dry_flag_is_honoured(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli("--dry", "release.bump", "patch", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[-1] == "dry run: nothing was written"
    assert example_repo.snapshot() == before


def test_bump_writes_only_version_tokens_and_verify_then_passes(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli("release.bump", "minor", "--date", "2026-11-21", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[-1] == "bumped 0.1.7 -> 0.2.0 in 6 files"
    after = example_repo.snapshot()
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == [
        "CITATION.cff",
        "CLAUDE.md",
        "Makefile",
        "agents/Makefile",
        "charts/demo-operator/Chart.yaml",
        "docs/install.md",
    ]
    assert after["CLAUDE.md"] == before["CLAUDE.md"].replace(b"v0.1.7", b"v0.2.0").replace(
        b"2026-01-02", b"2026-11-21"
    )
    assert (example_repo.path / "AGENTS.md").is_symlink()
    diff = example_repo.git("diff", "--numstat")
    assert all(
        line.split("\t")[:2] in (["1", "1"], ["2", "2"], ["3", "3"]) for line in diff.splitlines()
    )
    check = cli("verify.versions", "--tag", "v0.2.0", cwd=example_repo.path)
    assert check.code == 0, check.err
    assert all(line.endswith(" OK") for line in check.lines)


def test_bump_to_present_version_is_a_noop(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli("release.bump", "v0.1.7", cwd=example_repo.path)
    assert (result.code, result.lines) == (
        0,
        ["every version file already says 0.1.7; nothing to change"],
    )
    assert example_repo.snapshot() == before


def test_bump_json_lists_changes(example_repo: Repo, cli) -> None:
    result = cli(
        "release.bump",
        "0.1.8",
        "--json",
        "--dry-run",
        "--date",
        "2026-11-21",
        cwd=example_repo.path,
    )
    data = json.loads(result.out)
    # The output contract's envelope (README: Output); before it: current/version/changes.
    assert (data["task"], data["ok"], data["exit_code"], data["dry_run"]) == (
        "release.bump",
        True,
        0,
        True,
    )
    assert data["outputs"] == {"version": "0.1.8", "tag": "v0.1.8", "current": "0.1.7", "files": 6}
    diff = data["results"][3].pop("diff")  # the file's unified diff, as the text view shows it
    assert diff.startswith("--- a/charts/demo-operator/Chart.yaml\n+++ b/charts/demo-operator/")
    assert {'-appVersion: "v0.1.7"', '+appVersion: "v0.1.8"'} <= set(diff.splitlines())
    assert data["results"][3] == {
        "status": "would-change",
        "path": "charts/demo-operator/Chart.yaml",
        "line": 9,
        "message": "charts/demo-operator/Chart.yaml:9 appVersion: v0.1.7 -> v0.1.8",
        "target": "appVersion",
        "old": "v0.1.7",
        "new": "v0.1.8",
        "out_of_step": False,
    }


def test_bad_version_is_exit_1_and_changes_nothing(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli("release.bump", "0.1", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: '0.1' is neither a version nor one of major, minor, patch, prerelease; "
        "use e.g. 0.1.8, v0.1.8 or minor\n"
    )
    assert example_repo.snapshot() == before


def test_broken_chart_is_exit_1_with_file_and_line_and_changes_nothing(
    example_repo: Repo, cli
) -> None:
    chart = example_repo.path / "charts/demo-operator/Chart.yaml"
    chart.write_text(chart.read_text().replace("kubeVersion:", "kubeVersion: [unclosed\nx:"))
    before = example_repo.snapshot()
    result = cli("release.bump", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: charts/demo-operator/Chart.yaml:11: not valid YAML"
    )
    assert example_repo.snapshot() == before


def test_unknown_config_key_names_file_and_line(example_repo: Repo, cli) -> None:
    config = example_repo.path / "releasekit.yaml"
    config.write_text(config.read_text().replace("main_branch: main", "main_brnach: main"))
    result = cli("release.bump", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: releasekit.yaml:3: unknown key 'main_brnach'; known keys here: "
    )


def test_missing_argument_is_a_usage_error_exit_2(example_repo: Repo, cli) -> None:
    result = cli("release.bump", cwd=example_repo.path)
    assert result.code == 2
    assert result.err == "'release.bump' did not receive required positional arguments: 'version'\n"


def test_task_help_after_the_task_name_shows_help(example_repo: Repo) -> None:
    # A subprocess: invoke consumes a task's help texts the first time a process parses it.
    result = subprocess.run(
        [sys.executable, "-m", "releasekit.cli", "release.bump", "--help"],
        cwd=example_repo.path,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "Usage: releasekit [--core-opts] release.bump [--options] [other tasks here ...]"
    )
    # -n, not invoke's automatic -d (the first free letter of "dry-run"): short flags are few.
    assert "  -n, --dry-run       show the unified diffs and write nothing" in lines


# --- release.prepare ---------------------------------------------------------------------------


def _state(repo: Repo) -> tuple[str, str, str, dict[str, bytes]]:
    return (
        repo.git("rev-parse", "HEAD"),
        repo.git("branch", "--list"),
        repo.git("tag", "--list"),
        repo.snapshot(),
    )


def test_prepare_creates_branch_and_signed_off_commit(example_repo: Repo, bare_remote, cli) -> None:
    bare_remote(example_repo)
    result = cli("release.prepare", "0.1.8", "--date", "2026-11-21", cwd=example_repo.path)
    assert result.code == 0, result.err
    sha = example_repo.git("rev-parse", "HEAD").strip()
    assert result.lines == [
        "created branch release/v0.1.8",
        "updated Makefile",
        "updated agents/Makefile",
        "updated charts/demo-operator/Chart.yaml",
        "updated CLAUDE.md",
        "updated CITATION.cff",
        "updated docs/install.md",
        "updated CHANGELOG.md",
        f"committed {sha[:12]} chore: prepare v0.1.8 release",
        "next: git push origin release/v0.1.8 and open a pull request to main",
    ]
    assert example_repo.git("symbolic-ref", "--short", "HEAD").strip() == "release/v0.1.8"
    assert example_repo.git("log", "-1", "--format=%B") == (
        "chore: prepare v0.1.8 release\n\n"
        "- Update Makefile\n- Update agents/Makefile\n- Update charts/demo-operator/Chart.yaml\n"
        "- Update CLAUDE.md\n- Update CITATION.cff\n- Update docs/install.md\n- Update CHANGELOG.md\n\n"
        "Signed-off-by: Release Bot <bot@example.invalid>\n\n"
    )
    assert example_repo.git("status", "--porcelain") == ""
    assert cli("verify.versions", "--tag", "v0.1.8", cwd=example_repo.path).code == 0


def test_prepare_dry_run_changes_nothing(example_repo: Repo, cli) -> None:
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", "--dry-run", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[0] == "would create branch release/v0.1.8 from main"
    assert result.lines[-2:] == [
        "would commit -s: chore: prepare v0.1.8 release",
        "dry run: nothing was changed",
    ]
    assert (
        result.err
        == "releasekit: note: did not check origin for tag v0.1.8 (offline or no such remote)\n"
    )
    assert _state(example_repo) == before


def test_prepare_refuses_a_dirty_tree(example_repo: Repo, cli) -> None:
    (example_repo.path / "scratch.txt").write_text("wip\n")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: the work tree is not clean (scratch.txt); commit or stash first\n",
    )
    assert _state(example_repo) == before


def test_prepare_refuses_another_branch(example_repo: Repo, cli) -> None:
    example_repo.git("switch", "-q", "-c", "feature")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: release.prepare starts from main, but HEAD is on feature; run: git switch main && git pull\n"
    )
    assert _state(example_repo) == before


def test_prepare_refuses_an_existing_branch(example_repo: Repo, cli) -> None:
    example_repo.git("branch", "release/v0.1.8")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: branch release/v0.1.8 already exists; delete it or finish that release first\n",
    )
    assert _state(example_repo) == before


def test_prepare_refuses_a_branch_that_exists_only_on_the_remote(
    example_repo: Repo, bare_remote, cli
) -> None:
    bare_remote(example_repo)
    example_repo.git("push", "-q", "origin", "main:release/v0.1.8")
    example_repo.git("fetch", "-q", "origin")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: branch release/v0.1.8 already exists on the remote "
        "(origin/release/v0.1.8); finish that release (git switch release/v0.1.8) or release "
        "another version\n",
    )
    assert _state(example_repo) == before


def test_prepare_refuses_a_local_tag(example_repo: Repo, cli) -> None:
    example_repo.git("tag", "v0.1.8")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert (
        "tag v0.1.8 already exists in this repository; published tags are immutable" in result.err
    )
    assert _state(example_repo) == before


def test_prepare_refuses_a_tag_that_exists_only_on_the_remote(
    example_repo: Repo, bare_remote, cli
) -> None:
    bare_remote(example_repo)
    example_repo.git("tag", "v0.1.8")
    example_repo.git("push", "-q", "origin", "v0.1.8")
    example_repo.git("tag", "-d", "v0.1.8")
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: tag v0.1.8 already exists on origin; published tags are immutable — "
        "release the next patch instead of reusing v0.1.8\n"
    )
    assert _state(example_repo) == before


def test_prepare_with_unreachable_remote_says_how_to_go_offline(
    example_repo: Repo, cli, tmp_path: Path
) -> None:
    example_repo.git("remote", "add", "origin", str(tmp_path / "does-not-exist.git"))
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert (
        "cannot ask origin whether tag v0.1.8 exists" in result.err
        and "pass --offline" in result.err
    )
    assert _state(example_repo) == before
    offline = cli("release.prepare", "0.1.8", "--offline", cwd=example_repo.path)
    assert offline.code == 0, offline.err


def test_prepare_rolls_back_when_the_commit_fails(example_repo: Repo, cli) -> None:
    hook = example_repo.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'hook says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = _state(example_repo)
    result = cli("release.prepare", "0.1.8", cwd=example_repo.path)
    assert result.code == 1
    assert "hook says no" in result.err
    assert _state(example_repo) == before
    assert example_repo.git("symbolic-ref", "--short", "HEAD").strip() == "main"


# --- verify.versions ----------------------------------------------------------------------

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
    # Each fact once: the MISMATCH line is on stdout, stderr holds only the verdict.
    assert result.err == "releasekit: error: 1 of 8 version files do not match tag (v0.1.8)\n"


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
    assert data["outputs"] == {"tag": "v0.1.8", "version": "0.1.8"}
    assert (data["ok"], data["exit_code"]) == (False, 3)
    assert data["errors"] == ["1 of 8 version files do not match tag (v0.1.8)"]
    assert data["results"][3] == {
        "status": "mismatch",
        "path": "charts/demo-operator/Chart.yaml",
        "line": 9,
        "message": "charts/demo-operator/Chart.yaml:9 appVersion (v0.1.7) does not match tag (v0.1.8)",
        "target": "appVersion",
        "found": "v0.1.7",
        "expected": "v0.1.8",
    }


def test_github_actions_annotations_and_summary(example_repo: Repo, cli, env_ci) -> None:
    _leave_chart_behind(example_repo)
    result = cli("verify.versions", "--tag", "v0.1.8", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[-1] == (
        "::error file=charts/demo-operator/Chart.yaml,line=9::"
        "charts/demo-operator/Chart.yaml:9 appVersion (v0.1.7) does not match tag (v0.1.8)"
    )
    # One table per task (the renderer's), not a bare heading.
    summary = env_ci["summary"].read_text().splitlines()
    assert summary[:6] == [
        "### ❌ verify.versions: 1 of 8 version files do not match tag (v0.1.8)",
        "",
        "7 ok, 1 mismatch",
        "",
        "| status | where | detail |",
        "|---|---|---|",
    ]
    assert summary[9] == (
        "| mismatch | `charts/demo-operator/Chart.yaml:9` | charts/demo-operator/Chart.yaml:9 "
        "appVersion (v0.1.7) does not match tag (v0.1.8) |"
    )
    assert env_ci["output"].read_text() == "ok=false\ntag=v0.1.8\nversion=0.1.8\n"


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


def test_missing_version_file_is_exit_3_with_the_other_files_checked(
    example_repo: Repo, cli
) -> None:
    # A verification that finds a target missing is a mismatch (exit 3), and every other
    # target is still checked; before the output contract this stopped with exit 1.
    (example_repo.path / "agents/Makefile").unlink()
    (example_repo.path / "Makefile").write_text("no version here\n")
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[-2:] == [
        "MISSING  Makefile: pattern 'VERSION ?= {version}' not found (target at "
        "releasekit.yaml:5); restore the line or fix the pattern",
        "MISSING  agents/Makefile: file not found (target at releasekit.yaml:7); "
        "fix the path or remove the target",
    ]
    assert len(result.lines) == 8
    assert result.err == "releasekit: error: 2 of 8 version files do not match tag (v0.1.7)\n"


def test_no_config_is_exit_1_with_the_template_hint(make_repo, cli) -> None:
    repo = make_repo()
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: no version_files are configured; add them to releasekit.yaml "
        "(every key: releasekit --print-template releasekit.yaml)\n"
    )
