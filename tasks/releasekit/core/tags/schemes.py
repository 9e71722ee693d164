"""Tag schemes: how a release tag is spelled from named parts, and parsed back into them.

A scheme is ``tag_format`` plus the kind of version it holds. Formats are literal text with
placeholders and optional segments in brackets (git forbids ``[`` in ref names, so a bracket
can never be literal tag text):

    v{version}                         v0.1.8
    {version}                          0.1.8
    {module}-v{version}                module-authority-v1.2.3  (module "module-authority")
    suite-{version}[-{codename}]       suite-2026.04-nova, suite-2026.04.1
    {dir}/v{version}                   src/cloud-providers/v0.8.0

Versions are SemVer (``semver``) or CalVer ``YYYY.MM[.PATCH]`` for suites (seed 003), where a
channel (edge, stable, lts) may be spelled as a ``-stable``/``-lts`` suffix and LTS is only
allowed for April releases. Ordering is always by version precedence, never by string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, TypeAlias

import semver

from ..common.errors import ConfigError, VersionError
from ..common.excerpt import clip, excerpt
from ..versioning.versions import CALVER_PATTERN, SEMVER_PATTERN, parse_version

Versioning = Literal["semver", "calver"]
Channel = Literal["edge", "stable", "lts"]
CHANNELS: tuple[Channel, ...] = ("edge", "stable", "lts")
LTS_MONTH = 4

_CHANNEL_WORDS = "|".join(CHANNELS)

# What each placeholder may match. Module names have no dots and codenames no dashes, which
# keeps every parse unambiguous: the version is the only part that starts "digits-dot".
# A {dir} may hold dots and slashes; the version never holds a slash, so the last "/v" wins.
PART_PATTERNS: dict[str, str] = {
    "module": r"[A-Za-z0-9][A-Za-z0-9_-]*",
    "codename": rf"(?!(?:{_CHANNEL_WORDS})(?![a-z0-9]))[a-z][a-z0-9]*",
    "dir": r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*",
    "channel": r"stable|lts",
}
PARTS = ("version", *PART_PATTERNS)
_TOKEN_RE = re.compile(r"\{([a-z]+)\}|\[|\]")


@dataclass(frozen=True, order=True)
class CalVer:
    """A suite version ``YYYY.MM[.PATCH]``; ``2026.04`` is patch 0, its hotfix ``2026.04.1``."""

    year: int
    month: int
    patch: int = 0

    def __str__(self) -> str:
        base = f"{self.year:04d}.{self.month:02d}"
        return f"{base}.{self.patch}" if self.patch else base

    @classmethod
    def parse(cls, text: str) -> CalVer:
        """Parse ``2026.04`` or ``2026.04.1``.

        Raises:
            VersionError: ``text`` is not ``YYYY.MM[.PATCH]``.
        """
        if re.fullmatch(CALVER_PATTERN, text) is None:
            raise VersionError(
                f"{excerpt(text)} is not a CalVer suite version; use YYYY.MM or YYYY.MM.PATCH "
                "(e.g. 2026.04, hotfix 2026.04.1)"
            )
        year, month, *patch = (int(p) for p in text.split("."))
        return cls(year, month, patch[0] if patch else 0)

    @property
    def prerelease(self) -> None:
        return None

    def bump_patch(self) -> CalVer:
        return CalVer(self.year, self.month, self.patch + 1)


Version: TypeAlias = semver.Version | CalVer


def parse_any_version(versioning: Versioning, text: str) -> Version:
    """A version of the scheme's kind; a leading ``v`` is accepted for SemVer."""
    if versioning == "calver":
        return CalVer.parse(text)
    return parse_version(text)


def next_patch(version: Version) -> Version:
    """The next patch: 0.1.7 -> 0.1.8, 0.8.0-alpha.1 -> 0.8.0-alpha.2, 2026.04 -> 2026.04.1."""
    if isinstance(version, semver.Version) and version.prerelease:
        return version.bump_prerelease()
    return version.bump_patch()


