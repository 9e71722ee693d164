"""Secrets never reach output: the one redaction every printed line, JSON value and message passes.

Applied at the boundaries (the error boundary and ReleaseError itself, stdout/stderr lines,
``--json``, Actions annotations, the step summary, ``$GITHUB_OUTPUT``, command display and the
stderr of git/helm relayed in errors), so a task cannot forget it. What it hides:

- URL userinfo: ``oci://user:password@host`` -> ``oci://***@host`` (a bare ``ssh://git@host``
  user stays: it names an account, not a secret);
- ``Authorization:`` header values and ``Bearer``/``Basic`` credentials;
- GitHub tokens (``ghp_…``, ``github_pat_…``) and ``*TOKEN=``/``*PASSWORD=``/``*SECRET=`` values;
- credentials in query strings (``?access_token=``, ``&X-Amz-Signature=`` …);
- every value registered with :func:`register` (a password releasekit was given, its Basic
  form) and the values of ``GITHUB_TOKEN``/``GH_TOKEN``-like variables in the environment,
  wherever they appear — as GitHub Actions masks its secrets.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

MASK = "***"

# Shorter values would mask ordinary words; such a secret is guessable anyway. Values found in
# the environment must be longer still: a variable named *SECRET* may hold a plain word.
MIN_SECRET = 4
MIN_ENV_SECRET = 8

# After "://", greedy up to the last @ before the path: a password may hold an unencoded @.
_AUTHORITY = re.compile(r"://([^\s/?#'\"]+)@")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_AUTH_HEADER = re.compile(
    r"(?i)(?P<head>\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:basic|bearer|token|digest)\s+)?)(?P<value>[^\s\"',;]+)"
)
# A credential, not prose ("Basic authentication"): 8+ token characters, one not a letter.
_BEARER = re.compile(
    r"(?i)(?P<head>\b(?:bearer|basic)\s+)"
    r"(?P<value>(?=[A-Za-z0-9._~+/-]*[0-9._~+/=])[A-Za-z0-9._~+/-]{8,}=*)"
)
_GITHUB_TOKEN = re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")
# GITHUB_TOKEN=..., REGISTRY_PASSWORD: ... (environment-variable style names, upper case).
_ENV_ASSIGNMENT = re.compile(
    r"(?P<head>\b[A-Z][A-Z0-9_]*(?:TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY)[A-Z0-9_]*"
    r"[\"']?(?:=|:\s*)[\"']?)(?P<value>[^\s\"'&,;]+)"
)
# "password": "...", Docker config.json's "auth": "...", password=... (whole key names only;
# a prose "token: use the new one" in a commit subject is left alone).
_KEY_VALUE = re.compile(
    r"(?i)(?P<head>(?<![\w.-])(?:[\"'](?:password|passwd|secret|token|access_token|"
    r"refresh_token|identitytoken|registrytoken|client_secret|api_key|apikey|auth)[\"']\s*:\s*"
    r"[\"']?|(?:password|passwd|secret|token|access_token|client_secret|api_key)=))"
    r"(?P<value>[^\s\"'&,;}]+)"
)
_QUERY = re.compile(
    r"(?i)(?P<head>[?&](?:access_token|token|password|passwd|secret|client_secret|api_key|"
    r"apikey|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|"
    r"x-goog-signature|x-goog-credential)=)(?P<value>[^&\s#\"']+)"
)
_ENV_SECRET = re.compile(r"TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY", re.IGNORECASE)
# A user name alone before @ is an account, not a secret, for these schemes.
_ACCOUNT_SCHEMES = ("ssh://", "git+ssh://", "ssh+git://")

_registered: set[str] = set()


def register(*secrets: str | None) -> None:
    """Mask these values (and their URL-encoded forms) in all later output of this process."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET:
            _registered.add(secret)
            quoted = urllib.parse.quote(secret, safe="")
            if quoted != secret:
                _registered.add(quoted)


def register_login(username: str, password: str) -> None:
    """Mask a password and the ``Basic`` header value made from it."""
    register(password, base64.b64encode(f"{username}:{password}".encode()).decode("ascii"))


_secret_names: dict[str, bool] = {}  # environment variable name -> names a secret
_sorted: dict[tuple[frozenset[str], tuple[str, ...]], list[str]] = {}


