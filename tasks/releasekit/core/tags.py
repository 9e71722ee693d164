"""Release tags spelled by ``tag_format`` (``v{version}`` by default)."""

from __future__ import annotations

import re

import semver

from .errors import VersionError
from .versions import SEMVER_PATTERN, parse_version


def render_tag(tag_format: str, version: semver.Version) -> str:
    """The tag for ``version``: ``render_tag("v{version}", 0.1.8) == "v0.1.8"``."""
    return tag_format.replace("{version}", str(version))


def parse_tag(tag_format: str, tag: str) -> semver.Version | None:
    """The version a tag spells under ``tag_format``, or None when it does not match."""
    head, tail = tag_format.split("{version}")
    match = re.fullmatch(re.escape(head) + f"({SEMVER_PATTERN})" + re.escape(tail), tag)
    return parse_version(match.group(1)) if match else None


def version_from_tag(tag_format: str, tag: str) -> semver.Version:
    """Like :func:`parse_tag` but raises when the tag does not follow ``tag_format``."""
    version = parse_tag(tag_format, tag)
    if version is None:
        example = render_tag(tag_format, semver.Version(0, 1, 0))
        raise VersionError(
            f"tag {tag!r} does not follow tag_format {tag_format!r} (e.g. {example}); "
            "pass the release tag or fix tag_format in releasekit.yaml"
        )
    return version
