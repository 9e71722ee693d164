"""The one output contract: a task returns a :class:`Result`; this module alone prints it.

From one Result come the text lines (stdout; the verdict word coloured on a terminal), the
``--json`` envelope, GitHub Actions annotations, a step-summary table and ``$GITHUB_OUTPUT``
keys — and the exit code, which follows from the items' statuses (README: Output). Everything
printed or written is redacted. Private to the task layer; core/ never imports it.

A new task module needs nothing else: build items from what core returns, and return them::

    from invoke import Context

    from . import _adapter as a
    from ._output import Item, Result

    @a.task("verify.thing", help={"tag": "the release tag (e.g. v0.1.8)"})
    def thing(c: Context, tag: str, json: bool = False) -> Result:
        \"\"\"Check every thing against the tag.\"\"\"
        from .core.things import check_things

        checks = check_things(a.config(c), tag)
        items = [Item("ok" if ch.ok else "mismatch", f"{ch.where} {ch.what}",
                      path=ch.path, line=ch.line, fields={"found": ch.found}) for ch in checks]
        bad = sum(not ch.ok for ch in checks)
        return Result(items, outputs={"tag": tag},
                      summary=f"{len(checks) - bad} of {len(checks)} things match {tag}",
                      failure=f"{bad} of {len(checks)} things do not match {tag}")

``a.task`` gives it ``--json``, the error boundary and the renderer; the contract test
(tests/test_output_contract.py) runs it with the rest.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from .core.common.errors import EXIT_ERROR, EXIT_MISMATCH, EXIT_OK, ReleaseError, VerificationFailed

# The whole vocabulary of a result item's status (README: Output).
Status = Literal[
    "ok",  # a check passed, or a fact that holds (a tag listed, a file hashed)
    "mismatch",  # a check found something different from what the release needs (exit 3)
    "missing",  # something the release needs is not there (exit 3)
    "changed",  # this run changed it (a file written, a tag created, an image promoted)
    "would-change",  # a dry run: this is what would change
    "unchanged",  # already as wanted; nothing to do
    "skipped",  # not checked or not done, on purpose (--ignore-missing, --offline)
    "error",  # could not be checked (exit 1)
]
STATUSES: tuple[Status, ...] = (
    "ok", "mismatch", "missing", "changed", "would-change", "unchanged", "skipped", "error",
)  # fmt: skip
_EXIT_FOR: dict[str, int] = {"mismatch": EXIT_MISMATCH, "missing": EXIT_MISMATCH}

Scalar = str | int | bool | None

# The words in a text line that carry an item's verdict, and their colours (ANSI SGR).
_VERDICTS: dict[str, tuple[str, str]] = {
    "ok": (r"OK|PINNED|ALLOWED|IGNORED", "32"),
    "mismatch": (r"MISMATCH|FAILED|UNVERIFIED|REFUSED", "31"),
    "missing": (r"MISSING|UNREADABLE", "31"),
    "error": (r"ERROR|FAILED", "31"),
}
_SUMMARY_ROWS = 100  # a step summary is capped at 1 MiB; a 10 000-file checksum list is not


@dataclass(frozen=True)
class Item:
    """One result: a check, a change, a listed thing.

    ``text`` is its line on stdout (may hold newlines; "" keeps it out of the text view, for a
    change a diff already shows); ``message`` what an annotation and the JSON say (default: the
    text); ``path``/``line`` the file it is about, as the user sees it; ``fields`` the
    task-specific JSON keys (README lists them per task).
    """

    status: Status
    text: str
    path: str | None = None
    line: int | None = None
    message: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status}
        if self.path is not None:
            data |= {"path": self.path, "line": self.line}
        return data | {"message": self.message or self.text} | dict(self.fields)


def with_diffs(items: Sequence[Item], edits: Sequence[Any]) -> list[Item]:
    """A dry run's would-change items with the unified diff of their file as ``diff``
    (README: Output).

    ``edits`` are the FileEdits the text view's diff was rendered from; an item whose path no
    edit writes (a tag, a lock file regenerated later) is returned as it is.
    """
    import dataclasses

    from .core.common.textfile import render_diff

    by_path = {edit.path: render_diff([edit]) for edit in edits}
    return [
        dataclasses.replace(item, fields={**item.fields, "diff": by_path[item.path]})
        if item.status == "would-change" and item.path in by_path
        else item
        for item in items
    ]


@dataclass(frozen=True)
class Section:
    """Items that belong together in the text view (one chart's images), between a head and a
    tail line; JSON and Actions see only the items."""

    items: Sequence[Item] = ()
    head: Sequence[str] = ()
    tail: Sequence[str] = ()


@dataclass(frozen=True)
class Result:
    """What a task did or found, for :func:`render`.

    ``entries`` are the items, or sections of them; ``head`` and ``tail`` are text lines printed
    before and after them (a plan, a diff, a total, the next command); ``notes`` go to stderr;
    ``summary`` is the one-line outcome (JSON, step summary); ``failure`` the error line when an
    item failed (default: ``summary``); ``outputs`` the task's ``$GITHUB_OUTPUT`` keys, also the
    envelope's ``outputs``.
    """

    entries: Sequence[Item | Section] = ()
    head: Sequence[str] = ()
    tail: Sequence[str] = ()
    notes: Sequence[str] = ()
    summary: str = ""
    failure: str = ""
    outputs: Mapping[str, Scalar] = field(default_factory=dict)
    dry_run: bool = False
    table: Sequence[str] = ()  # item fields shown as a table's columns on a terminal

    @property
    def items(self) -> list[Item]:
        return [i for e in self.entries for i in (e.items if isinstance(e, Section) else [e])]

    def text(self, colour: bool) -> list[str]:
        lines = list(self.head)
        for entry in self.entries:
            section = entry if isinstance(entry, Section) else Section([entry])
            lines += [*section.head, *(_painted(i, colour) for i in section.items if i.text)]
            lines += section.tail
        return lines + list(self.tail)

    @property
    def exit_code(self) -> int:
        """1 when an item could not be checked, 3 when one failed its check, else 0."""
        if any(item.status == "error" for item in self.items):
            return EXIT_ERROR
        return max((_EXIT_FOR.get(item.status, EXIT_OK) for item in self.items), default=EXIT_OK)

    def error(self) -> ReleaseError | None:
        """The error the task ends with, after its results are shown."""
        code = self.exit_code
        if code == EXIT_OK:
            return None
        bad = [i for i in self.items if i.status in ("error", "mismatch", "missing")]
        message = self.failure or self.summary or f"{len(bad)} of {len(self.items)} checks failed"
        return VerificationFailed(message) if code == EXIT_MISMATCH else ReleaseError(message)


def render(task: str, result: Result, *, as_json: bool) -> None:
    """Print ``result`` (text or the JSON envelope) and write the Actions files.

    Raises:
        ReleaseError: an item failed (exit 3 for a mismatch, 1 for an error); its message is
            the task's error line, which the boundary prints on stderr.
    """
    error = result.error()
    errors = [str(error)] if error is not None else []
    if as_json:
        _envelope(task, result.items, result.exit_code, result.dry_run, result, errors)
    elif result.table and _colour_wanted(sys.stdout):
        _print_table(task, result)
    else:
        write(sys.stdout, result.text(_colour_wanted(sys.stdout)))
    write(sys.stderr, result.notes)
    _actions(task, result, errors, as_json=as_json)
    if error is not None:
        raise error


def render_error(task: str, error: ReleaseError, *, as_json: bool, dry_run: bool) -> None:
    """What a task that stopped with ``error`` leaves: the envelope (with --json), Actions files.

    The error line itself is printed by the boundary (stderr), as for every failure.
    """
    failed = Result(dry_run=dry_run, failure=str(error))
    if as_json:
        _envelope(task, (), error.exit_code, dry_run, failed, [str(error)])
    _actions(task, failed, [str(error)], as_json=as_json, code=error.exit_code)


def _envelope(
    task: str, items: Sequence[Item], code: int, dry: bool, result: Result, errors: list[str]
) -> None:
    from .core.common.redact import redact_data

    data = {
        "task": task,
        "ok": code == EXIT_OK,
        "exit_code": code,
        "dry_run": dry,
        "summary": result.summary or None,
        "outputs": dict(result.outputs),
        "results": [item.as_json() for item in items],
        "errors": errors,
    }
    text = json.dumps(redact_data(data), indent=2, ensure_ascii=False)
    write(sys.stdout, text.split("\n"), redacted=True)


def write(stream: IO[str], lines: Sequence[str], *, redacted: bool = False) -> None:
    """Lines on ``stream``, each redacted, byte-exact: a file name that is not UTF-8 (held as
    surrogate escapes) is written as the bytes it came from."""
    if not lines:
        return
    from .core.common.redact import redact

    text = "".join((line if redacted else redact(line)) + "\n" for line in lines)
    other = sys.stderr if stream is sys.stdout else sys.stdout
    other.flush()  # keep stdout and stderr in the order they were written on a shared terminal
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    else:
        stream.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    stream.flush()


def _colour_wanted(stream: IO[str]) -> bool:
    """On a terminal, unless NO_COLOR (no-color.org) or CI is set."""
    if os.environ.get("NO_COLOR") or os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _painted(item: Item, colour: bool) -> str:
    verdict = _VERDICTS.get(item.status)
    if not colour or verdict is None:
        return item.text
    words, sgr = verdict
    # The verdict leads ("MISMATCH chart: ...") or ends ("Makefile:3 ... OK") the first line.
    pattern = rf"^(\s*)({words})(?=\s|$)|(?<=\s)({words})$"

    def paint(match: re.Match[str]) -> str:
        lead, word = (match.group(1), match.group(2)) if match.group(2) else ("", match.group(3))
        return f"{lead}\x1b[{sgr}m{word}\x1b[0m"

    first, sep, rest = item.text.partition("\n")
    return re.sub(pattern, paint, first, count=1) + sep + rest


def _print_table(task: str, result: Result) -> None:
    """The items as a rich table (terminal only: rich stays off every other path)."""
    from rich.console import Console
    from rich.table import Table

    from .core.common.redact import redact

    title = f"{task} {result.outputs.get('tag') or ''}".rstrip()
    table = Table(title=title)
    for column in (*result.table, "result"):
        table.add_column(column, overflow="fold")
    for item in result.items:
        _, sgr = _VERDICTS.get(item.status, ("", "0"))
        colour = {"32": "green", "31": "red"}.get(sgr, "default")
        cells = [redact(str(item.fields.get(column, ""))) for column in result.table]
        table.add_row(*cells, f"[{colour}]{item.status.upper()}[/]")
    Console().print(table)
    write(sys.stdout, result.tail)


# --- GitHub Actions ------------------------------------------------------------------------


def _actions(
    task: str, result: Result, errors: list[str], *, as_json: bool, code: int | None = None
) -> None:
    from .core.common import ci

    if not ci.in_github_actions():
        return
    code = result.exit_code if code is None else code
    # An error that stopped the task gets no annotation of its own: its stderr line is what
    # the log shows, and the runner marks the step failed; a second copy would say it twice.
    annotations = [_annotation(ci, item) for item in result.items]
    # Off stdout with --json, which holds one JSON document; the runner reads both streams.
    write(sys.stderr if as_json else sys.stdout, [a for a in annotations if a], redacted=True)
    ci.append_summary(_summary_table(task, result, errors, code))
    outputs: dict[str, Scalar] = {"ok": code == EXIT_OK, **result.outputs}
    ci.set_outputs({k: _output_text(v) for k, v in outputs.items() if v is not None})


def _annotation(ci: Any, item: Item) -> str:
    level = {"mismatch": "error", "missing": "error", "error": "error", "skipped": "warning"}
    if item.status not in level:
        return ""
    text: str = ci.annotation(level[item.status], item.message or item.text, item.path, item.line)
    return text


def _output_text(value: Scalar) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _summary_table(task: str, result: Result, errors: list[str], code: int) -> str:
    mark = "✅" if code == EXIT_OK else "❌"
    outcome = errors[0] if errors else result.summary or f"{len(result.items)} results"
    lines = [f"### {mark} {task}: {outcome.splitlines()[0] if outcome else ''}".rstrip()]
    counts = {s: sum(i.status == s for i in result.items) for s in STATUSES}
    if result.items:
        lines += ["", ", ".join(f"{n} {s}" for s, n in counts.items() if n), ""]
        lines += ["| status | where | detail |", "|---|---|---|"]
        for item in result.items[:_SUMMARY_ROWS]:
            where = item.path if item.line is None else f"{item.path}:{item.line}"
            detail = (item.message or item.text).replace("|", "\\|").replace("\n", "<br>")
            lines.append(f"| {item.status} | {f'`{where}`' if item.path else ''} | {detail} |")
        if len(result.items) > _SUMMARY_ROWS:
            lines.append(f"| … | | {len(result.items) - _SUMMARY_ROWS} more (see the job log) |")
    return "\n".join(lines) + "\n"
