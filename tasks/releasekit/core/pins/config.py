"""The ``pins:`` and ``citation:`` sections of releasekit.yaml, declared as models.

``pins.targets`` are the places release.pin writes the tested value (seed 004: the commit sha
of the cloud-api-adaptor image) and release.unpin puts the development value back in;
``pins.release`` are keys set for the release and reverted after it (versions.yaml references,
a chart dependency's version). Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated

from msgspec import Meta

from ..common.excerpt import excerpt
from ..common.section import FieldError, Section, Text, inside_repo, regex

# What a pinned or development value may be wherever it goes (a pattern, a kustomize newTag,
# a YAML scalar): a container-tag-like token. No spaces, quotes or backslashes, so writing it
# can never end the string or the line it sits in.
VALUE_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.+-]*"
_VALUE = re.compile(VALUE_PATTERN)
SHA_PATTERN = "[0-9a-f]{40}"
RELEASE_PLACEHOLDERS = ("{value}", "{tag}", "{version}")


def _key_path(key: str | tuple[str, ...]) -> tuple[str, ...]:
    parts = tuple(key.split(".")) if isinstance(key, str) else key
    if not parts or (isinstance(key, str) and any(not p.strip() for p in parts)):
        raise FieldError("key", "must be a key path like image.tag or ['images', 'x']")
    return parts


def check_value(value: str, what: str) -> None:
    """Refuse a value that could not be written as one token anywhere.

    Raises:
        FieldError: (a ValueError naming ``what``) spaces, quotes, slashes, or nothing.
    """
    if not _VALUE.fullmatch(value):
        raise FieldError(
            what,
            "must be one token of letters, digits and _ . + - (no spaces, quotes or slashes), "
            f"e.g. latest or a commit sha, got {excerpt(value)}",
        )


class _Located(Section, frozen=True, kw_only=True):
    path: Annotated[
        Text,
        Meta(
            description="A file, or a glob (overlays/*/kustomization.yaml): every matching file "
            "that holds the key or pattern is edited, and at least one must.",
            extra={"needs": "a path"},
        ),
    ]
    key: Annotated[
        str | tuple[str, ...] | None,
        Meta(
            description="A key path into YAML (.yaml .yml .cff), JSON or TOML: image.tag, or a "
            "list for segments with dots; a list item is addressed by its index or by its name "
            "field (dependencies.peerpodctrl.version).",
        ),
    ] = None
    pattern: Annotated[
        str | None,
        Meta(
            description='Literal text with one {value}, for Makefiles and scripts: tag: \\"{value}\\" '
            "finds the value inside an escaped string; anchored at word edges.",
        ),
    ] = None

    @property
    def key_path(self) -> tuple[str, ...] | None:
        """The key's segments; None for a pattern (or a kustomize image) target."""
        return None if self.key is None else _key_path(self.key)

    def _check_locator(self, image: str | None, kinds: str) -> None:
        inside_repo("path", self.path)
        if sum(x is not None for x in (self.key, self.pattern, image)) != 1:
            raise ValueError(f"needs exactly one of {kinds}")
        if self.key is not None:
            _key_path(self.key)
        if self.pattern is not None and self.pattern.count("{value}") != 1:
            raise FieldError(
                "pattern", f"must contain {{value}} exactly once, got {excerpt(self.pattern)}"
            )


class PinTarget(_Located, frozen=True, kw_only=True):
    """One place release.pin writes the tested value and release.unpin restores the
    development value."""

    image: Annotated[
        str | None,
        Meta(
            description="A kustomize images: entry selected by its name; its newTag is the token "
            "(entries with other names, and newName lines, are never touched).",
        ),
    ] = None
    format: Annotated[
        Text,
        Meta(
            description="How the pinned value is written here, e.g. {value}-dev for a "
            "provider's dev image.",
        ),
    ] = "{value}"
    dev: Annotated[
        str,
        Meta(
            description="The development value release.unpin puts back, as the file spells it "
            'without quotes (latest; "" for a quoted empty chart tag that means appVersion).',
            extra={"needs": "dev (the development value release.unpin puts back)"},
        ),
    ]

    def __post_init__(self) -> None:
        self._check_locator(self.image, "key, pattern or image")
        if self.format.count("{value}") != 1:
            raise FieldError(
                "format", f"must contain {{value}} exactly once, got {excerpt(self.format)}"
            )
        check_value(self.format.replace("{value}", "x"), "format")
        if self.dev or self.pattern is not None:  # a key's quoted "" may be the dev value
            check_value(self.dev, "dev")

    @property
    def label(self) -> str:
        """How reports name the target."""
        if self.image is not None:
            return f"images[{self.image}].newTag"
        return _label(self.key_path, self.pattern)

    @property
    def located_key(self) -> tuple[str, ...] | None:
        """The key path release.pin edits (a kustomize image is ``images.<name>.newTag``)."""
        if self.image is not None:
            return ("images", self.image, "newTag")
        return self.key_path


