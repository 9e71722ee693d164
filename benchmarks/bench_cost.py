"""Cost that follows the work (issue 16): big changelogs, many modules, many files.

Each case is timed beside its floor or peer in the same run, at 1x and 10x size, and reported
as ratios; ``--before=DIR`` also times a source tree from before the change (``git archive
5596c5b | tar -x -C DIR``) on the same inputs. Samples are interleaved; medians of ``--runs``
(default 5; the 10x changelog case runs 3; start-up, check and release three times as many, at
least 9). Python runs with its bytecode cache (in a temporary directory), as an installed
releasekit would.

- changelog: a fast-import repository (bench_changelog.generate_repo) of N commits with a
  release tag every 200, its whole changelog written once by releasekit
  (`changelog --output CHANGELOG.md`, then link references added) and once by commitizen
  (`cz changelog --file-name CHANGELOG.cz.md`); then 199 commits more. Timed, each from the
  same file every run: `releasekit changelog --output CHANGELOG.md` against
  `cz changelog --incremental --file-name CHANGELOG.cz.md`; `releasekit changelog.check` and
  `releasekit changelog.release` against `releasekit --list` (start-up), both on the file
  with the 199 new entries under Unreleased (so release moves them).
  N = 10,000 (1x, a ~7k-line file) and 100,000 (10x, ~74k lines).
- go-tag: `releasekit release.go-tag --version v1.2.3 --offline` (prints the plan) in a
  repository of 20 / 200 Go modules, against one `git cat-file --batch` reading every go.mod
  of the commit (the floor), plus start-up.
- bump: `releasekit release.bump 0.1.1 --dry-run` with a `docs/**/*.md` glob target over
  2,000 / 20,000 files (1 % hold the version), against `git ls-files` + read every file +
  substring search in one Python process (the floor) and bump-my-version with the same glob.

    python benchmarks/bench_cost.py                       # 1x and 10x
    python benchmarks/bench_cost.py --small               # 1x only
    python benchmarks/bench_cost.py --before=/tmp/rk-base --runs=3 changelog
"""

from __future__ import annotations

import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


CZ_TOML = '[tool.commitizen]\nname = "cz_conventional_commits"\ntag_format = "v$version"\n'
CZ_TOML += 'version_scheme = "semver2"\nversion = "{version}"\nupdate_changelog_on_bump = true\n'
FLOOR_BUMP = """
import subprocess, sys
names = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout
hits = 0
for name in names.split(b"\\0"):
    if name.startswith(b"docs/") and name.endswith(b".md"):
        with open(name, "rb") as f:
            hits += b"DEMO_VERSION=" in f.read()
print(hits)
"""


def _env(tree: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(tree / "tasks"), "PYTHONPYCACHEPREFIX": str(cache)}


def _timer(
    argv: list[str], cwd: Path, env: dict[str, str], reset: Callable[[], None] | None = None
) -> Callable[[], float]:
    def run() -> float:
        if reset is not None:
            reset()
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
        took = time.perf_counter() - start
        if proc.returncode not in (0, 1):  # check may report findings; anything else is wrong
            raise RuntimeError(f"{argv} failed: {proc.stderr.decode()[-800:]}")
        return took

    return run


INNER_GO = """
import time
from pathlib import Path
from releasekit.core.tags.gomodules import find_modules
start = time.perf_counter()
find_modules(Path.cwd(), commit="{head}")
print(time.perf_counter() - start)
"""


def _inner(tree: Path, cache: Path, cwd: Path, code: str) -> Callable[[], float]:
    """A timer for code that prints its own duration (the in-process part, no start-up)."""

    def run() -> float:
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=cwd,
            env=_env(tree, cache),
            capture_output=True,
            text=True,
            check=True,
        )
        return float(out.stdout.split()[-1])

    return run


def _medians(timers: dict[str, Callable[[], float]], runs: int) -> dict[str, float]:
    for timer in timers.values():
        timer()  # warm-up (page cache, bytecode cache)
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(runs):
        for name, timer in timers.items():
            samples[name].append(timer())
    return {name: statistics.median(s) for name, s in samples.items()}


def _report(title: str, times: dict[str, float], anchor: str) -> None:
    print(f"-- {title}")
    for name, t in times.items():
        print(f"   {name:44} {t * 1000:9.1f} ms  {t / times[anchor]:6.2f}x {anchor}")


def _rk(tree: Path) -> list[str]:
    return [sys.executable, "-m", "releasekit.cli"]


def _extend(repo: Path, count: int, start: int) -> None:
    """Add ``count`` Conventional Commits on top of main (one fast-import stream)."""
    chunks = []
    # After the last commit's date: a child older than its parent (the 100k history ends in
    # 2035) makes git's date-ordered walks of `tag..HEAD` go through the whole history.
    last = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%ct", "main"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    when = int(last) + 600
    for n in range(start, start + count):
        when += 600
        kind = ("feat", "fix", "docs", "chore")[n % 4]
        message = f"{kind}(api): change the thing {n} (#{n})\n\nSigned-off-by: Dev <d@x.invalid>\n"
        blob = f"new {n}\n"
        parent = "from refs/heads/main^0\n" if n == start else ""
        chunks.append(
            f"commit refs/heads/main\nauthor Dev <d@x.invalid> {when} +0000\n"
            f"committer Dev <d@x.invalid> {when} +0000\ndata {len(message)}\n{message}"
            f"{parent}M 100644 inline src/new.go\ndata {len(blob)}\n{blob}\n"
        )
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"],
        input="".join(chunks).encode(),
        check=True,
    )
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)


