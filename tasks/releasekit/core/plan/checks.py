"""The independent checks of a release, derived from releasekit.yaml."""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.excerpt import clip

if TYPE_CHECKING:
    from ..config import Config

# GitHub refuses a matrix of more than 256 jobs.
MATRIX_LIMIT = 256


@dataclass(frozen=True)
class Check:
    """One slice: a task and its arguments, runnable alone (``releasekit TASK ARGS``)."""

    task: str
    args: tuple[str, ...]

    @property
    def command(self) -> str:
        return shlex.join(["releasekit", self.task, *self.args])

    @property
    def name(self) -> str:
        """A short job name: the task and what it is about (``verify.chart charts/demo``)."""
        args = self.args
        about = [
            args[n + 1]
            for n in range(len(args) - 1)
            if args[n] in ("--chart", "--repository", "--platform")
        ]
        return " ".join([self.task, *about])


def plan_checks(config: Config, tag: str) -> list[Check]:
    """Every check ``config`` configures for ``tag``, in release order: version files, charts
    and the images they render (one slice per chart), CRD sync, published images (one slice
    per image when there are several), published charts (one per chart), the release's
    artifacts (matrix, checksums, signatures, attestations, SBOMs; one slice per platform the
    files are named for, and one for the files of none, when they name any)."""
    at = ("--tag", tag)
    checks: list[Check] = []
    if config.version_files:
        checks.append(Check("verify.versions", at))
    helm = config.helm
    for chart in helm.charts if helm is not None else ():
        checks.append(Check("verify.chart", (*at, "--chart", chart.path)))
        checks.append(Check("verify.helm-template", (*at, "--chart", chart.path)))
    if helm is not None and helm.crds:
        checks.append(Check("verify.chart-sync", ()))
    registry = config.registry
    if registry is not None and registry.images:
        if len(registry.images) == 1:
            checks.append(Check("verify.images", at))
        else:  # one slice per image (StellaOps: 9 modules, each with its 3 tags)
            checks.extend(
                Check("verify.images", (*at, "--repository", image.repository))
                for image in registry.images
            )
    for published in registry.charts if registry is not None else ():
        checks.append(Check("verify.chart-published", (*at, "--chart", published.path)))
    if config.artifacts is not None:
        checks.extend(_artifact_slices(config, tag))
    return checks


def _artifact_slices(config: Config, tag: str) -> list[Check]:
    """verify.artifacts per platform (StellaOps: 5 CLI platforms) plus ``none`` for the rest;
    one unsplit check when no file name spells a platform."""
    from ..artifacts.platforms import NONE
    from ..artifacts.report import release_platforms
    from ..tags.config import release_version

    assert config.artifacts is not None
    at = ("--tag", tag)
    platforms = release_platforms(config.artifacts, tag, release_version(config, tag))
    if not platforms:
        return [Check("verify.artifacts", at)]
    return [Check("verify.artifacts", (*at, "--platform", p)) for p in (*platforms, NONE)]


def github_matrix(checks: list[Check]) -> str:
    """``strategy.matrix`` as one line of JSON: ``{"include": [{"name", "task", "args"}]}``;
    ``args`` is shell-quoted, as the action's ``args`` input splits it."""
    include = [{"name": c.name, "task": c.task, "args": shlex.join(c.args)} for c in checks]
    return json.dumps({"include": include}, separators=(",", ":"))


def run_check(check: Check, cwd: Path) -> dict[str, Any]:
    """Run one slice as CI would (``releasekit TASK ARGS --json``, its own process) and return
    its envelope; Actions files stay untouched (the merged result writes them once).

    Raises:
        ReleaseError: the slice printed no envelope (a crash before releasekit's boundary).
    """
    from ..common.errors import ReleaseError
    from ..common.process import run

    package = Path(__file__).resolve().parents[3]  # the folder holding releasekit/
    argv = [sys.executable, "-m", "releasekit.cli", check.task, *check.args, "--json"]
    path = os.pathsep.join([str(package), *filter(None, [os.environ.get("PYTHONPATH")])])
    done = run(argv, cwd=cwd, env={"GITHUB_ACTIONS": "", "PYTHONPATH": path}, check=False)
    try:
        envelope: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        raise ReleaseError(
            f"{check.command} printed no JSON envelope (exit {done.returncode}): "
            f"{clip(done.stderr or done.stdout)}"
        ) from None
    return envelope
