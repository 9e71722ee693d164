"""GitHub Actions integration: annotations, step summary and outputs (no-ops elsewhere).

Everything written here is redacted first: the summary and outputs outlive the job log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .excerpt import printable
from .redact import redact


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def error_annotation(message: str, file: str | None = None, line: int | None = None) -> str:
    """An ``::error`` workflow command line (``file``/``line`` point the annotation)."""
    props = []
    if file is not None:
        props.append(f"file={_escape(file, prop=True)}")
    if line is not None:
        props.append(f"line={line}")
    head = "::error " + ",".join(props) if props else "::error"
    return printable(redact(f"{head}::{_escape(redact(message))}"))


def append_summary(markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when running in GitHub Actions."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if in_github_actions() and target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(printable(redact(markdown.rstrip("\n"))) + "\n")


def set_outputs(values: Mapping[str, str]) -> None:
    """Append ``key=value`` lines to ``$GITHUB_OUTPUT`` when running in GitHub Actions."""
    target = os.environ.get("GITHUB_OUTPUT")
    if in_github_actions() and target:
        with Path(target).open("a", encoding="utf-8") as handle:
            for key, value in values.items():
                handle.write(printable(redact(f"{key}={value}")) + "\n")
