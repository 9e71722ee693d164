"""releasekit.yaml: finding, parsing and validating the one configuration file.

The same keys may sit under ``releasekit:`` in an invoke config (invoke.yaml); values from
releasekit.yaml win key by key. Unknown keys and wrong types are errors that name the key
and the file (with the line for releasekit.yaml).

Adding a capability's section: write a parser ``(Value) -> YourConfig`` below, add a field to
:class:`Config` with a default, and register the parser in ``_PARSERS``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from .common.errors import ConfigError
from .common.starters import CONFIG_HINT, STARTER_DOCS
from .defaults import DEFAULTS

if TYPE_CHECKING:
    from .common.network import Network
    from .docs.config import DocsConfig
    from .pins.config import CitationConfig, PinsConfig
    from .registry.config import RegistryConfig

CONFIG_FILE = "releasekit.yaml"
_T = TypeVar("_T")

# Defaults live in .defaults (registered with invoke through Collection.configure).


@dataclass(frozen=True)
class Origin:
    """Where a configuration value was written, for error messages."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


@dataclass(frozen=True)
class Value:
    """A raw configuration value with its key path and origin; typed accessors validate."""

    data: Any
    key: str
    origin: Origin

    def error(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {self.key} {problem}")

    def _child(self, data: Any, key: str, index: Any) -> Value:
        line = self.origin.line
        lc = getattr(self.data, "lc", None)
        if lc is not None:
            try:
                pos = lc.key(index) if isinstance(index, str) else lc.item(index)
                line = pos[0] + 1
            except (KeyError, IndexError, TypeError):
                pass
        return Value(data, key, Origin(self.origin.source, line))

    def mapping(self, known: Iterable[str]) -> dict[str, Value]:
        """Return the children of a mapping, refusing keys not in ``known``."""
        if not isinstance(self.data, Mapping):
            raise self.error(f"must be a mapping, got {_describe(self.data)}")
        allowed = tuple(known)
        out: dict[str, Value] = {}
        for name, data in self.data.items():
            child = self._child(data, f"{self.key}.{name}" if self.key else str(name), name)
            if name not in allowed:
                raise ConfigError(
                    f"{child.origin}: unknown key {child.key!r}; known keys here: "
                    + ", ".join(sorted(allowed))
                )
            out[str(name)] = child
        return out

    def sequence(self) -> list[Value]:
        if not isinstance(self.data, list):
            raise self.error(f"must be a list, got {_describe(self.data)}")
        return [self._child(item, f"{self.key}[{i}]", i) for i, item in enumerate(self.data)]

    def string(self, *, non_empty: bool = True) -> str:
        if not isinstance(self.data, str):
            raise self.error(f"must be a string, got {_describe(self.data)}")
        if non_empty and not self.data.strip():
            raise self.error("must not be empty")
        return self.data

    def boolean(self) -> bool:
        if not isinstance(self.data, bool):
            raise self.error(f"must be true or false, got {_describe(self.data)}")
        return self.data

    def integer(self) -> int:
        if isinstance(self.data, bool) or not isinstance(self.data, int):
            raise self.error(f"must be an integer, got {_describe(self.data)}")
        return self.data

    def strings(self, *, non_empty: bool = True) -> tuple[str, ...]:
        return tuple(item.string(non_empty=non_empty) for item in self.sequence())

    def template(self, *placeholders: str) -> str:
        """A string that must contain each of ``placeholders`` (e.g. ``{version}``) once."""
        text = self.string()
        for ph in placeholders:
            if text.count(ph) != 1:
                raise self.error(f"must contain {ph} exactly once, got {text!r}")
        return text

    def relative_path(self) -> str:
        """A path (or glob) inside the repository: relative, no ``..``."""
        text = self.string()
        pure = PurePosixPath(text)
        if pure.is_absolute() or ".." in pure.parts:
            raise self.error(f"must be a path inside the repository, got {text!r}")
        return text


def _describe(data: Any) -> str:
    if data is None:
        return "nothing (null)"
    return f"{type(data).__name__} {data!r}"


# --- version_files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionFile:
    """One place the release version is written: a path or glob plus a pattern or key path."""

    path: str
    pattern: str | None = None
    key: tuple[str, ...] | None = None
    format: str | None = None
    origin: Origin = field(default=Origin("releasekit.yaml"), compare=False)

    @property
    def is_glob(self) -> bool:
        return any(ch in self.path for ch in "*?[")

    @property
    def label(self) -> str:
        """How reports name the target: the key path or the pattern."""
        if self.key is not None:
            return (
                ".".join(self.key) if all("." not in k for k in self.key) else repr(list(self.key))
            )
        assert self.pattern is not None
        # "VERSION ?= {version}" reads as VERSION, "**Version**: {version}" as **Version**.
        head = self.pattern.split("{")[0].rstrip(" \t=:?\"'")
        return head or self.pattern

    @property
    def is_date(self) -> bool:
        """True for a target that holds the release date, not the version."""
        text = self.format if self.key is not None else self.pattern
        return text is not None and "{date}" in text and "{version}" not in text


def _parse_version_file(value: Value) -> VersionFile:
    items = value.mapping(("path", "pattern", "key", "format"))
    if "path" not in items:
        raise value.error("needs a path")
    path = items["path"].relative_path()
    if ("pattern" in items) == ("key" in items):
        raise value.error("needs exactly one of pattern (literal text) or key (a key path)")
    pattern = key = fmt = None
    if "pattern" in items:
        pattern = items["pattern"].string()
        counts = {ph: pattern.count(ph) for ph in ("{version}", "{date}")}
        if max(counts.values()) > 1 or sum(counts.values()) == 0:
            raise items["pattern"].error(
                f"must contain {{version}} or {{date}} once (at most one of each), got {pattern!r}"
            )
    if "key" in items:
        raw = items["key"]
        # The list form may name an empty key: package-lock.json keeps the root package's
        # version at packages."".version.
        listed = not isinstance(raw.data, str)
        key = raw.strings(non_empty=False) if listed else tuple(raw.string().split("."))
        if not key or (not listed and any(not part for part in key)):
            raise raw.error("must be a key path like appVersion, image.tag or ['.']")
    if "format" in items:
        fmt = items["format"].string()
        if (fmt.count("{version}"), fmt.count("{date}")) not in ((1, 0), (0, 1)):
            raise items["format"].error(f"must contain {{version}} or {{date}} once, got {fmt!r}")
        if pattern is not None and "{date}" in pattern and "{version}" not in pattern:
            raise items["format"].error("does not apply to a {date} pattern")
    return VersionFile(path, pattern, key, fmt, value.origin)


def _parse_version_files(value: Value) -> tuple[VersionFile, ...]:
    return tuple(_parse_version_file(item) for item in value.sequence())


# --- the whole file --------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The validated configuration of one repository."""

    root: Path
    source: Path | None = None
    tag_format: str = DEFAULTS["tag_format"]
    main_branch: str = DEFAULTS["main_branch"]
    remote: str = DEFAULTS["remote"]
    release_branch: str = DEFAULTS["release_branch"]
    commit_message: str = DEFAULTS["commit_message"]
    signoff: bool = DEFAULTS["signoff"]
    prerelease_token: str = DEFAULTS["prerelease_token"]
    version_files: tuple[VersionFile, ...] = ()
    tags: TagsConfig | None = None
    helm: HelmConfig | None = None
    changelog: ChangelogConfig | None = None
    artifacts: ArtifactsConfig | None = None
    network: Network | None = None
    registry: RegistryConfig | None = None
    pins: PinsConfig | None = None
    citation: CitationConfig | None = None
    docs: DocsConfig | None = None

    def where(self) -> str:
        """The config file for messages: its path relative to the root, or a hint."""
        if self.source is None:
            return f"{CONFIG_FILE} (not found; create it in {self.root} with: {CONFIG_HINT})"
        return str(self.source.relative_to(self.root))


def _tag_template(value: Value) -> str:
    from .tags.schemes import TagScheme

    text = value.template("{version}")
    try:  # the full grammar (placeholders, [optional] segments) is checked here, with the line
        TagScheme(text)
    except ConfigError as exc:
        raise ConfigError(f"{value.origin}: {exc}; every key: {STARTER_DOCS}") from None
    return text


def _branch_template(value: Value) -> str:
    text = value.string()
    if "{tag}" not in text and "{version}" not in text:
        raise value.error(f"must contain {{tag}} or {{version}}, got {text!r}")
    return text


def _plain_string(value: Value) -> str:
    return value.string()


def _boolean(value: Value) -> bool:
    return value.boolean()


_PARSERS: dict[str, Callable[[Value], object]] = {
    "tag_format": _tag_template,
    "main_branch": _plain_string,
    "remote": _plain_string,
    "release_branch": _branch_template,
    "commit_message": _plain_string,
    "signoff": _boolean,
    "prerelease_token": _plain_string,
    "version_files": _parse_version_files,
    "artifacts": lambda value: _parse_artifacts(value),
    "network": lambda value: _parse_network(value),
}


def _parse_model(value: Value, convert: Callable[[object], _T]) -> _T:
    """A section declared as msgspec models; a mistake is reported at the line it is on."""
    from .common.models import SectionError

    try:
        return convert(value.data)
    except SectionError as exc:
        at = value
        for step in exc.path:  # down to the line the model points at
            with contextlib.suppress(KeyError, IndexError, TypeError):
                key = f"{at.key}.{step}" if isinstance(step, str) else f"{at.key}[{step}]"
                at = at._child(at.data[step], key, step)
        raise at.error(f"{exc.problem}; every key: {STARTER_DOCS}") from None


def _parse_registry(value: Value) -> RegistryConfig:
    from .registry.config import convert_section

    return _parse_model(value, convert_section)


def _parse_pins(value: Value) -> PinsConfig:
    from .common.models import convert_model
    from .pins.config import PinsConfig

    return _parse_model(value, lambda data: convert_model(data, PinsConfig))


def _parse_citation(value: Value) -> CitationConfig:
    from .common.models import convert_model
    from .pins.config import CitationConfig

    return _parse_model(value, lambda data: convert_model(data, CitationConfig))


def _parse_docs(value: Value) -> DocsConfig:
    from .common.models import convert_model
    from .docs.config import DocsConfig

    return _parse_model(value, lambda data: convert_model(data, DocsConfig))


_PARSERS["registry"] = _parse_registry
_PARSERS["pins"] = _parse_pins
_PARSERS["citation"] = _parse_citation
_PARSERS["docs"] = _parse_docs


def _parse_network(value: Value) -> Network:
    from .common.network import parse_network

    return parse_network(value)


def find_config_file(start: Path) -> tuple[Path, Path | None]:
    """Look for releasekit.yaml from ``start`` up to the git top level.

    Returns:
        The repository root (the directory holding the file, else the git top level, else
        ``start``) and the file, or None when there is none.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return directory, candidate
        if (directory / ".git").exists():
            return directory, None
    return start, None


def _read_yaml_mapping(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path.name}{line}: not valid YAML: {exc.problem or exc.context}; fix the syntax"
        ) from None
    except YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}") from None
    return {} if data is None else data


def _plain(data: Any) -> Any:
    """Turn invoke's DataProxy (and nested ones) into plain dicts and lists."""
    if isinstance(data, Mapping) or hasattr(data, "_config"):
        return {k: _plain(data[k]) for k in data}
    if isinstance(data, list | tuple):
        return [_plain(x) for x in data]
    return data


def load_config(start: Path, invoke_layer: Mapping[str, Any] | None = None) -> Config:
    """Read and validate the configuration for the repository containing ``start``.

    Args:
        start: a directory inside the repository (normally the current directory).
        invoke_layer: the ``releasekit`` section of invoke's config, if any.

    Raises:
        ConfigError: the file is not valid YAML, or a key is unknown or has a wrong type.
    """
    root, source = find_config_file(start)
    values: dict[str, Value] = {}
    if invoke_layer is not None:
        layer = Value(_plain(invoke_layer), "releasekit", Origin("invoke config"))
        values.update(layer.mapping(_PARSERS))
    if source is not None:
        values.update(Value(_read_yaml_mapping(source), "", Origin(CONFIG_FILE)).mapping(_PARSERS))
    parsed = {name: _PARSERS[name](value) for name, value in values.items()}
    return Config(root=root, source=source, **parsed)  # type: ignore[arg-type]


# --- tags (issue 4: tag schemes, release tags, Go module tags, hotfix, supersede) ----------


@dataclass(frozen=True)
class TagsConfig:
    """The ``tags:`` section: how release tags are made and which Go modules are tagged."""

    versioning: str = "semver"
    message: str = "Release {tag}"
    sign: bool = False
    channel: str = "edge"
    hotfix_branch: str = "hotfix/{version}"
    supersede_note: str = "release-notes/{tag}.superseded.md"
    go_include: tuple[str, ...] = ("*",)
    go_exclude: tuple[str, ...] = ()


def tags_config(config: Config) -> TagsConfig:
    """The repository's ``tags:`` section, or the defaults when it has none."""
    return config.tags if config.tags is not None else TagsConfig()


def _parse_tags(value: Value) -> TagsConfig:
    keys = ("versioning", "message", "sign", "channel", "hotfix_branch", "supersede_note")
    items = value.mapping((*keys, "go_modules"))
    out: dict[str, Any] = {}
    if "versioning" in items:
        out["versioning"] = items["versioning"].string()
        if out["versioning"] not in ("semver", "calver"):
            raise items["versioning"].error(f"must be semver or calver, got {out['versioning']!r}")
    if "message" in items:
        out["message"] = items["message"].string()
    if "sign" in items:
        out["sign"] = items["sign"].boolean()
    if "channel" in items:
        out["channel"] = items["channel"].string()
        if out["channel"] not in ("edge", "stable", "lts"):
            raise items["channel"].error(f"must be edge, stable or lts, got {out['channel']!r}")
    if "hotfix_branch" in items:
        out["hotfix_branch"] = items["hotfix_branch"].template("{version}")
    if "supersede_note" in items:
        out["supersede_note"] = items["supersede_note"].relative_path()
    if "go_modules" in items:
        go = items["go_modules"].mapping(("include", "exclude"))
        if "include" in go:
            out["go_include"] = tuple(v.relative_path() for v in go["include"].sequence())
        if "exclude" in go:
            out["go_exclude"] = tuple(v.relative_path() for v in go["exclude"].sequence())
    return TagsConfig(**out)


_PARSERS["tags"] = _parse_tags  # registered here: the parser is defined after _PARSERS
# --- helm: charts, images in rendered charts, CRDs (issue 5) -----------------------------------

HELM_ENGINES = ("auto", "helm", "sdk")


@dataclass(frozen=True)
class ChartConfig:
    """One chart to render and check: where it is, how to render it, which images it may use."""

    path: str
    release_name: str = "release-name"
    namespace: str = "default"
    values: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    registries: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    image_patterns: tuple[str, ...] = ()
    app_version: str = "{tag}"
    digests: str = "unverified"  # a digest pin of an image expected at {tag}: unverified|accept
    origin: Origin = field(default=Origin("releasekit.yaml"), compare=False)


@dataclass(frozen=True)
class CrdSync:
    """A pair of CRD directories that must hold the same CRDs (generated source, chart copy)."""

    generated: str
    chart: str
    ignore_annotations: tuple[str, ...] = ()
    fix: str = ""


@dataclass(frozen=True)
class HelmConfig:
    """The ``helm:`` section."""

    engine: str = "auto"
    charts: tuple[ChartConfig, ...] = ()
    crds: tuple[CrdSync, ...] = ()
    crd_history: str = "docs/upgrading.md"
    plain_http: bool = False


def _parse_chart(value: Value) -> ChartConfig:
    keys = ("path", "release_name", "namespace", "values", "images", "registries", "allow",
            "image_patterns", "app_version", "digests")  # fmt: skip
    items = value.mapping(keys)
    if "path" not in items:
        raise value.error("needs a path (the chart directory, e.g. charts/demo)")
    kwargs: dict[str, Any] = {"path": items["path"].relative_path()}
    for name in ("release_name", "namespace"):
        if name in items:
            kwargs[name] = items[name].string()
    for name in ("registries", "allow"):
        if name in items:
            kwargs[name] = items[name].strings()
    if "values" in items:  # read on every render: inside the repository, like the chart
        kwargs["values"] = tuple(v.relative_path() for v in items["values"].sequence())
    if "images" in items:
        images = []
        for item in items["images"].sequence():
            text = item.string()
            if "{tag}" not in text and "{version}" not in text and "@" not in text:
                raise item.error(
                    f"must contain {{tag}} or {{version}} (or pin a digest), got {text!r}"
                )
            if "@" in text:
                from .registry.digests import digest_problem

                problem = digest_problem(text.partition("@")[2])
                if problem is not None:
                    raise item.error(f"pins a malformed digest: {problem}")
            images.append(text)
        kwargs["images"] = tuple(images)
    if "image_patterns" in items:
        import re

        patterns = []
        for item in items["image_patterns"].sequence():
            text = item.string()
            try:
                groups = re.compile(text).groups
            except re.error as exc:
                raise item.error(f"is not a regular expression: {exc}") from None
            if groups != 1:
                raise item.error(f"needs exactly one (group) around the image, got {text!r}")
            patterns.append(text)
        kwargs["image_patterns"] = tuple(patterns)
    if "app_version" in items:
        text = items["app_version"].string()
        if text.count("{tag}") + text.count("{version}") != 1:
            raise items["app_version"].error(
                f"must contain {{tag}} or {{version}} once, got {text!r}"
            )
        kwargs["app_version"] = text
    if "digests" in items:
        kwargs["digests"] = items["digests"].string()
        if kwargs["digests"] not in ("unverified", "accept"):
            raise items["digests"].error(f"must be unverified or accept, got {kwargs['digests']!r}")
    return ChartConfig(**kwargs, origin=value.origin)


def _parse_crd_sync(value: Value) -> CrdSync:
    items = value.mapping(("generated", "chart", "ignore_annotations", "fix"))
    for name in ("generated", "chart"):
        if name not in items:
            raise value.error(f"needs {name} (a directory of CRD YAML files)")
    return CrdSync(
        generated=items["generated"].relative_path(),
        chart=items["chart"].relative_path(),
        ignore_annotations=items["ignore_annotations"].strings()
        if "ignore_annotations" in items
        else (),
        fix=items["fix"].string() if "fix" in items else "",
    )


def _parse_helm(value: Value) -> HelmConfig:
    items = value.mapping(("engine", "charts", "crds", "crd_history", "plain_http"))
    kwargs: dict[str, Any] = {}
    if "engine" in items:
        engine = items["engine"].string()
        if engine not in HELM_ENGINES:
            raise items["engine"].error(f"must be one of {', '.join(HELM_ENGINES)}, got {engine!r}")
        kwargs["engine"] = engine
    if "charts" in items:
        kwargs["charts"] = tuple(_parse_chart(item) for item in items["charts"].sequence())
    if "crds" in items:
        kwargs["crds"] = tuple(_parse_crd_sync(item) for item in items["crds"].sequence())
    if "crd_history" in items:
        kwargs["crd_history"] = items["crd_history"].relative_path()
    if "plain_http" in items:
        kwargs["plain_http"] = items["plain_http"].boolean()
    return HelmConfig(**kwargs)


_PARSERS["helm"] = _parse_helm
# --- changelog (issue 3) ---------------------------------------------------------------------

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


@dataclass(frozen=True)
class ChangelogConfig:
    """The ``changelog:`` section: the hand-written file and generation from commits."""

    path: str = "CHANGELOG.md"
    sections: tuple[str, ...] = KEEP_A_CHANGELOG_SECTIONS
    breaking_section: str = "Breaking Changes"
    groups: tuple[tuple[str, str], ...] = DEFAULT_GROUPS
    other_section: str | None = None
    group_by_scope: bool = False
    exclude: tuple[str, ...] = ()
    template: str | None = None

    @property
    def allowed_headings(self) -> tuple[str, ...]:
        """Every ``###`` heading a changelog may use: sections, breaking, generated groups."""
        names = [self.breaking_section, *self.sections, *(g for _, g in self.groups)]
        if self.other_section:
            names.append(self.other_section)
        return tuple(dict.fromkeys(names))


def _parse_changelog(value: Value) -> ChangelogConfig:
    known = (
        "path",
        "sections",
        "breaking_section",
        "groups",
        "other_section",
        "group_by_scope",
        "exclude",
        "template",
    )
    items = value.mapping(known)
    parsed: dict[str, Any] = {}
    if "path" in items:
        parsed["path"] = items["path"].relative_path()
    if "sections" in items:
        parsed["sections"] = items["sections"].strings()
        if not parsed["sections"]:
            raise items["sections"].error("must list at least one section, e.g. [Added, Fixed]")
    if "breaking_section" in items:
        parsed["breaking_section"] = items["breaking_section"].string()
    if "groups" in items:
        raw = items["groups"]
        if not isinstance(raw.data, Mapping):
            raise raw.error(f"must map commit types to sections (feat: Added), not {raw.data!r}")
        children = raw.mapping(list(raw.data)).items()
        parsed["groups"] = tuple((kind, child.string()) for kind, child in children)
    if "other_section" in items:
        other = items["other_section"]
        parsed["other_section"] = None if other.data is None else other.string()
    if "group_by_scope" in items:
        parsed["group_by_scope"] = items["group_by_scope"].boolean()
    if "exclude" in items:
        import re

        patterns = []
        for item in items["exclude"].sequence():
            try:
                patterns.append(re.compile(item.string()).pattern)
            except re.error as exc:
                raise item.error(f"is not a valid regular expression: {exc}") from None
        parsed["exclude"] = tuple(patterns)
    if "template" in items and items["template"].data is not None:
        parsed["template"] = items["template"].relative_path()
    return ChangelogConfig(**parsed)


_PARSERS["changelog"] = _parse_changelog
# --- artifacts (issue 6: asset matrix, checksums, signatures, attestations) -------------------

ASSET_PLACEHOLDERS = ("{tag}", "{version}", "{os}", "{arch}", "{ext}")


@dataclass(frozen=True)
class AssetMatrix:
    """Per-platform release archives: ``krt_{tag}_{os}_{arch}.{ext}`` over ``platforms``."""

    name: str
    platforms: tuple[tuple[str, str], ...]
    ext: dict[str, str] = field(default_factory=dict)  # os (or "default") -> extension


@dataclass(frozen=True)
class SigningConfig:
    """Who signs release artifacts, which files carry a Sigstore bundle, which images."""

    identity: str | None = None
    identity_regexp: str | None = None
    issuer: str = "https://token.actions.githubusercontent.com"
    owner: str | None = None
    repo: str | None = None
    workflow: str | None = None
    blobs: tuple[str, ...] = ()
    bundle: str = "{file}.sigstore.json"
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttestationsConfig:
    """Which assets carry a provenance attestation and what it must say."""

    files: tuple[str, ...] = ()
    bundle: str = "{file}.sigstore.json"
    repo: str | None = None
    signer_workflow: str | None = None
    predicate_type: str = "https://slsa.dev/provenance/v1"


@dataclass(frozen=True)
class ArtifactsConfig:
    """The release assets of a tag and how to verify them."""

    dir: str = "dist"
    matrix: AssetMatrix | None = None
    files: tuple[str, ...] = ()
    checksums: str | None = None
    ignore: tuple[str, ...] = ()
    signing: SigningConfig | None = None
    attestations: AttestationsConfig | None = None
    origin: Origin = field(default=Origin("releasekit.yaml"), compare=False)


def _asset_template(value: Value) -> str:
    text = value.string()
    for token in _placeholders(text):
        if token not in ASSET_PLACEHOLDERS and token != "{file}":
            raise value.error(
                f"has unknown placeholder {token}; use " + ", ".join(ASSET_PLACEHOLDERS)
            )
    return text


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"\{[^{}]*\}", text)


