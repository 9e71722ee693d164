"""The ``pins:`` and ``citation:`` sections of releasekit.yaml as declared models (msgspec).

``pins.targets`` are the places release.pin writes the tested value (seed 004: the commit sha
of the cloud-api-adaptor image) and release.unpin puts the development value back in;
``pins.release`` are keys set for the release and reverted after it (versions.yaml references,
a chart dependency's version). Field names are the YAML keys.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated

import msgspec

# What a pinned or development value may be wherever it goes (a pattern, a kustomize newTag,
# a YAML scalar): a container-tag-like token. No spaces, quotes or backslashes, so writing it
# can never end the string or the line it sits in.
VALUE_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.+-]*"
_VALUE = re.compile(VALUE_PATTERN)
SHA_PATTERN = "[0-9a-f]{40}"
RELEASE_PLACEHOLDERS = ("{value}", "{tag}", "{version}")


def _inside_repo(path: str, what: str = "path") -> None:
    pure = PurePosixPath(path)
    if not path.strip() or pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{what} {path!r} must be a path inside the repository")


def _key_path(key: str | tuple[str, ...]) -> tuple[str, ...]:
    parts = tuple(key.split(".")) if isinstance(key, str) else key
    if not parts or (isinstance(key, str) and any(not p.strip() for p in parts)):
        raise ValueError(f"key {key!r} must be a key path like image.tag or ['images', 'x']")
    return parts


def check_value(value: str, what: str) -> None:
    """Refuse a value that could not be written as one token anywhere."""
    if not _VALUE.fullmatch(value):
        raise ValueError(
            f"{what} {value!r} must be one token of letters, digits and _ . + - "
            "(no spaces, quotes or slashes), e.g. latest or a commit sha"
        )


class _Located(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    path: Annotated[
        str,
        msgspec.Meta(
            description="a file, or a glob (overlays/*/kustomization.yaml) whose matching files "
            "that hold the key or pattern are all edited (at least one must)"
        ),
    ]
    key: Annotated[
        str | tuple[str, ...] | None,
        msgspec.Meta(
            description="a key path into YAML (.yaml .yml .cff), JSON or TOML: image.tag, or a "
            "list for segments with dots; a list item is addressed by its index or its name "
            "field (dependencies.peerpodctrl.version)"
        ),
    ] = None
    pattern: Annotated[
        str | None,
        msgspec.Meta(
            description="literal text with one {value}, for Makefiles and scripts, e.g. "
            "'tag: \\\"{value}\\\"' (the value inside an escaped string); anchored at word edges"
        ),
    ] = None

    @property
    def key_path(self) -> tuple[str, ...] | None:
        """The key's segments; None for a pattern (or a kustomize image) target."""
        return None if self.key is None else _key_path(self.key)

    def _check_locator(self, image: str | None, kinds: str) -> None:
        _inside_repo(self.path)
        if sum(x is not None for x in (self.key, self.pattern, image)) != 1:
            raise ValueError(f"{self.path}: needs exactly one of {kinds}")
        if self.key is not None:
            _key_path(self.key)
        if self.pattern is not None and self.pattern.count("{value}") != 1:
            raise ValueError(f"pattern {self.pattern!r} must contain {{value}} exactly once")


class PinTarget(_Located, frozen=True, kw_only=True):
    """One place release.pin writes the tested value and release.unpin restores the
    development value."""

    image: Annotated[
        str | None,
        msgspec.Meta(
            description="a kustomize images: entry selected by its name; its newTag is the token "
            "(entries with other names, and newName lines, are never touched)"
        ),
    ] = None
    format: Annotated[
        str,
        msgspec.Meta(
            description="how the pinned value is written here, e.g. dev-{value} for a "
            "provider's dev image"
        ),
    ] = "{value}"
    dev: Annotated[
        str,
        msgspec.Meta(
            description="the development value release.unpin puts back, exactly as the file "
            'spells it without quotes (latest; "" for a quoted empty chart tag that defaults '
            "to appVersion)"
        ),
    ]

    def __post_init__(self) -> None:
        self._check_locator(self.image, "key, pattern or image")
        if self.format.count("{value}") != 1:
            raise ValueError(f"format {self.format!r} must contain {{value}} exactly once")
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
        msgspec.Meta(
            description="the release value: literal, or {value} (release.pin's VALUE), {tag} and "
            "{version} (release.pin --tag); none: release.pin --set KEY=VALUE gives it"
        ),
    ] = None
    dev: Annotated[
        str, msgspec.Meta(description="the development value release.unpin puts back (main)")
    ]
    unpin_removes: Annotated[
        tuple[str, ...],
        msgspec.Meta(
            description="files release.unpin deletes when present, e.g. the Chart.lock that "
            "`helm dependency update` wrote for the release"
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
                raise ValueError(
                    f"value {self.value!r} has unknown placeholder {unknown[0]}; use "
                    + ", ".join(RELEASE_PLACEHOLDERS)
                )
        for path in self.unpin_removes:
            _inside_repo(path, "unpin_removes entry")

    @property
    def label(self) -> str:
        return _label(self.key_path, self.pattern)


def _label(key: tuple[str, ...] | None, pattern: str | None) -> str:
    if key is not None:
        return ".".join(key) if all("." not in k for k in key) else repr(list(key))
    assert pattern is not None
    return pattern.strip()


class PinsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The ``pins:`` section: where release.pin writes and what release.unpin restores."""

    expect: Annotated[
        str,
        msgspec.Meta(
            description="a regular expression the documented pin input matches in full (default: "
            "a 40-hex commit sha); another value is pinned with a warning"
        ),
    ] = SHA_PATTERN
    targets: Annotated[
        tuple[PinTarget, ...],
        msgspec.Meta(description="every place the tested value is pinned"),
    ] = ()
    release: Annotated[
        tuple[ReleasePin, ...],
        msgspec.Meta(description="keys set before the release and reverted after it"),
    ] = ()

    def __post_init__(self) -> None:
        try:
            re.compile(self.expect)
        except re.error as exc:
            raise ValueError(f"expect {self.expect!r} is not a regular expression: {exc}") from None
        seen: set[tuple[str, str]] = set()
        for pin in self.release:
            if (pin.path, pin.label) in seen:
                raise ValueError(f"release pin {pin.path} {pin.label} is listed twice")
            seen.add((pin.path, pin.label))


class CitationConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The ``citation:`` section: the CITATION.cff release.citation writes."""

    path: Annotated[
        str,
        msgspec.Meta(description="the Citation File Format file (version, date-released, commit)"),
    ] = "CITATION.cff"

    def __post_init__(self) -> None:
        _inside_repo(self.path)
