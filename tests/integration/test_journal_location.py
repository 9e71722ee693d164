"""Where an edit's journal goes (issue 16): git_dir_of reads the work tree's own ``.git`` entry
before it asks ``git rev-parse --absolute-git-dir``. Against the real git, for every layout a
release runs in: a plain repository, a linked worktree, a submodule, GIT_DIR, a ``.git`` file
with a relative path, a directory below the top (git is asked) and no repository at all. The
journal is written where every task's probe (``gitdir.pending_journal``) looks for it, and a
journal holding something other than files is still removed whole."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import Repo, git
from releasekit.core.common import journal
from releasekit.core.common.gitdir import find_git_dir, pending_journal


def rev_parse(tree: Path) -> Path | None:
    done = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--absolute-git-dir"], capture_output=True, text=True
    )
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def test_every_layout_names_the_directory_git_names(make_repo, tmp_path: Path) -> None:
    main = make_repo(name="main")
    layouts = {"repository": main.path.resolve()}
    linked = tmp_path / "linked"
    main.git("worktree", "add", "-q", "-b", "side", str(linked))
    layouts["linked worktree"] = linked.resolve()
    library = make_repo(name="library")
    main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library.path), "lib")
    layouts["submodule"] = (main.path / "lib").resolve()
    relative = tmp_path / "relative"
    relative.mkdir()
    git(tmp_path, "init", "-q", "--separate-git-dir", str(tmp_path / "store.git"), str(relative))
    (relative / ".git").write_text("gitdir: ../store.git\n")
    layouts["relative .git file"] = relative.resolve()
    for name, tree in layouts.items():
        expected = rev_parse(tree)
        assert expected is not None, name
        assert journal.git_dir_of(tree) == expected.resolve(), name
        found = find_git_dir(tree)
        assert found is not None and found[1] == expected.resolve(), name  # the probe agrees

    below = main.path.resolve() / "sub"
    below.mkdir()
    assert journal.git_dir_of(below) == rev_parse(below)  # asked of git: not the top
    outside = tmp_path / "plain"
    outside.mkdir()
    assert journal.git_dir_of(outside.resolve()) is None


def test_git_dir_in_the_environment_is_where_the_journal_goes(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo: Repo = make_repo(name="envrepo")
    moved = tmp_path / "elsewhere.git"
    os.rename(repo.path / ".git", moved)
    monkeypatch.setenv("GIT_DIR", str(moved))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo.path))
    tree = repo.path.resolve()
    assert journal.git_dir_of(tree) == rev_parse(tree) == moved.resolve()


def test_a_journal_written_is_found_by_the_probe_and_removed_whole(make_repo) -> None:
    repo: Repo = make_repo(name="probe")
    tree = repo.path.resolve()
    git_dir = journal.git_dir_of(tree)
    assert git_dir is not None
    directory = journal.write(git_dir, tree, [], [], None)
    assert pending_journal(tree / ".") == directory
    (directory / "stray").mkdir()  # not a journal's file: shutil removes what unlink cannot
    (directory / "stray" / "x").write_text("x")
    journal.delete(directory)
    assert not directory.exists() and pending_journal(tree) is None


def test_a_symlinked_git_directory_is_named_by_its_target(make_repo, tmp_path: Path) -> None:
    repo: Repo = make_repo(name="linked-git")
    store = tmp_path / "store"
    store.mkdir()
    os.rename(repo.path / ".git", store / "real.git")
    (repo.path / ".git").symlink_to(store / "real.git")
    tree = repo.path.resolve()
    assert journal.git_dir_of(tree) == rev_parse(tree) == (store / "real.git").resolve()


def test_a_relative_git_dir_is_resolved_by_git_against_the_tree(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo: Repo = make_repo(name="reldir")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_DIR", ".git")
    tree = repo.path.resolve()
    assert journal.git_dir_of(tree) == rev_parse(tree) == tree / ".git"
    assert not (elsewhere / ".git").exists()


def test_a_git_directory_git_does_not_recognise_keeps_the_journal_where_the_probe_looks(
    make_repo,
) -> None:
    # An empty .git inside another repository: rev-parse names the outer one, where the probe
    # run in the inner tree never looks; the journal goes to the inner .git (the probe's).
    outer: Repo = make_repo(name="outer")
    inner = outer.path.resolve() / "inner"
    (inner / ".git").mkdir(parents=True)
    assert rev_parse(inner) == (outer.path / ".git").resolve()
    assert journal.git_dir_of(inner) == inner / ".git"
    directory = journal.write(inner / ".git", inner, [], [], None)
    assert pending_journal(inner) == directory


def test_a_journal_that_is_a_symlink_loses_only_its_journal_json(tmp_path: Path) -> None:
    # A planted txn -> elsewhere/ link: what it points at is not releasekit's to delete.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("journal.json", "originals", "precious"):
        (elsewhere / name).write_text(name)
    state = tmp_path / "gitdir" / "releasekit"
    state.mkdir(parents=True)
    (state / "txn").symlink_to(elsewhere)
    journal.delete(state / "txn")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["originals", "precious"]
