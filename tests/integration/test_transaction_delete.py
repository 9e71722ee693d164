"""A file the edit transaction deletes (release.unpin's Chart.lock) is all or nothing like any
other edit: put back by a rollback, refused when it changed, restored by recovery after a
SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT, CliResult, Repo

Cli = Callable[..., CliResult]
LOCK = "src/cloud-api-adaptor/install/charts/peerpods/Chart.lock"
LOCK_TEXT = "dependencies:\n- name: peerpodctrl\n  version: 0.8.0\ndigest: sha256:00\n"
SHA = "6d7d2a3fe8243809b3c3a710792c8498292e2fc3"


def leftovers(repo: Repo) -> list[str]:
    found = [p.name for p in repo.path.rglob("*.releasekit") if ".git" not in p.parts]
    return found + [p.name for p in (repo.path / ".git" / "releasekit").glob("txn")]


def test_a_deletion_is_put_back_when_a_later_edit_fails(
    make_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from releasekit.core.common.errors import ReleaseError
    from releasekit.core.common.textfile import FileEdit, write_all

    repo = make_repo({"Chart.lock": LOCK_TEXT, "a.txt": "a\n"})
    os.chmod(repo.path / "Chart.lock", 0o640)
    marker = tmp_path / "marker"
    monkeypatch.setenv("RELEASEKIT_FAILPOINT", "rename:1")
    monkeypatch.setenv("RELEASEKIT_FAILPOINT_MARKER", str(marker))

    def other_writer() -> None:  # edits a.txt once Chart.lock is gone
        while not marker.exists():
            time.sleep(0.002)
        assert not (repo.path / "Chart.lock").exists()
        (repo.path / "a.txt").write_text("theirs\n")
        marker.unlink()

    thread = threading.Thread(target=other_writer, daemon=True)
    thread.start()
    edits = [
        FileEdit("Chart.lock", repo.path / "Chart.lock", LOCK_TEXT, "", deleted=True),
        FileEdit("a.txt", repo.path / "a.txt", "a\n", "b\n"),
    ]
    with pytest.raises(ReleaseError, match=r"(?s)a\.txt changed on disk.*restored Chart\.lock"):
        write_all(edits, repo.path)
    thread.join(timeout=30)
    assert (repo.path / "Chart.lock").read_text() == LOCK_TEXT
    assert os.stat(repo.path / "Chart.lock").st_mode & 0o777 == 0o640
    assert (repo.path / "a.txt").read_text() == "theirs\n"
    assert leftovers(repo) == []


def test_a_file_changed_before_its_deletion_is_kept(make_repo: Callable[..., Repo]) -> None:
    from releasekit.core.common.errors import ReleaseError
    from releasekit.core.common.textfile import FileEdit, write_all

    repo = make_repo({"Chart.lock": LOCK_TEXT})
    edit = FileEdit("Chart.lock", repo.path / "Chart.lock", "older\n", "", deleted=True)
    with pytest.raises(
        ReleaseError, match=r"Chart\.lock changed on disk while releasekit was running"
    ):
        write_all([edit], repo.path)
    assert (repo.path / "Chart.lock").read_text() == LOCK_TEXT


@pytest.fixture
def pinned(make_repo: Callable[..., Repo], cli: Cli) -> Repo:
    repo = make_repo(name="caa")
    shutil.copytree(FIXTURES / "pins" / "caa", repo.path, dirs_exist_ok=True)
    repo.commit("chore: import")
    pin = cli("release.pin", SHA, "--tag", "v0.8.0", "--set", "git.coco-operator.reference=v1",
              cwd=repo.path)  # fmt: skip
    assert pin.code == 0, pin.err
    (repo.path / LOCK).write_text(LOCK_TEXT)
    return repo


def test_recovery_after_a_sigkill_brings_the_deleted_file_back(pinned: Repo, cli: Cli) -> None:
    before = pinned.snapshot()
    marker = pinned.path.parent / "marker"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks"),
           "RELEASEKIT_FAILPOINT": "rename:11", "RELEASEKIT_FAILPOINT_MARKER": str(marker)}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "releasekit.cli", "release.unpin"],
                            cwd=pinned.path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not (pinned.path / LOCK).exists()  # the 11th edit, the deletion, is done
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    marker.unlink()
    result = cli("release.recover", cwd=pinned.path)
    assert result.code == 0, result.err
    assert f"restored {LOCK}" in result.err + result.out
    assert pinned.snapshot() == before
    assert leftovers(pinned) == []