def precedes(a: Version, b: Version) -> bool:
    """True when ``a`` has lower precedence than ``b`` (versions of one kind)."""
    if isinstance(a, CalVer) and isinstance(b, CalVer):
        return a < b
    if isinstance(a, semver.Version) and isinstance(b, semver.Version):
        return a < b
    raise VersionError(f"cannot compare {a} with {b}: one is CalVer, the other SemVer")


def check_channel(version: Version, channel: str) -> Channel:
    """Validate a channel name and the rule that LTS is only for April (.04) releases.

    Raises:
        VersionError: an unknown channel, or LTS for a release that is not an April CalVer.
    """
    if channel not in CHANNELS:
        raise VersionError(f"channel {excerpt(channel)} is not one of {', '.join(CHANNELS)}")
    if channel == "lts" and not (isinstance(version, CalVer) and version.month == LTS_MONTH):
        raise VersionError(
            f"channel lts is only allowed for April releases (YYYY.04), not {version}; "
            "use --channel stable, or release LTS from the April suite"
        )
    return channel


@dataclass(frozen=True)
class ParsedTag:
    """A tag that follows a scheme, split into its parts."""

    tag: str
    version: Version
    parts: Mapping[str, str] = field(default_factory=dict)

    @property
    def channel(self) -> Channel:
        """The tag's channel: its ``-stable``/``-lts`` suffix, else edge (seed 003)."""
        found = self.parts.get("channel", "edge")
        return found if found in CHANNELS else "edge"

    @property
    def is_prerelease(self) -> bool:
        return bool(self.version.prerelease)

    def sort_key(self) -> tuple[Version, str]:
        """Precedence first; the tag text only breaks ties between equal versions."""
        return (self.version, self.tag)


@dataclass(frozen=True)
class _Segment:
    literal: str = ""
    part: str = ""
    optional: tuple[_Segment, ...] = ()


@dataclass(frozen=True)
class TagScheme:
    """A compiled ``tag_format`` with its kind of version."""

    format: str
    versioning: Versioning = "semver"

    def __post_init__(self) -> None:
        if self.versioning not in ("semver", "calver"):
            raise ConfigError(f"versioning {excerpt(self.versioning)} is not semver or calver")
        self._compiled  # noqa: B018 - validate the format now, not at first use

    @cached_property
    def _segments(self) -> tuple[_Segment, ...]:
        return _compile(self.format)

    @cached_property
    def _compiled(self) -> re.Pattern[str]:
        return re.compile("".join(_regex(s, self.versioning) for s in self._segments))

    @property
    def parts(self) -> tuple[str, ...]:
        """The placeholders in the format, in order (``version`` included)."""
        return tuple(re.findall(r"\{([a-z]+)\}", self.format))

    def render(self, version: Version, parts: Mapping[str, str] | None = None) -> str:
        """The tag for ``version`` and ``parts``; an optional segment without its part vanishes.

        Raises:
            VersionError: a required part is missing, or a part's value cannot be spelled.
        """
        given = {
            k: v for k, v in (parts or {}).items() if v and not (k == "channel" and v == "edge")
        }
        self._check_version_kind(version)
        for name, value in given.items():
            if name not in PART_PATTERNS:
                raise VersionError(
                    f"unknown tag part {excerpt(name)}; known parts: {', '.join(PARTS)}"
                )
            if re.fullmatch(PART_PATTERNS[name], value) is None:
                raise VersionError(
                    f"{name} {excerpt(value)} cannot be spelled in a tag ({excerpt(self.format)})"
                )
        out = "".join(_render(s, str(version), given, self.format) for s in self._segments)
        if self.parse(out) is None:  # e.g. a module name that would be read back differently
            raise VersionError(f"{excerpt(out)} would not parse back under {excerpt(self.format)}")
        return out

    def parse(self, tag: str) -> ParsedTag | None:
        """The parts of ``tag``, or None when it does not follow this scheme."""
        match = self._compiled.fullmatch(tag)
        if match is None:
            return None
        found = {k: v for k, v in match.groupdict().items() if v is not None}
        text = found.pop("version")
        try:
            version = parse_any_version(self.versioning, text)
        except VersionError:
            return None
        return ParsedTag(tag, version, found)

    def require(self, tag: str) -> ParsedTag:
        """Like :meth:`parse` but raises when ``tag`` does not follow the scheme."""
        parsed = self.parse(tag)
        if parsed is None:
            example = self.render(_example(self.versioning), _example_parts(self))
            raise VersionError(
                f"tag {excerpt(tag)} does not follow tag_format {excerpt(self.format)} (e.g. {clip(example)}); "
                "pass the release tag or fix tag_format in releasekit.yaml"
            )
        return parsed

    def releases(self, tags: Iterable[str]) -> list[ParsedTag]:
        """The tags that follow the scheme, newest (highest precedence) first; others ignored."""
        parsed = [p for p in (self.parse(t) for t in tags) if p is not None]
        return sorted(parsed, key=ParsedTag.sort_key, reverse=True)

    def _check_version_kind(self, version: Version) -> None:
        if (self.versioning == "calver") != isinstance(version, CalVer):
            raise VersionError(
                f"{version} is not a {self.versioning} version ({excerpt(self.format)})"
            )