def _parse_matrix(value: Value) -> AssetMatrix:
    items = value.mapping(("name", "platforms", "ext"))
    if "name" not in items or "platforms" not in items:
        raise value.error("needs name (e.g. 'krt_{tag}_{os}_{arch}.{ext}') and platforms")
    name = _asset_template(items["name"])
    if "{os}" not in name or "{arch}" not in name:
        raise items["name"].error(f"must contain {{os}} and {{arch}}, got {name!r}")
    platforms = []
    for item in items["platforms"].sequence():
        text = item.string()
        if text.count("/") != 1 or not all(text.split("/")):
            raise item.error(f"must be os/arch like linux/amd64, got {text!r}")
        os_name, arch = text.split("/")
        platforms.append((os_name, arch))
    ext: dict[str, str] = {}
    if "ext" in items:
        raw = items["ext"]
        if isinstance(raw.data, str):
            ext["default"] = raw.string()
        else:
            known = {"default", *(os_name for os_name, _ in platforms)}
            ext = {k: v.string() for k, v in raw.mapping(known).items()}
    if "{ext}" in name and "default" not in ext and any(o not in ext for o, _ in platforms):
        raise items["name"].error("uses {ext}: give ext (a string, or a mapping with default)")
    return AssetMatrix(name, tuple(platforms), ext)


