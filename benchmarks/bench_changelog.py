"""Changelog generation: `releasekit changelog --all` against git-cliff, commitizen and git log.

A synthetic repository (git fast-import: a realistic Conventional Commits mix, one file
changed per commit, a release tag about every 200 commits) is generated at each size; every
tool renders the whole history to /dev/null in the same run. Reported: median wall time,
peak RSS, and the ratios that the targets are stated in (issue 3: at 100k commits,
releasekit <= 0.3x the faster peer and <= 2x the `git log` floor, with peak memory below
commitizen's; issue 16: <= 1.3x the floor uncached, <= 0.3x on a repeat run with the cache).
releasekit runs four ways: --no-cache; with the cache emptied before each run (cold); with the
cache of the previous run (cached); and with one more commit on HEAD before each run (cached
+1 commit: the walk is the cached one plus the new commit). Runs are interleaved after one
warm-up of every tool.

    python benchmarks/bench_changelog.py                 # 10k commits, 3 runs each
    python benchmarks/bench_changelog.py --100k          # also 100k commits (1 run each)
    python benchmarks/bench_changelog.py --sizes=2000 --runs=1
    python benchmarks/bench_changelog.py --100k --skip=git-cliff   # git-cliff needs ~6 min at 100k
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = str(HERE.parent / "tasks")

TYPES = [  # (type, weight) — roughly what busy Kubernetes projects' histories look like
    ("feat", 22),
    ("fix", 28),
    ("chore", 12),
    ("docs", 8),
    ("refactor", 7),
    ("test", 6),
    ("ci", 3),
    ("perf", 3),
    ("deps", 5),
    ("build", 2),
]
SCOPES = ["api", "controller", "helm", "cli", "webhook", "volumes/csi-wrapper", "peer-pods", None]
WORDS = ["add", "remove", "support", "handle", "reconcile", "retry", "cache", "validate", "pin"]
NOUNS = ["status", "finalizer", "image", "chart", "secret", "lease", "probe", "selector", "quota"]
TAG_EVERY = 200

CLIFF_TOML = r'''
[changelog]
header = "# Changelog\n\n"
body = """
{HEADING}
{% for group, commits in commits | group_by(attribute="group") %}
### {{ group | striptags | trim }}
{% for commit in commits %}
- {% if commit.scope %}**{{ commit.scope }}**: {% endif %}{{ commit.message | upper_first }}\
{% endfor %}
{% endfor %}
"""
trim = true

[git]
conventional_commits = true
filter_unconventional = true
protect_breaking_commits = true
filter_commits = true
tag_pattern = "v[0-9].*"
commit_parsers = [
  { message = "^chore: prepare", skip = true },
  { message = "^feat", group = "<!-- 1 -->Added" },
  { message = "^fix", group = "<!-- 5 -->Fixed" },
  { message = "^perf", group = "<!-- 2 -->Changed" },
  { message = "^refactor", group = "<!-- 2 -->Changed" },
  { message = "^deprecate", group = "<!-- 3 -->Deprecated" },
  { message = "^revert", group = "<!-- 4 -->Removed" },
  { message = "^security", group = "<!-- 6 -->Security" },
  { message = "^deps", group = "<!-- 7 -->Dependencies" },
]
'''

CLIFF_TOML = CLIFF_TOML.replace(
    "{HEADING}",
    '{% if version %}## [{{ version | trim_start_matches(pat="v") }}] - '
    '{{ timestamp | date(format="%Y-%m-%d") }}{% else %}## [Unreleased]{% endif %}',
)

CZ_TOML = """\
[tool.commitizen]
name = "cz_conventional_commits"
tag_format = "v$version"
version_scheme = "semver2"
version = "{version}"
"""


def _message(rng: random.Random, n: int) -> str:
    if rng.random() < 0.05:
        return f"Update {rng.choice(NOUNS)} handling"
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    scope = rng.choice(SCOPES)
    bang = "!" if rng.random() < 0.01 else ""
    head = f"{kind}({scope}){bang}" if scope else f"{kind}{bang}"
    subject = f"{rng.choice(WORDS)} the {rng.choice(NOUNS)} {rng.choice(NOUNS)} (#{n})"
    paragraphs = [f"{head}: {subject}"]
    if rng.random() < 0.3:
        paragraphs.append(f"The {rng.choice(NOUNS)} was {rng.choice(WORDS)}ed on every resync.")
    footers = ["Signed-off-by: Dev <dev@example.invalid>"]
    if rng.random() < 0.005:
        footers.insert(0, f"BREAKING CHANGE: {rng.choice(NOUNS)} moved to v2")
    return "\n\n".join([*paragraphs, "\n".join(footers)]) + "\n"


def generate_repo(path: Path, commits: int, seed: int = 3) -> int:
    """Build a repository with ``commits`` commits through one git fast-import; return tags."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    chunks: list[str] = []
    when = 1_700_000_000
    tags = 0
    for n in range(1, commits + 1):
        when += rng.randint(60, 7200)
        if n % TAG_EVERY == 0:
            tags += 1
            message = f"chore: prepare v0.{tags}.0 release\n"
        else:
            message = _message(rng, n)
        data = message.encode()
        blob = f"line {n}\n".encode()
        chunks.append(
            f"blob\nmark :{2 * n}\ndata {len(blob)}\n{blob.decode()}\n"
            f"commit refs/heads/main\nmark :{2 * n + 1}\n"
            f"author Dev <dev@example.invalid> {when} +0000\n"
            f"committer Dev <dev@example.invalid> {when} +0000\n"
            f"data {len(data)}\n{message}\n"
            f"M 100644 :{2 * n} src/file{n % 50}.go\n\n"
        )
        if n % TAG_EVERY == 0:
            chunks.append(f"reset refs/tags/v0.{tags}.0\nfrom :{2 * n + 1}\n\n")
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"],
        input="".join(chunks).encode(),
        check=True,
    )
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)
    (path / "cliff.toml").write_text(CLIFF_TOML)
    (path / ".cz.toml").write_text(CZ_TOML.format(version=f"0.{tags}.0"))
    return tags


