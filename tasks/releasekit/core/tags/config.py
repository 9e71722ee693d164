"""The ``tags:`` section of releasekit.yaml: how release tags are made, and which Go modules
are tagged."""

# Annotations are objects here, not strings: see common/section.py.

from typing import TYPE_CHECKING, Annotated, Literal

from msgspec import Meta, field

from ..common.section import Section, Text, each_inside_repo, inside_repo, once

if TYPE_CHECKING:
    from ..config import Config
    from .schemes import TagScheme


class GoModules(Section, frozen=True):
    """Which git-tracked go.mod directories release.go-tag tags ("." is the root module).
    fnmatch globs: * also matches /. Exclusion wins."""

    include: Annotated[tuple[Text, ...], Meta(description="Module directories to tag (globs).")] = (
        "*",
    )
    exclude: Annotated[
        tuple[Text, ...],
        Meta(description="Module directories never tagged (globs).", examples=[["src/*/podvm"]]),
    ] = ()

    def __post_init__(self) -> None:
        each_inside_repo("include", self.include)
        each_inside_repo("exclude", self.exclude)


class TagsConfig(Section, frozen=True):
    """Release tags, tag schemes and Go module tags (release.tag, release.go-tag,
    release.hotfix, release.supersede, verify.tags)."""

    versioning: Annotated[
        Literal["semver", "calver"],
        Meta(
            description="semver, or calver: YYYY.MM[.PATCH] suite versions (2026.04, hotfix 2026.04.1)."
        ),
    ] = "semver"
    message: Annotated[
        Text, Meta(description="Annotated tag message; {tag} and {version} are replaced.")
    ] = "Release {tag}"
    sign: Annotated[
        bool,
        Meta(
            description="Sign release tags (git tag -s, with your git signing config) without passing --sign."
        ),
    ] = False
    channel: Annotated[
        Literal["edge", "stable", "lts"],
        Meta(description="Default channel for CalVer releases (lts only for April, YYYY.04)."),
    ] = "edge"
    hotfix_branch: Annotated[
        Text,
        Meta(
            description="The branch release.hotfix cuts; {version} is the hotfix version, {tag} its tag."
        ),
    ] = "hotfix/{version}"
    supersede_note: Annotated[
        Text,
        Meta(
            description="Where release.supersede writes the note for a bad release ({tag}: the bad tag)."
        ),
    ] = "release-notes/{tag}.superseded.md"
    go_modules: Annotated[
        GoModules,
        Meta(description="Which git-tracked go.mod directories release.go-tag tags."),
    ] = field(default_factory=GoModules)

    def __post_init__(self) -> None:
        once("hotfix_branch", self.hotfix_branch, "{version}")
        inside_repo("supersede_note", self.supersede_note)

    @property
    def go_include(self) -> tuple[str, ...]:
        return self.go_modules.include

    @property
    def go_exclude(self) -> tuple[str, ...]:
        return self.go_modules.exclude


def tags_config(config: "Config") -> "TagsConfig":
    """The repository's ``tags:`` section, or the defaults when it has none."""
    return config.tags if config.tags is not None else TagsConfig()


def release_scheme(config: "Config") -> "TagScheme":
    """The scheme of this repository's release tags: tag_format read as tags.versioning says
    (a CalVer suite's suite-2026.04-stable, or SemVer)."""
    from .schemes import TagScheme

    return TagScheme(config.tag_format, tags_config(config).versioning)


def release_version(config: "Config", tag: str) -> str:
    """The version a release tag names (0.1.8, or 2026.04 for a suite).

    Raises:
        VersionError: the tag does not follow tag_format.
    """
    return str(release_scheme(config).require(tag).version)
