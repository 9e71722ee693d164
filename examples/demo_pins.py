"""Pin the tested image for the release, revert after it; keys; CITATION.cff (seed 004).

Called by examples/demo.py as ``run(repo, sh)`` after v0.1.8 was tagged (demo_tags). The
maintainer pins the commit sha of the last built image into the chart values, the kustomize
overlay and the e2e Makefile target, sets the release-time reference in versions.yaml, and
after the release unpins everything back to the development values, byte for byte. A pinned
target edited by hand in between is refused, not overwritten. Then CITATION.cff gets the
version, date and the tag's commit, and verify.citation checks it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo import RELEASE_DATE, git


def _step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


PINNED = ("charts/demo-operator/values.yaml", "config/overlays/production/kustomization.yaml",
          "Makefile", "versions.yaml")  # fmt: skip


def _commit(repo: Path, message: str, *paths: str) -> None:
    git(repo, "commit", "-q", "-m", message, "--", *paths)
    print(git(repo, "log", "--stat", "--format=%h %s", "-1"), flush=True)


def run(repo: Path, sh: Callable[..., int]) -> None:
    sha = git(repo, "rev-parse", "HEAD").strip()  # the commit the tested image was built from
    runtime = ("--set", "git.agent-runtime.reference=v2.4.0")
    _step("Seed 004: pin the tested image into the deployment files (the diffs first)")
    sh("release.pin", sha, *runtime, "--dry-run")
    sh("release.pin", sha, *runtime)
    _step("Pinning the same value again changes nothing")
    sh("release.pin", sha, *runtime)
    _commit(repo, f"chore: pin the release image {sha[:12]}", *PINNED)
    _step("A value that is not a commit sha is pinned with a warning (dry run)")
    sh("release.pin", "v0.1.8", *runtime, "--dry-run")
    _step("versions.yaml keys, as the file spells them (3.9 stays the string 3.9)")
    sh("release.get", "versions.yaml", "oci.pause.tag")
    sh("release.get", "versions.yaml", "git.agent-runtime.refrence", expect=1)
    sh("release.set", "versions.yaml", "tools.kind=v0.24.0", "--dry-run")
    _step("Post-release: someone hand-edited a pinned overlay; unpin refuses to overwrite it")
    overlay = repo / "config/overlays/production/kustomization.yaml"
    pinned = overlay.read_text()
    overlay.write_text(pinned.replace(f"newTag: {sha}", "newTag: hotfix-1"))
    sh("release.unpin", expect=1)
    overlay.write_text(pinned)
    _step("... put back, unpin reverts every target and the release pin to development")
    sh("release.unpin")
    undone = git(repo, "diff", "HEAD~1", "--", *PINNED)
    print(f"same bytes as before the pin commit: {not undone}", flush=True)
    _commit(repo, "chore: unpin the release image", *PINNED)
    _step("CITATION.cff has no commit yet; verify.citation says so")
    sh("verify.citation", "--tag", "v0.1.8", expect=3)
    _step("release.citation: version, date-released and the commit of v0.1.8 (not HEAD)")
    sh("release.citation", "--tag", "v0.1.8", "--date", RELEASE_DATE)
    sh("verify.citation", "--tag", "v0.1.8")
    _commit(repo, "docs: cite v0.1.8", "CITATION.cff")
