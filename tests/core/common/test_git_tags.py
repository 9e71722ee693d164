"""Tags read from git name their commit, through every level of annotated tag objects."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Repo
from releasekit.core.common.git import tag_refs
from releasekit.core.notes.previous import tags_merged_into


def test_a_tag_of_a_tag_names_the_commit_not_the_inner_tag_object(
    make_repo: Callable[..., Repo],
) -> None:
    """`git tag -a v2.1.0 build-7` where build-7 is itself annotated (git's "nested tag"):
    for-each-ref's %(*objectname) peels one level and stops at build-7's tag object."""
    repo = make_repo()
    commit = repo.git("rev-parse", "HEAD").strip()
    repo.git("tag", "-a", "build-7", "-m", "CI build 7")
    repo.git(
        "-c", "advice.nestedTag=false", "tag", "-a", "v2.1.0", "-m", "Release v2.1.0", "build-7"
    )
    repo.git("-c", "advice.nestedTag=false", "tag", "-a", "v2.1.0-final", "-m", "again", "v2.1.0")
    repo.git("tag", "light", "HEAD")
    refs = {r.name: (r.commit, r.annotated) for r in tag_refs(repo.path)}
    assert refs == {"build-7": (commit, True), "light": (commit, False),
                    "v2.1.0": (commit, True), "v2.1.0-final": (commit, True)}  # fmt: skip
    assert dict(tags_merged_into(repo.path, commit)) == dict.fromkeys(refs, commit)
