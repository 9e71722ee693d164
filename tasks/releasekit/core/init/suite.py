"""A CalVer suite (seed 003, StellaOps): ``suite-2026.04-nova`` tags with a channel, module
tags ``module-authority-v1.2.3`` beside them, one image per module pushed with the version,
the channel and latest."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ..tags.schemes import TagScheme
from ..versioning.versions import calver_as_semver
from .layout import Finding, Layout, read_tracked

SUITE_FORMAT = "suite-{version}[-{codename}][-{channel}]"
MODULE_FORMAT = "module-{module}-v{version}"
# Seed 003: "Container images: 9 modules x 3 tags (version, channel, latest)".
IMAGE_TAGS = ["{version}", "{channel}", "latest"]
MOVING_TAGS = ["{channel}", "latest"]


def suite_release(tags: list[str], current: str = "") -> Layout | None:
    """The suite tag ``current`` (default: the newest of ``tags``) as a CalVer layout; None
    when it is no suite tag (or ``tags`` hold none)."""
    releases = TagScheme(SUITE_FORMAT, "calver").releases([*tags, *([current] if current else [])])
    releases = list({p.tag: p for p in releases}.values())
    newest = next((p for p in releases if p.tag == current), None) if current else None
    if newest is None and (current or not releases):
        return None
    newest = newest or releases[0]
    calver = str(newest.version)
    mapped = calver_as_semver(calver)
    assert mapped is not None  # the scheme parsed it as CalVer
    layout = Layout(newest.tag, mapped, SUITE_FORMAT, calver=calver)
    tags_section: dict[str, object] = {"versioning": "calver"}
    if newest.channel != "edge":
        tags_section["channel"] = newest.channel
    layout.settings["tags"] = tags_section
    layout.notes[("tags",)] = (
        f"{len(releases)} CalVer suite tags, the newest {newest.tag} "
        f"(version {calver}, channel {newest.channel})"
    )
    layout.settings["procedure"] = {"kind": "calver-suite"}
    layout.notes[("procedure",)] = "suite tags: the CalVer suite procedure (seed 003)"
    modules = TagScheme(MODULE_FORMAT).releases(tags)
    names = sorted({p.parts["module"] for p in modules})
    if names:
        layout.findings.append(Finding(
            "tags", f"{len(modules)} module tags of {len(names)} modules ({modules[0].tag}): "
            "their versions are the modules' own, not the suite's", kept=False,
        ))  # fmt: skip
    return layout


def module_images(root: Path, files: list[str], layout: Layout) -> None:
    """One image per module directory that holds a version.txt and a Dockerfile, in the
    forge's container registry (Gitea: host/owner/module), tagged as the suite pushes it."""
    modules = sorted(
        str(PurePosixPath(p).parent)
        for p in files
        if PurePosixPath(p).name == "version.txt"
        and f"{PurePosixPath(p).parent}/Dockerfile" in files
    )
    if not modules:
        return
    forge = layout.settings.get("forge")
    if forge is None or forge.get("kind") != "gitea":
        layout.findings.append(Finding(
            "images", f"{len(modules)} module images ({modules[0]}/Dockerfile), but no Gitea "
            "forge to name their registry: list them under registry.images", kept=False,
        ))  # fmt: skip
        return
    host = str(forge["api_url"]).removeprefix("https://").removesuffix("/api/v1")
    registry = f"{host}/{forge['owner']}".lower()
    images = layout.settings.setdefault("registry", {}).setdefault("images", [])
    for module in modules:
        version = (read_tracked(root, f"{module}/version.txt") or "").strip()
        repository = f"{registry}/{PurePosixPath(module).name.lower()}"
        entry = {"repository": repository, "tags": IMAGE_TAGS, "moving_tags": MOVING_TAGS}
        at = next((n for n, i in enumerate(images) if i["repository"] == repository), None)
        said = (f"{module}/Dockerfile (module version {version or '?'}): pushed with the "
                "suite's version, channel and latest")  # fmt: skip
        if at is not None:  # a chart names it too: one entry, the suite's tags
            said += f"; {layout.notes.get(('registry', 'images', at), 'named in a chart')}"
            images[at] = entry
        else:
            at = len(images)
            images.append(entry)
        layout.notes[("registry", "images", at)] = said
        layout.findings.append(Finding("images", f"image {repository} ({module})"))
