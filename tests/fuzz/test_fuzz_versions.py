"""Fuzz: SemVer and CalVer versions, bump keywords, and tag formats (compile, parse, render).

Versions come from the SemVer grammar with its edge cases (leading zeros, numbers of thousands
of digits, empty or odd identifiers, ``v`` and ``V``, build metadata) and from mutations of real
versions; tag formats from the placeholder grammar (known and unknown placeholders, nested or
unbalanced optional segments) with tags rendered from them and mutated. Every call returns a
value or raises a ReleaseError; a tag a scheme renders parses back to the same version.
"""

from __future__ import annotations

import semver
from fuzzing import examples, mutated, verdict
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.common.errors import ReleaseError
from releasekit.core.tags.schemes import (
    CalVer,
    TagScheme,
    check_channel,
    next_patch,
    parse_any_version,
    parse_tag,
    precedes,
    render_tag,
    version_from_tag,
)
from releasekit.core.versioning.versions import (
    KEYWORDS,
    is_spelled_version,
    next_version,
    parse_version,
    resolve_new_version,
    spell_like,
)

NUMBERS = ("0", "1", "7", "00", "01", "10", "9" * 20, "9" * 4400, "", "٣", "²", "-1")
IDENTIFIERS = ("rc", "rc.1", "alpha", "0", "01", "x-y", "", "..", "é", "a b", "1" * 30)
SEEDS = ("0.1.7", "v0.1.8", "1.0.0-rc.1+build.5", "2026.04", "2026.04.1", "v1.2.3-alpha.01")


@st.composite
def spelled_versions(draw: st.DrawFn) -> str:
    """MAJOR.MINOR.PATCH[-PRE][+BUILD] with each part from the edge cases."""
    core = ".".join(draw(st.sampled_from(NUMBERS)) for _ in range(draw(st.integers(1, 4))))
    pre = draw(st.lists(st.sampled_from(IDENTIFIERS), max_size=3))
    build = draw(st.lists(st.sampled_from(IDENTIFIERS), max_size=2))
    text = draw(st.sampled_from(("", "v", "V", " "))) + core
    text += ("-" + ".".join(pre)) if pre else ""
    return text + (("+" + ".".join(build)) if build else "")


version_texts = st.one_of(spelled_versions(), spelled_versions(), mutated(SEEDS), st.text())
tokens = st.one_of(st.sampled_from((*IDENTIFIERS, "01", "rc.01", "-")), st.text(max_size=6))


@examples(ci=300)
@given(version_texts, st.sampled_from((*KEYWORDS, "1.0.0", "v2.0.0-rc.1", "bogus")), tokens)
def test_versions_and_bump_keywords_never_crash(text: str, requested: str, token: str) -> None:
    is_spelled_version(text)
    parsed = verdict(lambda: parse_version(text))
    current = parsed if isinstance(parsed, semver.Version) else None
    if current is not None:
        assert spell_like(current, text).lstrip("v") == str(current)
        for keyword in KEYWORDS:
            verdict(lambda k=keyword: next_version(current, k, token))
    verdict(lambda: resolve_new_version(requested, current, token))
    for versioning in ("semver", "calver"):
        verdict(lambda v=versioning: parse_any_version(v, text))  # type: ignore[arg-type]
    calver = verdict(lambda: CalVer.parse(text))
    if isinstance(calver, CalVer):
        assert CalVer.parse(str(calver)) == calver
        assert precedes(calver, next_patch(calver))
        verdict(lambda: check_channel(calver, draw_channel(text)))


def draw_channel(text: str) -> str:
    return ("edge", "stable", "lts", "bogus")[len(text) % 4]


PLACEHOLDERS = ("{version}", "{module}", "{codename}", "{dir}", "{channel}", "{bogus}", "{}")
LITERALS = ("v", "-", "/", "suite-", "_", ".", "release ", "[", "]", "{", "}", "é")


@st.composite
def tag_formats(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PLACEHOLDERS + LITERALS), max_size=7))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), "{version}")
    return "".join(parts)


formats = st.one_of(
    tag_formats(),
    st.sampled_from(
        (
            "v{version}",
            "{module}-v{version}",
            "suite-{version}[-{codename}]",
            "{dir}/v{version}",
            "{version}[-{channel}]",
        )
    ),
    mutated(("v{version}", "suite-{version}[-{codename}][-{channel}]")),
)
part_values = st.dictionaries(
    st.sampled_from(("module", "codename", "dir", "channel", "bogus")),
    st.sampled_from(("auth", "nova", "src/cloud", "stable", "lts", "edge", "", "a-b", "x/../y")),
    max_size=3,
)


@examples(ci=300)
@given(
    formats,
    st.sampled_from(("semver", "calver")),
    st.lists(version_texts, max_size=4),
    part_values,
)
def test_tag_formats_compile_parse_and_render_without_crashing(
    fmt: str, versioning: str, texts: list[str], parts: dict[str, str]
) -> None:
    scheme = verdict(lambda: TagScheme(fmt, versioning))  # type: ignore[arg-type]
    if isinstance(scheme, ReleaseError):
        return
    tags = [*texts, *(fmt.replace("{version}", t) for t in texts)]
    releases = scheme.releases(tags)
    assert releases == sorted(releases, key=lambda p: p.sort_key(), reverse=True)
    for tag in tags:
        verdict(lambda t=tag: scheme.require(t))
        if versioning == "semver":
            parse_tag(fmt, tag)
            verdict(lambda t=tag: version_from_tag(fmt, t))
    for text in texts:
        version = verdict(lambda t=text: parse_any_version(versioning, t))  # type: ignore[arg-type]
        if isinstance(version, ReleaseError):
            continue
        rendered = verdict(lambda v=version: scheme.render(v, parts))
        if isinstance(rendered, str):
            parsed = scheme.parse(rendered)
            assert parsed is not None and parsed.version == version, rendered
        if isinstance(version, semver.Version):
            verdict(lambda v=version: render_tag(fmt, v))
