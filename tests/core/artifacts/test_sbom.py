"""SBOM validation on real small SPDX and CycloneDX documents (tests/fixtures/sbom), each
broken one field at a time; offline; a missing validator is an error, never a pass."""

from __future__ import annotations

import copy
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from releasekit.core.artifacts.sbom import SbomValidatorMissing, validate_sbom

SPDX = json.loads((FIXTURES / "sbom" / "krt.spdx.json").read_text())
CDX = json.loads((FIXTURES / "sbom" / "krt.cdx.json").read_text())


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schemas are bundled: any connection attempt during validation fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"SBOM validation tried the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    ("name", "data", "kind"), [("krt.spdx.json", SPDX, "spdx"), ("krt.cdx.json", CDX, "cyclonedx")]
)
def test_the_valid_documents_pass(tmp_path: Path, name: str, data: Any, kind: str) -> None:
    result = validate_sbom(write(tmp_path, name, data), name)
    assert (result.format, result.problems) == (kind, ())


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    target = out
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


BROKEN_SPDX = [
    (("packages", 0, "SPDXID"), "Package-krt", 'must begin with "SPDXRef-"'),
    (("dataLicense",), "MIT", 'data_license must be "CC0-1.0"'),
    (("creationInfo", "created"), "yesterday", "time data 'yesterday' does not match format"),
    (("documentNamespace",), KeyError, "Error while constructing CreationInfo"),
    (("relationships", 1, "relatedSpdxElement"), "SPDXRef-Package-gone", "SPDXRef-Package-gone"),
    (("packages", 1, "licenseConcluded"), "Apache-2.0 ANDD MIT", "Error parsing LicenseExpression"),
]
BROKEN_CDX = [
    (("components", 0, "type"), "gadget", "'gadget' is not one of"),
    (("serialNumber",), "not-a-urn", "does not match"),
    (("version",), 0, "less than the minimum"),
    (("components", 0, "licenses", 0, "license", "id"), "Not-A-License", "Not-A-License"),
    (("metadata", "component", "name"), KeyError, "'name' is a required property"),
]


@pytest.mark.parametrize(("path", "value", "said"), BROKEN_SPDX)
def test_one_broken_spdx_field_is_named(
    tmp_path: Path, path: tuple[Any, ...], value: Any, said: str
) -> None:
    result = validate_sbom(write(tmp_path, "x.spdx.json", _set(SPDX, path, value)), "x.spdx.json")
    assert result.format == "spdx" and not result.ok
    assert any(said in p for p in result.problems), result.problems


@pytest.mark.parametrize(("path", "value", "said"), BROKEN_CDX)
def test_one_broken_cyclonedx_field_is_named(
    tmp_path: Path, path: tuple[Any, ...], value: Any, said: str
) -> None:
    result = validate_sbom(write(tmp_path, "x.cdx.json", _set(CDX, path, value)), "x.cdx.json")
    assert result.format == "cyclonedx" and not result.ok
    assert any(said in p for p in result.problems), result.problems


@pytest.mark.parametrize(
    ("text", "wanted", "said"),
    [
        ("{not json", "auto", "line 1: not JSON"),
        ('{"bomFormat": "SomethingElse"}', "auto", "neither SPDX (spdxVersion) nor CycloneDX"),
        (json.dumps(CDX), "spdx", "is cyclonedx, but artifacts.sboms says spdx"),
        (
            json.dumps(_set(CDX, ("specVersion",), "9.9")),
            "auto",
            "specVersion '9.9' is not a CycloneDX version",
        ),
    ],
)
def test_what_is_not_an_sbom_says_why(tmp_path: Path, text: str, wanted: str, said: str) -> None:
    result = validate_sbom(write(tmp_path, "x.json", text), "x.json", wanted)
    assert result.problems and said in result.problems[0]


@pytest.mark.parametrize(
    ("module", "name", "data"),
    [("spdx_tools", "a.spdx.json", SPDX), ("cyclonedx", "a.cdx.json", CDX)],
)
def test_a_missing_validator_is_an_error_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, name: str, data: Any
) -> None:
    for loaded in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError
    with pytest.raises(
        SbomValidatorMissing, match=r"install it with pip install 'releasekit\[sbom\]'"
    ):
        validate_sbom(write(tmp_path, name, data), name)
