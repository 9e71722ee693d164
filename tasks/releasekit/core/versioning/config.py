"""releasekit.yaml's top-level release keys and ``version_files``: how a release is spelled
and every place its version is written."""

# Annotations are objects here, not strings: see common/section.py.

from typing import Annotated

import msgspec
from msgspec import Meta

from ..common.excerpt import clip, excerpt
from ..common.section import FieldError, Section, Text, inside_repo, once

_PATTERN_EXAMPLE = "VERSION ?= {version}"


class VersionFile(Section, frozen=True, kw_only=False):
    """One place the release version is written: a path or glob plus a pattern or key path."""

    path: Annotated[
        Text,
        Meta(
            description="A file, or a glob (docs/**/*.md) that edits every matching file "
            "containing the pattern or key; files .gitignore hides are never matched.",
            examples=["Makefile"],
            extra={"needs": "a path"},
        ),
    ]
    pattern: Annotated[
        str | None,
        Meta(
            description="Literal text with one {version} (or {date}) placeholder, anchored at "
            'word edges: "VERSION ?= {version}" never touches "OPENCODE_VERSION ?= 1.15.13".',
            examples=[_PATTERN_EXAMPLE],
        ),
    ] = None
    key: Annotated[
        str | tuple[str, ...] | None,
        Meta(
            description="A key path into YAML (.yaml .yml .cff), JSON or TOML: appVersion, "
            'image.tag, or a list for segments that contain dots: ["."].',
            examples=["appVersion"],
        ),
    ] = None
    format: Annotated[
        str | None,
        Meta(
            description="How the version must be spelled there (v{version}); without it the "
            "spelling found is kept (a v stays a v) and verify.versions ignores a v. {date} "
            "makes a key target hold the release date (YYYY-MM-DD).",
            examples=["v{version}"],
        ),
    ] = None

    def __post_init__(self) -> None:
        inside_repo("path", self.path)
        if (self.pattern is None) == (self.key is None):
            raise ValueError("needs exactly one of pattern (literal text) or key (a key path)")
        if self.pattern is not None:
            counts = [self.pattern.count(p) for p in ("{version}", "{date}")]
            if max(counts) > 1 or sum(counts) == 0:
                raise FieldError(
                    "pattern",
                    "must contain {version} or {date} once (at most one of each), "
                    f"got {excerpt(self.pattern)}",
                )
        if isinstance(self.key, str):
            parts = tuple(self.key.split("."))
            if any(not part.strip() for part in parts):
                raise FieldError("key", "must be a key path like appVersion, image.tag or ['.']")
            # The dotted form is a shorthand: consumers always see the segments.
            msgspec.structs.force_setattr(self, "key", parts)
        elif self.key is not None and not self.key:
            # The list form may name an empty key (package-lock.json keeps the root package's
            # version at packages."".version), but not no key at all.
            raise FieldError("key", "must be a key path like appVersion, image.tag or ['.']")
        if self.format is not None:
            if (self.format.count("{version}"), self.format.count("{date}")) not in (
                (1, 0),
                (0, 1),
            ):
                raise FieldError(
                    "format",
                    f"must contain {{version}} or {{date}} once, got {excerpt(self.format)}",
                )
            if (
                self.pattern is not None
                and "{date}" in self.pattern
                and "{version}" not in self.pattern
            ):
                raise FieldError("format", "does not apply to a {date} pattern")

    @property
    def key_path(self) -> tuple[str, ...] | None:
        """The key's segments (``image.tag`` is ``("image", "tag")``); None for a pattern."""
        return None if self.key is None else tuple(self.key)

    @property
    def is_glob(self) -> bool:
        return any(ch in self.path for ch in "*?[")

    @property
    def label(self) -> str:
        """How reports name the target: the key path or the pattern."""
        if self.key_path is not None:
            key = self.key_path
            return ".".join(key) if all("." not in k for k in key) else repr(list(key))
        assert self.pattern is not None
        # "VERSION ?= {version}" reads as VERSION, "**Version**: {version}" as **Version**.
        head = self.pattern.split("{")[0].rstrip(" \t=:?\"'")
        return head or self.pattern

    @property
    def is_date(self) -> bool:
        """True for a target that holds the release date, not the version."""
        text = self.format if self.key is not None else self.pattern
        return text is not None and "{date}" in text and "{version}" not in text


