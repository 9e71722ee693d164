"""The lexical syntax of go.mod, as the Go toolchain reads it (golang.org/x/mod/modfile).

Tokens are identifiers, interpreted strings (``"..."`` with Go escapes), raw strings
(`` `...` ``), the punctuation ``( ) [ ] { } ,`` and line ends; ``//`` starts a comment outside
strings, ``/* */`` is refused, and a string never spans lines. A statement whose last token is
``(`` opens a block of lines that each continue it. Values are unquoted like Go's
``strconv.Unquote``; any other quote character in a token is refused, as Go refuses it.
Every refusal is a FileFormatError at ``go.mod:LINE``, where ``go`` itself would fail.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..common.errors import FileFormatError
from ..common.excerpt import excerpt

_PUNCTUATION = "()[]{},"
_SIMPLE_ESCAPES = {
    "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v",
    "\\": b"\\", '"': b'"',
}  # fmt: skip
_HEX = "0123456789abcdefABCDEF"


def statements(text: str, display: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, tokens)`` of every statement; a block's lines come with the block's verb first.

    Raises:
        FileFormatError: a lexical or block error, at its line.
    """
    lines = _lines(text, display)
    block: list[str] | None = None
    opened = 0
    for number, tokens in lines:
        if block is not None:
            if tokens[0] == ")":
                if len(tokens) > 1:
                    raise FileFormatError(
                        f"{display}:{number}: unexpected {excerpt(tokens[1])} after the ) "
                        "that closes a block; put it on its own line"
                    )
                block = None
                continue
            yield number, [*block, *tokens]
        elif tokens[-1] == "(":
            block, opened = tokens[:-1], number
        elif tokens[-2:] == ["(", ")"]:
            continue  # an empty block: `require ()`
        else:
            yield number, tokens
    if block is not None:
        raise FileFormatError(
            f"{display}:{opened}: the block opened here is never closed; add a line with )"
        )


def parse_string(token: str, where: str) -> str:
    """A token's value: an interpreted string unquoted, a bare word as it is.

    Raises:
        FileFormatError: an invalid escape, or a quote in a bare word (Go reserves them,
            raw strings included).
    """
    if token.startswith('"'):
        return _unquote(token, where)
    if any(q in token for q in "\"'`"):
        raise FileFormatError(
            f'{where}: {excerpt(token)} holds a quote outside a "..." string; go refuses '
            'it too (unquoted string cannot contain quote) — write the path plain or in "..."'
        )
    return token


def _lines(text: str, display: str) -> Iterator[tuple[int, list[str]]]:
    """The non-empty token lists of each line."""
    tokens: list[str] = []
    number, i, n = 1, 0, len(text)
    start_line = 1
    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
        elif ch == "\n":
            if tokens:
                yield start_line, tokens
                tokens = []
            number += 1
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            raise FileFormatError(
                f"{display}:{number}: go.mod files use // comments, not /* */; go refuses "
                "this file too"
            )
        else:
            if not tokens:
                start_line = number
            if ch in _PUNCTUATION:
                tokens.append(ch)
                i += 1
            elif ch in '"`':
                end = _string_end(text, i, f"{display}:{number}")
                tokens.append(text[i:end])
                i = end
            elif _is_ident(ch):
                end = i
                while end < n and _is_ident(text[end]) and not text.startswith(("//", "/*"), end):
                    end += 1
                tokens.append(text[i:end])
                i = end
            else:
                raise FileFormatError(
                    f"{display}:{number}: unexpected character {ch!r} (U+{ord(ch):04X}); go "
                    "refuses this file too — remove it"
                )
    if tokens:
        yield start_line, tokens


def _string_end(text: str, start: int, where: str) -> int:
    """The index after the string that starts at ``start`` (on the same line)."""
    quote = text[start]
    i = start + 1
    while True:
        if i >= len(text) or text[i] == "\n":
            raise FileFormatError(
                f"{where}: the string {excerpt(text[start:i][:40])}… is not closed on its "
                f"line; add the closing {quote}"
            )
        ch = text[i]
        i += 1
        if ch == quote:
            return i
        if ch == "\\" and quote == '"':
            if i >= len(text) or text[i] == "\n":
                continue  # reported as unclosed above, on the next round
            i += 1


def _is_ident(ch: str) -> bool:
    return ch not in _PUNCTUATION and ch != " " and not ch.isspace() and ch.isprintable()


def _unquote(token: str, where: str) -> str:
    """Go's ``strconv.Unquote`` for a ``"..."`` token (the lexer guarantees both quotes)."""
    body = token[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        code = body[i + 1 : i + 2]
        if code in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[code]
            i += 2
        elif code in ("x", "u", "U"):
            width = {"x": 2, "u": 4, "U": 8}[code]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or any(d not in _HEX for d in digits):
                raise _bad_escape(token, body[i : i + 2 + width], where)
            value = int(digits, 16)
            if code == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                raise _bad_escape(token, body[i : i + 2 + width], where)
            else:
                out += chr(value).encode("utf-8")
            i += 2 + width
        elif code in "01234567" and code:
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits) or int(digits, 8) > 255:
                raise _bad_escape(token, body[i : i + 4], where)
            out.append(int(digits, 8))
            i += 4
        else:
            raise _bad_escape(token, body[i : i + 2], where)
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(
            f"{where}: {excerpt(token)} spells bytes that are not UTF-8 text; a module path "
            "must be text — fix the escape"
        ) from None


def _bad_escape(token: str, escape: str, where: str) -> FileFormatError:
    return FileFormatError(
        f"{where}: invalid escape {excerpt(escape)} in {excerpt(token)}; go refuses it too — "
        'Go strings allow \\n \\t \\\\ \\" \\xHH \\ooo \\uHHHH \\UHHHHHHHH'
    )
