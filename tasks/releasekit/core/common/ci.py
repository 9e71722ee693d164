"""GitHub Actions workflow files and commands: annotations, step summary, outputs.

The mechanisms only; what a task reports there is decided in one place, the task layer's
renderer. Everything written here is redacted first: the summary and outputs outlive the job
log. Each function is a no-op outside GitHub Actions (Gitea and Forgejo set the same variables).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from .excerpt import printable
from .redact import redact


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(
    level: Literal["error", "warning", "notice"],
    message: str,
    file: str | None = None,
    line: int | None = None,
) -> str:
    """An ``::error``/``::warning`` workflow command line (``file``/``line`` point it)."""
    props = []
    if file is not None:
        props.append(f"file={_escape(file, prop=True)}")
        if line is not None:
            props.append(f"line={line}")
    head = f"::{level} " + ",".join(props) if props else f"::{level}"
    return printable(redact(f"{head}::{_escape(redact(message))}"))


def append_summary(markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when running in GitHub Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if in_github_actions() and target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(printable(redact(markdown.rstrip("\n"))) + "\n")


def set_outputs(values: Mapping[str, str]) -> None:
    """Append ``key=value`` lines to ``$GITHUB_OUTPUT`` when running in GitHub Actions.

    A value with a newline is written as ``key<<DELIMITER`` … ``DELIMITER`` with a delimiter
    that cannot occur in it, as the runner requires for multi-line values.
    """
    target = os.environ.get("GITHUB_OUTPUT")
    if not (in_github_actions() and target):
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        for key, value in values.items():
            shown = printable(redact(value))
            if "\n" in shown or "\r" in shown:
                delimiter = f"releasekit_{os.urandom(16).hex()}"  # as uuid4: 128 random bits
                handle.write(f"{key}<<{delimiter}\n{shown}\n{delimiter}\n")
            else:
                handle.write(f"{key}={shown}\n")