def _add_refs(path: Path) -> None:
    """Link references for every section (what Keep a Changelog files carry)."""
    import re

    text = path.read_text()
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", text, re.M)
    base = "https://github.com/o/r/compare"
    refs = [f"[Unreleased]: {base}/v{versions[0]}...HEAD\n"]
    for new, old in itertools.pairwise(versions):
        refs.append(f"[{new}]: {base}/v{old}...v{new}\n")
    refs.append(f"[{versions[-1]}]: https://github.com/o/r/releases/tag/v{versions[-1]}\n")
    path.write_text(text.rstrip("\n") + "\n\n" + "".join(refs))


def bench_changelog(
    tmp: Path, commits: int, runs: int, trees: dict[str, Path], cache: Path
) -> None:
    repo = tmp / f"cl{commits}"
    tags = int(
        subprocess.run(
            [sys.executable, str(HERE / "bench_changelog.py"), f"--generate={repo}", str(commits)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    (repo / ".cz.toml").write_text(CZ_TOML.format(version=f"0.{tags}.0"))
    env = _env(trees["releasekit"], cache)
    rk = _rk(trees["releasekit"])
    subprocess.run(
        [*rk, "changelog", "--all", "--output", "CHANGELOG.md"],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    _add_refs(repo / "CHANGELOG.md")
    cz = shutil.which("cz")
    if cz:
        subprocess.run(
            [cz, "changelog", "--file-name", "CHANGELOG.cz.md"],
            cwd=repo,
            check=True,
            capture_output=True,
        )
    _extend(repo, 199, commits + 1)
    base = (repo / "CHANGELOG.md").read_bytes()
    base_cz = (repo / "CHANGELOG.cz.md").read_bytes() if cz else b""
    lines = base.count(b"\n")

    def reset() -> None:
        (repo / "CHANGELOG.md").write_bytes(base)
        if cz:
            (repo / "CHANGELOG.cz.md").write_bytes(base_cz)

    # check and release read the file with the 199 new entries under Unreleased (what a
    # release sees): release then really moves them, instead of stopping at an empty section.
    subprocess.run(
        [*rk, "changelog", "--output", "CHANGELOG.md"], cwd=repo, env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    filled = (repo / "CHANGELOG.md").read_bytes()
    reset()

    def reset_filled() -> None:
        (repo / "CHANGELOG.md").write_bytes(filled)

    timers: dict[str, Callable[[], float]] = {}
    # The sub-second commands (start-up, check, release) get three times the runs, interleaved
    # among themselves: their differences are tens of ms, within one run's noise on this VM.
    quick: dict[str, Callable[[], float]] = {}
    for label, tree in trees.items():
        e = _env(tree, cache)
        quick[f"{label} --list (start-up)"] = _timer([*rk, "--list"], repo, e)
        timers[f"{label} changelog --output"] = _timer(
            [*rk, "changelog", "--output", "CHANGELOG.md"], repo, e, reset
        )
        quick[f"{label} changelog.check"] = _timer(
            [*rk, "changelog.check", "--date", "2100-01-01"], repo, e, reset_filled
        )
        quick[f"{label} changelog.release"] = _timer(
            [*rk, "changelog.release", f"0.{tags + 1}.0", "--date", "2100-01-01"],
            repo,
            e,
            reset_filled,
        )
    if cz:
        timers["cz changelog --incremental"] = _timer(
            [cz, "changelog", "--incremental", "--file-name", "CHANGELOG.cz.md"], repo, env, reset
        )
    times = {**_medians(quick, max(3 * runs, 9)), **_medians(timers, runs)}
    _report(
        f"changelog file: {commits} commits, {tags} tags, {lines}-line CHANGELOG.md, 199 new commits",
        times,
        "cz changelog --incremental" if cz else "releasekit --list (start-up)",
    )
    start = times["releasekit --list (start-up)"]
    for what in ("changelog.check", "changelog.release"):
        print(
            f"   releasekit {what}: {(times[f'releasekit {what}'] - start) * 1000:.1f} ms above start-up (target <= 100)"
        )
    shutil.rmtree(repo)


def bench_go_tag(tmp: Path, modules: int, runs: int, trees: dict[str, Path], cache: Path) -> None:
    repo = tmp / f"go{modules}"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "go.mod").write_text("module example.com/root\n\ngo 1.22\n")
    for n in range(modules - 1):
        d = repo / "pkg" / f"m{n:03d}"
        d.mkdir(parents=True)
        need = f"require example.com/root/pkg/m{n - 1:03d} v0.0.0\n" if n else ""
        (d / "go.mod").write_text(f"module example.com/root/pkg/m{n:03d}\n\ngo 1.22\n\n{need}")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    ident = ["-c", "user.name=b", "-c", "user.email=b@x.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(repo), *ident, "commit", "-qm", "modules"], check=True)
    names = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "*go.mod"], capture_output=True, text=True, check=True
    ).stdout.split()
    batch = "".join(f"HEAD:{n}\n" for n in names).encode()

    def floor() -> float:
        start = time.perf_counter()
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, check=True
        )
        subprocess.run(
            ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"],
            capture_output=True,
            check=True,
        )
        subprocess.run(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            input=batch,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - start

    timers: dict[str, Callable[[], float]] = {"git cat-file --batch (floor)": floor}
    for label, tree in trees.items():
        e = _env(tree, cache)
        timers[f"{label} --list (start-up)"] = _timer([*_rk(tree), "--list"], repo, e)
        timers[f"{label} release.go-tag"] = _timer(
            [*_rk(tree), "release.go-tag", "--version", "v1.2.3", "--offline"], repo, e
        )
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    for label, tree in trees.items():
        timers[f"{label} find_modules (in-process)"] = _inner(
            tree, cache, repo, INNER_GO.format(head=head)
        )
    times = _medians(timers, runs)
    _report(f"go-tag: {modules} Go modules", times, "git cat-file --batch (floor)")
    above = times["releasekit release.go-tag"] - times["releasekit --list (start-up)"]
    print(
        f"   releasekit release.go-tag above start-up: {above * 1000:.1f} ms "
        f"({above / times['git cat-file --batch (floor)']:.2f}x the floor; target <= 2x)"
    )
    shutil.rmtree(repo)


def bench_bump(tmp: Path, files: int, runs: int, trees: dict[str, Path], cache: Path) -> None:
    repo = tmp / f"bump{files}"
    (repo / "docs").mkdir(parents=True)
    page = "# Page {n}\n\nSome text about the operator and its configuration.\n\n" * 4
    for n in range(files):
        d = repo / "docs" / f"sec{n // 200:03d}"
        d.mkdir(exist_ok=True)
        extra = "Install with `DEMO_VERSION=0.1.0 make deploy`.\n" if n % 100 == 0 else ""
        (d / f"page{n}.md").write_text(page.format(n=n) + extra)
    (repo / "releasekit.yaml").write_text(
        'tag_format: "v{version}"\nversion_files:\n  - path: "docs/**/*.md"\n'
        '    pattern: "DEMO_VERSION={version}"\n'
    )
    (repo / ".bumpversion.toml").write_text(
        '[tool.bumpversion]\ncurrent_version = "0.1.0"\ncommit = false\ntag = false\nignore_missing_version = true\n\n'
        '[[tool.bumpversion.files]]\nglob = "docs/**/*.md"\nsearch = "DEMO_VERSION={current_version}"\n'
        'replace = "DEMO_VERSION={new_version}"\n'
    )
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    ident = ["-c", "user.name=b", "-c", "user.email=b@x.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(repo), *ident, "commit", "-qm", "docs"], check=True)
    env = _env(trees["releasekit"], cache)
    timers: dict[str, Callable[[], float]] = {
        "git ls-files + read + search (floor)": _timer(
            [sys.executable, "-c", FLOOR_BUMP], repo, env
        ),
    }
    for label, tree in trees.items():
        e = _env(tree, cache)
        timers[f"{label} release.bump --dry-run"] = _timer(
            [*_rk(tree), "release.bump", "0.1.1", "--dry-run"], repo, e
        )
    bmv = shutil.which("bump-my-version")
    if bmv:
        timers["bump-my-version bump --dry-run"] = _timer(
            [bmv, "bump", "--dry-run", "--new-version", "0.1.1", "patch"], repo, env
        )
    times = _medians(timers, runs)
    _report(
        f"bump: glob over {files} docs files ({files // 100} hold the version)",
        times,
        "git ls-files + read + search (floor)",
    )
    shutil.rmtree(repo)


def main(argv: list[str]) -> int:
    runs = 5
    small = "--small" in argv
    trees = {"releasekit": HERE.parent}
    for arg in argv:
        if arg.startswith("--runs="):
            runs = int(arg.split("=", 1)[1])
        elif arg.startswith("--before="):
            trees["before"] = Path(arg.split("=", 1)[1]).resolve()
    wanted = [a for a in argv if not a.startswith("-")] or ["changelog", "go-tag", "bump"]
    print(f"cpus: {os.cpu_count()}  load average {os.getloadavg()[0]:.2f}  medians of {runs}")
    scales = (1,) if small else (1, 10)
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as name:
        tmp = Path(name)
        cache = tmp / "pycache"
        for scale in scales:
            if "go-tag" in wanted:
                bench_go_tag(tmp, 20 * scale, runs, trees, cache)
            if "bump" in wanted:
                bench_bump(tmp, 2000 * scale, runs, trees, cache)
            if "changelog" in wanted:
                bench_changelog(
                    tmp, 10_000 * scale, runs if scale == 1 else min(runs, 3), trees, cache
                )
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
