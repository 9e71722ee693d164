"""The rest of a layout: charts and their images, CRD directories, the changelog style, Go
modules, and the workflows that run on tags."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from ..common.excerpt import clip
from .layout import Finding, Layout, add_version_file, load_data, read_tracked

_CRD = re.compile(r"^kind:[ \t]*CustomResourceDefinition[ \t]*$", re.M)
_WORKFLOW_DIRS = (".github/workflows", ".gitea/workflows", ".forgejo/workflows")
_GENERATORS = ("cliff.toml", ".chglog/config.yml", ".changeset/config.json")


def charts(root: Path, files: list[str], layout: Layout) -> None:
    """Chart.yaml version/appVersion per chart, and the images their values name."""
    for path in files:
        if PurePosixPath(path).name != "Chart.yaml":
            continue
        chart = str(PurePosixPath(path).parent)
        data = load_data(root, path, yaml=True)
        if not isinstance(data, dict):
            continue
        entry: dict[str, Any] = {"path": chart}
        spelled = "{version}"
        for key in ("version", "appVersion"):
            value = str(data.get(key, ""))
            found = layout.read(value)
            if found == layout.version:
                fmt = "v{version}" if value.startswith("v") else "{version}"
                spelled_as = {"format": fmt} if layout.calver is None else {}  # 2026.4.0 or 2026.04
                add_version_file(
                    layout, {"path": path, "key": key, **spelled_as}, f"{path}: {key} {value}"
                )
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
                    f"{layout.shown} (release.bump-chart bumps it)", path, kept=False,
                ))  # fmt: skip
        images = _chart_images(root, chart)
        released = [
            r for r, pinned in images if not pinned or layout.read(pinned) == layout.version
        ]
        if released:
            entry["registries"] = sorted({repo.rpartition("/")[0] for repo in released})
        for repo, pinned in images:
            if pinned and layout.read(pinned) != layout.version:
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
    data = load_data(root, f"{chart}/values.yaml", yaml=True)
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
        if path.endswith((".yaml", ".yml")) and _CRD.search(read_tracked(root, path) or ""):
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
    if "docs/upgrading.md" in files and "CRD Changes" in (
        read_tracked(root, "docs/upgrading.md") or ""
    ):
        layout.settings.setdefault("helm", {})["crd_history"] = "docs/upgrading.md"


# --- changelog, Go modules, workflows --------------------------------------------------------


def changelog(root: Path, files: list[str], layout: Layout) -> None:
    """Keep a Changelog by hand, generated from commits, or none."""
    if "CHANGELOG.md" not in files:
        layout.findings.append(
            Finding("changelog", "no CHANGELOG.md, so no changelog: section", kept=False)
        )
        return
    text = read_tracked(root, "CHANGELOG.md") or ""
    makefiles = "\n".join(
        read_tracked(root, p) or "" for p in files if PurePosixPath(p).name == "Makefile"
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
        data = load_data(root, path, yaml=True)
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
