"""Tags: listing releases from 3000 tags against git's own version sort (the anchor).

Two ratios, both measured in this run: ``releasekit release.tags`` against
``git tag --sort=-v:refname`` (end to end, including Python start-up), and the in-process
scheme parse + precedence sort against bare ``semver.Version.parse`` + sort (target <= 3x).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 7
TAGS = 3000
TARGET = 3.0
ROOT = Path(__file__).resolve().parents[1]


def _median(fn: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _names() -> list[str]:
    names = []
    for i in range(TAGS):
        major, minor, patch = i // 500, (i // 20) % 25, i % 20
        suffix = f"-rc.{i % 7}" if i % 5 == 0 else ""
        names.append(f"v{major}.{minor}.{patch}{suffix}")
    return [*names, *(f"nightly-{i}" for i in range(100))]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT / "tasks"))
    import semver

    from releasekit.core.tags.schemes import TagScheme

    names = _names()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tasks"), "GIT_CONFIG_GLOBAL": os.devnull}
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git = ["git", "-C", str(repo)]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True, env=env)
        ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        subprocess.run(
            [*git, *ident, "commit", "-q", "--allow-empty", "-m", "x"], check=True, env=env
        )
        head = subprocess.run(
            [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
        )
        refs = "".join(f"create refs/tags/{n} {head.stdout.strip()}\n" for n in names)
        subprocess.run([*git, "update-ref", "--stdin"], input=refs, text=True, check=True, env=env)

        def anchor_cli() -> object:
            return subprocess.run(
                [*git, "tag", "--sort=-v:refname"], check=True, capture_output=True
            )

        def ours_cli() -> object:
            argv_ = [sys.executable, "-m", "releasekit.cli", "release.tags"]
            return subprocess.run(argv_, cwd=repo, env=env, check=True, capture_output=True)

        git_ms, cli_ms = _median(anchor_cli), _median(ours_cli)

    scheme = TagScheme("v{version}")

    def anchor_parse() -> object:
        parsed = []
        for n in names:
            with contextlib.suppress(ValueError):
                parsed.append(semver.Version.parse(n[1:]))
        return sorted(parsed, reverse=True)

    base, ours = _median(anchor_parse), _median(lambda: scheme.releases(names))
    ratio = ours / base
    print(f"git tag --sort=-v:refname (anchor)  {git_ms * 1000:7.1f} ms")
    print(f"releasekit release.tags             {cli_ms * 1000:7.1f} ms  {cli_ms / git_ms:.1f}x")
    print(f"semver parse + sort (anchor)        {base * 1000:7.1f} ms")
    target = f"(target <= {TARGET}x)"
    print(f"TagScheme.releases                  {ours * 1000:7.1f} ms  {ratio:.2f}x {target}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
