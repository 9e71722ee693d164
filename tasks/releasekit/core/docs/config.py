"""The ``docs:`` section of releasekit.yaml as declared models (msgspec): which docs verify.docs
reads for stale versions, the historical text allowed to name old releases, the "when these
sources change, this doc must change too" rules, and the compatibility matrix cells that must
equal their sources. Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

from typing import Annotated, Literal

import msgspec

from ..common.excerpt import excerpt
from ..common.section import FieldError, Section, Text, each_inside_repo, inside_repo, regex

_LOCATORS = ("key", "pattern", "variable", "from", "directive", "lines")


class Source(Section, frozen=True, kw_only=True):
    """A fact read from a source file: a value (one of the locators), or the whole file."""

    path: Annotated[
        Text,
        msgspec.Meta(description="the file, or a glob (rules only)", extra={"needs": "a path"}),
    ]
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
        inside_repo("path", self.path)
        chosen = [
            v
            for v in (self.key, self.pattern, self.variable, self.from_, self.directive, self.lines)
            if v is not None
        ]
        if len(chosen) > 1:
            raise ValueError(f"give at most one of {', '.join(_LOCATORS)}")
        if self.pattern is not None and self.pattern.count("{value}") != 1:
            raise FieldError(
                "pattern", f"must contain {{value}} exactly once, got {excerpt(self.pattern)}"
            )
        if self.lines is not None:
            regex("lines", self.lines)

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


class Allow(Section, frozen=True, kw_only=True):
    """Historical text that may name old releases (a changelog, an upgrade table)."""

    path: Annotated[Text, msgspec.Meta(description="a file or glob", extra={"needs": "a path"})]
    section: Annotated[
        str | None,
        msgspec.Meta(description="only the lines under this Markdown heading (its text)"),
    ] = None
    lines: Annotated[
        str | None, msgspec.Meta(description="only the lines this regular expression matches")
    ] = None

    def __post_init__(self) -> None:
        inside_repo("path", self.path)
        if self.lines is not None:
            regex("lines", self.lines)


class Rule(Section, frozen=True, kw_only=True):
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
        inside_repo("doc", self.doc)
        if not self.when:
            raise FieldError("when", "must list at least one source, e.g. [{path: go.mod}]")


class Cell(Section, frozen=True, kw_only=True):
    """One value of a Markdown table in a doc that must equal its source."""

    doc: Annotated[Text, msgspec.Meta(description="the doc holding the table")]
    row: Annotated[Text, msgspec.Meta(description="the row: its first cell's text (Go)")]
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
        inside_repo("doc", self.doc)
        if not self.source.is_value or any(c in self.source.path for c in "*?["):
            raise FieldError(
                "source",
                "must name one value in one file (key, pattern, variable, from or directive)",
            )
        if self.format.count("{value}") != 1:
            raise FieldError(
                "format", f"must contain {{value}} exactly once, got {excerpt(self.format)}"
            )


_ALLOW_EXAMPLE = [{"path": "docs/upgrading.md", "section": "Version History"}]
_RULES_EXAMPLE = [
    {"doc": "docs/compatibility.md", "why": "Kubernetes, Go or Python support changed",
     "when": [{"path": "go.mod", "directive": "go"}, {"path": "go.mod", "directive": "toolchain"},
              {"path": "Dockerfile", "lines": "^FROM "},
              {"path": "Makefile", "variable": "ENVTEST_K8S_VERSION"},
              {"path": "pyproject.toml", "key": "project.requires-python"}]},
    {"doc": "docs/operations.md", "when": [{"path": "charts/**"}, {"path": "config/**"}]},
]  # fmt: skip
_CELLS_EXAMPLE = [
    {"doc": "docs/compatibility.md", "row": "Go", "source": {"path": "go.mod", "directive": "go"}},
    {"doc": "docs/compatibility.md", "row": "Kubernetes",
     "source": {"path": "Makefile", "variable": "ENVTEST_K8S_VERSION"}},
    {"doc": "docs/compatibility.md", "row": "Base image", "format": "golang:{value}",
     "source": {"path": "Dockerfile", "from": "golang"}},
]  # fmt: skip


class DocsConfig(Section, frozen=True, kw_only=True):
    """The ``docs:`` section: what verify.docs checks."""

    paths: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="docs (files or globs) that must not name an older release"),
    ] = ("README.md", "docs/**/*.md")
    allow: Annotated[
        tuple[Allow, ...],
        msgspec.Meta(
            description="historical text allowed to name old releases (the changelog always is)",
            examples=[_ALLOW_EXAMPLE],
        ),
    ] = ()
    rules: Annotated[
        tuple[Rule, ...],
        msgspec.Meta(
            description="docs that must change when their sources changed since the previous "
            "release",
            examples=[_RULES_EXAMPLE],
        ),
    ] = ()
    compatibility: Annotated[
        tuple[Cell, ...],
        msgspec.Meta(
            description="table values in docs that must equal their sources (drift: exit 3)",
            examples=[_CELLS_EXAMPLE],
        ),
    ] = ()

    def __post_init__(self) -> None:
        each_inside_repo("paths", self.paths)
