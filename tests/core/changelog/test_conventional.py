"""Conventional Commits parsing and the grouping of a history into releases."""

from __future__ import annotations

import pytest
import semver

from releasekit.core.changelog.commits import Commit, Message, make_commit, parse_log, parse_message
from releasekit.core.changelog.conventional import ReleaseTag, group_releases, prepare_pattern

MESSAGES = [
    ("feat: add x", Message("feat", None, "add x", "", False, None, ())),
    ("Feat(API): add x", Message("feat", "API", "add x", "", False, None, ())),
    (
        "fix(a/b,c-d)!: drop y (#12)",
        Message("fix", "a/b,c-d", "drop y (#12)", "", True, None, (12,)),
    ),
    ("feat(): empty scope", Message("feat", None, "empty scope", "", False, None, ())),
    (
        "chore(deps): bump (#1) (#2)",
        Message("chore", "deps", "bump (#1) (#2)", "", False, None, (1, 2)),
    ),
    ("Update README", Message(None, None, "Update README", "", False, None, ())),
    ("feat:no space", Message(None, None, "feat:no space", "", False, None, ())),
    ("feat(x: bad scope", Message(None, None, "feat(x: bad scope", "", False, None, ())),
    (
        "feat: x\n\nBody text.\n\nBREAKING CHANGE: the API\nmoved to v2\n\n"
        "Signed-off-by: A <a@b.c>",
        Message(
            "feat",
            None,
            "x",
            "Body text.\n\nBREAKING CHANGE: the API\nmoved to v2\n\nSigned-off-by: A <a@b.c>",
            True,
            "the API moved to v2",
            (),
        ),
    ),
    (
        "refactor: y\n\nBREAKING-CHANGE: renamed\nRefs: #99\n",
        Message("refactor", None, "y", "BREAKING-CHANGE: renamed\nRefs: #99", True, "renamed", ()),
    ),
    (
        "Not conventional\n\nBREAKING CHANGE: still breaking",
        Message(
            None,
            None,
            "Not conventional",
            "BREAKING CHANGE: still breaking",
            True,
            "still breaking",
            (),
        ),
    ),
    (
        "\n\nfix: leading blank lines\n",
        Message("fix", None, "leading blank lines", "", False, None, ()),
    ),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_parse_message(text: str, expected: Message) -> None:
    assert parse_message(text) == expected


def test_prepare_pattern_matches_release_prepare_subjects() -> None:
    pattern = prepare_pattern("chore: prepare {tag} release")
    assert pattern.fullmatch("chore: prepare v1.2.3 release")
    assert pattern.fullmatch("chore: prepare volumes/x/v1.0.0 release")
    assert not pattern.fullmatch("chore: prepare the release notes")


def _commit(sha: str, subject: str, parents: str = "p") -> Commit:
    return make_commit(sha, parents, "2026-01-02", "A", subject)


def _tag(name: str, commit: str) -> ReleaseTag:
    return ReleaseTag(name, semver.Version.parse(name[1:]), commit, "2026-01-02")


def test_group_releases_orders_by_semver_and_counts_everything() -> None:
    history = [_commit(str(n), f"feat: {n}") for n in range(6, 0, -1)]  # newest first
    tags = sorted(
        [_tag("v0.9.0", "1"), _tag("v0.10.0", "3"), _tag("v1.0.0-rc.1", "5"), _tag("v1.0.0", "5")],
        key=lambda t: t.version,
        reverse=True,
    )
    releases = group_releases(history, tags, keep=lambda c: c.sha != "4")
    assert [
        (str(r.version), r.tag, r.previous_tag, [c.sha for c in r.commits], r.total)
        for r in releases
    ] == [
        ("None", None, "v1.0.0", ["6"], 1),
        ("1.0.0", "v1.0.0", "v0.10.0", ["5"], 2),
        ("0.10.0", "v0.10.0", "v0.9.0", ["3", "2"], 2),
        ("0.9.0", "v0.9.0", None, ["1"], 1),
    ]


def test_parse_log_reads_git_records_and_trailers() -> None:
    # `git log -z --format=LOG_FORMAT`: NUL between fields and after each record.
    output = (
        "aaa\0p1 p2\x002026-01-02\0Alice\0Signed-off-by: A <a@b.c>\nRefs: #9\n\0"
        "Merge pull request #7\n\0bbb\0p0\x002026-01-01\0Bob\0\0fix: y\n\0"
    )
    merge, fix = parse_log(output)
    assert merge.is_merge and not fix.is_merge
    assert merge.trailers == (("Signed-off-by", "A <a@b.c>"), ("Refs", "#9"))
    assert (fix.sha, fix.short, fix.type, fix.description, fix.trailers) == (
        "bbb",
        "bbb",
        "fix",
        "y",
        (),
    )
