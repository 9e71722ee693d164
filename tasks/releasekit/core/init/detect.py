"""What a repository's layout says about its release: one pass over the tracked files.

Every version string that is proposed is checked against the current release before it is
kept (:func:`keep_agreeing`), so the config :func:`detect_layout` returns passes
``verify.versions`` at that tag; what was found but left out is a :class:`Finding` saying why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import semver

from ..common.errors import ReleaseError
from ..common.excerpt import clip
from ..common.git import git
from ..tags.schemes import TagScheme

# Tag spellings a first config can choose between; anything fancier is the user's edit.
TAG_FORMATS = ("v{version}", "{version}")
_ASSIGN = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>[ \t]*\?=[ \t]*)(?P<value>\S+)[ \t]*$", re.M
)
_CRD = re.compile(r"^kind:[ \t]*CustomResourceDefinition[ \t]*$", re.M)
_WORKFLOW_DIRS = (".github/workflows", ".gitea/workflows", ".forgejo/workflows")
_GENERATORS = ("cliff.toml", ".chglog/config.yml", ".changeset/config.json")


@dataclass(frozen=True)
class Finding:
    """One thing init saw: ``kind`` is what it is about (version, chart, crds, changelog,
    go, workflow, images); ``kept`` whether the config uses it."""

    kind: str
    text: str
    path: str | None = None
    line: int | None = None
    kept: bool = True


@dataclass
class Layout:
    """The detected release: its tag, the settings to write (model order) and the findings.

    ``notes`` maps a setting's place (``("version_files", 0)``) to the comment written above it.
    """

    tag: str
    version: semver.Version
    tag_format: str
    settings: dict[str, Any] = field(default_factory=dict)
    notes: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def detect_layout(root: Path, tag: str = "") -> Layout:
    """Read the layout of the repository at ``root`` against its current release tag.

    Args:
        tag: the current release tag; default the newest SemVer tag reachable from HEAD.

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
    keep_agreeing(root, layout)
    return layout


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
            ok = all(ch.ok for ch in check_versions(root, [target], layout.version, missing))
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
    merged = git(root, "tag", "--merged", "HEAD").split()
    if tag:
        fmt = "v{version}" if tag.startswith("v") else "{version}"
        parsed = TagScheme(fmt).require(tag)
        assert isinstance(parsed.version, semver.Version)
        return Layout(tag, parsed.version, fmt)
    best: tuple[int, str] | None = None
    for fmt in TAG_FORMATS:
        count = len(TagScheme(fmt).releases(merged))
        if count and (best is None or count > best[0]):
            best = (count, fmt)
    if best is None:
        raise ReleaseError(
            f"{root}: no release tag (v0.1.7 or 0.1.7) is reachable from HEAD; "
            + (
                _other_schemes(merged)
                or "tag the current release first, or name it: releasekit init --tag v0.1.7"
            )
        )
    newest = next(p for p in TagScheme(best[1]).releases(merged) if not p.is_prerelease)
    assert isinstance(newest.version, semver.Version)
    return Layout(newest.tag, newest.version, best[1])


# Tag schemes init recognises but does not write a config for (seed 003's suite and modules).
_OTHER_SCHEMES = (
    ("suite-{version}[-{codename}][-{channel}]", "calver", "CalVer suite"),
    ("module-{module}-v{version}", "semver", "module"),
)


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
        f"found {' and '.join(seen)}, whose versions init cannot check against version files "
        "(verify.versions takes one SemVer release); write releasekit.yaml from "
        "releasekit --print-template releasekit.yaml (docs/tags.md: tag schemes)"
    )