def _compile(fmt: str) -> tuple[_Segment, ...]:
    """Split a format into literal, placeholder and optional segments, validating it."""

    def bad(problem: str) -> ConfigError:
        return ConfigError(f"tag_format {excerpt(fmt)} {problem}")

    stack: list[list[_Segment]] = [[]]
    pos = 0
    seen: list[str] = []
    for token in _TOKEN_RE.finditer(fmt):
        if token.start() > pos:
            stack[-1].append(_Segment(literal=fmt[pos : token.start()]))
        pos = token.end()
        if token.group(1):
            name = token.group(1)
            if name not in PARTS:
                raise bad(
                    f"has unknown placeholder {{{clip(name, 30)}}}; known: {', '.join(PARTS)}"
                )
            if name in seen:
                raise bad(f"uses {{{name}}} twice")
            if name == "version" and len(stack) > 1:
                raise bad("makes {version} optional; the version is always required")
            seen.append(name)
            stack[-1].append(_Segment(part=name))
        elif token.group(0) == "[":
            if len(stack) > 1:
                raise bad("nests optional [...] segments")
            stack.append([])
        else:
            if len(stack) == 1:
                raise bad("has a ] without [")
            inner = stack.pop()
            if sum(1 for s in inner if s.part) != 1:
                raise bad("needs exactly one placeholder in each optional [...] segment")
            stack[-1].append(_Segment(optional=tuple(inner)))
    if len(stack) > 1:
        raise bad("has a [ without ]")
    if pos < len(fmt):
        stack[0].append(_Segment(literal=fmt[pos:]))
    if "version" not in seen:
        raise bad("must contain {version}")
    return tuple(stack[0])


def _regex(segment: _Segment, versioning: Versioning) -> str:
    if segment.optional:
        return "(?:" + "".join(_regex(s, versioning) for s in segment.optional) + ")?"
    if segment.part == "version":
        return f"(?P<version>{CALVER_PATTERN if versioning == 'calver' else SEMVER_PATTERN})"
    if segment.part:
        return f"(?P<{segment.part}>{PART_PATTERNS[segment.part]})"
    return re.escape(segment.literal)


def _render(segment: _Segment, version: str, parts: Mapping[str, str], fmt: str) -> str:
    if segment.optional:
        (name,) = [s.part for s in segment.optional if s.part]
        if name not in parts:
            return ""
        return "".join(_render(s, version, parts, fmt) for s in segment.optional)
    if segment.part == "version":
        return version
    if segment.part:
        if segment.part not in parts:
            raise VersionError(
                f"tag_format {excerpt(fmt)} needs a {segment.part}; pass --{segment.part}"
            )
        return parts[segment.part]
    return segment.literal


def _example(versioning: Versioning) -> Version:
    return CalVer(2026, 4) if versioning == "calver" else semver.Version(0, 1, 0)


def _example_parts(scheme: TagScheme) -> dict[str, str]:
    samples = {"module": "authority", "codename": "nova", "dir": "src/module"}
    return {p: samples[p] for p in scheme.parts if p in samples}


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
