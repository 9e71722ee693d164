"""Tag schemes: parse tables, CalVer and channels, and hypothesis round trips and ordering."""

from __future__ import annotations

import re

import pytest
import semver
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.common.errors import ConfigError, VersionError
from releasekit.core.tags.schemes import (
    PART_PATTERNS,
    CalVer,
    TagScheme,
    check_channel,
    next_patch,
    parse_any_version,
    parse_tag,
    render_tag,
    version_from_tag,
)

SUITE = "suite-{version}[-{codename}][-{channel}]"


@pytest.mark.parametrize(
    ("fmt", "versioning", "tag", "version", "parts"),
    [
        ("v{version}", "semver", "v0.1.8", "0.1.8", {}),
        ("v{version}", "semver", "v0.8.0-alpha.1", "0.8.0-alpha.1", {}),
        ("{version}", "semver", "1.2.3+build.5", "1.2.3+build.5", {}),
        (
            "{module}-v{version}",
            "semver",
            "module-authority-v1.2.3",
            "1.2.3",
            {"module": "module-authority"},
        ),
        (
            "module-{module}-v{version}",
            "semver",
            "module-authority-v1.2.3",
            "1.2.3",
            {"module": "authority"},
        ),
        (
            "suite-{version}-{codename}",
            "calver",
            "suite-2026.04-nova",
            "2026.04",
            {"codename": "nova"},
        ),
        (SUITE, "calver", "suite-2026.04", "2026.04", {}),
        (SUITE, "calver", "suite-2026.04.1", "2026.04.1", {}),
        (
            SUITE,
            "calver",
            "suite-2026.04-nova-lts",
            "2026.04",
            {"codename": "nova", "channel": "lts"},
        ),
        (SUITE, "calver", "suite-2026.10-stable", "2026.10", {"channel": "stable"}),
        (
            "{dir}/v{version}",
            "semver",
            "src/cloud-providers/v0.8.0",
            "0.8.0",
            {"dir": "src/cloud-providers"},
        ),
        ("{dir}/v{version}", "semver", "src/x/v2/v2.0.0", "2.0.0", {"dir": "src/x/v2"}),
    ],
)
def test_parse_table(
    fmt: str, versioning: str, tag: str, version: str, parts: dict[str, str]
) -> None:
    scheme = TagScheme(fmt, versioning)  # type: ignore[arg-type]
    parsed = scheme.parse(tag)
    assert parsed is not None
    assert str(parsed.version) == version
    assert dict(parsed.parts) == parts
    assert scheme.render(parsed.version, parsed.parts) == tag


@pytest.mark.parametrize(
    ("fmt", "versioning", "tag"),
    [
        ("v{version}", "semver", "0.1.8"),
        ("v{version}", "semver", "v0.1"),
        ("v{version}", "semver", "v01.2.3"),
        ("v{version}", "semver", "release-v0.1.8"),
        ("{module}-v{version}", "semver", "-v1.2.3"),
        ("suite-{version}-{codename}", "calver", "suite-2026.13-nova"),
        ("suite-{version}-{codename}", "calver", "suite-2026.4-nova"),
        (SUITE, "calver", "suite-2026.04.0"),
        (SUITE, "calver", "suite-2026.04-Nova"),
        ("{dir}/v{version}", "semver", "v0.8.0"),
    ],
)
def test_tags_that_do_not_follow_the_scheme_are_ignored(
    fmt: str, versioning: str, tag: str
) -> None:
    scheme = TagScheme(fmt, versioning)  # type: ignore[arg-type]
    assert scheme.parse(tag) is None
    assert scheme.releases([tag]) == []


