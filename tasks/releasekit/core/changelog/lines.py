"""The lines of a changelog's text: split on ``\\n`` only, or looked up one at a time from the
offsets the scanner found (:class:`LineIndex`), without making all of them."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

# What str.splitlines breaks lines at besides "\n" ("\r\n" holds "\r").
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def split_lines(text: str) -> tuple[str, ...]:
    """Lines with their endings, split on ``\\n`` only (str.splitlines also splits on U+2028)."""
    if not any(c in text for c in _OTHER_BREAKS):  # nine scans in C: ~1 ms for 3 MB
        return tuple(text.splitlines(keepends=True))  # then the same lines, ~2x as fast
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return tuple(lines)


class LineIndex:
    """The lines of a text (split on ``\n`` only, endings kept), looked up without splitting
    all of them when the scanner gave the offsets of the lines a task asks for.

    A 74k-line file is 74k strings (~7 ms to make); changelog.check and changelog.release
    look at a few hundred lines of it (headings, link references, the Unreleased body), so
    each is found from the nearest line whose offset is known, by the ``\n`` that ends each
    line in between. Without offsets (a segment markdown-it parsed, a file with ``\r``) the
    text is split once, as before.
    """

    def __init__(self, text: str, count: int, known: dict[int, int] | None) -> None:
        self.text = text
        self.count = count  # the number of lines
        self._known = known  # line -> offset of its first character in text
        self._sorted: list[int] | None = None
        self._lines: tuple[str, ...] | None = None if known is not None else split_lines(text)
        self._starts: list[int] | None = None

    def all(self) -> tuple[str, ...]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def start(self, n: int) -> int:
        """The offset of line ``n`` (``count``: the end of the text)."""
        if n >= self.count:
            return len(self.text)
        if self._known is None:
            if self._starts is None:
                self._starts = [0, *itertools.accumulate(map(len, self.all()))]
            return self._starts[n]
        found = self._known.get(n)
        if found is not None:
            return found
        if self._sorted is None:
            self._sorted = sorted(self._known)
        base = self._sorted[bisect.bisect_right(self._sorted, n) - 1]  # line 0 is known
        offset = self._known[base]
        for _ in range(n - base):
            offset = self.text.index("\n", offset) + 1
        return offset

    def line(self, n: int) -> str:
        if self._lines is not None:
            return self._lines[n]
        start = self.start(n)
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start : end + 1]

    def between(self, start: int, stop: int) -> tuple[str, ...]:
        """Lines ``start`` up to ``stop`` (exclusive), as ``all()[start:stop]``."""
        if self._lines is not None or start >= stop:
            return self.all()[start:stop]
        return split_lines(self.text[self.start(start) : self.start(stop)])

    def backward(self) -> Iterator[tuple[int, str]]:
        """(n, line) from the last line up, each line's offset learnt on the way."""
        if self._lines is not None or self._known is None:
            yield from ((n, self.all()[n]) for n in range(self.count - 1, -1, -1))
            return
        text, end = self.text, len(self.text)
        for n in range(self.count - 1, -1, -1):
            start = text.rfind("\n", 0, end - 1) + 1  # the end of the line above
            if n not in self._known:
                self._known[n] = start
                self._sorted = None
            yield n, text[start:end]
            end = start
