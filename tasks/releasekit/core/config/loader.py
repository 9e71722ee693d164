"""Finding releasekit.yaml, reading it with its positions, merging the invoke layer, validating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.errors import ConfigError
from ..common.excerpt import describe
from ..common.section import CONFIG_FILE, Origin, Section
from .model import Config, Settings

INVOKE_LAYER = "invoke config"
_MAX_DEPTH = 50  # no valid releasekit.yaml nests half as deep; deeper data stays as read


@dataclass(frozen=True)
class Layer:
    """One place keys come from: releasekit.yaml (with ruamel positions) or invoke's config."""

    name: str
    prefix: str
    data: Mapping[Any, Any]

    def line(self, path: tuple[str | int, ...]) -> int | None:
        """The 1-based line of ``path``'s last key or item that exists, if the data has lines."""
        node: Any = self.data
        line = None
        for segment in path:
            lc = getattr(node, "lc", None)
            try:
                if lc is not None:
                    pos = lc.item(segment) if isinstance(segment, int) else lc.key(segment)
                    line = pos[0] + 1
                node = node[segment]
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        return line

    def value(self, path: tuple[str | int, ...]) -> Any:
        """The value at ``path`` as read (ruamel types and all), or None when it is absent."""
        node: Any = self.data
        for segment in path:
            try:
                node = node[segment]
            except (KeyError, IndexError, TypeError):
                return None
        return node


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


def load_config(start: Path, invoke_layer: Any = None) -> Config:
    """Read and validate the configuration for the repository containing ``start``.

    Args:
        start: a directory inside the repository (normally the current directory).
        invoke_layer: the ``releasekit`` section of invoke's config, if any; releasekit.yaml
            wins over it key by key.

    Raises:
        ConfigError: the file is not valid YAML, or a key is unknown or has a wrong value;
            the message names the key, the file and the line.
    """
    import msgspec

    root, source = find_config_file(start)
    layers = []
    if invoke_layer is not None:
        layers.append(Layer(INVOKE_LAYER, "releasekit.", _invoke_mapping(invoke_layer)))
    if source is not None:
        layers.append(Layer(CONFIG_FILE, "", _read_file(source)))
    owners: dict[Any, Layer] = {}
    for layer in layers:
        owners.update(dict.fromkeys(layer.data, layer))
    memo: dict[int, Any] = {}
    try:
        merged = {_plain_key(k): _plain(layer.data[k], memo, 0) for k, layer in owners.items()}
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in a double-quoted YAML string)
        from .explain import not_unicode

        raise not_unicode(owners, layers[-1] if layers else None) from None
    try:
        settings = msgspec.convert(merged, Settings)
    except msgspec.ValidationError as exc:
        from .explain import explain

        raise explain(exc, merged, owners, layers[-1] if layers else None) from None
    values = {name: getattr(settings, name) for name in Settings.__struct_fields__}
    config = Config(root=root, source=source, **values)
    _locate(config, (), owners)
    return config


def _read_file(path: Path) -> Mapping[Any, Any]:
    from ..common.errors import FileFormatError
    from ..common.textfile import read_text
    from ..common.yamlfile import load_yaml

    try:  # "releasekit.yaml:LINE: not UTF-8 text", like every file releasekit reads
        text = read_text(path, path.name)
    except FileFormatError as exc:
        raise ConfigError(str(exc)) from None
    data = load_yaml(text, path.name, ConfigError, hint="; fix the syntax")
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{CONFIG_FILE}: the file must be a mapping of settings (`key: value` lines such as "
            f"`tag_format: v{{version}}`), got {describe(data)}"
        )
    return data


def _invoke_mapping(layer: Any) -> Mapping[Any, Any]:
    # invoke hands out its config as a DataProxy around the plain dict it merged.
    data = getattr(layer, "_config", layer)
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{INVOKE_LAYER}: releasekit must be a mapping of releasekit.yaml's keys "
            f"(tag_format:, version_files: ...), got {describe(data)}"
        )
    return data


def _plain(data: Any, memo: dict[int, Any], depth: int) -> Any:
    """ruamel's round-trip types as plain Python, for the validation library.

    An alias is converted once and shared (``memo``), so a YAML alias bomb costs what its text
    costs; the depth cap leaves data no model could accept as it is (validation refuses it).
    """
    if data is None or isinstance(data, bool) or depth > _MAX_DEPTH:
        return data
    if isinstance(data, str):
        data.encode("utf-8")  # text only: a lone surrogate raises UnicodeEncodeError here
        return str(data)
    if isinstance(data, int):  # ruamel's ScalarBoolean (an anchored bool) is an int
        return bool(data) if type(data).__name__ == "ScalarBoolean" else int(data)
    if isinstance(data, float):
        return float(data)
    if isinstance(data, Mapping | list | tuple):
        if id(data) in memo:
            return memo[id(data)]
        if isinstance(data, Mapping):
            out: Any = {}
            memo[id(data)] = out
            for key, value in data.items():
                out[_plain_key(key)] = _plain(value, memo, depth + 1)
        else:
            out = []
            memo[id(data)] = out
            out.extend(_plain(item, memo, depth + 1) for item in data)
        return out
    return data


def _plain_key(key: Any) -> Any:
    # A complex YAML key (``? [a, b]``) stays as read: hashable, and refused by validation.
    if isinstance(key, str):
        key.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, as in _plain
        return str(key)
    if isinstance(key, int | float) and not isinstance(key, bool):
        return _plain(key, {}, 0)
    return key


def _locate(section: Section, path: tuple[str | int, ...], owners: Mapping[Any, Layer]) -> None:
    """Record on every section where it was written (``origin``), for later messages."""
    for name in section.__struct_fields__:
        value = getattr(section, name)
        items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
        for index, item in items:
            if not isinstance(item, Section):
                continue
            where = (*path, name) if index is None else (*path, name, index)
            layer = owners.get(where[0])
            if layer is not None:
                item.__dict__["origin"] = Origin(layer.name, layer.line(where))
            _locate(item, where, owners)