def _read(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _version(text: str) -> semver.Version | None:
    try:
        return semver.Version.parse(text.strip().strip("\"'").removeprefix("v"))
    except (ValueError, TypeError):
        return None


def _add(layout: Layout, entry: dict[str, Any], note: str) -> None:
    entries = layout.settings.setdefault("version_files", [])
    if entry not in entries:
        layout.notes[("version_files", len(entries))] = note
        entries.append(entry)


# --- version strings -------------------------------------------------------------------------


def version_files(root: Path, files: list[str], layout: Layout) -> None:
    """Makefile ``NAME ?= X``, Chart.yaml keys, CITATION.cff, package.json, docs lines."""
    for path in files:
        name = PurePosixPath(path).name
        if (root / path).is_symlink():
            continue  # an in-repo link (AGENTS.md -> CLAUDE.md): its target is the entry
        if name == "Makefile" or name.endswith(".mk"):
            _makefile(root, path, layout)
        elif name == "CITATION.cff":
            _keyed(root, path, layout, yaml=True, date_key="date-released")
        elif name == "package.json" and "node_modules/" not in path:
            _keyed(root, path, layout, yaml=False)
        elif name.endswith(".md") and not name.upper().startswith("CHANGELOG"):
            _docs(root, path, layout)


def _makefile(root: Path, path: str, layout: Layout) -> None:
    text = _read(root, path) or ""
    for match in _ASSIGN.finditer(text):
        found = _version(match["value"])
        if found is None:
            continue
        line = text.count("\n", 0, match.start()) + 1
        if found == layout.version:
            pattern = f"{match['name']}{match['op']}{{version}}"
            _add(layout, {"path": path, "pattern": pattern}, f"{path}:{line}: {match[0]}")
        elif match["name"] == "VERSION":
            layout.findings.append(Finding(
                "version", f"{path}:{line}: {clip(match[0])} is not {layout.version}",
                path, line, kept=False,
            ))  # fmt: skip


def _keyed(root: Path, path: str, layout: Layout, *, yaml: bool, date_key: str = "") -> None:
    data = _load(root, path, yaml)
    if not isinstance(data, dict) or not isinstance(data.get("version"), str | int | float):
        return
    found = _version(str(data["version"]))
    if found == layout.version:
        _add(layout, {"path": path, "key": "version"}, f"{path}: version {data['version']}")
        if date_key and date_key in data:
            entry = {"path": path, "key": date_key, "format": "{date}"}
            _add(layout, entry, f"{path}: {date_key} (the release date)")
    else:
        layout.findings.append(Finding(
            "version", f"{path}: version {clip(str(data['version']))} is not {layout.version}", path, kept=False,
        ))  # fmt: skip


def _load(root: Path, path: str, yaml: bool) -> Any:
    text = _read(root, path)
    if text is None:
        return None
    try:
        if not yaml:
            return json.loads(text)
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # a file init cannot read is simply not proposed
        return None


def _docs(root: Path, path: str, layout: Layout) -> None:
    text = _read(root, path)
    if text is None:
        return
    token = re.compile(rf"(?<![\w.+-])v?{re.escape(str(layout.version))}(?![\w.+-]|\.\d)")
    seen: set[str] = set()
    for match in token.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        anchor = _anchor(text[start : match.start()])
        if not anchor or anchor in seen:
            continue
        seen.add(anchor)
        line = text.count("\n", 0, match.start()) + 1
        shown = text[start : text.find("\n", match.end()) % (len(text) + 1)].strip()
        _add(
            layout,
            {"path": path, "pattern": anchor + "{version}"},
            f"{path}:{line}: {clip(shown, 70)}",
        )


def _anchor(before: str) -> str:
    """The literal text a docs pattern starts with: the word just before the version
    (``--version ``, ``**Version**: ``, ``DEMO_VERSION=``), or with a short one the two before
    it too; a long URL is cut to its last path segments."""
    text = before.lstrip()
    last = re.search(r"\S*\s*$", text)
    word = last[0].lstrip("`\"'([") if last else ""
    if len(re.findall(r"\w", word)) >= 3 and len(word) <= 40:
        return word
    anchor = " ".join(text.split(" ")[-3:])
    if len(anchor) > 40:
        anchor = anchor[-40:]
        # Start after a separator locate.py's word edge accepts ("/", not "-" or ".").
        cut = re.search(r"[^\w.-]", anchor)
        anchor = anchor[cut.end() :] if cut else ""
    return anchor if re.search(r"\w", anchor) else ""


# --- charts, images, CRDs --------------------------------------------------------------------


def charts(root: Path, files: list[str], layout: Layout) -> None:
    """Chart.yaml version/appVersion per chart, and the images their values name."""
    for path in files:
        if PurePosixPath(path).name != "Chart.yaml":
            continue
        chart = str(PurePosixPath(path).parent)
        data = _load(root, path, yaml=True)
        if not isinstance(data, dict):
            continue
        entry: dict[str, Any] = {"path": chart}
        spelled = "{version}"
        for key in ("version", "appVersion"):
            value = str(data.get(key, ""))
            found = _version(value)
            if found == layout.version:
                fmt = "v{version}" if value.startswith("v") else "{version}"
                _add(layout, {"path": path, "key": key, "format": fmt}, f"{path}: {key} {value}")
                if key == "appVersion":
                    spelled = (
                        "{tag}"
                        if value.startswith("v") and layout.tag.startswith("v")
                        else "{version}"
                    )
                    entry["app_version"] = spelled
            elif value:
                layout.findings.append(Finding(
                    "chart", f"{path}: {key} {clip(value)} is the chart's own, not "
                    f"{layout.version} (release.bump-chart bumps it)", path, kept=False,
                ))  # fmt: skip
        images = _chart_images(root, chart)
        released = [r for r, pinned in images if not pinned or _version(pinned) == layout.version]
        if released:
            entry["registries"] = sorted({repo.rpartition("/")[0] for repo in released})
        for repo, pinned in images:
            if pinned and _version(pinned) != layout.version:
                entry.setdefault("allow", []).append(repo)
                layout.findings.append(Finding(
                    "images", f"image {repo}:{clip(pinned)} is pinned in {chart}/values.yaml, "
                    "not released with it (helm.charts allow:)", kept=False,
                ))  # fmt: skip
            else:
                _image(layout, repo, spelled, chart)
        layout.settings.setdefault("helm", {}).setdefault("charts", []).append(entry)
        layout.findings.append(Finding("chart", f"chart {chart}", path))


def _chart_images(root: Path, chart: str) -> list[tuple[str, str]]:
    """Image repositories a chart's values.yaml names (``repository:`` keys, keys ending in
    ``image``), each with the tag pinned beside it or in it ("" when the chart's own)."""
    data = _load(root, f"{chart}/values.yaml", yaml=True)
    found: dict[str, str] = {}

    def walk(node: Any, depth: int) -> None:
        if depth > 20:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                named = key == "repository" or str(key).lower().endswith("image")
                if named and isinstance(value, str) and "/" in value:
                    repo, _, tag = value.partition("@")[0].rpartition(":")
                    if not repo or "/" in tag:  # a port (host:5000/app), not a tag
                        repo, tag = value.partition("@")[0], ""
                    if "." in repo.split("/")[0]:
                        found.setdefault(repo, str(tag or node.get("tag") or ""))
                else:
                    walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth + 1)

    walk(data, 0)
    return list(found.items())


