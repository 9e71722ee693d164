"""redact's narrower gates (issue 16) mask exactly what the broad ones did: the code before the
change (13aab81) is kept here as the oracle and both run on generated texts, short ones and
ones above the 64 KiB thresholds (one-pass gates, line by line), ASCII and not."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.common import redact as r

OLD_GATED = (
    (r._GITHUB_TOKEN, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    (r._AUTH_HEADER, ("authorization",)),
    (r._BEARER, ("bearer", "basic")),
    (r._ENV_ASSIGNMENT, ("token", "password", "passwd", "secret", "api_key", "apikey")),
    (r._KEY_VALUE, ("password", "passwd", "secret", "token", "api_key", "apikey", "auth")),
    (r._QUERY, ("=",)),
)


def old_redact(text: str) -> str:
    """redact before the change, verbatim but for the names it imports."""
    if not text:
        return text
    for secret in r._known():
        if secret in text:
            text = text.replace(secret, r.MASK)
    if "@" in text:
        text = r._mask_userinfo(text)
    lowered = text.lower()
    for pattern, words in OLD_GATED:
        if any(word in lowered for word in words):
            text = old_sub_lines(pattern, text, lowered, words)
            lowered = text.lower()
    return text


def old_sub_lines(pattern: re.Pattern[str], text: str, lowered: str, words: Iterable[str]) -> str:
    replace: Any = r._mask_value if "value" in pattern.groupindex else r.MASK
    if len(text) < r._WHOLE_TEXT or len(lowered) != len(text):
        return pattern.sub(replace, text)
    spans = set()
    for word in words:
        at = lowered.find(word)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            spans.add((start, end))
            at = lowered.find(word, end)
    parts, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        parts += [text[last:start], pattern.sub(replace, text[start:end])]
        last = end
    return "".join([*parts, text[last:]])


FRAGMENTS = [
    "secret", "SECRET", "Secret", "password", "PASSWORD", "passwd", "token", "TOKEN", "api_key",
    "API_KEY", "apikey", "auth", "access_token", "client_secret", "identitytoken", '"', "'",
    "=", ":", ": ", " ", "\n", "\r\n", "GH_TOKEN", "MY_SECRET_X", "hunter22", "abc.def",
    "ſ", "paſſword", "\u212a", "to\u212aen", "İ", "é", "-", ".", "_", "{", "}", ",", "&", "?",
    "bearer ", "Basic ", "authorization", "ghp_", "x" * 30, "rotate the secret lease",
]  # fmt: skip


@st.composite
def texts(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=40)))
    if draw(st.booleans()):  # above the thresholds: one-pass gates, the line-by-line path
        filler = draw(
            st.sampled_from(["rotate the secret lease\n", "plain line\n", "é plain line\n"])
        )
        at = draw(st.integers(0, 7000))
        lines = [filler] * 7000
        lines.insert(at, body + "\n")
        body = "".join(lines)
    return body


@settings(max_examples=300)
@given(texts())
def test_new_gates_mask_what_the_old_ones_masked(text: str) -> None:
    assert r.redact(text) == old_redact(text)


def test_prose_about_secrets_is_left_alone_and_credentials_are_not() -> None:
    prose = "- Rotate the secret lease (#12)\n" * 5000
    shown = prose + 'config {"password": "hunter22"} and MY_SECRET=abc\n' + prose
    out = r.redact(shown)
    assert out == old_redact(shown)
    assert '"password": "***"' in out and "MY_SECRET=***" in out
    assert out.count("Rotate the secret lease") == 10000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["pass", "word", "secret", "token", "_", "=", '"', "'", "auth",
                                 "api", "key", "gh", "p_", "client", "x", "\n"]), max_size=12))  # fmt: skip
def test_holds_any_answers_as_any_in_does(parts: list[str]) -> None:
    """The root-grouped gate (one scan per root while the root is absent) says what
    ``any(word in text ...)`` says, for every gate's words."""
    text = "".join(parts)
    for _pattern, words, _exact, _gate in r._GATED:
        assert r._holds_any(text, words) == any(word in text for word in words), (text, words)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([*FRAGMENTS, "PASSWD", "APIKEY", "gho_", "github_pat_", "pass",
                                 "word", "api", "key", "client", "refresh_", "registry", "Bearer",
                                 "BASIC", "\udcff", "GH", "p_", "x"]), max_size=16))  # fmt: skip
def test_big_text_gates_say_maybe_whenever_a_word_is_there(parts: list[str]) -> None:
    """Each one-pass gate of a big text is true whenever one of its words is in the text (it
    may say "maybe" without one: the words themselves then choose the lines)."""
    text = "".join(parts)
    lowered = text.lower()
    for pattern, words, exact, gate in r._GATED:
        if gate is None or (pattern is r._KEY_VALUE and not text.isascii()):
            continue
        where = text if exact else lowered
        if any(word in where for word in words):
            assert gate(where), (where, words)


def test_the_exact_gates_are_exact() -> None:
    for text in ("ghp_", "gho_x", "github_pat_", "a bearer", "basic"):
        assert r._github_gate(text) or r._bearer_gate(text)
    for text in ("github", "gh_p", "bear", "basil"):
        assert not r._github_gate(text) and not r._bearer_gate(text)
    assert not r._env_gate("Token Password tok_en" * 5000)
    assert r._env_gate("x" * 70000 + "MY_PASSWD=1")
    assert not r._key_value_gate("rotate the secret lease, the token and the api key " * 2000)
