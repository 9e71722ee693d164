"""The release procedures, read top to bottom (goreleaser's pipeline.go is the model).

Each built-in procedure is one seed's shape; ``procedure.steps`` in releasekit.yaml lists a
repository's own. The steps themselves live in :mod:`.steps`.
"""

from __future__ import annotations

from ..config import Config
from .config import ProcedureName, StepName
from .state import Step
from .steps import STEPS

PROCEDURES: dict[ProcedureName, tuple[StepName, ...]] = {
    # Seed 000: bump on a branch, pull request, merge, tag; the tag's workflow builds the
    # images and the chart; the release gets its notes and assets.
    "operator": ("prepare", "pull-request", "merge", "tag", "images", "charts", "publish"),
    # Seed 004: the same up to the tag, then every Go module's tag in dependency order.
    "go-modules": ("prepare", "pull-request", "merge", "tag", "go-tag", "publish"),
    # Seed 003: a CalVer suite tag on main (channel in the tag); the workflow publishes.
    "calver-suite": ("tag", "images", "publish"),
    # Seed 001: the changelog moves in the prepare commit; the notes come from it.
    "changelog-driven": ("prepare", "pull-request", "merge", "tag", "images", "charts", "publish"),
    # Seed 002: CI builds and tests `build-<sha>`; the release tags that build's digest, so the
    # tested bits are the published bits.
    "promote": ("tag", "promote", "publish"),
}


def procedure_of(cfg: Config) -> tuple[Step, ...]:
    """The steps of this repository's release, in order."""
    section = cfg.procedure
    if section is not None and section.steps is not None:
        names = section.steps
    else:
        names = PROCEDURES[section.kind if section is not None else "operator"]
    return tuple(STEPS[name] for name in names)
