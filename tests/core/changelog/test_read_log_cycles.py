"""A history that loops back into itself (git accepts ``git replace --graft <root> HEAD``, and
grafts can do the same) has no topological order: git's ``--topo-order`` walk prints nothing,
and the plain log would print the chain. ``read_log`` names the loop instead, with or without
a merge on it, and ``changelog --all`` exits 1 with that message, no traceback, nothing on
stdout (found by the review of the streamed read, h-review 63c4351)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from releasekit.core.changelog.commits import read_log
from releasekit.core.common.errors import GitError


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=A", "-c", "user.email=a@x.invalid", *args],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def _looped(root: Path, *, merge: bool) -> None:
    _git(root, "init", "-q", "-b", "main")
    for n in range(3):
        _git(root, "commit", "-q", "--allow-empty", "-m", f"feat: change {n}")
    if merge:
        _git(root, "switch", "-q", "-c", "side", "HEAD~1")
        _git(root, "commit", "-q", "--allow-empty", "-m", "fix: side")
        _git(root, "switch", "-q", "main")
        _git(root, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
        _git(root, "commit", "-q", "--allow-empty", "-m", "feat: top")
    root_commit = _git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    _git(root, "replace", "--graft", root_commit, "HEAD")  # the root's parent: HEAD


@pytest.mark.parametrize("merge", [False, True])
def test_a_history_that_loops_is_named_not_read(tmp_path: Path, merge: bool) -> None:
    _looped(tmp_path, merge=merge)
    assert _git(tmp_path, "log", "--topo-order", "--format=%H", "HEAD", "--") == ""  # git: none
    with pytest.raises(GitError, match=r"loops back into itself .*git replace --list"):
        list(read_log(tmp_path, "HEAD"))


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_changelog_all_on_a_loop_exits_1_with_the_message(tmp_path: Path, cache: list[str]) -> None:
    import sys

    _looped(tmp_path, merge=False)
    out = subprocess.run([sys.executable, "-m", "releasekit.cli", "changelog", "--all", *cache],
                         cwd=tmp_path, capture_output=True, text=True, check=False)  # fmt: skip
    assert out.returncode == 1, out.stderr
    assert "loops back into itself" in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_a_shallow_clone_s_boundary_is_no_loop(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _git(source, "init", "-q", "-b", "main")
    for n in range(4):
        _git(source, "commit", "-q", "--allow-empty", "-m", f"feat: change {n}")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{source}", str(clone)],
                   check=True, capture_output=True)  # fmt: skip
    assert len(list(read_log(clone, "HEAD"))) == 2
