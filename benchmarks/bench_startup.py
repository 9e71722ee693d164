"""Start-up: `releasekit --list` against bare `inv --list` on an empty tasks.py (target <= 1.2x)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
TARGET = 1.2


def _time(argv: list[str], cwd: Path) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "tasks.py").write_text(
            "from invoke import task\n\n\n@task\ndef noop(c):\n    pass\n"
        )
        anchor = _time([sys.executable, "-m", "invoke", "--list"], cwd)
        ours = _time([sys.executable, "-m", "releasekit.cli", "--list"], cwd)
        help_ = _time([sys.executable, "-m", "releasekit.cli", "--help"], cwd)
    ratio = ours / anchor
    print(f"inv --list (anchor)      {anchor * 1000:7.1f} ms")
    print(f"releasekit --list        {ours * 1000:7.1f} ms  {ratio:.2f}x  (target <= {TARGET}x)")
    print(f"releasekit --help        {help_ * 1000:7.1f} ms  {help_ / anchor:.2f}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