def _measure(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one run, output to /dev/null.

    The peak is wait4's ru_maxrss: the tool's own peak and that of the children it waited for
    (every tool here runs git). Linux counts the launching Python's resident pages into a
    child's ru_maxrss, so a value at the baseline printed (`true`) means "at most that".
    """
    env = {**os.environ, "PYTHONPATH": TASKS}
    with open(os.devnull, "wb") as devnull:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=devnull, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err[-500:]}")
    return elapsed, usage.ru_maxrss


def _log_format() -> str:
    # Asked of a child so this process stays small (its pages count into children's peaks).
    code = "from releasekit.core.changelog.commits import LOG_FORMAT; print(LOG_FORMAT)"
    env = {**os.environ, "PYTHONPATH": TASKS}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    return out.stdout.decode().strip()


RK_ALL = [sys.executable, "-m", "releasekit.cli", "changelog", "--all"]


def _tools(repo: Path) -> dict[str, tuple[list[str], Callable[[], None] | None]]:
    """Each tool's command and what to do before each of its runs (untimed)."""
    log_format = _log_format()
    cache = repo / ".git" / "releasekit"
    counter = iter(range(1_000_000))

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def one_more_commit() -> None:  # the usual repeat run: HEAD moved by a commit
        n = next(counter)
        # Dated after HEAD (the generated history ends in 2035): a child older than its
        # parent would send git's date-ordered walks through the whole history.
        last = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%ct"],
                              capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        when = f"@{int(last) + 60} +0000"
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=b", "-c", "user.email=b@x.invalid",
                        "commit", "-q", "--allow-empty", "-m", f"fix: repeat run {n} (#{n})"],
                       check=True, env=env)  # fmt: skip

    tools: dict[str, tuple[list[str], Callable[[], None] | None]] = {
        "git log (floor)": (
            ["git", "log", "-z", "--topo-order", f"--format={log_format}", "HEAD"],
            None,
        ),
        # Anchor: what any releasekit command costs before it does anything.
        "releasekit --list (start-up)": ([sys.executable, "-m", "releasekit.cli", "--list"], None),
        "releasekit --no-cache": ([*RK_ALL, "--no-cache"], None),
        "releasekit, cold cache": (RK_ALL, cold),
        "releasekit, cached": (RK_ALL, None),
        "releasekit, cached +1 commit": (RK_ALL, one_more_commit),
    }
    cliff = shutil.which("git-cliff")
    if cliff:
        tools["git-cliff"] = ([cliff, "--config", "cliff.toml"], None)
    cz = shutil.which("cz")
    if cz:
        tools["commitizen"] = ([cz, "changelog", "--dry-run"], None)
    return tools


