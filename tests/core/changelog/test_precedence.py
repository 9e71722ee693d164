"""precedence() (issue 16) sorts releases exactly as ``key=version`` (SemVer precedence through
semver's own comparison) does, ties and their order included."""

from __future__ import annotations

import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.versioning.versions import precedence

IDENTIFIERS = st.sampled_from(["0", "1", "2", "10", "9", "rc", "rc1", "alpha", "beta", "a-b", "x"])
PRERELEASES = st.none() | st.lists(IDENTIFIERS, min_size=1, max_size=3).map(".".join)
BUILDS = st.none() | st.sampled_from(["build.1", "sha.abc", "7"])


@st.composite
def versions(draw: st.DrawFn) -> semver.Version:
    numbers = [draw(st.integers(0, 3)) for _ in range(3)]
    return semver.Version(*numbers, prerelease=draw(PRERELEASES), build=draw(BUILDS))


@settings(max_examples=500, deadline=None)
@given(st.lists(versions(), max_size=30), st.booleans())
def test_sorts_as_semver_precedence_does(found: list[semver.Version], reverse: bool) -> None:
    tagged = list(enumerate(found))  # the index tells equal versions apart: order is checked
    expected = sorted(tagged, key=lambda t: t[1], reverse=reverse)
    assert sorted(tagged, key=lambda t: precedence(t[1]), reverse=reverse) == expected
    assert [i for i, _ in sorted(tagged, key=lambda t: precedence(t[1]), reverse=reverse)] == [
        i for i, _ in expected
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(versions(), min_size=1, max_size=30))
def test_the_newest_is_the_one_max_finds_by_version(found: list[semver.Version]) -> None:
    """changelog.release picks the newest section with max(key=precedence): the same one (the
    first of equal versions) that max(key=version) picks."""
    tagged = list(enumerate(found))
    assert max(tagged, key=lambda t: precedence(t[1])) == max(tagged, key=lambda t: t[1])
