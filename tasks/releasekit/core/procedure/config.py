"""The ``procedure:`` and ``preflight:`` sections of releasekit.yaml as declared models (msgspec).

``procedure:`` picks one of the built-in procedures (:mod:`.pipeline`) or lists its steps;
``preflight:`` holds the commands release.preflight runs and the version probe. Field names
are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import shlex
from typing import Annotated, Literal

import msgspec

from ..common.excerpt import excerpt
from ..common.section import FieldError, Section, Text

ProcedureName = Literal["operator", "go-modules", "calver-suite", "changelog-driven", "promote"]
StepName = Literal[
    "prepare", "pins", "pull-request", "merge", "tag", "go-tag", "images", "promote", "charts",
    "assets", "signatures", "manifest", "notes", "publish", "unpin", "citation",
]  # fmt: skip


def split_command(text: str, key: str) -> list[str]:
    """A command line as an argument list (shell quoting, never a shell).

    Raises:
        FieldError: the quotes do not close.
    """
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise FieldError(key, f"cannot be split into arguments ({exc}): {excerpt(text)}") from None
    if not argv:
        raise FieldError(key, "must name a command")
    return argv


class ProcedureConfig(Section, frozen=True, kw_only=True):
    """The ``procedure:`` section: which steps a release is, in order."""

    kind: Annotated[
        ProcedureName,
        msgspec.Meta(
            description="the built-in procedure: operator (seed 000: prepare, pull request, "
            "merge, tag, images, charts, notes, publish), go-modules (seed 004: prepare, pins, "
            "... tag, go-tag, publish, unpin, citation), calver-suite (seed 003: tag, images, "
            "assets, manifest, publish), changelog-driven (seed 001: the changelog moved in "
            "prepare, ... assets, signatures, the notes from its section, publish), promote "
            "(seed 002: tag, promote the tested build by digest, signatures, publish)"
        ),
    ] = "operator"
    steps: Annotated[
        tuple[StepName, ...] | None,
        msgspec.Meta(
            examples=[["prepare", "pull-request", "merge", "tag", "publish"]],
            description="the steps in order, instead of the built-in procedure's",
        ),
    ] = None
    workflow: Annotated[
        str | None,
        msgspec.Meta(
            examples=["https://github.com/example/demo-operator/actions/workflows/release.yaml"],
            description="where to watch the release workflow the tag starts (default: the "
            "forge's actions page)",
        ),
    ] = None
    notes: Annotated[
        str | None,
        msgspec.Meta(
            examples=["notes/{tag}.md"],
            description="the release notes file ({tag}, {version}): the notes step writes the "
            "outline there when it is missing, a human writes its placeholders, the publish "
            "step sends it (default: the notes release.notes renders, which must then have no "
            "placeholder)",
        ),
    ] = None

    def __post_init__(self) -> None:
        if self.steps is not None:
            if not self.steps:
                raise FieldError("steps", "must list at least one step")
            seen = [s for i, s in enumerate(self.steps) if s in self.steps[:i]]
            if seen:
                raise FieldError("steps", f"lists {seen[0]} twice")


class Probe(Section, frozen=True, kw_only=True):
    """A command whose output proves the build carries the version (seed 000)."""

    command: Annotated[
        Text,
        msgspec.Meta(
            examples=['go run -ldflags "-X main.Version={version}" ./cmd/kubeopencode version'],
            description="the command line ({version}, {tag}); split like a shell, run without one",
        ),
    ]
    expect: Annotated[
        Text,
        msgspec.Meta(
            description="text its output must contain as a whole word ({version}, {tag}; "
            "0.1.8 is not matched by 0.1.80)"
        ),
    ] = "{version}"

    def __post_init__(self) -> None:
        split_command(self.command, "command")


class PreflightConfig(Section, frozen=True, kw_only=True):
    """The ``preflight:`` section: what release.preflight runs before a tag."""

    commands: Annotated[
        tuple[Text, ...],
        msgspec.Meta(
            examples=[["make test", "make test-integration", "make lint"]],
            description="command lines run in order from the repository root (split like a "
            "shell, run without one)",
        ),
    ] = ()
    clean: Annotated[
        bool,
        msgspec.Meta(description="require `git status --short` to be empty afterwards"),
    ] = True
    probe: Annotated[
        Probe | None,
        msgspec.Meta(description="the version probe, run last"),
    ] = None

    def __post_init__(self) -> None:
        for index, command in enumerate(self.commands):
            split_command(command, f"commands[{index}]")
        if not self.commands and not self.clean and self.probe is None:
            raise FieldError(
                "clean",
                "is false with no commands and no probe: the preflight would check nothing; "
                "list preflight.commands or set clean: true",
            )
