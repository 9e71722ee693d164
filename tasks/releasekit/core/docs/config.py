"""The ``docs:`` section of releasekit.yaml as declared models (msgspec): which docs verify.docs
reads for stale versions, the historical text allowed to name old releases, the "when these
sources change, this doc must change too" rules, and the compatibility matrix cells that must
equal their sources. Field names are the YAML keys.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

import msgspec

_LOCATORS = ("key", "pattern", "variable", "from", "directive", "lines")


def _inside_repo(path: str, what: str) -> None:
    pure = PurePosixPath(path)
    if not path.strip() or pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{what} {path!r} must be a path inside the repository")


def _regex(text: str, what: str) -> None:
    try:
        re.compile(text)
    except re.error as exc:
        raise ValueError(f"{what} {text!r} is not a regular expression: {exc}") from None


class Source(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A fact read from a source file: a value (one of the locators), or the whole file."""

    path: Annotated[str, msgspec.Meta(description="the file, or a glob (rules only)")]
    key: Annotated[
        str | tuple[str, ...] | None,
        msgspec.Meta(description="a key path into YAML, JSON or TOML (project.requires-python)"),
    ] = None
    pattern: Annotated[str | None, msgspec.Meta(description="literal text with one {value}")] = None
    variable: Annotated[
        str | None,
        msgspec.Meta(description="a Makefile variable (ENVTEST_K8S_VERSION ?= 1.30.0)"),
    ] = None
    from_: Annotated[
        str | None,
        msgspec.Meta(description="a Dockerfile FROM image name; the value is its tag (golang)"),
    ] = msgspec.field(default=None, name="from")
    directive: Annotated[
        Literal["go", "toolchain"] | None,
        msgspec.Meta(description="a go.mod directive: go or toolchain"),
    ] = None
    lines: Annotated[
        str | None,
        msgspec.Meta(description="a regular expression: the lines it matches (rules only)"),
    ] = None

    def __post_init__(self) -> None:
        _inside_repo(self.path, "path")
        chosen = [
            v
            for v in (self.key, self.pattern, self.variable, self.from_, self.directive, self.lines)
            if v is not None
        ]
        if len(chosen) > 1:
            raise ValueError(f"{self.path}: give at most one of {', '.join(_LOCATORS)}")
        if self.pattern is not None and self.pattern.count("{value}") != 1:
            raise ValueError(f"pattern {self.pattern!r} must contain {{value}} exactly once")
        if self.lines is not None:
            _regex(self.lines, "lines")

    @property
    def is_value(self) -> bool:
        """True when the source names one value (not lines or the whole file)."""
        return self.lines is None and any(
            v is not None
            for v in (self.key, self.pattern, self.variable, self.from_, self.directive)
        )

    @property
    def label(self) -> str:
        """How reports name the fact: ``go.mod go``, ``Makefile ENVTEST_K8S_VERSION``."""
        if self.lines is not None:
            return f"{self.path} lines matching {self.lines!r}"
        for kind, value in (("key", self.key), ("", self.variable), ("FROM", self.from_),
                            ("", self.directive), ("pattern", self.pattern)):  # fmt: skip
            if value is not None:
                shown = ".".join(value) if isinstance(value, tuple) else value
                return f"{self.path} {kind + ' ' if kind else ''}{shown}"
        return self.path


class Allow(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Historical text that may name old releases (a changelog, an upgrade table)."""

    path: Annotated[str, msgspec.Meta(description="a file or glob")]
    section: Annotated[
        str | None,
        msgspec.Meta(description="only the lines under this Markdown heading (its text)"),
    ] = None
    lines: Annotated[
        str | None, msgspec.Meta(description="only the lines this regular expression matches")
    ] = None

    def __post_init__(self) -> None:
        _inside_repo(self.path, "path")
        if self.lines is not None:
            _regex(self.lines, "lines")


class Rule(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """When any of these sources changed since the previous release, this doc must too."""

    doc: Annotated[
        str, msgspec.Meta(description="the doc that must change (docs/compatibility.md)")
    ]
    when: Annotated[
        tuple[Source, ...],
        msgspec.Meta(description="the sources; a value, matching lines, or whole files (globs)"),
    ]
    why: Annotated[str | None, msgspec.Meta(description="the reason, shown with a finding")] = None

    def __post_init__(self) -> None:
        _inside_repo(self.doc, "doc")
        if not self.when:
            raise ValueError(f"rule for {self.doc} needs at least one source in when")


class Cell(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One value of a Markdown table in a doc that must equal its source."""

    doc: Annotated[str, msgspec.Meta(description="the doc holding the table")]
    row: Annotated[str, msgspec.Meta(description="the row: its first cell's text (Go)")]
    column: Annotated[
        str | None,
        msgspec.Meta(description="the column's header text (default: the second column)"),
    ] = None
    source: Annotated[Source, msgspec.Meta(description="where the value comes from")]
    format: Annotated[
        str,
        msgspec.Meta(description="how the value is written in the cell, e.g. '>= {value}'"),
    ] = "{value}"

    def __post_init__(self) -> None:
        _inside_repo(self.doc, "doc")
        if not self.source.is_value or any(c in self.source.path for c in "*?["):
            raise ValueError(
                f"source of {self.doc} {self.row!r} must name one value in one file (key, "
                "pattern, variable, from or directive)"
            )
        if self.format.count("{value}") != 1:
            raise ValueError(f"format {self.format!r} must contain {{value}} exactly once")


class DocsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The ``docs:`` section: what verify.docs checks."""

    paths: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="docs (files or globs) that must not name an older release"),
    ] = ("README.md", "docs/**/*.md")
    allow: Annotated[
        tuple[Allow, ...],
        msgspec.Meta(description="historical text allowed to name old releases"),
    ] = ()
    rules: Annotated[
        tuple[Rule, ...],
        msgspec.Meta(description="docs that must change when their sources changed"),
    ] = ()
    compatibility: Annotated[
        tuple[Cell, ...],
        msgspec.Meta(description="table values in docs that must equal their sources"),
    ] = ()

    def __post_init__(self) -> None:
        for path in self.paths:
            _inside_repo(path, "docs.paths entry")