def _known() -> list[str]:
    # Called once per output line: the regex per variable name and the sort are done once
    # per distinct set of secrets, not per call (the environment is still read every time).
    from_env = []
    for name, value in os.environ.items():
        secret = _secret_names.get(name)
        if secret is None:
            secret = _secret_names[name] = _ENV_SECRET.search(name) is not None
        if secret and len(value) >= MIN_ENV_SECRET:
            from_env.append(value)
    key = (frozenset(_registered), tuple(from_env))
    known = _sorted.get(key)
    if known is None:
        if len(_sorted) > 64:
            _sorted.clear()
        # Longest first: a secret that contains another is masked whole.
        known = _sorted[key] = sorted({*_registered, *from_env}, key=len, reverse=True)
    return known


def _mask_userinfo(text: str) -> str:
    """``scheme://userinfo@`` -> ``scheme://***@`` (the regex starts at a literal "://": fast)."""
    parts, last = [], 0
    for found in _AUTHORITY.finditer(text):
        pos = found.start()
        begin = pos
        while begin > 0 and text[begin - 1] in _SCHEME_CHARS:
            begin -= 1
        if begin == pos or not text[begin].isalpha():
            continue  # no scheme before "://"
        scheme = text[begin : pos + 3].lower()
        if ":" in found.group(1) or scheme not in _ACCOUNT_SCHEMES:
            parts += [text[last : pos + 3], MASK, "@"]
            last = found.end()
    return "".join([*parts, text[last:]]) if parts else text


def _mask_value(match: re.Match[str]) -> str:
    return match.group("head") + MASK


# Each pattern runs only when the text holds one of its words (found with a cheap substring
# test on the lower-cased text): a 10 MB changelog without credentials is scanned in
# milliseconds instead of seconds.
# The words are what every match must contain: for the case-sensitive _ENV_ASSIGNMENT the
# upper-case names themselves (looked up in the text, not the lower-cased copy), for _KEY_VALUE
# in ASCII text the key with the quote or "=" that must follow it — so prose about a "secret"
# (a changelog entry) does not send every such line through the regex. Outside ASCII,
# _KEY_VALUE keeps the bare words: re.IGNORECASE matches "ſ" as "s", which lower() keeps.
_KEY_WORDS = ("password", "passwd", "secret", "token", "access_token", "refresh_token",
              "identitytoken", "registrytoken", "client_secret", "api_key", "apikey", "auth")  # fmt: skip
_ASSIGNED_WORDS = ("password", "passwd", "secret", "token", "access_token", "client_secret", "api_key")  # fmt: skip
# Gates for texts of _BIG_GATE characters and more (a changelog --all: 3 MB), where each
# ``in`` is a pass over the whole text: one pass per gate instead of one per word (59 -> 27 ms on
# a 3 MB changelog). Each is true whenever ``any(word in where for word in words)`` is (a
# superset: a "maybe" without a word only sends the text to _sub_lines, which finds the lines by
# the words themselves, or, below _WHOLE_TEXT, to a pattern that needs a word to match).
_BIG_GATE = 1 << 16
_GITHUB_WORDS = re.compile(r"gh[pousr]_|github_pat_")  # exactly the six words
_BEARER_WORDS = re.compile(r"b(?:earer|asic)")  # exactly the two words
# Every _KEY_VALUE word (ASCII text) is one of these roots followed by a quote or "=" (the
# longer keys end with a root: access_token", client_secret=, ...); a root's ``in`` (fast) goes
# first, its pattern (slower, one literal prefix) only where the root is in the text.
_KEY_VALUE_ROOTS = (
    ("passw", re.compile(r"pass(?:word|wd)[\"'=]")),
    ("api", re.compile(r"api_?key[\"'=]")),
    ("secret", re.compile(r"secret[\"'=]")),
    ("token", re.compile(r"token[\"'=]")),
    ("auth", re.compile(r"auth[\"']")),
)
# _ENV_ASSIGNMENT's words are made of A-Z and "_" only: they survive deleting every other byte
# (C speed), and the rest is ~2 % of a changelog. PASSW stands for PASSWORD and PASSWD.
_NOT_UPPER = bytes(c for c in range(256) if not (65 <= c <= 90 or c == 95))
_ENV_ROOTS = (b"TOKEN", b"PASSW", b"SECRET", b"API_KEY", b"APIKEY")