def _image(layout: Layout, repository: str, spelled: str, chart: str) -> None:
    registry = layout.settings.setdefault("registry", {}).setdefault("images", [])
    if all(i["repository"] != repository for i in registry):
        layout.notes[("registry", "images", len(registry))] = f"named in {chart}/values.yaml"
        registry.append({"repository": repository, "tags": [spelled]})
        layout.findings.append(Finding("images", f"image {repository}:{spelled} ({chart})"))


def crds(root: Path, files: list[str], layout: Layout) -> None:
    """CRD directories: controller-gen's output and the charts' crds/ copies."""
    dirs: set[str] = set()
    for path in files:
        if path.endswith((".yaml", ".yml")) and _CRD.search(_read(root, path) or ""):
            dirs.add(str(PurePosixPath(path).parent))
    chart_dirs = {c["path"] for c in layout.settings.get("helm", {}).get("charts", [])}
    copies = sorted(
        d for d in dirs if str(PurePosixPath(d).parent) in chart_dirs and d.endswith("/crds")
    )
    generated = sorted(dirs - set(copies))
    for d in sorted(dirs):
        layout.findings.append(Finding("crds", f"CRDs in {d}/"))
    if len(generated) == 1 and copies:
        pairs = [{"generated": generated[0], "chart": c} for c in copies]
        layout.settings.setdefault("helm", {})["crds"] = pairs
    if "docs/upgrading.md" in files and "CRD Changes" in (_read(root, "docs/upgrading.md") or ""):
        layout.settings.setdefault("helm", {})["crd_history"] = "docs/upgrading.md"