class ReleasePin(_Located, frozen=True, kw_only=True):
    """A key set for the release and reverted after it by release.unpin."""

    value: Annotated[
        str | None,
        Meta(
            description="The release value: literal, or {value} (release.pin's VALUE), {tag} and "
            "{version} (release.pin --tag); none: release.pin --set KEY=VALUE gives it.",
        ),
    ] = None
    dev: Annotated[
        str,
        Meta(
            description="The development value release.unpin puts back (main).",
            extra={"needs": "dev (the development value release.unpin puts back)"},
        ),
    ]
    unpin_removes: Annotated[
        tuple[Text, ...],
        Meta(
            description="Files release.unpin deletes when present, e.g. the Chart.lock that "
            "`helm dependency update` wrote for the release.",
        ),
    ] = ()

    def __post_init__(self) -> None:
        self._check_locator(None, "key or pattern")
        check_value(self.dev, "dev")
        if self.value is not None:
            unknown = [
                p for p in re.findall(r"\{[^{}]*\}", self.value) if p not in RELEASE_PLACEHOLDERS
            ]
            if unknown:
                raise FieldError(
                    "value",
                    f"has unknown placeholder {unknown[0]}; use {', '.join(RELEASE_PLACEHOLDERS)}",
                )
        for index, path in enumerate(self.unpin_removes):
            inside_repo(f"unpin_removes[{index}]", path)

    @property
    def label(self) -> str:
        return _label(self.key_path, self.pattern)


def _label(key: tuple[str, ...] | None, pattern: str | None) -> str:
    if key is not None:
        return ".".join(key) if all("." not in k for k in key) else repr(list(key))
    assert pattern is not None
    return pattern.strip()


_TARGETS_EXAMPLE = [
    {"path": "charts/demo/values.yaml", "key": "image.tag", "dev": "latest"},
    {"path": "charts/demo/providers/*.yaml", "key": "image.tag", "format": "{value}-dev",
     "dev": "latest"},
    {"path": "config/overlays/*/kustomization.yaml", "image": "controller", "dev": "latest"},
    {"path": "Makefile", "pattern": 'tag: \\"{value}\\"', "dev": "latest"},
]  # fmt: skip
_RELEASE_EXAMPLE = [
    {"path": "versions.yaml", "key": "git.operator.reference", "dev": "main"},
    {"path": "charts/demo/Chart.yaml", "key": "dependencies.demo-crds.version",
     "value": "{version}", "dev": "0.0.0-dev", "unpin_removes": ["charts/demo/Chart.lock"]},
]  # fmt: skip


class PinsConfig(Section, frozen=True, kw_only=True):
    """Where release.pin writes the tested value and what release.unpin restores."""

    expect: Annotated[
        Text,
        Meta(
            description="A regular expression the documented pin input matches in full "
            "(default: a 40-hex commit sha); another value is pinned with a warning.",
        ),
    ] = SHA_PATTERN
    targets: Annotated[
        tuple[PinTarget, ...],
        Meta(description="Every place the tested value is pinned.", examples=[_TARGETS_EXAMPLE]),
    ] = ()
    release: Annotated[
        tuple[ReleasePin, ...],
        Meta(
            description="Keys set before the release and reverted after it.",
            examples=[_RELEASE_EXAMPLE],
        ),
    ] = ()

    def __post_init__(self) -> None:
        regex("expect", self.expect)
        seen: set[tuple[str, str]] = set()
        for index, pin in enumerate(self.release):
            if (pin.path, pin.label) in seen:
                raise FieldError(f"release[{index}]", f"{pin.path} {pin.label} is listed twice")
            seen.add((pin.path, pin.label))


class CitationConfig(Section, frozen=True, kw_only=True):
    """The CITATION.cff release.citation writes and verify.citation checks."""

    path: Annotated[
        Text,
        Meta(description="The Citation File Format file (version, date-released, commit)."),
    ] = "CITATION.cff"

    def __post_init__(self) -> None:
        inside_repo("path", self.path)
