"""release.hotfix and release.supersede on real repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo, tag_state

Cli = Callable[..., CliResult]

SUITE_CONFIG = (
    'tag_format: "suite-{version}[-{codename}][-{channel}]"\ntags:\n  versioning: calver\n'
)


@pytest.fixture
def suite(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo({"releasekit.yaml": SUITE_CONFIG})
    repo.git("tag", "-a", "suite-2026.04", "-m", "Release suite-2026.04")
    repo.commit("feat: after the release on main")
    return repo


def test_hotfix_plan_for_a_calver_suite_changes_nothing(cli: Cli, suite: Repo) -> None:
    tagged = suite.git("rev-parse", "suite-2026.04^{commit}").strip()[:12]
    result = cli("release.hotfix", "suite-2026.04", cwd=suite.path)
    assert result.code == 0, result.err
    assert result.lines == [
        f"hotfix 2026.04.1 from suite-2026.04 ({tagged})",
        f"would create branch hotfix/2026.04.1 at {tagged} (run with --execute)",
        "next:",
        "  1. git switch hotfix/2026.04.1; commit the fix and run the tests",
        "  2. releasekit release.tag 2026.04.1 --ref hotfix/2026.04.1 --push"
        "   # tags suite-2026.04.1",
        "  3. cherry-pick the fix onto main:",
        "       git switch main",
        "       git cherry-pick -x <commits>   # none on hotfix/2026.04.1 yet; "
        "rerun release.hotfix suite-2026.04 to list them",
    ]
    assert suite.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_execute_creates_the_branch_and_later_lists_the_commits(
    cli: Cli, suite: Repo
) -> None:
    tagged = suite.git("rev-parse", "suite-2026.04^{commit}").strip()
    before = suite.snapshot()
    result = cli("release.hotfix", "suite-2026.04", "--execute", cwd=suite.path)
    assert result.code == 0, result.err
    assert f"created branch hotfix/2026.04.1 at {tagged[:12]}" in result.lines
    assert suite.git("rev-parse", "hotfix/2026.04.1").strip() == tagged
    assert suite.git("branch", "--show-current").strip() == "main"  # work tree untouched
    assert suite.snapshot() == before
    suite.git("switch", "-q", "hotfix/2026.04.1")
    fix = suite.commit("fix: patch CVE")
    suite.git("switch", "-q", "main")
    again = cli("release.hotfix", "suite-2026.04", cwd=suite.path)
    assert "branch hotfix/2026.04.1 exists (1 commits since suite-2026.04)" in again.lines
    assert f"       git cherry-pick -x {fix[:12]}" in again.lines
    assert f"         # {fix[:12]} fix: patch CVE" in again.lines
    twice = cli("release.hotfix", "suite-2026.04", "--execute", cwd=suite.path)
    assert twice.code == 1
    assert "branch hotfix/2026.04.1 already exists" in twice.err


def test_hotfix_execute_under_global_dry_creates_no_branch(cli: Cli, suite: Repo) -> None:
    result = cli("--dry", "release.hotfix", "suite-2026.04", "--execute", cwd=suite.path)
    assert result.code == 0, result.err
    assert "would create branch hotfix/2026.04.1" in result.lines[1]
    assert suite.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_branch_already_on_the_remote_is_not_cut_again(
    cli: Cli, suite: Repo, bare_remote: Callable[[Repo, str], Path]
) -> None:
    bare_remote(suite, "origin")
    suite.git("switch", "-q", "-c", "hotfix/2026.04.1", "suite-2026.04")
    fix = suite.commit("fix: a colleague's fix")
    suite.git("push", "-q", "origin", "hotfix/2026.04.1")
    suite.git("switch", "-q", "main")
    suite.git("branch", "-q", "-D", "hotfix/2026.04.1")  # only origin/hotfix/2026.04.1 is left
    result = cli("release.hotfix", "suite-2026.04", "--execute", cwd=suite.path)
    assert result.code == 1
    assert "branch hotfix/2026.04.1 already exists; switch to it" in result.err
    assert suite.git("branch", "--list", "hotfix/*") == ""
    plan = cli("release.hotfix", "suite-2026.04", cwd=suite.path)
    assert "branch hotfix/2026.04.1 exists (1 commits since suite-2026.04)" in plan.lines
    assert f"       git cherry-pick -x {fix[:12]}" in plan.lines


def test_hotfix_for_semver_with_module_parts(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"releasekit.yaml": 'tag_format: "module-{module}-v{version}"\n'})
    repo.git("tag", "module-authority-v1.2.3")
    result = cli("release.hotfix", "module-authority-v1.2.3", cwd=repo.path)
    assert result.code == 0, result.err
    assert (
        "  2. releasekit release.tag 1.2.4 --module authority --ref hotfix/1.2.4 --push"
        in result.out
    )


def test_hotfix_of_an_lts_suite_tells_release_tag_the_channel(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": SUITE_CONFIG})
    repo.git("tag", "-a", "suite-2026.04-nova-lts", "-m", "Release suite-2026.04-nova-lts")
    result = cli("release.hotfix", "suite-2026.04-nova-lts", "--execute", cwd=repo.path)
    assert result.code == 0, result.err
    step = (
        "  2. releasekit release.tag 2026.04.1 --codename nova --channel lts"
        " --ref hotfix/2026.04.1 --push   # tags suite-2026.04.1-nova-lts"
    )
    assert step in result.lines
    # the printed command (without --push) makes exactly the tag the plan names
    tagged = cli(
        "release.tag",
        "2026.04.1",
        "--codename",
        "nova",
        "--channel",
        "lts",
        "--ref",
        "hotfix/2026.04.1",
        cwd=repo.path,
    )
    assert tagged.code == 0, tagged.err
    assert repo.git("tag", "--list", "suite-2026.04.1*").split() == ["suite-2026.04.1-nova-lts"]


def test_hotfix_refusals(cli: Cli, suite: Repo) -> None:
    suite.git("tag", "suite-2026.04.1")
    released = cli("release.hotfix", "suite-2026.04", "--execute", cwd=suite.path)
    assert released.code == 1
    assert "suite-2026.04.1 already exists" in released.err
    assert "releasekit release.hotfix suite-2026.04.1" in released.err
    missing = cli("release.hotfix", "suite-2025.10", "--execute", cwd=suite.path)
    assert missing.code == 1
    assert "there is no tag suite-2025.10" in missing.err
    foreign = cli("release.hotfix", "v1.0.0", cwd=suite.path)
    assert foreign.code == 1
    assert "does not follow tag_format" in foreign.err
    assert suite.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_refuses_a_next_patch_that_only_the_remote_has(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    # issue 10: hotfix/0.1.8 was cut although v0.1.8 was already published on origin.
    repo = make_repo()
    bare_remote(repo, "origin")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.commit("fix: released by a colleague")
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    repo.git("push", "-q", "origin", "v0.1.7", "v0.1.8")
    repo.git("tag", "-d", "v0.1.8")  # this clone never fetched it
    result = cli("release.hotfix", "v0.1.7", "--execute", cwd=repo.path)
    assert result.code == 1, result.out
    assert result.err == (
        "releasekit: error: v0.1.8 already exists on origin, so the hotfix of v0.1.7 was "
        "released; the next free patch is v0.1.9: git fetch --tags origin, then releasekit "
        "release.hotfix v0.1.8\n"
    )
    assert repo.git("branch", "--list", "hotfix/*") == ""


def test_hotfix_refuses_a_prerelease(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    repo.git("tag", "v0.8.0-alpha.1")
    result = cli("release.hotfix", "v0.8.0-alpha.1", "--execute", cwd=repo.path)
    assert result.code == 1
    assert "is a pre-release; hotfixes start from a release tag" in result.err


# --- supersede ------------------------------------------------------------------------------


@pytest.fixture
def released(make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]) -> Repo:
    repo = make_repo()
    bare_remote(repo, "origin")
    repo.git("tag", "-a", "v0.3.1", "-m", "Release v0.3.1")
    repo.commit("fix: the bad artifact")
    repo.git("tag", "-a", "v0.3.2", "-m", "Release v0.3.2")
    return repo


def test_supersede_writes_the_note(cli: Cli, released: Repo) -> None:
    result = cli("release.supersede", "v0.3.1", "v0.3.2", cwd=released.path)
    assert result.code == 0, result.err
    assert result.lines == ["wrote release-notes/v0.3.1.superseded.md: v0.3.1 superseded by v0.3.2"]
    note = (released.path / "release-notes" / "v0.3.1.superseded.md").read_text()
    assert note == (
        "> [!WARNING]\n"
        "> **Superseded by v0.3.2.** Do not use v0.3.1: upgrade to v0.3.2.\n"
        "> Published tags are immutable, so v0.3.1 was not changed or re-tagged;\n"
        "> v0.3.2 is the release that replaces it.\n"
    )
    again = cli("release.supersede", "v0.3.1", "v0.3.2", cwd=released.path)
    assert again.lines == [
        "unchanged release-notes/v0.3.1.superseded.md: v0.3.1 superseded by v0.3.2"
    ]


def test_supersede_dry_run_writes_nothing(cli: Cli, released: Repo) -> None:
    before = released.snapshot()
    result = cli("release.supersede", "v0.3.1", "v0.3.2", "--dry-run", cwd=released.path)
    assert result.code == 0, result.err
    assert "+++ b/release-notes/v0.3.1.superseded.md" in result.out
    assert released.snapshot() == before


def test_supersede_refuses_a_replacement_that_does_not_exist(cli: Cli, released: Repo) -> None:
    before = released.snapshot(), tag_state(released)
    result = cli("release.supersede", "v0.3.1", "v0.3.3", cwd=released.path)
    assert result.code == 1
    assert "the replacement release tag v0.3.3 does not exist (locally or on origin)" in result.err
    assert "releasekit release.tag 0.3.3 --push" in result.err
    older = cli("release.supersede", "v0.3.2", "v0.3.1", cwd=released.path)
    assert older.code == 1
    assert "v0.3.1 does not come after v0.3.2" in older.err
    assert (released.snapshot(), tag_state(released)) == before


def test_supersede_finds_a_replacement_that_only_the_remote_has(cli: Cli, released: Repo) -> None:
    released.git("push", "-q", "origin", "v0.3.2")
    released.git("tag", "-d", "v0.3.2")
    result = cli("release.supersede", "v0.3.1", "v0.3.2", cwd=released.path)
    assert result.code == 0, result.err


def test_supersede_with_an_unreachable_remote_does_not_claim_it_lacks_the_tag(
    cli: Cli, released: Repo, tmp_path: Path
) -> None:
    released.git("push", "-q", "origin", "v0.3.2")
    released.git("tag", "-d", "v0.3.2")
    released.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    before = released.snapshot()
    result = cli("release.supersede", "v0.3.1", "v0.3.2", cwd=released.path)
    assert result.code == 1
    assert (
        "the replacement release tag v0.3.2 does not exist (locally; origin could not be asked ("
        in result.err
    )
    assert "— fetch the tags first)" in result.err
    assert "(locally or on origin)" not in result.err
    assert released.snapshot() == before


def test_supersede_publish_without_a_forge_section_keeps_the_note_and_says_so(
    cli: Cli, released: Repo
) -> None:
    """--publish goes through release.publish's forge client (tests/integration/test_forge_pulls.py)."""
    result = cli("release.supersede", "v0.3.1", "v0.3.2", "--publish", cwd=released.path)
    assert result.code == 1
    assert "no forge section; add one (kind, owner, repo" in result.err
    assert (released.path / "release-notes" / "v0.3.1.superseded.md").is_file()