# --- changelog, Go modules, workflows --------------------------------------------------------


def changelog(root: Path, files: list[str], layout: Layout) -> None:
    """Keep a Changelog by hand, generated from commits, or none."""
    if "CHANGELOG.md" not in files:
        layout.findings.append(
            Finding("changelog", "no CHANGELOG.md, so no changelog: section", kept=False)
        )
        return
    text = _read(root, "CHANGELOG.md") or ""
    makefiles = "\n".join(
        _read(root, p) or "" for p in files if PurePosixPath(p).name == "Makefile"
    )
    generator = next((g for g in _GENERATORS if g in files), None)
    if generator is None and re.search(r"^changelog[\w-]*:", makefiles, re.M):
        generator = "a `make changelog` target"
    if generator is not None:
        style = f"generated from the commits ({generator}): regenerate with releasekit changelog --output CHANGELOG.md"
    elif re.search(r"^##\s+\[?Unreleased\]?", text, re.M | re.I):
        style = (
            "Keep a Changelog, written by hand: release.prepare moves Unreleased into the release"
        )
    else:
        layout.findings.append(Finding(
            "changelog", "CHANGELOG.md has no Unreleased section, so no changelog: section",
            "CHANGELOG.md", kept=False,
        ))  # fmt: skip
        return
    layout.settings["changelog"] = {"path": "CHANGELOG.md"}
    layout.notes[("changelog",)] = style
    layout.findings.append(Finding("changelog", f"CHANGELOG.md: {style}", "CHANGELOG.md"))


def go_modules(files: list[str], layout: Layout) -> None:
    """More than one go.mod: release.go-tag tags each module directory."""
    dirs = sorted(str(PurePosixPath(p).parent) for p in files if PurePosixPath(p).name == "go.mod")
    for d in dirs:
        layout.findings.append(
            Finding("go", f"Go module in {d}/", f"{d}/go.mod".removeprefix("./"))
        )
    if len(dirs) > 1:
        layout.settings["tags"] = {"go_modules": {"include": dirs}}
        layout.notes[("tags",)] = (
            f"{len(dirs)} Go modules: release.go-tag tags each ({dirs[0]}/{layout.tag}, ...)"
        )


def workflows(root: Path, files: list[str], layout: Layout) -> None:
    """Workflows that run on tag pushes, and whether the current tag triggers them."""
    from fnmatch import fnmatchcase

    for path in files:
        if not path.startswith(_WORKFLOW_DIRS) or not path.endswith((".yml", ".yaml")):
            continue
        data = _load(root, path, yaml=True)
        triggers = data.get("on", data.get(True)) if isinstance(data, dict) else None
        push = triggers.get("push") if isinstance(triggers, dict) else None
        tags = push.get("tags") if isinstance(push, dict) else None
        if not tags:
            continue
        patterns = [str(t) for t in (tags if isinstance(tags, list) else [tags])]
        fires = any(fnmatchcase(layout.tag, p.replace("**", "*")) for p in patterns)
        said = f"{path} runs on tags {', '.join(patterns)}"
        if not fires:
            said += f" (not on {layout.tag}: check tag_format)"
        layout.findings.append(Finding("workflow", said, path, kept=fires))
