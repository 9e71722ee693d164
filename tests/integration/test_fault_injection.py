"""Fault injection: real SIGINT, SIGTERM and SIGKILL delivered to a real releasekit process
during a 50-file release.bump and a release.prepare, at every phase of the write (staging,
journal, each rename, journal delete, the commit) and at random moments.

After the next releasekit command (of any kind) every target is all-old or all-new, no staged
file or journal is left, and what was restored was said. Phases are hit on purpose through the
transaction's failpoint (interrupts.failpoint). The default run is a subset that takes about a
minute; ``RELEASEKIT_FAULTS=full`` (``./dev faults``) sweeps every rename and many more random
runs. ``RELEASEKIT_FAULT_LOG=file`` appends one JSON line per run, for the figures.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO_ROOT, CliResult, Repo

FULL = os.environ.get("RELEASEKIT_FAULTS") == "full"
FILES = 50
OLD, NEW = b"VERSION ?= 0.1.7\n", b"VERSION ?= 0.1.8\n"
CONFIG = 'version_files:\n  - path: "data/*.mk"\n    pattern: "VERSION ?= {version}"\n'
NAMES = [f"data/f{i:02}.mk" for i in range(1, FILES + 1)]
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
RENAMES = range(1, FILES + 1) if FULL else (1, 25, FILES)
BUMP_PHASES = [
    *(["stage:1", "stage:25", "stage:50"] if FULL else ["stage:1", "stage:50"]),
    "journal:originals",
    "journal:written",
    *(f"rename:{i}" for i in RENAMES),
    "journal:delete",
    "committed",
]
PREPARE_PHASES = [
    "stage:1",
    *(["stage:50", "journal:originals"] if FULL else []),
    "journal:written",
    "prepare:branch",
    *(f"rename:{i}" for i in ((1, 10, 25, 49, FILES) if FULL else (1, FILES))),
    "commit",  # inside `git commit`: a pre-commit hook that waits
    "journal:delete",
    "committed",
]
BUMP = ["release.bump", "0.1.8"]
PREPARE = ["release.prepare", "0.1.8", "--offline"]
# The next command is of any kind: recovery happens at every task's boundary.
FOLLOW_UPS = [["release.tags"], ["verify.versions", "--version", "0.1.7"], ["release.recover"]]


@pytest.fixture
def repo50(make_repo: Callable[..., Repo]) -> Repo:
    return make_repo({"releasekit.yaml": CONFIG, **{n: OLD.decode() for n in NAMES}})


@dataclass(frozen=True)
class Run:
    pid: int
    code: int
    err: str


def launch(repo: Repo, argv: list[str], phase: str | None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    if phase is not None and phase != "commit":
        env["RELEASEKIT_FAILPOINT"] = phase
        env["RELEASEKIT_FAILPOINT_MARKER"] = str(marker(repo))
    # Its own process group, like a job in a shell: signals go to releasekit and the git (and
    # hook) it runs, as Ctrl-C or a CI cancel would deliver them.
    return subprocess.Popen(
        [sys.executable, "-m", "releasekit.cli", *argv],
        cwd=repo.path, env=env, text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def marker(repo: Repo) -> Path:
    return repo.path.parent / f"{repo.path.name}.marker"


def pausing_hook(repo: Repo) -> None:
    hook = repo.path / ".git/hooks/pre-commit"
    hook.write_text(
        f"#!/bin/sh\n: > '{marker(repo)}'\nwhile [ -e '{marker(repo)}' ]; do sleep 0.01; done\n"
    )
    hook.chmod(0o755)


def interrupt(repo: Repo, argv: list[str], phase: str, signum: int) -> Run:
    """Run until ``phase``, deliver ``signum`` there, return how the process ended."""
    if phase == "commit":
        pausing_hook(repo)
    proc = launch(repo, argv, phase)
    deadline = time.monotonic() + 60
    while not marker(repo).exists():
        assert proc.poll() is None, f"ended before {phase}: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, f"never reached {phase}"
        time.sleep(0.005)
    os.killpg(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    marker(repo).unlink(missing_ok=True)
    if phase == "commit":
        (repo.path / ".git/hooks/pre-commit").unlink()
    return Run(proc.pid, proc.returncode, err)


def state(repo: Repo) -> str:
    contents = {(repo.path / n).read_bytes() for n in NAMES}
    return {frozenset({OLD}): "old", frozenset({NEW}): "new"}.get(frozenset(contents), "partial")


def leftovers(repo: Repo) -> list[str]:
    staged = [p.name for p in repo.path.rglob("*.releasekit") if ".git" not in p.parts]
    return staged + [p.name for p in (repo.path / ".git/releasekit").glob("txn")]


def follow_up(repo: Repo, cli: Callable[..., CliResult], index: int) -> list[str]:
    """The next releasekit command; its recovery report, one fact per line."""
    argv = FOLLOW_UPS[index % len(FOLLOW_UPS)]
    result = cli(*argv, cwd=repo.path)
    assert result.code in (0, 3), result.err  # 3: verify.versions on an all-new tree
    lines = [ln.removeprefix("releasekit: ") for ln in result.err.splitlines()]
    if argv == ["release.recover"]:
        lines += result.lines
    noise = ("data/", "note:", "error:", "nothing to recover")  # the command's own output
    return [ln for ln in lines if not ln.startswith(noise)]


def restored(report: list[str]) -> list[str]:
    return [ln.removeprefix("restored ") for ln in report if ln.startswith("restored data/")]


def renamed_before(phase: str) -> int:
    if phase.startswith("rename:"):
        return int(phase.split(":")[1])
    return FILES if phase in ("journal:delete", "committed", "commit") else 0


def log(**record: object) -> None:
    path = os.environ.get("RELEASEKIT_FAULT_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")


def branches(repo: Repo) -> tuple[str, list[str]]:
    head = repo.git("symbolic-ref", "--short", "HEAD").strip()
    return head, repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads").split()


def check_git(repo: Repo, outcome: str) -> None:
    """release.prepare: all-old means back on main with no release branch, all-new the
    complete release commit; never a tree with changes left over."""
    if outcome == "old":
        assert branches(repo) == ("main", ["main"])
    else:
        assert branches(repo) == ("release/v0.1.8", ["main", "release/v0.1.8"])
        assert repo.git("log", "-1", "--format=%s").strip() == "chore: prepare v0.1.8 release"
    assert repo.git("status", "--porcelain") == ""


def before_branch(phase: str) -> bool:
    """Phases of release.prepare before it switches to the release branch."""
    return phase.startswith(("stage:", "journal:originals", "journal:written"))


def expected_report(phase: str, prepare: bool, pid: int) -> list[str]:
    """What the next command says after a SIGKILL at ``phase``."""
    if phase == "committed":
        return []
    if phase == "journal:originals":
        return [
            "found an incomplete journal .git/releasekit/txn (its command had changed nothing "
            "yet, or had finished); removed it"
        ]
    done = renamed_before(phase)
    staged = {"stage:1": 1, "stage:25": 25, "stage:50": FILES, "prepare:branch": FILES}
    left = FILES - done if phase.startswith("rename:") else staged.get(phase, 0)
    lines = [
        f"an interrupted releasekit command (pid {pid}) left the journal .git/releasekit/txn; "
        "putting back the state before it",
        *(f"restored {n}" for n in NAMES[:done]),
    ]
    if prepare and not before_branch(phase):
        lines += ["switched back to main", "deleted branch release/v0.1.8"]
    if not done:
        lines.append("no file had been changed yet")
    if left:
        lines.append(f"deleted {left} staged temporary files")
    return lines


def expected_interrupt(phase: str, signum: int, prepare: bool) -> str:
    """The last stderr line of a process that got SIGINT/SIGTERM at ``phase``."""
    head = f"releasekit: interrupted by {signal.Signals(signum).name}; "
    if phase == "committed":
        return head + (
            "it came after the prepare commit; release/v0.1.8 is complete"
            if prepare
            else f"it came after all {FILES} files were written"
        )
    done = renamed_before(phase)
    facts = [f"restored {', '.join(NAMES[:done])} to their original content"] if done else []
    if prepare and not before_branch(phase):
        facts += ["switched back to main", "deleted branch release/v0.1.8"]
    return head + (f"rolled back: {'; '.join(facts)}" if facts else "nothing was changed")


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("phase", BUMP_PHASES)
def test_bump_interrupted_at_each_phase(
    repo50: Repo, cli: Callable[..., CliResult], phase: str, signum: int
) -> None:
    run = interrupt(repo50, BUMP, phase, signum)
    after_signal = state(repo50)
    report = follow_up(repo50, cli, BUMP_PHASES.index(phase))
    outcome = state(repo50)
    log(task="bump", phase=phase, signal=signum, code=run.code, outcome=outcome)
    assert outcome == ("new" if phase == "committed" else "old")
    assert leftovers(repo50) == []
    if signum == signal.SIGKILL:
        assert run.code == -signal.SIGKILL
        assert report == expected_report(phase, False, run.pid), report
    else:
        assert (run.code, after_signal) == (128 + signum, outcome), run.err
        assert run.err.splitlines()[-1] == expected_interrupt(phase, signum, False)
        assert report == []  # the process put everything back itself


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("phase", PREPARE_PHASES)
def test_prepare_interrupted_at_each_phase(
    repo50: Repo, cli: Callable[..., CliResult], phase: str, signum: int
) -> None:
    run = interrupt(repo50, PREPARE, phase, signum)
    report = follow_up(repo50, cli, PREPARE_PHASES.index(phase))
    outcome = state(repo50)
    log(task="prepare", phase=phase, signal=signum, code=run.code, outcome=outcome)
    assert outcome == ("new" if phase == "committed" else "old")
    assert leftovers(repo50) == []
    check_git(repo50, outcome)
    if signum == signal.SIGKILL:
        assert run.code == -signal.SIGKILL
        assert report == expected_report(phase, True, run.pid), report
    else:
        assert run.code == 128 + signum, run.err
        expected = expected_interrupt(phase, signum, True)
        if phase == "commit":  # git and its hook got the signal too: the git error, then
            head, summary = expected.split("; ", 1)
            assert f"{head}; git -C {repo50.path} commit" in run.err, run.err
            assert run.err.splitlines()[-1] == summary
        else:
            assert run.err.splitlines()[-1] == expected
        assert report == []


@pytest.mark.parametrize("argv", [BUMP, PREPARE], ids=["bump", "prepare"])
def test_sighup_is_deferred_and_rolls_back_like_sigterm(
    repo50: Repo, cli: Callable[..., CliResult], argv: list[str]
) -> None:
    """A closed terminal (SIGHUP) in the middle of the renames."""
    run = interrupt(repo50, argv, "rename:25", signal.SIGHUP)
    assert run.code == 128 + signal.SIGHUP, run.err
    assert run.err.splitlines()[-1] == expected_interrupt(
        "rename:25", signal.SIGHUP, argv == PREPARE
    )
    assert follow_up(repo50, cli, 0) == []
    assert (state(repo50), leftovers(repo50)) == ("old", [])


def _duration(repo: Repo, argv: list[str]) -> float:
    start = time.monotonic()
    proc = launch(repo, argv, None)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return time.monotonic() - start


def _reset(repo: Repo) -> None:
    repo.git("switch", "-q", "main")
    repo.git("reset", "-q", "--hard", "main")
    if "release/v0.1.8" in branches(repo)[1]:
        repo.git("branch", "-q", "-D", "release/v0.1.8")


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("argv", [BUMP, PREPARE], ids=["bump", "prepare"])
def test_interrupted_at_random_moments(
    repo50: Repo, cli: Callable[..., CliResult], argv: list[str], signum: int
) -> None:
    runs = (30 if argv == BUMP else 10) if FULL else 2
    rng = random.Random(f"{argv[0]}-{signum}")
    full = _duration(repo50, argv)
    partial = 0
    for index in range(runs):
        _reset(repo50)
        proc = launch(repo50, argv, None)
        time.sleep(rng.uniform(0, full * 1.1))
        if proc.poll() is None:
            os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
        written = [n for n in NAMES if (repo50.path / n).read_bytes() == NEW]
        report = follow_up(repo50, cli, index)
        outcome = state(repo50)
        log(task=argv[0], phase="random", signal=signum, code=proc.returncode, outcome=outcome)
        partial += outcome == "partial"
        assert outcome != "partial", (index, err, report)
        assert leftovers(repo50) == [], (index, err, report)
        if argv == PREPARE:
            check_git(repo50, outcome)
        if outcome == "old" and written:  # the next command restored them, and said so
            assert sorted(restored(report)) == written, (index, err, report)
    assert partial == 0


def test_a_concurrent_writer_is_never_silently_overwritten(
    repo50: Repo, cli: Callable[..., CliResult]
) -> None:
    """A thread rewrites data/f30.mk (in place, or by rename as editors do) while real bumps
    run; its last write must survive: as written, or bumped from exactly that content."""
    target = repo50.path / "data/f30.mk"
    rng = random.Random("writer")
    full = _duration(repo50, BUMP)
    runs = 30 if FULL else 4
    for index in range(runs):
        repo50.git("reset", "-q", "--hard", "main")
        stop = time.monotonic() + rng.uniform(0.5 * full, 1.1 * full)
        last: list[bytes] = []

        def write(stop: float = stop, last: list[bytes] = last) -> None:
            count = 0
            while time.monotonic() < stop:
                count += 1
                data = OLD + f"# edit {count}\n".encode()
                if count % 2:
                    with open(target, "r+b") as handle:
                        handle.truncate(0)
                        handle.write(data)
                else:
                    temp = target.with_name(".f30.mk.editor")
                    temp.write_bytes(data)
                    os.replace(temp, target)
                last[:] = [data]
                time.sleep(rng.uniform(0, 0.004))

        writer = threading.Thread(target=write)
        writer.start()
        proc = launch(repo50, BUMP, None)
        _, err = proc.communicate(timeout=60)
        writer.join()
        final = target.read_bytes()
        others = {(repo50.path / n).read_bytes() for n in NAMES if n != "data/f30.mk"}
        caught = next((ln for ln in err.splitlines() if "error:" in ln), "")
        log(task="bump", phase="concurrent", signal=0, code=proc.returncode, detail=caught)
        assert final in (last[0], last[0].replace(b"0.1.7", b"0.1.8")), (index, err)
        if proc.returncode == 0:
            assert others == {NEW}, (index, err)
        else:
            assert proc.returncode == 1 and others == {OLD}, (index, err)
            assert "data/f30.mk" in err, (index, err)
        assert leftovers(repo50) == []
        assert cli("release.tags", cwd=repo50.path).err == ""  # no journal left to recover


def test_recovery_runs_under_inv_and_in_a_linked_worktree(
    repo50: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The hook is in the task boundary, so `inv` with a project tasks.py recovers too; a
    linked worktree journals under its own git directory (git rev-parse --git-dir)."""
    worktree = tmp_path / "wt"
    repo50.git("worktree", "add", "-q", "-b", "side", str(worktree))
    (worktree / "tasks.py").write_text("from releasekit import ns  # noqa: F401\n")
    side = Repo(worktree)
    run = interrupt(side, BUMP, "rename:7", signal.SIGKILL)
    assert run.code == -signal.SIGKILL
    git_dir = Path(side.git("rev-parse", "--absolute-git-dir").strip())
    assert (git_dir / "releasekit/txn/journal.json").is_file()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    inv = subprocess.run(
        [sys.executable, "-m", "invoke", "release.tags"],
        cwd=worktree, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert inv.returncode == 0, inv.stderr
    assert [f"releasekit: restored {n}" for n in NAMES[:7]] == [
        ln for ln in inv.stderr.splitlines() if ln.startswith("releasekit: restored")
    ]
    assert state(side) == "old" and leftovers(side) == []
    assert not (git_dir / "releasekit/txn").exists()