VERSION_FILES_EXAMPLE = [
    {"path": "Makefile", "pattern": _PATTERN_EXAMPLE},
    {"path": "charts/demo/Chart.yaml", "key": "version"},
    {"path": "charts/demo/Chart.yaml", "key": "appVersion", "format": "v{version}"},
    {"path": "docs/**/*.md", "pattern": "DEMO_VERSION={version}"},
    {"path": "CITATION.cff", "key": "version"},
    {"path": "CITATION.cff", "key": "date-released", "format": "{date}"},
]


class ReleaseSettings(Section, frozen=True):
    """The top-level keys: how a release is spelled, prepared and committed."""

    tag_format: Annotated[
        Text,
        Meta(
            description='How a release tag is spelled; must contain {version} once ("{version}" '
            "for tags without v). Named parts and optional [...] segments: "
            '"module-{module}-v{version}", "suite-{version}[-{codename}][-{channel}]", '
            '"{dir}/v{version}".'
        ),
    ] = "v{version}"
    main_branch: Annotated[
        Text,
        Meta(
            description="The branch releases are prepared from (release.prepare refuses any other)."
        ),
    ] = "main"
    remote: Annotated[
        Text,
        Meta(
            description="The remote asked whether a tag already exists (at its push URL); published tags are immutable."
        ),
    ] = "origin"
    release_branch: Annotated[
        Text,
        Meta(
            description="The release branch release.prepare creates; {tag} and {version} are replaced."
        ),
    ] = "release/{tag}"
    commit_message: Annotated[
        Text, Meta(description="Subject of the prepare commit; the body lists the files changed.")
    ] = "chore: prepare {tag} release"
    signoff: Annotated[
        bool, Meta(description="Commit with `git commit -s` (Signed-off-by trailer, DCO).")
    ] = True
    prerelease_token: Annotated[
        Text,
        Meta(
            description="Pre-release identifier for `release.bump prerelease` (0.1.8 -> 0.1.9-rc.1)."
        ),
    ] = "rc"
    version_files: Annotated[
        tuple[VersionFile, ...],
        Meta(
            description="Every place the release version (or date) is written.",
            examples=[VERSION_FILES_EXAMPLE],
        ),
    ] = ()

    def __post_init__(self) -> None:
        once("tag_format", self.tag_format, "{version}")
        _check_tag_format(self.tag_format)
        if "{tag}" not in self.release_branch and "{version}" not in self.release_branch:
            raise FieldError(
                "release_branch",
                f"must contain {{tag}} or {{version}}, got {excerpt(self.release_branch)}",
            )
        _check_prerelease_token(self.prerelease_token)


# The usual spellings, which TagScheme accepts (a test keeps it so): every command loads the
# config, and these skip importing the tag grammar (schemes.py: ~2.5 ms, most of it defining
# its dataclasses) for a check whose answer is known.
_VALID_FORMATS = frozenset({"v{version}", "{version}"})


def _check_tag_format(text: str) -> None:
    if text in _VALID_FORMATS:
        return
    from ..common.errors import ConfigError
    from ..common.starters import STARTER_DOCS
    from ..tags.schemes import TagScheme

    try:  # the full grammar (placeholders, [optional] segments), reported at the key's line
        TagScheme(text)
    except ConfigError as exc:
        message = clip(str(exc), 300)  # TagScheme quotes the whole format
        raise FieldError(
            "tag_format", f"{message}; every key: {STARTER_DOCS}", sentence=True
        ) from None


def _check_prerelease_token(text: str) -> None:
    import semver

    try:  # semver's own rule, so a token accepted here never fails a later bump
        semver.Version(0, 1, 0).next_version("prerelease", prerelease_token=text)
    except ValueError:
        raise FieldError(
            "prerelease_token",
            "must be a SemVer pre-release identifier (letters, digits and hyphens; a number "
            f"without a leading zero), e.g. rc or beta, got {excerpt(text)}",
        ) from None