def _parse_signing(value: Value) -> SigningConfig:
    keys = ("identity", "identity_regexp", "issuer", "owner", "repo", "workflow")
    items = value.mapping((*keys, "blobs", "bundle", "images"))
    if "identity" in items and "identity_regexp" in items:
        raise value.error("takes identity or identity_regexp, not both")
    kwargs: dict[str, Any] = {k: items[k].string() for k in keys if k in items}
    if "identity" not in kwargs and "identity_regexp" not in kwargs:
        missing = [k for k in ("owner", "repo", "workflow") if k not in kwargs]
        if missing:
            raise value.error(
                "needs identity, identity_regexp, or owner + repo + workflow (the identity is then "
                "https://github.com/{owner}/{repo}/.github/workflows/{workflow}@refs/tags/{tag}); "
                "missing " + ", ".join(missing)
            )
    if "blobs" in items:
        kwargs["blobs"] = tuple(_asset_template(v) for v in items["blobs"].sequence())
    if "bundle" in items:
        kwargs["bundle"] = items["bundle"].template("{file}")
    if "images" in items:
        kwargs["images"] = items["images"].strings()
    return SigningConfig(**kwargs)


def _parse_attestations(value: Value) -> AttestationsConfig:
    items = value.mapping(("files", "bundle", "repo", "signer_workflow", "predicate_type"))
    kwargs: dict[str, Any] = {}
    if "files" in items:
        kwargs["files"] = tuple(_asset_template(v) for v in items["files"].sequence())
    if "bundle" in items:
        kwargs["bundle"] = items["bundle"].template("{file}")
    for key in ("repo", "signer_workflow", "predicate_type"):
        if key in items:
            kwargs[key] = items[key].string()
    if "repo" in kwargs and kwargs["repo"].count("/") != 1:
        raise items["repo"].error(f"must be owner/name, got {kwargs['repo']!r}")
    return AttestationsConfig(**kwargs)


def _parse_artifacts(value: Value) -> ArtifactsConfig:
    items = value.mapping(
        ("dir", "matrix", "files", "checksums", "ignore", "signing", "attestations")
    )
    kwargs: dict[str, Any] = {"origin": value.origin}
    if "dir" in items:
        kwargs["dir"] = items["dir"].relative_path()
    if "matrix" in items:
        kwargs["matrix"] = _parse_matrix(items["matrix"])
    if "files" in items:
        kwargs["files"] = tuple(_asset_template(v) for v in items["files"].sequence())
    if "checksums" in items:
        kwargs["checksums"] = _asset_template(items["checksums"])
    if "ignore" in items:
        kwargs["ignore"] = items["ignore"].strings()
    if "signing" in items:
        kwargs["signing"] = _parse_signing(items["signing"])
    if "attestations" in items:
        kwargs["attestations"] = _parse_attestations(items["attestations"])
    return ArtifactsConfig(**kwargs)
