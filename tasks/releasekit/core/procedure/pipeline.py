"""The release procedures, read top to bottom (goreleaser's pipeline.go is the model).

Each built-in procedure is one seed's shape; ``procedure.steps`` in releasekit.yaml lists a
repository's own. The steps themselves live in :mod:`.steps` (and the modules it joins).
"""

from __future__ import annotations

from ..config import Config
from .config import ProcedureName, StepName
from .state import Step
from .steps import STEPS

PROCEDURES: dict[ProcedureName, tuple[StepName, ...]] = {
    # Seed 000: bump on a branch, pull request, merge, tag; the tag's workflow builds the
    # images and the chart; the release gets its notes in the outline, then its assets.
    "operator": ("prepare", "pull-request", "merge", "tag", "images", "charts", "notes",
                 "publish"),
    # Seed 004: the image pins on the release branch, then up to the tag, every Go module's
    # tag in dependency order; after the release, unpin on main and cite it in CITATION.cff.
    "go-modules": ("prepare", "pins", "pull-request", "merge", "tag", "go-tag", "publish",
                   "unpin", "citation"),
    # Seed 003: a CalVer suite tag on main (channel in the tag); the workflow builds; the
    # SHA256SUMS and the suite manifest go with the release.
    "calver-suite": ("tag", "images", "assets", "manifest", "publish"),
    # Seed 001: the changelog moves in the prepare commit; the CLI archives, checksums and
    # provenance are verified before the release is published with notes from the changelog.
    "changelog-driven": ("prepare", "pull-request", "merge", "tag", "images", "charts",
                         "assets", "signatures", "notes", "publish"),
    # Seed 002: CI builds and tests `build-<sha>`; the release tags that build's digest, so the
    # tested bits are the published bits; its signed files verified before the release.
    "promote": ("tag", "promote", "signatures", "publish"),
}  # fmt: skip


def procedure_of(cfg: Config) -> tuple[Step, ...]:
    """The steps of this repository's release, in order."""
    section = cfg.procedure
    if section is not None and section.steps is not None:
        names = section.steps
    else:
        names = PROCEDURES[section.kind if section is not None else "operator"]
    return tuple(STEPS[name] for name in names)
