"""git-cliff-style end-to-end fixtures: a script builds a real history, the output is exact.

Each case in tests/fixtures/changelog/ holds commit.sh (pinned messages and dates),
releasekit.yaml and the exact Markdown of `releasekit changelog --all` (all.md) and of
`releasekit changelog` (unreleased.md).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, git

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "changelog"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "commit.sh").is_file())
OUTPUTS = {"all.md": ("changelog", "--all"), "unreleased.md": ("changelog",)}


def build_fixture(case: str, where: Path) -> Path:
    """A real repository built by the case's commit.sh, with its releasekit.yaml."""
    repo = where / case
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(FIXTURES / case / "releasekit.yaml", repo / "releasekit.yaml")
    subprocess.run(["bash", str(FIXTURES / case / "commit.sh")], cwd=repo, check=True)
    return repo


@pytest.mark.integration
@pytest.mark.parametrize("case", CASES)
def test_fixture_output_is_exact(case: str, tmp_path: Path, cli) -> None:
    repo = build_fixture(case, tmp_path)
    checked = 0
    for name, argv in OUTPUTS.items():
        expected = FIXTURES / case / name
        if not expected.is_file():
            continue
        result = cli(*argv, cwd=repo)
        assert (result.code, result.err) == (0, "")
        assert result.out == expected.read_text(encoding="utf-8"), f"{case}/{name}"
        checked += 1
    assert checked, f"{case} has no expected output"


# A project's own template need not write Keep a Changelog, so only the shipped one is linted.
KEEP_A_CHANGELOG_CASES = [
    c for c in CASES if "template:" not in (FIXTURES / c / "releasekit.yaml").read_text()
]


@pytest.mark.integration
@pytest.mark.parametrize("case", KEEP_A_CHANGELOG_CASES)
def test_fixture_generated_file_passes_the_lint(case: str, tmp_path: Path, cli) -> None:
    repo = build_fixture(case, tmp_path)
    written = cli("changelog", "--all", "--output", "CHANGELOG.md", cwd=repo)
    assert (written.code, written.out) == (0, "created CHANGELOG.md\n")
    result = cli("changelog.check", "--date", "2026-12-31", cwd=repo)
    assert result.code == 0, result.err
