"""Tags done safely: release tag, Go module tags in order, audit, hotfix, supersede.

Called by examples/demo.py as ``run(repo, sh)`` after the release branch was prepared: it
merges that branch (the pull request), then tags the release the way seeds 000, 001, 003 and
004 describe, showing the refusals that keep published tags immutable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from demo import git


def _git(repo: Path, *args: str) -> str:
    return git(repo, *args).strip()


def _step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def run(repo: Path, sh: Callable[..., int]) -> None:
    branch = _git(repo, "branch", "--show-current")
    if branch and branch != "main":
        _step(f"The pull request for {branch} is merged into main")
        _git(repo, "switch", "-q", "main")
        _git(repo, "merge", "-q", "--no-ff", "-m", f"Merge pull request #43 from {branch}", branch)
    _step("Seed 000 step 5: an annotated tag on one resolved commit (dry run first)")
    sh("release.tag", "0.1.8", "--push", "--dry-run")
    sh("release.tag", "0.1.8", "--push")
    _step("Seed 001: a published tag is never moved or re-created; the error names the next patch")
    sh("release.tag", "0.1.8", expect=1)
    _step("Seed 004: every Go module tagged after the modules it requires (the plan)")
    sh("release.go-tag", "v0.1.8")
    _step("... and executed: all tags on that commit, one git push --atomic")
    sh("release.go-tag", "v0.1.8", "--execute")
    print(_git(repo, "ls-remote", "--tags", "origin"), flush=True)
    _step("Releases, newest first by SemVer precedence (JSON with --json)")
    sh("release.tags")
    _step("The tag audit CI can run: v0.1.7 was tagged by hand without its Go module tags")
    sh("verify.tags", expect=3)
    _step("A local, never-pushed tag may be deleted, after proving no remote has it")
    sh("release.tag", "0.1.9-rc.1")
    sh("release.untag", "v0.1.9-rc.1")
    _step("Seed 003: a hotfix branch from the release tag and the steps that follow")
    sh("release.hotfix", "v0.1.8", "--execute")
    _step("Seed 001: v0.1.7 was bad; mark it superseded by v0.1.8 (dry run)")
    sh("release.supersede", "v0.1.7", "v0.1.8", "--dry-run")
