"""The demo (`./dev demo`) runs end to end against real git and says what it did."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO_ROOT


def test_demo_runs_every_step() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "examples" / "demo.py")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    lines = result.stdout.splitlines()
    assert "$ releasekit release.prepare 0.1.8 --date 2026-11-21" in lines
    assert (
        "committed " in result.stdout
        and "Signed-off-by: Demo Maintainer <maintainer@example.invalid>" in lines
    )
    assert "same bytes as before the pin commit: True" in lines  # demo_pins: pin -> unpin
    assert any(ln.endswith(" is the commit of v0.1.8 OK") for ln in lines)  # release.citation
    status = lines.index("$ releasekit release.status --tag v0.1.8")
    assert (
        lines[status + 1].startswith("DONE     prepare      ") and lines[status + 3] == "(exit 0)"
    )
    assert "release.bump auto: next version 0.1.9 (patch) since v0.1.8" in lines
    assert lines[-1] == "== Done: every step above ran against a real git repository"
