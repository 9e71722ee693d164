"""Start-up: `releasekit --list` against bare `inv --list` on an empty tasks.py (target <= 1.2x)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 21
TARGET = 1.2


def _run(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def _time_interleaved(commands: dict[str, list[str]], cwd: Path) -> dict[str, float]:
    """Median wall time of each command, sampled in turns so machine drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the page cache and .pyc files
        _run(argv, cwd)
    for _ in range(RUNS):
        for name, argv in commands.items():
            samples[name].append(_run(argv, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "tasks.py").write_text(
            "from invoke import task\n\n\n@task\ndef noop(c):\n    pass\n"
        )
        times = _time_interleaved(
            {
                "anchor": [sys.executable, "-m", "invoke", "--list"],
                "list": [sys.executable, "-m", "releasekit.cli", "--list"],
                "help": [sys.executable, "-m", "releasekit.cli", "--help"],
            },
            cwd,
        )
    anchor, ours, help_ = times["anchor"], times["list"], times["help"]
    ratio = ours / anchor
    print(f"inv --list (anchor)      {anchor * 1000:7.1f} ms")
    print(f"releasekit --list        {ours * 1000:7.1f} ms  {ratio:.2f}x  (target <= {TARGET}x)")
    print(f"releasekit --help        {help_ * 1000:7.1f} ms  {help_ / anchor:.2f}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
