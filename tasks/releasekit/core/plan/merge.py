"""The slices' ``--json`` envelopes joined into one result."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common.errors import EXIT_ERROR, EXIT_MISMATCH, EXIT_OK, FileFormatError
from ..common.excerpt import clip
from ..common.textfile import read_text

ENVELOPE_KEYS = ("task", "ok", "exit_code", "dry_run", "summary", "outputs", "results", "errors")
_STATUS_FOR_EXIT = {EXIT_MISMATCH: "mismatch"}
# The result statuses of README: Output (_output.STATUSES; core does not import the adapter).
STATUSES = ("ok", "mismatch", "missing", "changed", "would-change", "unchanged", "skipped", "error")


@dataclass(frozen=True)
class Merged:
    """One result item of a slice (its task named), in a fixed order."""

    task: str
    status: str
    message: str
    path: str | None = None
    line: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.task, self.path or "", self.line or 0, self.message, self.status)


def read_envelope(path: Path, display: str) -> dict[str, Any]:
    """One slice's envelope.

    Raises:
        FileFormatError: the file is not a releasekit ``--json`` envelope.
    """
    text = read_text(path, display)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FileFormatError(f"{display}: not JSON ({clip(str(exc))}); pass the files "
                              "`releasekit TASK ... --json` wrote") from None  # fmt: skip
    if not isinstance(data, dict) or list(data) != list(ENVELOPE_KEYS):
        raise FileFormatError(
            f"{display}: not a releasekit --json envelope (keys {', '.join(ENVELOPE_KEYS)})"
        )
    wrong = _damage(data)
    if wrong:
        raise FileFormatError(f"{display}: not a releasekit --json envelope ({wrong}); pass "
                              "the files `releasekit TASK ... --json` wrote")  # fmt: skip
    return data


def _damage(data: dict[str, Any]) -> str:
    """What is wrong with an envelope's values ("" when nothing): a merge never reads a
    result that holds into a file that does not say so plainly."""
    code = data["exit_code"]
    if not isinstance(data["task"], str) or not data["task"]:
        return "task is not a task name"
    if not isinstance(code, int) or isinstance(code, bool):
        return f"exit_code is {clip(json.dumps(code))}, not a number"
    if data["ok"] is not (code == EXIT_OK):
        return f"ok is {clip(json.dumps(data['ok']))} with exit_code {code}"
    if not isinstance(data["outputs"], dict) or not isinstance(data["errors"], list):
        return "outputs is not an object or errors is not a list"
    if code == EXIT_OK and data["errors"]:
        return "exit_code 0 with errors"
    tag = data["outputs"].get("tag")
    if tag is not None and not isinstance(tag, str):
        return "outputs.tag is not a string"
    if not isinstance(data["results"], list):
        return "results is not a list"
    for n, item in enumerate(data["results"]):
        if not isinstance(item, dict) or item.get("status") not in STATUSES:
            return f"results[{n}] has no status of {', '.join(STATUSES)}"
        path, line = item.get("path"), item.get("line")
        if not isinstance(path, str | None) or not isinstance(line, int | None):
            return f"results[{n}] has a path that is not a string or a line that is not a number"
    return ""


def merge_envelopes(envelopes: list[dict[str, Any]]) -> list[Merged]:
    """Every slice's results as one list, sorted, so the order the slices finished in (or
    were listed in) never changes the merge. A slice that stopped with an error (exit 1 or 2,
    no item saying so) becomes an ``error`` item with its message, so the merged exit code is
    the one an unsplit run has: 1 if any slice could not check, else 3 if any found a mismatch.
    """
    merged: list[Merged] = []
    for envelope in envelopes:
        task, code = str(envelope["task"]), int(envelope["exit_code"])
        items = [_item(task, raw) for raw in envelope["results"] if isinstance(raw, dict)]
        merged.extend(items)
        if code != EXIT_OK and _exit_of(items) != code:
            message = (envelope["errors"] or [f"exited {code}"])[0]
            merged.append(Merged(task, _STATUS_FOR_EXIT.get(code, "error"), str(message)))
    return sorted(merged, key=Merged.sort_key)


def _item(task: str, raw: dict[str, Any]) -> Merged:
    rest = {k: v for k, v in raw.items() if k not in ("status", "message", "path", "line")}
    line = raw.get("line")
    return Merged(task, str(raw.get("status")), str(raw.get("message", "")), raw.get("path"),
                  line if isinstance(line, int) else None, rest)  # fmt: skip


def _exit_of(items: list[Merged]) -> int:
    if any(i.status == "error" for i in items):
        return EXIT_ERROR
    return EXIT_MISMATCH if any(i.status in ("mismatch", "missing") for i in items) else EXIT_OK
