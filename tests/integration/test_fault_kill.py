"""Fault injection: SIGKILL while a multi-file bump writes; no file is ever partially written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO_ROOT

FILES = 24
FILLER = b"x" * (2 * 1024 * 1024 - 1) + b"\n"  # 2 MiB per file: the write phase takes a while


def _reset(root: Path) -> tuple[bytes, bytes]:
    old = b"VERSION ?= 0.1.7\n" + FILLER
    new = b"VERSION ?= 0.1.8\n" + FILLER
    for i in range(FILES):
        (root / "data" / f"part{i:02}.mk").write_bytes(old)
    return old, new


def test_sigkill_during_a_multi_file_bump_leaves_every_file_whole(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "releasekit.yaml").write_text(
        'version_files:\n  - path: "data/*.mk"\n    pattern: "VERSION ?= {version}"\n'
    )
    old, new = _reset(root)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    argv = [sys.executable, "-m", "releasekit.cli", "release.bump", "0.1.8"]

    start = time.monotonic()
    subprocess.run(argv, cwd=root, env=env, check=True, capture_output=True)
    full = time.monotonic() - start
    assert all(p.read_bytes() == new for p in (root / "data").glob("*.mk"))

    killed = 0
    for step in range(12):
        _reset(root)
        proc = subprocess.Popen(
            argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(full * (0.3 + 0.06 * step))
        proc.send_signal(signal.SIGKILL)
        if proc.wait() == -signal.SIGKILL:
            killed += 1
        for path in sorted((root / "data").glob("*.mk")):
            data = path.read_bytes()
            assert data in (old, new), f"{path.name} was partially written (run {step})"
        # Staged temporaries may survive a SIGKILL; they never replace a target half-written.
        for leftover in (root / "data").glob(".*.releasekit"):
            leftover.unlink()
    assert killed > 0, "no run was killed before it finished; the fault was never injected"
