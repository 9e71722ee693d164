"""Release tags spelled by ``tag_format`` (``v{version}`` by default).

The small SemVer-only API the foundation uses; :mod:`.tagschemes` has the general schemes
(named parts, optional segments, CalVer) that these functions delegate to.
"""

from __future__ import annotations

import semver

from .tagschemes import TagScheme


def render_tag(tag_format: str, version: semver.Version) -> str:
    """The tag for ``version``: ``render_tag("v{version}", 0.1.8) == "v0.1.8"``."""
    return TagScheme(tag_format).render(version)


def parse_tag(tag_format: str, tag: str) -> semver.Version | None:
    """The version a tag spells under ``tag_format``, or None when it does not match."""
    parsed = TagScheme(tag_format).parse(tag)
    return (
        parsed.version
        if parsed is not None and isinstance(parsed.version, semver.Version)
        else None
    )


def version_from_tag(tag_format: str, tag: str) -> semver.Version:
    """Like :func:`parse_tag` but raises when the tag does not follow ``tag_format``."""
    version = TagScheme(tag_format).require(tag).version
    assert isinstance(version, semver.Version)  # a semver scheme only parses SemVer
    return version
