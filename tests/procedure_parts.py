"""Parts for the procedure tests: release.run in its own process, stopped by a signal right
after a step acted (the ``procedure:<step>`` failpoint of core/procedure/drive.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import REPO_ROOT, Repo


def run_until_killed(repo: Repo, step: str, signum: int, *args: str) -> int:
    """``release.run ARGS`` stopped by ``signum`` right after ``step`` acted; its exit code."""
    marker = repo.path.parent / f"{repo.path.name}.{step}.marker"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks"),
           "RELEASEKIT_FAILPOINT": f"procedure:{step}", "RELEASEKIT_FAILPOINT_MARKER": str(marker)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "releasekit.cli", "release.run", *args],
        cwd=repo.path, env=env, text=True, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, f"ended before {step}: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, f"never reached {step}"
        time.sleep(0.01)
    os.killpg(proc.pid, signum)
    proc.communicate(timeout=60)
    marker.unlink(missing_ok=True)
    return proc.returncode
