"""The ``manifest:`` section of releasekit.yaml as declared models (msgspec).

What a suite release's manifest (seed 003's ``suite-{version}.yaml``) lists: its modules with
their versions and images, the packaged charts, the CLI archives and the checksums file.
Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated

import msgspec

from ..common.section import Section

PATH_PLACEHOLDERS = ("{version}", "{tag}", "{codename}", "{channel}")
IMAGE_PLACEHOLDERS = ("{module}", "{version}")
_MODULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _check(text: str, what: str, allowed: tuple[str, ...]) -> None:
    unknown = [p for p in re.findall(r"\{[^{}]*\}", text) if p not in allowed]
    if unknown:
        raise ValueError(
            f"{what} {text!r} has unknown placeholder {unknown[0]}; use {', '.join(allowed)}"
        )


def _inside(text: str, what: str) -> None:
    if text.startswith("/") or ".." in text.split("/"):
        raise ValueError(f"{what} {text!r} must be a path inside the repository")


class Module(Section, frozen=True, kw_only=True):
    """One module of the suite."""

    name: Annotated[
        str, msgspec.Meta(examples=["authority"], description="the module's name, e.g. authority")
    ]
    version: Annotated[
        str | None,
        msgspec.Meta(
            description="its version (default: the newest module tag reachable from the suite "
            "release, spelled by module_tag)"
        ),
    ] = None
    image: Annotated[
        str | None,
        msgspec.Meta(
            description="its image reference ({module}, {version}; default: the section's image)"
        ),
    ] = None

    def __post_init__(self) -> None:
        if not _MODULE.fullmatch(self.name):
            raise ValueError(f"module name {self.name!r} must be letters, digits, - and _")
        if self.image is not None:
            _check(self.image, "image", IMAGE_PLACEHOLDERS)


class ManifestConfig(Section, frozen=True, kw_only=True):
    """The ``manifest:`` section."""

    path: Annotated[
        str,
        msgspec.Meta(
            description="where release.manifest writes ({version} {tag} {codename} {channel})"
        ),
    ] = "dist/suite-{version}.yaml"
    module_tag: Annotated[
        str,
        msgspec.Meta(description="how a module's release tag is spelled ({module} and {version})"),
    ] = "module-{module}-v{version}"
    image: Annotated[
        str | None,
        msgspec.Meta(
            examples=["git.example.com/org/{module}:{version}"],
            description="every module's image reference, e.g. registry.example.com/org/{module}:{version}",
        ),
    ] = None
    modules: Annotated[
        tuple[Module, ...],
        msgspec.Meta(
            examples=[[{"name": "authority"}, {"name": "scanner", "version": "1.4.0"}]],
            description="the suite's modules",
        ),
    ] = ()
    charts: Annotated[
        tuple[str, ...],
        msgspec.Meta(
            description="packaged charts in artifacts.dir ({version} {tag}), e.g. stellaops-{version}.tgz"
        ),
    ] = ()
    cli: Annotated[
        tuple[str, ...] | None,
        msgspec.Meta(description="CLI archives in artifacts.dir (default: the artifacts matrix)"),
    ] = None
    checksums: Annotated[
        str | None,
        msgspec.Meta(
            description="the checksums file in artifacts.dir (default: artifacts.checksums)"
        ),
    ] = None

    def __post_init__(self) -> None:
        _check(self.path, "path", PATH_PLACEHOLDERS)
        _inside(self.path, "path")
        if "{version}" not in self.path and "{tag}" not in self.path:
            raise ValueError(
                f"path {self.path!r} must contain {{version}} or {{tag}}: one manifest per release"
            )
        if self.module_tag.count("{module}") != 1 or self.module_tag.count("{version}") != 1:
            raise ValueError(
                f"module_tag {self.module_tag!r} must contain {{module}} and {{version}} once"
            )
        if self.image is not None:
            _check(self.image, "image", IMAGE_PLACEHOLDERS)
        for name in (
            *self.charts,
            *(self.cli or ()),
            *([self.checksums] if self.checksums else []),
        ):
            _check(name, "file", ("{version}", "{tag}"))
            _inside(name, "file")
        seen: set[str] = set()
        for module in self.modules:
            if module.name in seen:
                raise ValueError(f"module {module.name} is listed twice; list each module once")
            seen.add(module.name)
            if module.image is None and self.image is None:
                raise ValueError(
                    f"module {module.name} needs an image (or set the section's image)"
                )
