"""``release.bump auto``: the next version from what changed since the last release.

Two sources, each reason kept: Conventional Commits (``feat`` minor, ``fix`` patch, ``!`` or
``BREAKING CHANGE`` major) and the CRD schemas (a removed or retyped field, a removed CRD or
API version, a field made required is breaking; an added optional field, CRD or version is a
feature). Below 1.0.0 a breaking change bumps the minor. After a pre-release tag
(``v0.8.0-rc.1``) the line continues its own counter (``-rc.2``) unless the changes outgrow
it (a feature after ``v0.8.1-rc.1`` starts ``v0.9.0-rc.1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import semver

from ..changelog.conventional import read_releases

if TYPE_CHECKING:
    from ..config import Config
    from ..helm.crd_changes import CrdChange

Level = Literal["major", "minor", "patch"]
_RANK: dict[Level, int] = {"patch": 0, "minor": 1, "major": 2}
_BREAKING_CRD = {"crd-removed", "version-removed", "field-removed"}
_FEATURE_CRD = {"crd-added", "version-added"}


@dataclass(frozen=True)
class Reason:
    level: Level
    text: str


@dataclass(frozen=True)
class Suggestion:
    """The next version and why."""

    version: semver.Version
    previous_tag: str | None
    level: Level
    reasons: tuple[Reason, ...]

    def lines(self) -> list[str]:
        since = f"since {self.previous_tag}" if self.previous_tag else "(no release yet)"
        head = f"next version {self.version} ({self.level}) {since}"
        return [head, *(f"  {r.level}: {r.text}" for r in self.reasons)]


def crd_level(change: CrdChange) -> Level | None:
    """How a CRD change weighs: breaking (major), a feature (minor), or nothing to users."""
    if change.kind in _BREAKING_CRD:
        return "major"
    if change.kind in _FEATURE_CRD:
        return "minor"
    if change.kind == "field-added":
        return "major" if change.detail.endswith("required") else "minor"
    if change.kind == "field-changed":
        retyped = "type:" in change.detail
        required = "required: None -> True" in change.detail
        return "major" if retyped or required else None
    if change.kind == "version-changed":
        return "major" if "served: True -> False" in change.detail else None
    return None


def commit_reasons(root: Path, tag_format: str) -> tuple[str | None, list[Reason]]:
    """The last release tag reachable from HEAD and the reasons its commits give."""
    unreleased = read_releases(root, tag_format, everything=False)[0]
    reasons = []
    for commit in unreleased.commits:
        if commit.is_merge:
            continue
        what = f"{commit.short} {commit.subject}"
        if commit.breaking:
            reasons.append(Reason("major", what))
        elif commit.type == "feat":
            reasons.append(Reason("minor", what))
        elif commit.type == "fix":
            reasons.append(Reason("patch", what))
    return unreleased.previous_tag, reasons


def crd_reasons(root: Path, directory: str, since: str) -> list[Reason]:
    from ..helm.crd_changes import changes_between

    changes = changes_between(root, directory, since, "HEAD", schema_only=True, allow_empty=True)
    return [Reason(level, f"CRD {c.describe()}") for c in changes if (level := crd_level(c))]


def next_from(
    previous: semver.Version | None, level: Level, token: str, final: semver.Version | None = None
) -> semver.Version:
    """The version after ``previous`` for ``level`` (below 1.0.0 major becomes minor).

    After a pre-release ``previous`` the line (its version without the pre-release) continues
    its counter when the change still fits it from ``final`` (the last release before the
    line), else a new line starts at ``-token.1``.
    """
    if previous is None:
        return semver.Version(0, 1, 0)
    if not previous.prerelease:
        return previous.next_version(_zero_x(previous, level))
    line = previous.finalize_version()
    if final is None:
        return previous.bump_prerelease(token)
    wanted = final.next_version(_zero_x(final, level))
    if wanted <= line:
        return previous.bump_prerelease(token)
    return wanted.replace(prerelease=f"{token}.1")


def _zero_x(version: semver.Version, level: Level) -> Level:
    return "minor" if version.major == 0 and level == "major" else level


def last_final(root: Path, tag_format: str, below: semver.Version) -> semver.Version | None:
    """The highest release (no pre-release) below ``below`` that HEAD holds."""
    from ..changelog.conventional import release_tags
    from ..common.process import run

    for tag in release_tags(root, tag_format):
        if tag.version.prerelease or tag.version >= below:
            continue
        argv = ["git", "-C", str(root), "merge-base", "--is-ancestor", tag.commit, "HEAD"]
        if run(argv, check=False).returncode == 0:
            return tag.version
    return None


def suggest(cfg: Config, *, crd_dirs: Sequence[str] = (), allow_taken: bool = False) -> Suggestion:
    """The next version of the repository at ``cfg.root`` with its reasons.

    Args:
        allow_taken: return a version whose tag exists already (only to show the suggestion).

    Raises:
        GitError: the repository has no commits, or is a shallow clone without the last tag,
            or the suggested version is tagged already (on a branch HEAD does not hold).
    """
    from ..common.errors import GitError
    from ..common.git import local_tag_exists
    from ..tags.schemes import parse_tag, render_tag

    previous_tag, reasons = commit_reasons(cfg.root, cfg.tag_format)
    if previous_tag is not None:
        for directory in crd_dirs:
            reasons += crd_reasons(cfg.root, directory, previous_tag)
    previous = parse_tag(cfg.tag_format, previous_tag) if previous_tag else None
    level: Level = max((r.level for r in reasons), key=_RANK.__getitem__, default="patch")
    if not reasons:
        reasons = [Reason("patch", "no feat, fix or breaking change (nor CRD change); a patch")]
    if previous is not None and previous.major == 0 and level == "major":
        reasons.append(Reason("minor", "below 1.0.0 a breaking change bumps the minor version"))
    ordered = sorted(reasons, key=lambda r: -_RANK[r.level])
    final = None
    if previous is not None and previous.prerelease:
        final = last_final(cfg.root, cfg.tag_format, previous.finalize_version())
    version = next_from(previous, level, cfg.prerelease_token, final)
    tag = render_tag(cfg.tag_format, version)
    if not allow_taken and local_tag_exists(cfg.root, tag):
        raise GitError(
            f"auto: the commits since {previous_tag or 'the start'} make {version}, but tag {tag} "
            "exists already (not reachable from HEAD: released from another branch); published "
            "tags are immutable — name the version to release instead of auto"
        )
    return Suggestion(version, previous_tag, level, tuple(ordered))


def crd_directories(cfg: Config) -> list[str]:
    """The configured CRD directories (helm.crds generated ones, else the charts' crds/)."""
    from ..common.errors import UsageError
    from ..helm.crd_changes import crd_directory

    if cfg.helm is None:
        return []
    try:
        return [crd_directory(cfg)]
    except UsageError:  # no CRD directory configured: the commits alone decide
        return []
