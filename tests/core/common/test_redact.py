"""core.common.redact: every credential shape is masked, ordinary output is left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.common import redact as r
from releasekit.core.common.errors import CommandError

CASES = [
    ("oci://alice:s3cr3t-pw@127.0.0.1:5000/charts", "oci://***@127.0.0.1:5000/charts"),
    ("push 'oci://u:p@ss@ghcr.io/org' failed", "push 'oci://***@ghcr.io/org' failed"),
    ("https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r", "https://***@github.com/o/r"),
    ("https://x-access-token:tok@github.com/o/r.git", "https://***@github.com/o/r.git"),
    ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git"),
    ("Authorization: Bearer eyJhbGciOi.abc.def", "Authorization: Bearer ***"),
    ("authorization: Basic YWxpY2U6czNjcjN0", "authorization: Basic ***"),
    ('{"Authorization": "token abcdef"}', '{"Authorization": "token ***"}'),
    ("WWW-Authenticate: Bearer abcdefgh12345678", "WWW-Authenticate: Bearer ***"),
    ("GITHUB_TOKEN=ghs_1234 GH_TOKEN: abcdefgh", "GITHUB_TOKEN=*** GH_TOKEN: ***"),
    ("token ghp_abcdefghijklmnopqrstuvwxyz0123", "token ***"),
    ("github_pat_11ABCDEFG0abcdefghijklmnopqrstu", "***"),
    ("https://x/y?access_token=abc&x=1&X-Amz-Signature=dead", "https://x/y?access_token=***&x=1&X-Amz-Signature=***"),
    ('{"auths": {"h": {"auth": "YWxpY2U6czNjcjN0"}}}', '{"auths": {"h": {"auth": "***"}}}'),
    ("password=hunter22", "password=***"),
    # ordinary output stays byte for byte
    ("prerelease_token: rc", "prerelease_token: rc"),
    ("fix: rotate the token: use the new one", "fix: rotate the token: use the new one"),
    ("Basic authentication is required", "Basic authentication is required"),
    ('Bearer realm="https://auth.example/token",service="registry"', 'Bearer realm="https://auth.example/token",service="registry"'),
    ("https://github.com/example/demo/compare/v0.1.7...v0.1.8", "https://github.com/example/demo/compare/v0.1.7...v0.1.8"),
    ("Release Bot <bot@example.invalid>", "Release Bot <bot@example.invalid>"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redact(text: str, expected: str) -> None:
    assert r.redact(text) == expected


def test_registered_secrets_and_their_basic_form_are_masked_anywhere() -> None:
    r.register_login("robot", "pw-registered-1")
    assert r.redact("bad password pw-registered-1 for robot") == "bad password *** for robot"
    assert r.redact("Basic cm9ib3Q6cHctcmVnaXN0ZXJlZC0x") == "Basic ***"
    assert r.redact("cm9ib3Q6cHctcmVnaXN0ZXJlZC0x") == "***"


def test_token_values_from_the_environment_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN", "plain-looking-value-42")
    monkeypatch.setenv("SOME_SECRET_NAME", "short")  # too short to be masked everywhere
    assert r.redact("gh said plain-looking-value-42.") == "gh said ***."
    assert r.redact("a short word") == "a short word"


def test_errors_are_redacted_wherever_they_are_printed() -> None:
    exc = CommandError("helm push oci://bob:hunter2hunter2@host/c failed: 401")
    assert str(exc) == "helm push oci://***@host/c failed: 401"
    assert "hunter2" not in f"{exc}"


def test_json_data_is_redacted_recursively() -> None:
    data = {"ref": "oci://a:b-secret@h/c", "list": ["Bearer abcdefgh1234"], "n": 3, "ok": True}
    assert r.redact_data(data) == {
        "ref": "oci://***@h/c",
        "list": ["Bearer ***"],
        "n": 3,
        "ok": True,
    }


_SAFE = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_PASSWORD = st.text(
    alphabet=st.sampled_from("abcXYZ0189-_.~!$&()*+,;=%@:"), min_size=1, max_size=30
)


@given(
    before=st.text(_SAFE, max_size=40),
    after=st.text(_SAFE, max_size=40),
    password=_PASSWORD,
    scheme=st.sampled_from(["oci", "https", "http", "git", "ssh"]),
)
def test_a_password_in_a_url_never_survives(
    before: str, after: str, password: str, scheme: str
) -> None:
    secret = f"SeCrEt{password}"
    text = f"{before} {scheme}://user:{secret}@registry.example:5000/charts {after}"
    assert secret not in r.redact(text)


def test_a_large_output_is_redacted_line_by_line_where_the_words_are() -> None:
    # Above 64 KiB a pattern runs only on the lines that hold its words: the secrets there are
    # masked and every other byte is kept.
    filler = "- **api**: add a thing ([#12](https://github.com/o/r/pull/12)) by @someone\n" * 5000
    text = (
        "password=hunter22\n" + filler + "Authorization: Bearer abc.def-123456\n" + filler
        + "see oci://u:pw-secret@h/x and GITHUB_TOKEN=tok-secret-1"
    )  # fmt: skip
    out = r.redact(text)
    assert out == (
        "password=***\n" + filler + "Authorization: Bearer ***\n" + filler
        + "see oci://***@h/x and GITHUB_TOKEN=***"
    )  # fmt: skip
