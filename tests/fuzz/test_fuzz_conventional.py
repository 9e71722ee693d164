"""Fuzz: Conventional Commits messages, git's trailer fields, and the changelog built from them.

Messages are generated from the grammar (types, scopes with odd characters, ``!``, separators,
PR references up to thousands of digits, bodies, ``BREAKING CHANGE`` footers with continuation
lines, CR/LF/Unicode line breaks) and mutated from real commit messages. How ``git log``
output is split into records is the framing's business (NUL separators), not tested here.
"""

from __future__ import annotations

from pathlib import Path

from fuzzing import examples, mutated, verdict
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.changelog.commits import make_commit, parse_log, parse_message
from releasekit.core.changelog.context import Grouping, Style, build_context, context_json, render
from releasekit.core.changelog.conventional import Release, prepare_pattern
from releasekit.core.changelog.generate import load_template
from releasekit.core.config import ChangelogConfig

SEEDS = (
    "feat(api): add the v2 endpoint (#123)\n\nLonger body.\n\nBREAKING CHANGE: the v1\n"
    "endpoint is gone\nRefs: #12\nSigned-off-by: A <a@example.invalid>\n",
    "fix!: crash on empty input",
    "Merge pull request #77 from org/branch\n\nfeat: merged",
    "chore: prepare v0.1.8 release\n\nFiles:\n- Makefile\n",
    'revert: "feat: x"\n\nThis reverts commit 0123456789abcdef.',
    "\n\n  docs(readme, install): typo  \n",
)
TYPES = ("feat", "fix", "Feat", "FIX", "chore", "x-y", "1ab", "", "perf", "deps", "revert")
SCOPES = ("", "(api)", "(a/b, c)", "()", "((x))", "(\n)", "( )", "(é)", "(a)(b)")
SEPARATORS = (": ", ":", ":\t", " : ", ":  ", "!: ", "!:")
DESCRIPTIONS = (
    "add a thing", "x (#1)", "(#42) first", "two (#1) (#2)", "(#" + "9" * 4400 + ")",
    "(#٣)", "(#1234567890)", "", " ", "a\u2028b", "a\rb", "ünïcode", "(#)",
)  # fmt: skip
FOOTERS = (
    "BREAKING CHANGE: removed x", "BREAKING-CHANGE: y", "BREAKING CHANGE:", "Refs: #1",
    "Signed-off-by: A <a@b>", "Co-authored-by: B", "Closes #9", "BREAKING CHANGE : no",
    "  continued line", "breaking change: lower",
)  # fmt: skip


@st.composite
def messages(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(("\n", "\n", "\r\n", "\r")))
    subject = (
        draw(st.sampled_from(TYPES))
        + draw(st.sampled_from(SCOPES))
        + draw(st.sampled_from(SEPARATORS))
        + draw(st.sampled_from(DESCRIPTIONS))
    )
    paragraphs = [subject]
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            paragraphs.append(newline.join(draw(st.lists(st.sampled_from(FOOTERS), max_size=4))))
        else:
            paragraphs.append(draw(st.text(max_size=30)))
    lead = newline * draw(st.integers(0, 2))
    return lead + (newline * 2).join(paragraphs)


# The shipped template, loaded once (compiling it costs more than the rest of an example).
TEMPLATE = load_template(Path("."), ChangelogConfig())
texts = st.one_of(messages(), messages(), mutated(SEEDS), st.text())
trailers = st.one_of(
    st.lists(st.sampled_from((*FOOTERS, "k: v", ":", "", "no colon")), max_size=4).map("\x1d".join),
    st.text(max_size=20),
)


@examples(ci=300)
@given(texts)
def test_parsing_a_message_never_crashes(message: str) -> None:
    parsed = verdict(lambda: parse_message(message))
    assert not isinstance(parsed, BaseException)
    assert all(isinstance(n, int) and 0 <= n < 10**9 for n in parsed.prs)
    assert parsed.conventional == (parsed.type is not None)
    if parsed.type is not None:
        assert parsed.type == parsed.type.lower()


@examples(ci=100)
@given(st.lists(st.tuples(texts, trailers), min_size=1, max_size=6), texts)
def test_commits_to_a_changelog_never_crash(
    items: list[tuple[str, str]], commit_message: str
) -> None:
    commits = [
        make_commit(f"{n:040x}", "" if n % 3 else "a b", "2026-01-02", "A", message, raw)
        for n, (message, raw) in enumerate(items)
    ]
    for commit in commits:
        assert isinstance(commit.body, str)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in commit.trailers)
    verdict(lambda: prepare_pattern(commit_message))
    cfg = ChangelogConfig(group_by_scope=len(items) % 2 == 0, other_section="Other")
    grouping = verdict(lambda: Grouping.from_config(cfg, "chore: prepare {tag} release"))
    assert isinstance(grouping, Grouping)
    release = Release(None, None, None, "v0.1.7", tuple(commits), len(commits))
    context = build_context([release], grouping)
    context_json(context)
    text = verdict(lambda: render(TEMPLATE, context, Style(), header=True, cfg=cfg))
    assert not isinstance(text, BaseException)


@examples(ci=100)
@given(st.lists(st.tuples(texts, trailers), min_size=1, max_size=5))
def test_crafted_messages_never_forge_commits_in_git_log_output(
    items: list[tuple[str, str]],
) -> None:
    # What `git log -z --format=LOG_FORMAT` prints: six NUL-separated fields per commit. A
    # message cannot hold NUL (git stops at one); every other separator it may hold.
    records = [
        [f"{n:040x}", "", "2026-01-02", "A", raw.replace("\0", ""), message.replace("\0", "")]
        for n, (message, raw) in enumerate(items)
    ]
    commits = parse_log("\0".join(field for record in records for field in record))
    assert [c.sha for c in commits] == [r[0] for r in records]
    assert [c.raw_message for c in commits] == [r[5].lstrip("\n") for r in records]
