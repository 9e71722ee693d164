"""init and plan: a first releasekit.yaml from the layout, and its checks as a CI matrix.

Called by examples/demo.py as ``run(repo, sh)``. The demo project keeps its own config (init
never overwrites one); a clone of v0.1.7 without it gets a config that verify.versions passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo import git, make_shell


def _step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def run(repo: Path, sh: Callable[..., int]) -> None:
    _step("The demo project has its releasekit.yaml: init refuses to overwrite it")
    sh("init", expect=1)
    fresh = repo.parent / "fresh-clone"
    git(repo.parent, "clone", "-q", "--branch", "v0.1.7", str(repo), str(fresh))
    git(fresh, "rm", "-q", "releasekit.yaml")
    _step("A clone of v0.1.7 without a config: what init finds, keeps and leaves out")
    fresh_sh = make_shell(fresh)
    fresh_sh("init")
    _step("The config it wrote passes verify.versions at the tag it was written from")
    fresh_sh("verify.versions", "--tag", "v0.1.7")
    _step("CI fan-out: the release's independent checks, one matrix slice each")
    fresh_sh("plan", "--tag", "v0.1.7")
    fresh_sh("plan", "--tag", "v0.1.7", "--github-matrix")
