"""The edit transaction and recovery on real git repositories: refusals before anything
changes, a concurrent writer, a failed rename, and journals that must not be applied blindly."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
FILES = 50
OLD, NEW = b"VERSION ?= 0.1.7\n", b"VERSION ?= 0.1.8\n"
CONFIG = 'version_files:\n  - path: "data/*.mk"\n    pattern: "VERSION ?= {version}"\n'


def names(count: int = FILES) -> list[str]:
    return [f"data/f{i:02}.mk" for i in range(1, count + 1)]


@pytest.fixture
def repo50(make_repo: Callable[..., Repo]) -> Repo:
    return make_repo({"releasekit.yaml": CONFIG, **{n: OLD.decode() for n in names()}})


def leftovers(repo: Repo) -> list[str]:
    """Staged files anywhere in the work tree, and the journal."""
    found = [p.name for p in repo.path.rglob("*.releasekit") if ".git" not in p.parts]
    return found + [p.name for p in (repo.path / ".git" / "releasekit").glob("txn")]


@pytest.fixture
def at_failpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., None]]:
    """``at_failpoint("rename:10", action)``: when the write reaches that point (in this
    process), ``action`` runs on another thread, then the write goes on."""
    threads: list[threading.Thread] = []

    def arm(name: str, action: Callable[[], None]) -> None:
        marker = tmp_path / f"failpoint-{len(threads)}"
        monkeypatch.setenv("RELEASEKIT_FAILPOINT", name)
        monkeypatch.setenv("RELEASEKIT_FAILPOINT_MARKER", str(marker))

        def watch() -> None:
            deadline = time.monotonic() + 30
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.002)
            action()
            marker.unlink()

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        threads.append(thread)

    yield arm
    for thread in threads:
        thread.join(timeout=30)


def test_read_only_target_is_refused_before_anything_changes(example_repo: Repo, cli: Cli) -> None:
    target = example_repo.path / "docs/install.md"
    target.chmod(0o444)
    before = example_repo.snapshot()
    result = cli("release.bump", "0.1.8", cwd=example_repo.path)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "releasekit: error: docs/install.md is read-only (mode 0444); releasekit does not "
        "replace a read-only file — make it writable (chmod u+w docs/install.md) and run "
        "again; nothing was changed\n"
    )
    assert example_repo.snapshot() == before
    assert oct(target.stat().st_mode & 0o777) == "0o444"


def test_concurrent_edit_during_the_renames_rolls_back_and_is_kept(
    repo50: Repo, cli: Cli, at_failpoint: Callable[..., None]
) -> None:
    theirs = b"VERSION ?= 0.1.7\n# edited by someone else\n"
    at_failpoint("rename:10", lambda: (repo50.path / "data/f30.mk").write_bytes(theirs))
    result = cli("release.bump", "0.1.8", cwd=repo50.path)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines() == [
        "releasekit: error: data/f30.mk changed on disk while releasekit was writing it "
        "(another program is editing it; what it wrote is kept) — run the task again when "
        "nothing else writes to it",
        f"rolled back: restored {', '.join(names(29))} to their original content",
    ]
    assert (repo50.path / "data/f30.mk").read_bytes() == theirs
    assert all((repo50.path / n).read_bytes() == OLD for n in names() if n != "data/f30.mk")
    assert leftovers(repo50) == []


def test_a_file_edited_after_it_was_written_is_never_overwritten_by_the_rollback(
    repo50: Repo, cli: Cli, at_failpoint: Callable[..., None]
) -> None:
    """f05 is rewritten by someone after releasekit wrote it, then f30 conflicts: the
    rollback must not throw away the f05 edit, and says so; recovery refuses to guess."""
    theirs = b"VERSION ?= 0.1.9\n"

    def edit_both() -> None:
        (repo50.path / "data/f05.mk").write_bytes(theirs)
        (repo50.path / "data/f30.mk").write_bytes(theirs)

    at_failpoint("rename:10", edit_both)
    result = cli("release.bump", "0.1.8", cwd=repo50.path)
    assert result.code == 1
    assert "data/f30.mk changed on disk while releasekit was writing it" in result.err
    assert (
        "the rollback failed for data/f05.mk (another program changed it meanwhile)" in result.err
    )
    assert "run `releasekit release.recover`" in result.err
    assert (repo50.path / "data/f05.mk").read_bytes() == theirs
    assert all(
        (repo50.path / n).read_bytes() == OLD for n in names() if n[-6:-3] not in ("f05", "f30")
    )
    recover = cli("release.recover", cwd=repo50.path)
    assert recover.code == 1
    assert "was editing data/f05.mk, and it holds neither its original nor releasekit's new" in (
        recover.err
    )
    assert "rm -r" in recover.err and (repo50.path / ".git/releasekit/txn/originals").is_file()
    assert (repo50.path / "data/f05.mk").read_bytes() == theirs


def test_a_failed_rename_names_the_file_that_failed(
    repo50: Repo, cli: Cli, at_failpoint: Callable[..., None]
) -> None:
    def lose_a_staged_file() -> None:
        (staged,) = (repo50.path / "data").glob(".f05.mk.*.releasekit")
        staged.unlink()

    at_failpoint("rename:3", lose_a_staged_file)
    result = cli("release.bump", "0.1.8", cwd=repo50.path)
    assert result.code == 1
    assert result.err.splitlines() == [
        "releasekit: error: could not write data/f05.mk: No such file or directory",
        f"rolled back: restored {', '.join(names(4))} to their original content",
    ]
    assert all((repo50.path / n).read_bytes() == OLD for n in names())
    assert leftovers(repo50) == []


def test_a_created_file_and_its_directories_are_removed_by_the_rollback(
    make_repo: Callable[..., Repo], at_failpoint: Callable[..., None]
) -> None:
    from releasekit.core.common.errors import ReleaseError
    from releasekit.core.common.textfile import FileEdit, write_all

    repo = make_repo({"a.txt": "a\n"})
    edits = [
        FileEdit("notes/v1/new.md", repo.path / "notes/v1/new.md", "", "new\n", created=True),
        FileEdit("a.txt", repo.path / "a.txt", "a\n", "b\n"),
    ]
    at_failpoint("rename:1", lambda: (repo.path / "a.txt").write_text("c\n"))
    with pytest.raises(ReleaseError, match=r"a\.txt changed on disk while releasekit was writing"):
        write_all(edits, repo.path)
    assert not (repo.path / "notes").exists()
    assert (repo.path / "a.txt").read_text() == "c\n"
    assert leftovers(repo) == []


def test_another_writer_holding_the_lock_is_waited_for_not_recovered(
    repo50: Repo, cli: Cli, at_failpoint: Callable[..., None]
) -> None:
    seen: dict[str, CliResult] = {}

    def second_command() -> None:  # runs while the first holds the lock in its staging phase
        from releasekit.core.common.recovery import recover

        with pytest.raises(Exception, match=r"another releasekit command \(pid \d+\) is writing"):
            recover(repo50.path, wait_for_others=True)
        seen["quiet"] = CliResult(0, "", str(recover(repo50.path)))

    at_failpoint("stage:1", second_command)
    result = cli("release.bump", "0.1.8", cwd=repo50.path)
    assert result.code == 0, result.err
    assert seen["quiet"].err == "None"  # every other task leaves a live journal alone
    assert all((repo50.path / n).read_bytes() == NEW for n in names())


# --- journals that must not be applied blindly -------------------------------------------------


def _kill_mid_write(repo: Repo, renamed: int = 3) -> None:
    """Leave the journal a SIGKILL after ``renamed`` renames leaves (without killing pytest):
    a real bump in a subprocess, killed at that point."""
    import signal
    import subprocess
    import sys

    from conftest import REPO_ROOT

    marker = repo.path.parent / "marker"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "tasks"),
        "RELEASEKIT_FAILPOINT": f"rename:{renamed}",
        "RELEASEKIT_FAILPOINT_MARKER": str(marker),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "releasekit.cli", "release.bump", "0.1.8"],
        cwd=repo.path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    marker.unlink()
    assert (repo.path / ".git/releasekit/txn/journal.json").is_file()


def test_recover_dry_run_json_and_then_for_real(repo50: Repo, cli: Cli) -> None:
    nothing = cli("release.recover", cwd=repo50.path)
    assert (nothing.code, nothing.lines) == (
        0,
        ["nothing to recover: no interrupted releasekit edit in this repository"],
    )
    _kill_mid_write(repo50)
    before = repo50.snapshot()
    dry = cli("release.recover", "--dry-run", "--json", cwd=repo50.path)
    assert dry.code == 0, dry.err
    report = json.loads(dry.out)
    assert report["dry_run"] is True and report["outputs"]["journal"] == ".git/releasekit/txn"
    restored = [r["path"] for r in report["results"] if r["action"] == "restore"]
    assert restored == names(3) and report["outputs"]["staged_deleted"] == FILES - 3
    assert {r["status"] for r in report["results"]} == {"would-change"}
    assert repo50.snapshot() == before
    done = cli("release.recover", cwd=repo50.path)
    assert done.code == 0, done.err
    assert done.lines[1:] == [
        *(f"restored {n}" for n in names(3)),
        f"deleted {FILES - 3} staged temporary files",
    ]
    assert all((repo50.path / n).read_bytes() == OLD for n in names())
    assert leftovers(repo50) == []


def test_a_journal_copied_from_another_work_tree_is_not_applied(
    repo50: Repo, cli: Cli, tmp_path: Path
) -> None:
    _kill_mid_write(repo50)
    copy = tmp_path / "copy"
    shutil.copytree(repo50.path, copy, symlinks=True)
    before = Repo(copy).snapshot()
    result = cli("release.tags", cwd=copy)
    assert result.code == 1
    assert f"it was written for the work tree {repo50.path}, not for {copy}" in result.err
    assert f"rm -r {copy}/.git/releasekit/txn" in result.err
    assert Repo(copy).snapshot() == before


def test_a_format_1_journal_with_sha256_sums_is_still_recovered(repo50: Repo, cli: Cli) -> None:
    """A journal left by a releasekit from before the CRC-32 sums (format 1) restores as it
    did: the same record with SHA-256 hex digests under the old key names."""
    import hashlib

    _kill_mid_write(repo50)
    journal = repo50.path / ".git/releasekit/txn"
    record = json.loads((journal / "journal.json").read_text())
    assert record["releasekit_journal"] == 2
    assert record["files"][0]["new_sum"] == f"crc32:{zlib.crc32(NEW):08x}:{len(NEW)}"
    record["releasekit_journal"] = 1
    for item in record["files"]:
        item.pop("original_sum"), item.pop("new_sum")
        item["original_sha256"] = hashlib.sha256(OLD).hexdigest()
        item["new_sha256"] = hashlib.sha256(NEW).hexdigest()
    (journal / "journal.json").write_text(json.dumps(record))
    done = cli("release.recover", cwd=repo50.path)
    assert done.code == 0, done.err
    assert done.lines[1:4] == [f"restored {n}" for n in names(3)]
    assert all((repo50.path / n).read_bytes() == OLD for n in names())
    assert leftovers(repo50) == []


def test_a_file_that_is_neither_its_original_nor_the_new_content_is_left_alone(
    repo50: Repo, cli: Cli
) -> None:
    """The sums decide: a renamed file whose bytes differ from releasekit's new content only
    in one byte (same length) is someone's edit, not releasekit's; recovery refuses."""
    _kill_mid_write(repo50)
    edited = NEW.replace(b"0.1.8", b"0.1.9")
    (repo50.path / "data/f01.mk").write_bytes(edited)
    result = cli("release.recover", cwd=repo50.path)
    assert result.code == 1
    assert "holds neither its original nor releasekit's new content" in result.err
    assert (repo50.path / "data/f01.mk").read_bytes() == edited


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("journal", "journal.json is not a releasekit journal"),
        ("originals", "the saved copy of data/f01.mk is damaged"),
        ("outside", "it names a file outside the work tree"),
    ],
)
def test_a_damaged_journal_is_not_applied(
    repo50: Repo, cli: Cli, damage: str, message: str
) -> None:
    _kill_mid_write(repo50)
    journal = repo50.path / ".git/releasekit/txn"
    if damage == "journal":
        (journal / "journal.json").write_text("{not json")
    elif damage == "originals":
        (journal / "originals").write_bytes(b"X" + (journal / "originals").read_bytes()[1:])
    else:
        record = json.loads((journal / "journal.json").read_text())
        record["files"][0]["target"] = "../../etc/passwd"
        (journal / "journal.json").write_text(json.dumps(record))
    before = repo50.snapshot()
    result = cli("verify.versions", "--version", "0.1.7", cwd=repo50.path)
    assert result.code == 1
    assert message in result.err and "changed nothing" in result.err
    assert f"rm -r {journal}" in result.err
    assert repo50.snapshot() == before


def test_an_incomplete_journal_is_removed_with_a_note(repo50: Repo, cli: Cli) -> None:
    journal = repo50.path / ".git/releasekit/txn"
    journal.mkdir(parents=True)
    (journal / "originals").write_bytes(OLD)
    result = cli("release.tags", cwd=repo50.path)
    assert result.code == 0
    assert result.err == (
        "releasekit: found an incomplete journal .git/releasekit/txn (its command had changed "
        "nothing yet, or had finished); removed it\n"
    )
    assert not journal.exists()