@pytest.mark.parametrize(
    ("fmt", "problem"),
    [
        ("v{vers}", "unknown placeholder {vers}"),
        ("{module}", "must contain {version}"),
        ("v{version}-{version}", "uses {version} twice"),
        ("[v{version}]", "makes {version} optional"),
        ("v{version}[-{codename}", "has a [ without ]"),
        ("v{version}]", "has a ] without ["),
        ("v{version}[-rc]", "exactly one placeholder"),
        ("v{version}[[-{codename}]]", "nests optional"),
    ],
)
def test_bad_formats_are_config_errors(fmt: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        TagScheme(fmt)


def test_render_needs_required_parts_and_refuses_unspellable_ones() -> None:
    with pytest.raises(VersionError, match="needs a module; pass --module"):
        TagScheme("{module}-v{version}").render(semver.Version(1, 0, 0))
    with pytest.raises(VersionError, match="codename 'Nova' cannot be spelled"):
        TagScheme(SUITE, "calver").render(CalVer(2026, 4), {"codename": "Nova"})
    with pytest.raises(VersionError, match="is not a calver version"):
        TagScheme(SUITE, "calver").render(semver.Version(1, 0, 0))


def test_foundation_api_delegates_to_the_scheme() -> None:
    assert render_tag("v{version}", semver.Version(0, 1, 8)) == "v0.1.8"
    assert parse_tag("v{version}", "v0.1.8") == semver.Version(0, 1, 8)
    assert parse_tag("v{version}", "0.1.8") is None
    with pytest.raises(
        VersionError, match=r"does not follow tag_format 'v\{version\}' \(e.g. v0.1.0\)"
    ):
        version_from_tag("v{version}", "0.1.8")


def test_calver_and_next_patch() -> None:
    assert str(CalVer.parse("2026.04")) == "2026.04"
    assert next_patch(CalVer.parse("2026.04")) == CalVer(2026, 4, 1)
    assert str(next_patch(CalVer.parse("2026.04.1"))) == "2026.04.2"
    assert str(next_patch(semver.Version.parse("0.1.7"))) == "0.1.8"
    assert str(next_patch(semver.Version.parse("0.8.0-alpha.1"))) == "0.8.0-alpha.2"
    with pytest.raises(VersionError, match="not a CalVer suite version"):
        parse_any_version("calver", "26.4")


def test_lts_only_for_april_releases() -> None:
    assert check_channel(CalVer(2026, 4), "lts") == "lts"
    assert check_channel(CalVer(2026, 10), "stable") == "stable"
    with pytest.raises(
        VersionError, match=r"lts is only allowed for April releases \(YYYY.04\), not 2026.10"
    ):
        check_channel(CalVer(2026, 10), "lts")
    with pytest.raises(VersionError, match="only allowed for April"):
        check_channel(semver.Version(1, 4, 0), "lts")
    with pytest.raises(VersionError, match="'beta' is not one of edge, stable, lts"):
        check_channel(CalVer(2026, 4), "beta")


def test_channel_of_a_tag_defaults_to_edge() -> None:
    scheme = TagScheme(SUITE, "calver")
    assert scheme.require("suite-2026.04-nova").channel == "edge"
    assert scheme.require("suite-2026.04-nova-lts").channel == "lts"
    assert (
        scheme.render(CalVer(2026, 4), {"codename": "nova", "channel": "edge"})
        == "suite-2026.04-nova"
    )


# --- hypothesis -------------------------------------------------------------------------------

_numeric = st.integers(0, 10_000).map(str)
_alnum = st.from_regex(r"[0-9]*[A-Za-z-][0-9A-Za-z-]{0,6}", fullmatch=True)
_identifiers = st.lists(st.one_of(_numeric, _alnum), min_size=1, max_size=4).map(".".join)
semvers = st.builds(
    semver.Version,
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.one_of(st.none(), _identifiers),
    st.one_of(
        st.none(), st.from_regex(r"[0-9A-Za-z-]{1,5}(\.[0-9A-Za-z-]{1,5}){0,2}", fullmatch=True)
    ),
)
calvers = st.builds(CalVer, st.integers(1000, 9999), st.integers(1, 12), st.integers(0, 500))
modules = st.from_regex(PART_PATTERNS["module"], fullmatch=True).filter(lambda s: len(s) < 40)
codenames = st.from_regex(r"[a-z][a-z0-9]{0,9}", fullmatch=True).filter(
    lambda s: s not in ("edge", "stable", "lts")
)
dirs = st.lists(
    st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,8}", fullmatch=True), min_size=1, max_size=4
).map("/".join)

SCHEMES = [
    (TagScheme("v{version}"), semvers, st.just({})),
    (TagScheme("{version}"), semvers, st.just({})),
    (TagScheme("{module}-v{version}"), semvers, st.fixed_dictionaries({"module": modules})),
    (
        TagScheme("suite-{version}-{codename}", "calver"),
        calvers,
        st.fixed_dictionaries({"codename": codenames}),
    ),
    (
        TagScheme(SUITE, "calver"),
        calvers,
        st.fixed_dictionaries(
            {}, optional={"codename": codenames, "channel": st.sampled_from(["stable", "lts"])}
        ),
    ),
    (TagScheme("{dir}/v{version}"), semvers, st.fixed_dictionaries({"dir": dirs})),
]


@pytest.mark.parametrize(
    ("scheme", "versions", "parts"), SCHEMES, ids=[s[0].format for s in SCHEMES]
)
@given(data=st.data())
def test_round_trip_for_every_scheme(
    scheme: TagScheme, versions: st.SearchStrategy, parts: st.SearchStrategy, data: st.DataObject
) -> None:  # type: ignore[type-arg]
    version = data.draw(versions)
    named = data.draw(parts)
    tag = scheme.render(version, named)
    parsed = scheme.parse(tag)
    assert parsed is not None
    assert str(parsed.version) == str(version)
    assert dict(parsed.parts) == named
    assert scheme.render(parsed.version, parsed.parts) == tag


def _precedence_key(text: str) -> tuple[object, ...]:
    """SemVer 2.0.0 section 11, written out independently of the semver library."""
    core, _, _build = text.partition("+")
    release, dash, pre = core.partition("-")
    numbers = tuple(int(x) for x in release.split("."))
    if not dash:
        return (numbers, 1, ())
    ids = tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in pre.split("."))
    return (numbers, 0, ids)


@given(st.lists(semvers, min_size=1, max_size=12, unique_by=str))
def test_ordering_agrees_with_semver_precedence(versions: list[semver.Version]) -> None:
    scheme = TagScheme("v{version}")
    tags = [f"v{v}" for v in versions]
    listed = [str(p.version) for p in scheme.releases(tags)]
    keys = [_precedence_key(v) for v in listed]
    assert keys == sorted(keys, reverse=True)
    assert sorted(listed) == sorted(str(v) for v in versions)


@given(st.lists(calvers, min_size=1, max_size=12, unique=True))
def test_calver_ordering_is_by_year_month_patch(versions: list[CalVer]) -> None:
    scheme = TagScheme(SUITE, "calver")
    listed = [p.version for p in scheme.releases([scheme.render(v) for v in versions])]
    assert [(v.year, v.month, v.patch) for v in listed] == sorted(
        ((v.year, v.month, v.patch) for v in versions), reverse=True
    )


def test_ordering_is_not_by_string() -> None:
    scheme = TagScheme("v{version}")
    tags = ["v0.1.9", "v0.1.10", "v0.1.10-rc.2", "v0.1.10-rc.10", "v0.1.10-alpha"]
    assert [p.tag for p in scheme.releases(tags)] == [
        "v0.1.10",
        "v0.1.10-rc.10",
        "v0.1.10-rc.2",
        "v0.1.10-alpha",
        "v0.1.9",
    ]
