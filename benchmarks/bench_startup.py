"""Start-up: `releasekit --list` against bare `inv --list`, and a config-loading command.

Two budgets, each a ratio against anchors timed in the same run (interleaved samples):

- `releasekit --list` <= 1.1x bare `inv --list` on an empty tasks.py;
- `releasekit release.bump 0.1.8 --dry-run` on a copy of examples/demo-operator (reads and
  validates releasekit.yaml, reads every version file, prints the diffs) is reported against
  the same anchor and, when it is installed (the bench extra), against bump-my-version doing
  the same bump with an equivalent configuration (`bump-my-version bump --dry-run`).
  ``--before=DIR`` adds the same bump run by another releasekit source tree (e.g. an export
  of the base commit), to measure a change in the same conditions.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 21
TARGET = 1.1
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo-operator"

# bump-my-version's equivalent of the demo's version_files. The two {date} targets have no
# counterpart that does not read the calendar, so bump-my-version does two edits fewer; its
# globs say ignore_missing_version because releasekit's edit only the files that match.
BUMPVERSION = """\
[tool.bumpversion]
current_version = "0.1.7"
commit = false
tag = false
allow_dirty = true

[[tool.bumpversion.files]]
filename = "Makefile"
search = "VERSION ?= {current_version}"
replace = "VERSION ?= {new_version}"

[[tool.bumpversion.files]]
filename = "agents/Makefile"
search = "VERSION ?= {current_version}"
replace = "VERSION ?= {new_version}"

[[tool.bumpversion.files]]
filename = "charts/demo-operator/Chart.yaml"
search = "version: {current_version}"
replace = "version: {new_version}"

[[tool.bumpversion.files]]
filename = "charts/demo-operator/Chart.yaml"
search = 'appVersion: "v{current_version}"'
replace = 'appVersion: "v{new_version}"'

[[tool.bumpversion.files]]
filename = "CLAUDE.md"
search = "**Version**: v{current_version}"
replace = "**Version**: v{new_version}"

[[tool.bumpversion.files]]
filename = "CITATION.cff"
search = "version: {current_version}"
replace = "version: {new_version}"

[[tool.bumpversion.files]]
glob = "docs/**/*.md"
search = "DEMO_VERSION={current_version}"
replace = "DEMO_VERSION={new_version}"
ignore_missing_version = true

[[tool.bumpversion.files]]
glob = "docs/**/*.md"
search = "--version {current_version}"
replace = "--version {new_version}"
ignore_missing_version = true
"""


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None) -> tuple[float, float]:
    """Wall time and CPU time (user + system, from wait4) of one run."""
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, argv)
    return wall, usage.ru_utime + usage.ru_stime


Command = tuple[list[str], Path, dict[str, str] | None]
CPU: dict[str, float] = {}  # median CPU seconds of each command in the last timing


def _time_interleaved(commands: dict[str, Command], runs: int = RUNS) -> dict[str, float]:
    """Median wall time of each command, sampled in turns so machine drift hits all alike.

    The median CPU time goes to ``CPU``: on a shared machine it moves less than wall time.
    """
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for argv, cwd, env in commands.values():  # warm the page cache and .pyc files
        _run(argv, cwd, env)
    for _ in range(runs):
        for name, (argv, cwd, env) in commands.items():
            samples[name].append(_run(argv, cwd, env))
    CPU.update({name: statistics.median(c for _, c in values) for name, values in samples.items()})
    return {name: statistics.median(w for w, _ in values) for name, values in samples.items()}


def _demo_repo(where: Path) -> Path:
    repo = where / "demo-operator"
    shutil.copytree(DEMO, repo)
    (repo / ".bumpversion.toml").write_text(BUMPVERSION)
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "demo", "--no-gpg-sign"], check=True)
    return repo


def _bump_my_version() -> str | None:
    found = shutil.which("bump-my-version", path=str(Path(sys.executable).parent))
    return found or shutil.which("bump-my-version")


def main(argv: list[str]) -> int:
    before = next((a.split("=", 1)[1] for a in argv if a.startswith("--before=")), None)
    runs = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--runs=")), RUNS))
    bump = ["release.bump", "0.1.8", "--dry-run", "--date", "2026-11-21"]
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "tasks.py").write_text(
            "from invoke import task\n\n\n@task\ndef noop(c):\n    pass\n"
        )
        repo = _demo_repo(cwd)
        ours = [sys.executable, "-m", "releasekit.cli"]
        commands: dict[str, Command] = {
            "anchor": ([sys.executable, "-m", "invoke", "--list"], cwd, None),
            "list": ([*ours, "--list"], cwd, None),
            "help": ([*ours, "--help"], cwd, None),
            "bump": ([*ours, *bump], repo, None),
        }
        if before is not None:
            env = {**os.environ, "PYTHONPATH": str(Path(before).resolve() / "tasks")}
            commands["bump-before"] = ([*ours, *bump], repo, env)
            commands["list-before"] = ([*ours, "--list"], cwd, env)
        peer = _bump_my_version()
        if peer is not None:
            argv_peer = [peer, "bump", "--dry-run", "--new-version", "0.1.8", "patch"]
            commands["bump-my-version"] = (argv_peer, repo, None)
        times = _time_interleaved(commands, runs)
    anchor, listing, help_ = times["anchor"], times["list"], times["help"]
    ratio = listing / anchor
    print(f"inv --list (anchor)                 {anchor * 1000:7.1f} ms")
    print(
        f"releasekit --list                   {listing * 1000:7.1f} ms  {ratio:.2f}x  (target <= {TARGET}x)"
    )
    print(
        f"  CPU: inv --list {CPU['anchor'] * 1000:.1f} ms, releasekit --list "
        f"{CPU['list'] * 1000:.1f} ms ({CPU['list'] / CPU['anchor']:.2f}x)"
    )
    if "list-before" in times:
        print(
            f"  releasekit --list from {before}: {times['list-before'] * 1000:7.1f} ms "
            f"({times['list-before'] / anchor:.2f}x the anchor); CPU {CPU['list-before'] * 1000:.1f} ms"
        )
    print(f"releasekit --help                   {help_ * 1000:7.1f} ms  {help_ / anchor:.2f}x")
    print(
        f"releasekit release.bump --dry-run   {times['bump'] * 1000:7.1f} ms  {times['bump'] / anchor:.2f}x"
    )
    status = 0 if ratio <= TARGET else 1
    if "bump-before" in times:
        change = times["bump"] / times["bump-before"]
        cpu = CPU["bump"] / CPU["bump-before"]
        print(
            f"  the same bump from {before}: {times['bump-before'] * 1000:7.1f} ms; "
            f"now {change:.2f}x that (budget <= 1.10x); CPU {CPU['bump'] * 1000:.1f} ms vs "
            f"{CPU['bump-before'] * 1000:.1f} ms ({cpu:.2f}x)"
        )
        status |= 0 if change <= 1.10 else 1
    if "bump-my-version" in times:
        peer_time = times["bump-my-version"]
        print(
            f"bump-my-version bump --dry-run      {peer_time * 1000:7.1f} ms  "
            f"{peer_time / anchor:.2f}x; releasekit's bump is {times['bump'] / peer_time:.2f}x it"
        )
    else:
        print("bump-my-version: not installed (pip install '.[bench]'); peer skipped")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