def bench_size(
    commits: int, runs: int, skip: frozenset[str] = frozenset()
) -> dict[str, tuple[float, int]]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        start = time.perf_counter()
        # In a child process: the fast-import stream is large, and Linux would count this
        # process's resident pages into every measured tool's peak (see _measure).
        out = subprocess.run(
            [sys.executable, __file__, f"--generate={repo}", str(commits)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tags = int(out)
        took = time.perf_counter() - start
        print(f"-- {commits} commits, {tags} release tags (generated in {took:.1f} s)")
        tools = {k: v for k, v in _tools(repo).items() if k not in skip}
        for argv, _ in tools.values():  # warm-up: page cache, bytecode, and the cache filled
            _measure(argv, repo)
        samples: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
        for _ in range(runs):  # interleaved, so a change of load hits every tool alike
            for name, (argv, before) in tools.items():
                if before is not None:
                    before()
                samples[name].append(_measure(argv, repo))
        results = {
            name: (statistics.median(s[0] for s in got), max(s[1] for s in got))
            for name, got in samples.items()
        }
    floor = results["git log (floor)"][0]
    baseline = _measure(["true"], Path.cwd())[1]
    for name, (wall, rss) in results.items():
        peak = f"<= {baseline / 1024:.1f}" if rss <= baseline * 1.02 else f"{rss / 1024:7.1f}"
        print(f"{name:30} {wall:8.3f} s  {wall / floor:6.2f}x floor  peak {peak} MiB")
    ours = results["releasekit --no-cache"]
    peers = {k: v for k, v in results.items() if k in ("git-cliff", "commitizen")}
    if peers:
        fastest = min(peers, key=lambda k: peers[k][0])
        ratio = ours[0] / peers[fastest][0]
        print(f"releasekit --no-cache / {fastest} (faster peer) = {ratio:.2f}x  (issue 3: <= 0.3x)")
    for name, target in (("releasekit --no-cache", 1.3), ("releasekit, cold cache", 1.3),
                         ("releasekit, cached", 0.3), ("releasekit, cached +1 commit", 0.3)):  # fmt: skip
        if name in results:
            above = results[name][0] - results["releasekit --list (start-up)"][0]
            print(f"{name} / git log floor = {results[name][0] / floor:.2f}x  (issue 16: <= {target}x)"
                  f"; {above:.3f} s above start-up")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f}")
    if "commitizen" in results:
        memory = ours[1] / results["commitizen"][1]
        print(f"releasekit / commitizen peak memory = {memory:.2f}x  (target < 1x)")
    missing = {"git-cliff", "commitizen"} - set(results) - skip
    if missing:
        print(f"not measured (pip install '.[bench]'): {', '.join(sorted(missing))}")
    return results


def main(argv: list[str]) -> int:
    if argv and argv[0].startswith("--generate="):
        print(generate_repo(Path(argv[0].split("=", 1)[1]), int(argv[1])))
        return 0
    sizes = [10_000]
    runs = 3
    skip: frozenset[str] = frozenset()
    for arg in argv:
        if arg == "--100k":
            sizes.append(100_000)
        elif arg.startswith("--sizes="):
            sizes = [int(x) for x in arg.split("=", 1)[1].split(",")]
        elif arg.startswith("--runs="):
            runs = int(arg.split("=", 1)[1])
        elif arg.startswith("--skip="):
            skip = frozenset(arg.split("=", 1)[1].split(","))
    for size in sizes:
        # git-cliff takes ~6 minutes a run at 100k: then one run each.
        bench_size(size, runs if size < 100_000 or "git-cliff" in skip else 1, skip)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
