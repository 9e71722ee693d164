"""Changelog: lint, generate from Conventional Commits, release Unreleased (seeds 001, 002).

Called by examples/demo.py as ``run(repo, sh)`` after release.prepare. Every step here reads
or dry-runs, so the repository is left exactly as it was for the next demo module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo import RELEASE_DATE


def _step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def run(repo: Path, sh: Callable[..., int]) -> None:
    _step("CI's pull-request check: the hand-written Keep a Changelog file is well-formed")
    sh("changelog.check", "--date", RELEASE_DATE)
    _step("Seed 002's `make changelog`: Unreleased from the commits since the last tag")
    sh("changelog")
    _step("Seed 002's `make changelog-all`: every release tag plus Unreleased")
    sh("changelog", "--all")
    _step("Writing is co-owned: only the Unreleased body would change (dry run)")
    sh("changelog", "--output", "CHANGELOG.md", "--dry-run")
    _step("Seed 001: release.prepare already moved Unreleased into 0.1.8 in the prepare commit")
    print("\n".join(repo.joinpath("CHANGELOG.md").read_text().splitlines()[6:18]))
    _step("Releasing again is refused: Unreleased is empty now; nothing is written")
    sh("changelog.release", "0.1.8", expect=1)
    _step("So is a version that is not newer than the newest release")
    sh("changelog.release", "0.1.7", expect=1)
