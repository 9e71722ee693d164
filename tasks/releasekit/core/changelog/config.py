"""The ``changelog:`` section of releasekit.yaml: the Keep a Changelog file and generation
from Conventional Commits."""

# Annotations are objects here, not strings: see common/section.py.

from typing import Annotated

from msgspec import Meta, field

from ..common.section import FieldError, Section, Text, inside_repo, regex

KEEP_A_CHANGELOG_SECTIONS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")
DEFAULT_GROUPS: tuple[tuple[str, str], ...] = (
    ("feat", "Added"),
    ("fix", "Fixed"),
    ("perf", "Changed"),
    ("refactor", "Changed"),
    ("deprecate", "Deprecated"),
    ("revert", "Removed"),
    ("remove", "Removed"),
    ("security", "Security"),
    ("deps", "Dependencies"),
)


class ChangelogConfig(Section, frozen=True):
    """Changelog (changelog.*; release.prepare runs changelog.release when this section exists).
    Every key is optional; the values shown are the defaults."""

    path: Annotated[
        Text,
        Meta(
            description="The Keep a Changelog file changelog.release and changelog.check work on."
        ),
    ] = "CHANGELOG.md"
    sections: Annotated[
        tuple[Text, ...],
        Meta(description="The ### sub-headings a release may use (changelog.check flags others)."),
    ] = KEEP_A_CHANGELOG_SECTIONS
    breaking_section: Annotated[
        Text,
        Meta(
            description="Breaking changes are listed first under this sub-heading; "
            'changelog.release refuses a sub-heading with "breaking" in its name that is not '
            "the first one of Unreleased."
        ),
    ] = "Breaking Changes"
    groups: Annotated[
        dict[str, Text],
        Meta(
            description="Generation: Conventional Commit type -> section. Types not listed "
            "(chore, docs, ci, test, build, style) are left out unless the commit is breaking "
            "(`!` or a BREAKING CHANGE footer).",
            extra={"wrong": "must map commit types to sections (feat: Added), not {value}"},
        ),
    ] = field(default_factory=lambda: dict(DEFAULT_GROUPS))
    other_section: Annotated[
        Text | None,
        Meta(description='Where non-conventional subjects go ("Other"); null drops them.'),
    ] = None
    group_by_scope: Annotated[
        bool,
        Meta(description="Group each section's entries by scope (- **api** / nested entries)."),
    ] = False
    exclude: Annotated[
        tuple[Text, ...],
        Meta(
            description="Regular expressions (re.search on the subject) of commits to leave out. "
            "Merge commits and release.prepare's own commit (commit_message) are always left out."
        ),
    ] = ()
    template: Annotated[
        Text | None,
        Meta(
            description="Your own Jinja2 template instead of the one shipped in releasekit "
            "(templates/changelog.md.j2 in the package documents the context; "
            "`releasekit changelog --json` prints it)."
        ),
    ] = None

    def __post_init__(self) -> None:
        inside_repo("path", self.path)
        if not self.sections:
            raise FieldError("sections", "must list at least one section, e.g. [Added, Fixed]")
        for index, pattern in enumerate(self.exclude):
            regex(f"exclude[{index}]", pattern, wording="is not a valid regular expression")
        inside_repo("template", self.template)

    @property
    def allowed_headings(self) -> tuple[str, ...]:
        """Every ``###`` heading a changelog may use: sections, breaking, generated groups."""
        names = [self.breaking_section, *self.sections, *self.groups.values()]
        if self.other_section:
            names.append(self.other_section)
        return tuple(dict.fromkeys(names))
