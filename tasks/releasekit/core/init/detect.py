"""What a repository's layout says about its release: one pass over the tracked files.

Every version string that is proposed is checked against the current release before it is
kept (:func:`keep_agreeing`), so the config :func:`detect_layout` returns passes
``verify.versions`` at that tag; what was found but left out is a :class:`Finding` saying why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import semver

from ..common.errors import GitError, ReleaseError
from ..common.git import git
from ..common.process import run
from ..tags.schemes import TagScheme
from .layout import Finding, Layout
from .parts import changelog, charts, crds, go_modules, workflows
from .publish import artifacts, forge, notes
from .suite import MODULE_FORMAT, SUITE_FORMAT, module_images, suite_release
from .versions import version_files

# Tag spellings a first config can choose between; anything fancier is the user's edit.
TAG_FORMATS = ("v{version}", "{version}")


def detect_layout(root: Path, tag: str = "") -> Layout:
    """Read the layout of the repository at ``root`` against its current release tag.

    Args:
        tag: the current release tag; default the newest SemVer tag reachable from HEAD, or
            the newest CalVer suite tag (suite-2026.04-nova) when there is no SemVer one.

    Raises:
        ReleaseError: no release tag is reachable and none was given.
    """
    files = [p for p in git(root, "ls-files", "-z").split("\0") if p]
    layout = _release(root, tag)
    layout.settings["tag_format"] = layout.tag_format
    version_files(root, files, layout)
    charts(root, files, layout)
    crds(root, files, layout)
    changelog(root, files, layout)
    go_modules(files, layout)
    workflows(root, files, layout)
    forge(root, files, layout)
    if layout.calver is not None:
        module_images(root, files, layout)
    notes(root, files, layout)
    artifacts(root, files, layout)
    _procedure(layout)
    keep_agreeing(root, layout)
    return layout


def _procedure(layout: Layout) -> None:
    """The built-in procedure the layout is shaped like; the operator one is the default."""
    if "procedure" in layout.settings:
        return
    if "go_modules" in layout.settings.get("tags", {}):
        kind, why = "go-modules", "several Go modules: tag each after the release tag (seed 004)"
    elif layout.notes.get(("changelog",), "").startswith("Keep a Changelog, written by hand"):
        kind, why = "changelog-driven", "a hand-written changelog moves in the prepare commit"
    else:
        return
    layout.settings["procedure"] = {"kind": kind}
    layout.notes[("procedure",)] = why


def keep_agreeing(root: Path, layout: Layout) -> None:
    """Drop every proposed version file that ``verify.versions`` would not pass at the tag
    (a docs pattern that also matches an older version, a glob-like path), saying why."""
    from ..versioning.config import VersionFile
    from ..versioning.version_files import MissingTarget, check_versions

    proposed = layout.settings.pop("version_files", [])
    notes = {k: v for k, v in layout.notes.items() if k[0] != "version_files"}
    kept: list[dict[str, Any]] = []
    for n, entry in enumerate(proposed):
        why = layout.notes.get(("version_files", n), "")
        missing: list[MissingTarget] = []
        try:
            target = VersionFile(**entry)
            checks = check_versions(root, [target], layout.version, missing, layout.calver)
            ok = all(ch.ok for ch in checks)
        except (ReleaseError, ValueError):
            ok = False
        if ok and not missing:
            notes[("version_files", len(kept))] = why
            kept.append(entry)
            layout.findings.append(Finding("version", why, entry["path"]))
        else:
            layout.findings.append(Finding(
                "version", f"{why}: verify.versions would not pass on it (the pattern also "
                "matches another version)",
                entry["path"], kept=False,
            ))  # fmt: skip
    layout.notes = notes
    if kept:
        layout.settings["version_files"] = kept


def _release(root: Path, tag: str) -> Layout:
    if run(["git", "-C", str(root), "rev-parse", "-q", "--verify", "HEAD"], check=False).returncode:
        raise GitError(
            f"{root} has no commits yet; commit the project and tag its current release first "
            "(git tag -a v0.1.7 -m 'Release v0.1.7')"
        )
    merged = git(root, "tag", "--merged", "HEAD").split()
    if tag:
        layout = _named_release(merged, tag)
        if tag not in merged:  # allowed (init before the first tag), never silent: a typo
            made = bool(git(root, "tag", "--list", tag).strip())
            _tag_finding(
                layout,
                f"{tag} is {'not reachable from HEAD' if made else 'not a tag here'}; "
                f"the config reads the files at HEAD as {tag} — check the spelling, or tag the "
                f"release (git tag -a {tag} -m 'Release {tag}')",
            )
        return layout
    best: tuple[int, str] | None = None
    for fmt in TAG_FORMATS:
        count = len(TagScheme(fmt).releases(merged))
        if count and (best is None or count > best[0]):
            best = (count, fmt)
    if best is None and (suite := suite_release(merged)) is not None:
        return suite
    if best is None:
        raise ReleaseError(
            f"{root}: no release tag (v0.1.7 or 0.1.7) is reachable from HEAD; "
            + (
                _other_schemes(merged)
                or "tag the current release first, or name it: releasekit init --tag v0.1.7"
            )
        )
    releases = TagScheme(best[1]).releases(merged)
    # the newest final release; the newest pre-release when there is none yet
    newest = next((p for p in releases if not p.is_prerelease), releases[0])
    assert isinstance(newest.version, semver.Version)
    layout = Layout(newest.tag, newest.version, best[1])
    suites = TagScheme(SUITE_FORMAT, "calver").releases(merged)
    if suites:  # never chosen silently: the suite may be the release that matters
        _tag_finding(
            layout,
            f"{len(suites)} CalVer suite tags ({suites[0].tag}) beside the SemVer tags; this "
            f"config is for {newest.tag} — for the suite: releasekit init --tag {suites[0].tag}",
        )
    return layout


def _tag_finding(layout: Layout, text: str) -> None:
    """A note on the release tag init chose or was given (never silent, nothing dropped)."""
    layout.findings.append(Finding("tags", text, kept=False))


def _named_release(merged: list[str], tag: str) -> Layout:
    """The layout of a tag named on the command line (``init --tag``)."""
    if tag.startswith("suite-"):
        suite = suite_release(merged, tag)
        if suite is None:
            TagScheme(SUITE_FORMAT, "calver").require(tag)  # says how a suite tag is spelled
        assert suite is not None
        return suite
    fmt = "v{version}" if tag.startswith("v") else "{version}"
    parsed = TagScheme(fmt).require(tag)
    assert isinstance(parsed.version, semver.Version)
    return Layout(tag, parsed.version, fmt)


# Tag schemes init recognises but does not write a config for (module tags without a suite).
_OTHER_SCHEMES = ((MODULE_FORMAT, "semver", "module"),)


def _other_schemes(tags: list[str]) -> str:
    """What to write by hand when the tags follow a suite or module scheme."""
    seen = []
    for fmt, versioning, what in _OTHER_SCHEMES:
        found = TagScheme(fmt, versioning).releases(tags)  # type: ignore[arg-type]
        if found:
            seen.append(f"{what} tags ({found[0].tag}: tag_format {fmt!r}"
                        + (", tags.versioning: calver)" if versioning == "calver" else ")"))  # fmt: skip
    if not seen:
        return ""
    return (
        f"found {' and '.join(seen)} but no suite tag (suite-2026.04), whose versions init "
        "cannot check against version files (verify.versions takes one release); write "
        "releasekit.yaml from "
        "releasekit --print-template releasekit.yaml (docs/tags.md: tag schemes)"
    )
