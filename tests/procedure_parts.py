"""Parts for the procedure tests: release.run in its own process, stopped by a signal right
after a step acted (the ``procedure:<step>`` failpoint of core/procedure/drive.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import REPO_ROOT, Repo


def run_until_killed(repo: Repo, step: str, signum: int, *args: str) -> int:
    """``release.run ARGS`` stopped by ``signum`` right after ``step`` acted; its exit code.

    The run gets a temporary directory of its own: a signal it can handle (SIGINT, SIGTERM)
    must leave nothing there (the trees a step extracts are removed on the way out); SIGKILL
    cannot be handled, and what it leaves stays under the test's directory, not in /tmp.
    """
    marker = repo.path.parent / f"{repo.path.name}.{step}.marker"
    scratch = repo.path.parent / f"{repo.path.name}.{step}.tmp"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks"), "TMPDIR": str(scratch),
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
    if signum != signal.SIGKILL:
        left = sorted(p.name for p in scratch.iterdir())
        assert not left, f"stopped by signal {signum} after {step}, it left {left} behind"
    return proc.returncode
