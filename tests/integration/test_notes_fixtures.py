"""release.notes end to end: fixture scripts build real histories, the output is exact bytes.

Each case in tests/fixtures/notes/ holds commit.sh (pinned messages and dates),
releasekit.yaml and ``<tag>.<outline>.md``: the exact stdout of
``releasekit release.notes --tag <tag> --template <outline> --offline``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, git

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "notes"
GOLDEN = sorted(
    (case.name, out.name)
    for case in FIXTURES.iterdir()
    if (case / "commit.sh").is_file()
    for out in case.glob("*.md")
)


def build_fixture(case: str, where: Path) -> Path:
    repo = where / case
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(FIXTURES / case / "releasekit.yaml", repo / "releasekit.yaml")
    subprocess.run(["bash", str(FIXTURES / case / "commit.sh")], cwd=repo, check=True)
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each case's repository, built once for every golden file of the case."""
    import os

    from conftest import GIT_ENV

    base = tmp_path_factory.mktemp("notes-fixtures")
    home = base / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n")
    saved = {k: os.environ.get(k) for k in (*GIT_ENV, "HOME", "GIT_CONFIG_GLOBAL")}
    os.environ.update({**GIT_ENV, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig")})
    try:
        return {case: build_fixture(case, base) for case in {c for c, _ in GOLDEN}}
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.mark.integration
@pytest.mark.parametrize(("case", "name"), GOLDEN)
def test_notes_are_exact(case: str, name: str, built: dict[str, Path], cli) -> None:
    tag, outline, _ = name.rsplit(".", 2)
    result = cli("release.notes", "--tag", tag, "--template", outline, "--offline", cwd=built[case])
    assert result.code == 0, result.err
    assert result.out == (FIXTURES / case / name).read_text(encoding="utf-8"), f"{case}/{name}"


def test_every_case_has_golden_output() -> None:
    cases = {p.name for p in FIXTURES.iterdir() if (p / "commit.sh").is_file()}
    assert cases == {c for c, _ in GOLDEN} == {"operator", "changelog"}
