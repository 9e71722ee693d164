"""Declared models (msgspec) of the ``artifacts:`` section's newer keys: the SBOMs a release
ships. The rest of the section is still parsed by core/config.py. Field names are the YAML keys.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec

SBOM_FORMATS = ("auto", "spdx", "cyclonedx")


class Sbom(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One SBOM file (or glob) of the release, validated by verify.assets and verify.artifacts."""

    file: Annotated[
        str,
        msgspec.Meta(
            description="name or glob in artifacts.dir ({tag}, {version}), e.g. sbom-{tag}.spdx.json"
        ),
    ]
    format: Annotated[
        Literal["auto", "spdx", "cyclonedx"],
        msgspec.Meta(
            description="spdx (SPDX 2.x JSON), cyclonedx (CycloneDX JSON) or auto (from the "
            "document: spdxVersion or bomFormat)"
        ),
    ] = "auto"

    def __post_init__(self) -> None:
        unknown = [
            p for p in re.findall(r"\{[^{}]*\}", self.file) if p not in ("{tag}", "{version}")
        ]
        if unknown:
            raise ValueError(
                f"file {self.file!r} has unknown placeholder {unknown[0]}; use {{tag}}, {{version}}"
            )
        if "/" in self.file or not self.file.strip():
            raise ValueError(f"file {self.file!r} must be a file name in artifacts.dir")
