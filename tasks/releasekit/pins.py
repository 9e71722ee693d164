"""Pins and keys: release.pin, release.unpin, release.set, release.get (core/pins).

The tasks join the ``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar, Status, with_diffs

if TYPE_CHECKING:
    from .core.config import Config
    from .core.pins.keys import Change
    from .core.pins.pinning import PinPlan

_DRY = "show the unified diffs and write nothing"


@a.task(
    "release.pin",
    iterable=["set_"],
    help={
        "value": "the tested value, e.g. the image's 40-hex commit sha",
        "tag": "the release tag, for release pins whose value uses {tag} or {version}",
        "set": "a release pin's value KEY=VALUE (repeatable), e.g. git.coco-operator.reference=v0.13.0",
        "dry-run": _DRY,
    },
)
def pin(
    c: Context, value: str, tag: str = "", set_: list[str] | None = None,
    dry_run: bool = False, json: bool = False,
) -> Result:  # fmt: skip
    """Pin the tested value into every pin target."""
    from .core.pins.pinning import plan_pin

    cfg = a.config(c)
    overrides = dict(_assignment(text) for text in set_ or [])
    plan = plan_pin(
        cfg.root, cfg.pins, value, where=cfg.where(), tag=_tag(cfg, tag), overrides=overrides
    )
    return _apply(c, cfg, plan, dry_run, f"pinned {value}")


@a.task(
    "release.unpin",
    help={
        "value": "the value that was pinned (default: the one the pinned targets hold)",
        "dry-run": _DRY,
    },
)
def unpin(c: Context, value: str = "", dry_run: bool = False, json: bool = False) -> Result:
    """Put every pin target's development value back."""
    from .core.pins.pinning import plan_unpin

    cfg = a.config(c)
    plan = plan_unpin(cfg.root, cfg.pins, value or None, where=cfg.where())
    return _apply(c, cfg, plan, dry_run, "unpinned")


def _apply(c: Context, cfg: Config, plan: PinPlan, dry_run: bool, done: str) -> Result:
    from .core.common.textfile import write_all

    dry = a.is_dry(c, dry_run)
    if not plan.is_noop and not dry:
        write_all(plan.edits, cfg.root)
    return _pin_result(plan, dry, done)


def _pin_result(plan: PinPlan, dry: bool, done: str) -> Result:
    from .core.common.textfile import render_diff

    status: Status = "would-change" if dry else "changed"
    items = [_change_item(ch, status) for ch in plan.changes]
    removed_verb = "would remove" if dry else "removed"
    items += [
        Item(
            status,
            f"{path}: removed",
            path=path,
            message=f"{removed_verb} {path}",
            fields={"target": None, "old": None, "new": None, "removed": True},
        )
        for path in plan.removed
    ]
    files = len(plan.edits)
    outputs: dict[str, Scalar] = {"value": plan.value, "files": 0 if dry else files}
    if done != "unpinned":  # the --json reader's copy of the stderr warning (null: none)
        outputs["warning"] = "\n".join(plan.warnings) or None
    notes = [f"releasekit: warning: {w}" for w in plan.warnings]
    if plan.is_noop:
        said = f"every pin target already holds its value; nothing to change ({done})"
        return Result(items, tail=[said], notes=notes, summary=said, outputs=outputs, dry_run=dry)
    summary = f"dry run: {files} files would change" if dry else f"{done} in {files} files"
    tail = [f"{summary}; nothing was written" if dry else summary]
    head = [render_diff(plan.edits).rstrip("\n")] if dry else []
    items = with_diffs(items, plan.edits) if dry else items
    return Result(
        items, head=head, tail=tail, notes=notes, summary=summary, outputs=outputs, dry_run=dry
    )


def _change_item(ch: Change, status: Status) -> Item:
    """One token: its line when it changes, hidden from the text view when it already holds
    its value (the JSON lists it ``unchanged``)."""
    fields = {"target": ch.label, "old": ch.spot.found, "new": ch.new, "removed": False}
    if ch.is_noop:
        held = ch.new or '""'  # an empty chart tag
        return Item(
            "unchanged",
            "",
            path=ch.spot.path,
            line=ch.spot.line,
            message=f"{ch.spot.location} {ch.label} already holds {held}",
            fields=fields,
        )
    return Item(status, ch.line(), path=ch.spot.path, line=ch.spot.line, fields=fields)


def _assignment(text: str) -> tuple[str, str]:
    from .core.common.errors import UsageError
    from .core.common.excerpt import excerpt

    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(
            f"--set {excerpt(text)} is not KEY=VALUE, e.g. git.coco-operator.reference=v0.13.0"
        )
    return key, value


def _tag(cfg: Config, tag: str) -> tuple[str, str] | None:
    from .core.tags.tagging import release_scheme

    return (tag, str(release_scheme(cfg).require(tag).version)) if tag else None


@a.task(
    "release.set",
    help={
        "file": "a YAML, JSON or TOML file (versions.yaml, Chart.yaml, pyproject.toml)",
        "assignment": "KEY=VALUE, e.g. git.kbs.reference=v0.9.0; more after a -- (a=1 -- b=2 c=3)",
        "dry-run": _DRY,
    },
)
def set_keys(
    c: Context, file: str, assignment: str, dry_run: bool = False, json: bool = False
) -> Result:  # fmt: skip
    """Set keys of a YAML, JSON or TOML file, one token each."""
    from .core.common.textfile import render_diff, write_all
    from .core.pins.keys import build_edits, plan_set

    cfg = a.config(c)
    # invoke reads every further word as a task name; the others come after `--`.
    changes = plan_set(cfg.root, file, [assignment, *c.remainder.split()])
    edits, dry = build_edits(changes), a.is_dry(c, dry_run)
    if edits and not dry:
        write_all(edits, cfg.root)
    status: Status = "would-change" if dry else "changed"
    items = [
        Item(
            "unchanged" if ch.is_noop else status,
            ch.line() + (" (unchanged)" if ch.is_noop else ""),
            path=ch.spot.path,
            line=ch.spot.line,
            fields={"key": ch.label, "old": ch.spot.found, "new": ch.new},
        )
        for ch in changes
    ]
    moved = sum(not ch.is_noop for ch in changes)
    verb = "would set" if dry else "set"
    summary = f"{verb} {moved} of {len(changes)} keys in {file}"
    head = [render_diff(edits).rstrip("\n")] if dry and edits else []
    tail = ["dry run: nothing was written"] if dry and edits else []
    items = with_diffs(items, edits) if dry else items
    return Result(
        items,
        head=head,
        tail=tail,
        summary=summary,
        outputs={"path": file, "changed": 0 if dry else moved},
        dry_run=dry,
    )


@a.task(
    "release.get",
    help={
        "file": "a YAML, JSON or TOML file",
        "key": "a key path: oci.pause.tag, dependencies.peerpodctrl.version, or a JSON list",
    },
)
def get_key(c: Context, file: str, key: str, json: bool = False) -> Result:
    """Print a key's value as the file spells it."""
    from .core.pins.keys import get_value, parse_key

    cfg = a.config(c)
    spot = get_value(cfg.root, file, parse_key(key))
    shown = spot.found or '""'  # an empty chart tag
    said = f"{spot.location} {key}: {shown}"
    # The value alone is the text view (for $(releasekit release.get ...)), an empty one too:
    # a head line, since an item whose text is "" stays out of the text view.
    item = Item("ok", "", path=spot.path, line=spot.line, message=said,
                fields={"key": key, "value": spot.found})  # fmt: skip
    return Result([item], head=[spot.found], summary=said, outputs={"value": spot.found})
