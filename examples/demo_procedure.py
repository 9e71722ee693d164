"""The whole procedure: release.status reads each step's state from git and the remote.

Called by examples/demo.py as ``run(repo, sh)`` after the other steps released v0.1.8. The demo
has no forge to open pull requests on, so it declares a short procedure of its own (prepare,
tag) instead of the operator one; release.status derives every state afresh — nothing is
recorded between commands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo import git


def run(repo: Path, sh: Callable[..., int]) -> None:
    config = repo / "releasekit.yaml"
    config.write_text(config.read_text() + "procedure:\n  steps: [prepare, tag]\n")
    git(repo, "commit", "-q", "-m", "chore: declare the release procedure", "--", "releasekit.yaml")
    print("\n-- v0.1.8 as the remote and the history say it is: every step done", flush=True)
    sh("release.status", "--tag", "v0.1.8")
    print(
        "\n-- Without --tag: the version release.bump auto suggests, and what is left to do",
        flush=True,
    )
    sh("release.status", "--date", "2026-11-21")
    sh("release.status", "--json", "--date", "2026-11-21")
