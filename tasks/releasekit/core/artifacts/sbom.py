"""SBOMs of a release: each configured file exists and is a valid SPDX 2.x or CycloneDX JSON
document.

CycloneDX documents are validated against the CycloneDX JSON schema of their specVersion
(cyclonedx-python-lib's strict validator, whose schemas ship inside the library); SPDX
documents are parsed and validated by spdx-tools, the SPDX project's own library. Neither
reaches the network. Both come with ``pip install 'releasekit[sbom]'``; without them a check
is an error with that command, never a pass.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import CommandError
from ..config import ArtifactsConfig
from .assets import render_name

INSTALL = "pip install 'releasekit[sbom]'"
_GLOB = frozenset("*?[")


class SbomValidatorMissing(CommandError):
    """The SBOM validation libraries are not installed."""


@dataclass(frozen=True)
class SbomResult:
    name: str
    format: str | None  # spdx, cyclonedx, or None when it could not be told
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _missing(library: str) -> SbomValidatorMissing:
    return SbomValidatorMissing(
        f"SBOMs cannot be validated without {library}; install it with {INSTALL}"
    )


def _cyclonedx(text: str, version: str) -> list[str]:
    try:
        from cyclonedx.schema import SchemaVersion
        from cyclonedx.validation.json import JsonStrictValidator
    except ImportError:
        raise _missing("cyclonedx-python-lib[json-validation]") from None
    try:
        schema = SchemaVersion.from_version(version)
    except (ValueError, KeyError):
        return [f"specVersion {version!r} is not a CycloneDX version this validator knows"]
    try:
        error = JsonStrictValidator(schema).validate_str(text)
    except ImportError:  # the json-validation extra (jsonschema) is missing
        raise _missing("cyclonedx-python-lib[json-validation]") from None
    if error is None:
        return []
    return [str(error).split("\n\n", 1)[0]]


def _spdx(path: Path) -> list[str]:
    try:
        from spdx_tools.spdx.parser.error import SPDXParsingError
        from spdx_tools.spdx.parser.json.json_parser import parse_from_file
        from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    except ImportError:
        raise _missing("spdx-tools") from None
    try:
        document = parse_from_file(str(path))
    except SPDXParsingError as exc:
        return [str(m) for m in exc.messages]
    return [m.validation_message for m in validate_full_spdx_document(document)]


def validate_sbom(path: Path, shown: str, wanted: str = "auto") -> SbomResult:
    """Validate one SBOM file.

    Raises:
        SbomValidatorMissing: the validation libraries are not installed.
    """
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        return SbomResult(shown, None, (f"cannot read: {exc}",))
    except json.JSONDecodeError as exc:
        return SbomResult(shown, None, (f"line {exc.lineno}: not JSON ({exc.msg})",))
    found = None
    if isinstance(data, dict) and "spdxVersion" in data:
        found = "spdx"
    elif isinstance(data, dict) and data.get("bomFormat") == "CycloneDX":
        found = "cyclonedx"
    if found is None:
        return SbomResult(
            shown, None, ("neither SPDX (spdxVersion) nor CycloneDX (bomFormat: CycloneDX) JSON",)
        )
    if wanted != "auto" and wanted != found:
        return SbomResult(shown, found, (f"is {found}, but artifacts.sboms says {wanted}",))
    problems = (
        _spdx(path) if found == "spdx" else _cyclonedx(text, str(data.get("specVersion", "")))
    )
    return SbomResult(shown, found, tuple(problems))


def sbom_names(cfg: ArtifactsConfig, tag: str, version: str) -> list[str]:
    """The exact SBOM names the release must ship (globs excluded)."""
    names = [render_name(s.file, tag, version) for s in cfg.sboms]
    return [n for n in names if not _GLOB & set(n)]


def matched_by_globs(cfg: ArtifactsConfig, tag: str, version: str, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, render_name(s.file, tag, version)) for s in cfg.sboms)


def check_sboms(
    cfg: ArtifactsConfig, directory: Path, shown: str, tag: str, version: str
) -> list[SbomResult]:
    """Every configured SBOM: present (a glob matches at least one file) and valid.

    Raises:
        SbomValidatorMissing: the validation libraries are not installed.
    """
    present = (
        sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    )
    results = []
    for sbom in cfg.sboms:
        pattern = render_name(sbom.file, tag, version)
        names = [n for n in present if fnmatch.fnmatchcase(n, pattern)]
        if not names:
            results.append(
                SbomResult(
                    pattern, None, (f"{shown}/{pattern}: missing; the release ships this SBOM",)
                )
            )
        for name in names:
            results.append(validate_sbom(directory / name, f"{shown}/{name}", sbom.format))
    return results
