"""What the generators need to know about a model's fields: name, type, description, default,
example — read once from the ``Annotated[..., msgspec.Meta(...)]`` declarations."""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec


@dataclass(frozen=True)
class Field:
    name: str
    type: Any
    description: str
    has_default: bool
    default: Any = None
    has_example: bool = False
    example: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_list(self) -> bool:
        return any(get_origin(m) in (tuple, list) for m in members(self.type))


def unwrap(tp: Any) -> tuple[Any, list[msgspec.Meta]]:
    """The type inside ``Annotated`` and the Meta objects around it."""
    metas: list[msgspec.Meta] = []
    while get_origin(tp) is Annotated:
        tp, *extras = get_args(tp)
        metas.extend(m for m in extras if isinstance(m, msgspec.Meta))
    return tp, metas


def members(tp: Any) -> list[Any]:
    """The alternatives of a union (None left out), each unwrapped."""
    bare, _ = unwrap(tp)
    if get_origin(bare) in (Union, types.UnionType):
        return [m for arg in get_args(bare) for m in members(arg) if m is not type(None)]
    return [bare]


def is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def struct_of(tp: Any) -> type[msgspec.Struct] | None:
    """The model a field holds (itself, optional, or as the items of a list), if any."""
    for member in members(tp):
        if is_struct(member):
            return member  # type: ignore[no-any-return]
        if get_origin(member) in (tuple, list):
            inner = [m for m in members(get_args(member)[0]) if is_struct(m)]
            if inner:
                return inner[0]  # type: ignore[no-any-return]
    return None


def fields(struct: type[msgspec.Struct]) -> list[Field]:
    """Every field of ``struct`` in declaration order, with what its Meta says."""
    out = []
    for info in msgspec.structs.fields(struct):
        _, metas = unwrap(info.type)
        description = " ".join(m.description for m in metas if m.description)
        examples = next((m.examples for m in metas if m.examples), None)
        extra: dict[str, Any] = {}
        for meta in metas:
            extra.update(meta.extra or {})
        if info.default is not msgspec.NODEFAULT:
            has_default, default = True, info.default
        elif info.default_factory is not msgspec.NODEFAULT:
            has_default, default = True, info.default_factory()
        else:
            has_default, default = False, None
        if isinstance(default, msgspec.Struct):
            default = msgspec.to_builtins(default)
        elif isinstance(default, tuple):
            default = list(default)
        out.append(
            Field(
                info.encode_name,
                info.type,
                description,
                has_default,
                default,
                examples is not None,
                examples[0] if examples else None,
                extra,
            )
        )
    return out


# --- the model at a key path (for error messages) -----------------------------------------------


def field_type(tp: Any, name: str) -> Any:
    """The declared type of key ``name`` of the model(s) in ``tp``, or None."""
    for member in members(tp):
        if is_struct(member):
            for info in msgspec.structs.fields(member):
                if info.encode_name == name:
                    return info.type
    return None


def child_type(tp: Any, segment: str | int) -> Any:
    """The type one step below ``tp``: a key of a model or mapping, an item of a list."""
    for member in members(tp):
        origin = get_origin(member)
        if isinstance(segment, int) and origin in (tuple, list):
            return get_args(member)[0]
        if isinstance(segment, str) and origin is dict:
            return get_args(member)[1]
        if isinstance(segment, str) and is_struct(member):
            found = field_type(member, segment)
            if found is not None:
                return found
    return None


def type_at(root: Any, path: tuple[str | int, ...]) -> Any:
    tp = root
    for segment in path:
        tp = child_type(tp, segment)
        if tp is None:
            return None
    return tp


def known_keys(tp: Any) -> list[str]:
    return sorted(
        i.encode_name for m in members(tp) if is_struct(m) for i in msgspec.structs.fields(m)
    )


def extra(tp: Any, name: str) -> str | None:
    """``Meta(extra={name: ...})`` of the field type ``tp``, if it says one."""
    for meta in unwrap(tp)[1] if tp is not None else []:
        if meta.extra and name in meta.extra:
            return str(meta.extra[name])
    return None


def choices(tp: Any) -> str:
    """A Literal's values in words: ``semver or calver``, ``edge, stable or lts``."""
    values = [str(v) for m in members(tp) if get_origin(m) is Literal for v in get_args(m)]
    if len(values) < 2:
        return "one of " + ", ".join(values)
    return ", ".join(values[:-1]) + f" or {values[-1]}"


def bounds(tp: Any) -> str | None:
    """``between 0 and 10`` for a number with both bounds, else None."""
    metas = unwrap(tp)[1] if tp is not None else []
    low = next((m.ge for m in metas if m.ge is not None), None)
    high = next((m.le for m in metas if m.le is not None), None)
    return f"between {low} and {high}" if low is not None and high is not None else None