def _github_gate(lowered: str) -> bool:
    return _GITHUB_WORDS.search(lowered) is not None


def _bearer_gate(lowered: str) -> bool:
    return _BEARER_WORDS.search(lowered) is not None


def _env_gate(text: str) -> bool:
    # surrogatepass: a lone surrogate (surrogateescape'd git output) encodes, to bytes >= 0x80
    upper = text.encode("utf-8", "surrogatepass").translate(None, _NOT_UPPER)
    return any(root in upper for root in _ENV_ROOTS)


def _key_value_gate(lowered: str) -> bool:
    """For ASCII text only (outside ASCII the bare words are the gate, see _KEY_VALUE_ANY_TEXT)."""
    return any(root in lowered and p.search(lowered) is not None for root, p in _KEY_VALUE_ROOTS)


Gate = tuple[re.Pattern[str], tuple[str, ...], bool, Callable[[str], bool] | None]
_GATED: tuple[Gate, ...] = (
    (_GITHUB_TOKEN, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), False, _github_gate),
    (_AUTH_HEADER, ("authorization",), False, None),
    (_BEARER, ("bearer", "basic"), False, _bearer_gate),
    (_ENV_ASSIGNMENT, ("TOKEN", "PASSWORD", "PASSWD", "SECRET", "API_KEY", "APIKEY"), True,
     _env_gate),
    (
        _KEY_VALUE,
        (*(w + q for w in _KEY_WORDS for q in "\"'"), *(w + "=" for w in _ASSIGNED_WORDS)),
        False,
        _key_value_gate,
    ),
    (_QUERY, ("=",), False, None),
)  # fmt: skip
_KEY_VALUE_ANY_TEXT = ("password", "passwd", "secret", "token", "api_key", "apikey", "auth")


def redact(text: str) -> str:
    """``text`` with every credential it contains replaced by ``***``."""
    if not text:
        return text
    for secret in _known():
        if secret in text:
            text = text.replace(secret, MASK)
    if "@" in text:
        text = _mask_userinfo(text)
    lowered = text.lower()
    big = len(text) >= _BIG_GATE
    for pattern, words, exact_case, gate in _GATED:
        if pattern is _KEY_VALUE and not text.isascii():
            words, gate = _KEY_VALUE_ANY_TEXT, None
        where = text if exact_case else lowered
        if gate(where) if big and gate is not None else _holds_any(where, words):
            text = _sub_lines(pattern, text, where, words)
            lowered = text.lower()
    return text


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    """``any(word in text for word in words)``, with one scan for the words that share a root
    while the root is absent: _KEY_VALUE's 31 words are 7 roots with a quote or "=" after
    them, and each ``in`` is a scan of the whole text (a 3 MB changelog: 67 ms for all 31)."""
    for root, group in _groups(words):
        if root in text and any(word in text for word in group):
            return True
    return False


@functools.cache
def _groups(words: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``words`` grouped under the shortest of them (or of _KEY_VALUE_ANY_TEXT) each holds."""
    roots = sorted({*words, *_KEY_VALUE_ANY_TEXT}, key=len)
    grouped: dict[str, list[str]] = {}
    for word in words:
        grouped.setdefault(next(root for root in roots if root in word), []).append(word)
    return tuple((root, tuple(group)) for root, group in grouped.items())


# Above this size a pattern runs only on the lines that hold one of its words.
_WHOLE_TEXT = 1 << 16


def _sub_lines(pattern: re.Pattern[str], text: str, lowered: str, words: Iterable[str]) -> str:
    """``pattern`` replaced in the lines of ``text`` whose ``lowered`` (same offsets) holds
    one of ``words``."""
    replace: Any = _mask_value if "value" in pattern.groupindex else MASK
    if len(text) < _WHOLE_TEXT or len(lowered) != len(text):  # lower() kept the offsets?
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
        if start < last:  # a line already done for another word
            continue
        parts += [text[last:start], pattern.sub(replace, text[start:end])]
        last = end
    return "".join([*parts, text[last:]])


def redact_data(data: Any) -> Any:
    """JSON-able ``data`` with every string (keys too) redacted, for ``--json``."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact_data(k): redact_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(item) for item in data]
    return data


def redact_lines(lines: Iterable[str]) -> list[str]:
    return [redact(line) for line in lines]
