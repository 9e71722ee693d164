from __future__ import annotations

import pytest
import semver

from releasekit.core.common.errors import VersionError
from releasekit.core.tags.schemes import parse_tag, render_tag, version_from_tag
from releasekit.core.versioning.versions import (
    is_spelled_version,
    parse_version,
    resolve_new_version,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.1.8", "0.1.8"),
        ("v0.1.8", "0.1.8"),
        ("1.0.0-rc.1", "1.0.0-rc.1"),
        ("v0.8.0-alpha.1", "0.8.0-alpha.1"),
        ("1.2.3+build.5", "1.2.3+build.5"),
    ],
)
def test_parse_version_accepts_semver_with_or_without_v(text: str, expected: str) -> None:
    assert str(parse_version(text)) == expected


@pytest.mark.parametrize(
    "text", ["0.1", "1.2.3.4", "01.2.3", "v", "", "latest", "1.2.3-", "V1.2.3"]
)
def test_parse_version_rejects_non_semver_with_example(text: str) -> None:
    with pytest.raises(VersionError, match=r"not a SemVer version; use MAJOR\.MINOR\.PATCH"):
        parse_version(text)


@pytest.mark.parametrize(
    ("requested", "current", "expected"),
    [
        ("major", "0.1.7", "1.0.0"),
        ("minor", "0.1.7", "0.2.0"),
        ("patch", "0.1.7", "0.1.8"),
        ("prerelease", "0.1.7", "0.1.8-rc.1"),
        ("prerelease", "0.1.8-rc.1", "0.1.8-rc.2"),
        ("patch", "1.0.0-rc.1", "1.0.0"),
        ("v2.0.0", "0.1.7", "2.0.0"),
        ("0.1.8", None, "0.1.8"),
    ],
)
def test_resolve_new_version_keywords_and_explicit(
    requested: str, current: str | None, expected: str
) -> None:
    now = semver.Version.parse(current) if current else None
    assert str(resolve_new_version(requested, now)) == expected


def test_keyword_without_current_version_is_an_error() -> None:
    with pytest.raises(VersionError, match="no current version was found"):
        resolve_new_version("minor", None)


def test_unknown_keyword_names_the_choices() -> None:
    with pytest.raises(
        VersionError, match="neither a version nor one of major, minor, patch, prerelease"
    ):
        resolve_new_version("next", semver.Version.parse("0.1.0"))


@pytest.mark.parametrize(
    ("text", "ok"), [("v1.2.3", True), ("1.2.3", True), ("vv1.2.3", False), ("1.2", False)]
)
def test_is_spelled_version(text: str, ok: bool) -> None:
    assert is_spelled_version(text) is ok


@pytest.mark.parametrize(
    ("fmt", "tag", "version"),
    [
        ("v{version}", "v0.1.8", "0.1.8"),
        ("{version}", "0.1.8", "0.1.8"),
        ("release-{version}", "release-1.0.0-rc.1", "1.0.0-rc.1"),
    ],
)
def test_tag_round_trip(fmt: str, tag: str, version: str) -> None:
    parsed = parse_tag(fmt, tag)
    assert str(parsed) == version
    assert parsed is not None and render_tag(fmt, parsed) == tag


def test_tag_that_does_not_follow_the_format_names_an_example() -> None:
    assert parse_tag("v{version}", "0.1.8") is None
    with pytest.raises(
        VersionError, match=r"tag '0.1.8' does not follow tag_format 'v\{version\}' \(e.g. v0.1.0\)"
    ):
        version_from_tag("v{version}", "0.1.8")
