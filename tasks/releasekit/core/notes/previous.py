"""The release the notes start from, chosen the way a maintainer would.

Peers get this wrong in ways users notice: release-drafter and GitHub's generated notes take
the newest tag by date, so a chart tag (``demo-operator-0.3.0``), a Go submodule tag
(``src/cloud-providers/v0.8.0``) or a release cut on a hotfix branch becomes "the previous
release". Here the previous release of a tag is the tag of highest precedence that

- follows the same tag scheme, on the same line (the same ``{module}`` and ``{dir}``),
- is an ancestor of the new release's commit (``git for-each-ref --merged``), not that commit,
- has a lower version, and
- is not a pre-release, unless the new release is one (``v0.2.0-rc.2`` follows ``-rc.1``).

``--from`` overrides the choice; it must still be an ancestor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..common.errors import GitError
from ..common.git import git, peel_nested
from ..common.process import run
from ..tags.schemes import ParsedTag, TagScheme, precedes

# The parts that name a line of releases; a codename or channel changes with every release.
LINE_PARTS = ("module", "dir")


@dataclass(frozen=True)
class Range:
    """The commits a release's notes cover: ``start..end`` (no start: the whole history)."""

    tag: ParsedTag
    end: str  # the new release's commit (the tag's, else HEAD's while it is not tagged yet)
    tagged: bool  # False while the tag does not exist: the notes cover up to HEAD
    previous: str | None
    start: str | None  # the previous release's commit

    @property
    def revisions(self) -> str:
        return f"{self.start}..{self.end}" if self.start else self.end


def _commit_of(root: Path, ref: str) -> str | None:
    found = run(["git", "-C", str(root), "rev-parse", "-q", "--verify", f"{ref}^{{commit}}"],
                check=False)  # fmt: skip
    return found.stdout.strip() if found.returncode == 0 else None


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    argv = ["git", "-C", str(root), "merge-base", "--is-ancestor", older, newer]
    return run(argv, check=False).returncode == 0


def tags_merged_into(root: Path, commit: str) -> list[tuple[str, str]]:
    """Every tag reachable from ``commit`` with the commit it points at (one git call)."""
    out = git(root, "for-each-ref", "--merged", commit,
              "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(*objecttype)",
              "refs/tags")  # fmt: skip
    rows = [line.split("\0") for line in out.splitlines()]
    deeper = peel_nested(root, [name for name, _, _, inner in rows if inner == "tag"])
    return [(name, deeper.get(name) or peeled or obj) for name, obj, peeled, _ in rows]


def choose_previous(
    scheme: TagScheme, new: ParsedTag, end: str, tags: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """The previous release among ``tags`` (name, commit) that are ancestors of ``end``."""
    line = {k: new.parts.get(k) for k in LINE_PARTS}
    best: tuple[ParsedTag, str] | None = None
    for name, commit in tags:
        parsed = scheme.parse(name)
        if parsed is None or commit == end:
            continue
        if {k: parsed.parts.get(k) for k in LINE_PARTS} != line:
            continue
        if parsed.is_prerelease and not new.is_prerelease:
            continue
        if not precedes(parsed.version, new.version):
            continue
        if best is None or precedes(best[0].version, parsed.version):
            best = (parsed, commit)
    return (best[0].tag, best[1]) if best else None


def release_range(root: Path, scheme: TagScheme, tag: str, since: str | None = None) -> Range:
    """The range of ``tag``'s notes: from its previous release (or ``since``) to the tag.

    A tag that does not exist yet covers up to HEAD: notes are drafted before tagging.

    Raises:
        VersionError: ``tag`` does not follow the tag scheme.
        GitError: ``since`` names no commit, or is not an ancestor of the release.
    """
    parsed = scheme.require(tag)
    end = _commit_of(root, f"refs/tags/{tag}")
    tagged = end is not None
    if end is None:
        end = _commit_of(root, "HEAD")
        if end is None:
            raise GitError(f"{root} has no commits yet; commit and tag the release first")
    if since:
        start = _commit_of(root, since)
        if start is None:
            raise GitError(
                f"--from {since} does not name a commit; give a release tag, e.g. --from v0.1.7"
            )
        if not _is_ancestor(root, start, end):
            raise GitError(
                f"--from {since} is not an ancestor of {tag}; the notes would list commits of "
                "another line — give a release this one was built on"
            )
        return Range(parsed, end, tagged, since, start)
    found = choose_previous(scheme, parsed, end, tags_merged_into(root, end))
    if found is None:
        return Range(parsed, end, tagged, None, None)
    return Range(parsed, end, tagged, found[0], found[1])
