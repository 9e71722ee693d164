"""The commit parser's fast path (one call a commit, the tuple built directly, fields mapped six
at a time) gives what the straightforward parser gave before it (issue 16): the reference
below is that parser, kept verbatim, compared over generated messages and whole ``git log -z``
records. PARSE_EXAMPLES=N explores longer.
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.changelog.commits import (
    _BREAKING_FOOTER_RE,
    _HEADER_RE,
    _PR_RE,
    Commit,
    _breaking_text,
    make_commit,
    parse_fields,
    parse_message,
)

PIECES = st.sampled_from(
    ["feat", "fix", "Feat", "(api)", "(a/b, c)", "()", "!", ":", ": ", " ", "\t", "\n", "\n\n",
     "\r\n", "BREAKING CHANGE: x", "BREAKING-CHANGE:", "BREAKING", "(#12)", "(#0)", "(#1234567890)",
     "Signed-off-by: A <a@x.invalid>", "Refs #3", "text", "ß", "#", "(", ")"]
)  # fmt: skip
MESSAGES = st.one_of(st.lists(PIECES, max_size=12).map("".join), st.text(max_size=80))
MAX = int(os.environ.get("PARSE_EXAMPLES", "400"))


# The parser as it was, verbatim (core/changelog/conventional.py before the fast path; the
# parser is core/changelog/commits.py now).
def _reference_fields(
    message: str,
) -> tuple[str, str | None, str | None, str, bool, str | None, tuple[int, ...]]:
    """(subject, type, scope, description, breaking, breaking description, PRs) of a message
    without leading blank lines. The hot path: it runs once per commit of the history, so
    cheap substring tests guard every regex and the body is not split out."""
    subject = message.partition("\n")[0].strip()
    prs = tuple(int(n) for n in _PR_RE.findall(subject)) if "(#" in subject else ()
    breaking_text = None
    footer = _BREAKING_FOOTER_RE.search(message) if "BREAKING" in message else None
    if footer is not None and footer.start() == 0:  # the subject line itself is no footer
        footer = _BREAKING_FOOTER_RE.search(message, message.find("\n") + 1 or len(message))
    if footer is not None:
        breaking_text = _breaking_text(footer, message)
    match = _HEADER_RE.fullmatch(subject) if ":" in subject else None
    if match is None:
        return subject, None, None, subject, footer is not None, breaking_text, prs
    kind, scope, bang, description = match.groups()
    return (
        subject,
        kind.lower(),
        (scope.strip() or None) if scope else None,
        description.strip(),
        bang is not None or footer is not None,
        breaking_text,
        prs,
    )


def _reference(
    sha: str, parents: str, date: str, author: str, message: str, trailers: str
) -> Commit:
    if message.startswith("\n"):
        message = message.lstrip("\n")
    return Commit(sha, parents, date, author, *_reference_fields(message), trailers, message)


@settings(max_examples=MAX, deadline=None)
@given(MESSAGES, st.sampled_from(["", "a", "a b"]), st.text(max_size=20))
def test_one_commit_is_parsed_as_before(message: str, parents: str, trailers: str) -> None:
    made = make_commit("f" * 40, parents, "2026-01-02", "A", message, trailers)
    assert made == _reference("f" * 40, parents, "2026-01-02", "A", message, trailers)
    assert type(made) is Commit
    parsed = parse_message(message)
    expected = _reference("", "", "", "", message.lstrip("\n"), "")
    assert (parsed.type, parsed.scope, parsed.description, parsed.breaking,
            parsed.breaking_description, parsed.prs) == (
        expected.type, expected.scope, expected.description, expected.breaking,
        expected.breaking_description, expected.prs)  # fmt: skip


@settings(max_examples=MAX // 4, deadline=None)
@given(st.lists(st.tuples(MESSAGES, st.text(max_size=10)), max_size=8), st.integers(0, 5))
def test_records_are_parsed_as_before(records: list[tuple[str, str]], extra: int) -> None:
    fields: list[str] = []
    for n, (message, trailers) in enumerate(records):
        fields += [f"{n:040x}", "p", "2026-01-02", "A", trailers, message]
    fields += ["partial"] * extra  # an unfinished record at the end is left alone
    expected = [_reference(*f[:4], f[5], f[4]) for f in (fields[i : i + 6] for i in
                range(0, len(records) * 6, 6))]  # fmt: skip
    assert list(parse_fields(fields)) == expected
