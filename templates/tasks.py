"""Release tasks for this repository: `inv --list` shows releasekit's tasks and ours.

releasekit comes from `pip install releasekit` or a vendored copy of its `releasekit/`
folder next to this file. Configuration lives in releasekit.yaml at the repository root.
"""

from invoke import Context, task

import releasekit

ns = releasekit.ns


@task(help={"version": "the version to release, e.g. 0.1.8"})
def prepare_release(c: Context, version: str) -> None:
    """Prepare the release branch and re-check versions."""
    releasekit.release.prepare(c, version)
    releasekit.verify.versions(c, version=version.removeprefix("v"))


ns.add_task(prepare_release)
