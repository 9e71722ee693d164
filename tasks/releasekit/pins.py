"""Pins and keys: release.pin, release.unpin, release.set, release.get. The tasks join the
``release`` namespace (see release.py's ns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context, task

from . import _adapter as a

if TYPE_CHECKING:
    from .core.config import Config
    from .core.pins.pinning import PinPlan

_DRY = "show the unified diffs and write nothing"


@task(
    iterable=["set_"],
    help={
        "value": "the tested value, e.g. the image's 40-hex commit sha",
        "tag": "the release tag, for release pins whose value uses {tag} or {version}",
        "set": "a release pin's value KEY=VALUE (repeatable), e.g. git.coco-operator.reference=v0.13.0",
        "dry-run": _DRY,
        "json": "print the result as JSON",
    },
)
def pin(
    c: Context, value: str, tag: str = "", set_: list[str] | None = None,
    dry_run: bool = False, json: bool = False,
) -> None:  # fmt: skip
    """Pin the tested value into every pin target."""
    from .core.pins.pinning import plan_pin

    with a.boundary():
        cfg = a.config(c)
        overrides = dict(_assignment(text) for text in set_ or [])
        plan = plan_pin(cfg.root, cfg.pins, value, where=cfg.where(),
                        tag=_tag(cfg, tag), overrides=overrides)  # fmt: skip
        _finish(c, cfg, plan, dry_run, json, f"pinned {value}")


@task(
    help={
        "value": "the value that was pinned (default: the one the pinned targets hold)",
        "dry-run": _DRY,
        "json": "print the result as JSON",
    }
)
def unpin(c: Context, value: str = "", dry_run: bool = False, json: bool = False) -> None:
    """Put every pin target's development value back."""
    from .core.pins.pinning import plan_unpin

    with a.boundary():
        cfg = a.config(c)
        plan = plan_unpin(cfg.root, cfg.pins, value or None, where=cfg.where())
        _finish(c, cfg, plan, dry_run, json, "unpinned")


def _finish(c: Context, cfg: Config, plan: PinPlan, dry_run: bool, json: bool, done: str) -> None:
    from .core.common.textfile import render_diff, write_all

    dry = a.is_dry(c, dry_run)
    for warning in plan.warnings:
        a.note(f"releasekit: warning: {warning}")
    if not plan.is_noop and not dry:
        write_all(plan.edits, cfg.root)
    if json:
        a.emit_json(plan.as_json(dry))
        return
    if plan.is_noop:
        a.out(f"every pin target already holds its value; nothing to change ({done})")
        return
    if dry:
        a.out(render_diff(plan.edits).rstrip("\n"))
    for line in plan.lines():
        a.out(line)
    files = len(plan.edits)
    a.note(
        f"dry run: {files} files would change; nothing was written"
        if dry
        else f"{done} in {files} files"
    )


def _assignment(text: str) -> tuple[str, str]:
    from .core.common.errors import UsageError

    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(
            f"--set {text!r} is not KEY=VALUE, e.g. git.coco-operator.reference=v0.13.0"
        )
    return key, value


def _tag(cfg: Config, tag: str) -> tuple[str, str] | None:
    from .core.tags.tagging import release_scheme

    return (tag, str(release_scheme(cfg).require(tag).version)) if tag else None


@task(
    help={
        "file": "a YAML, JSON or TOML file (versions.yaml, Chart.yaml, pyproject.toml)",
        "assignment": "KEY=VALUE, e.g. git.kbs.reference=v0.9.0; more after a -- (a=1 -- b=2 c=3)",
        "dry-run": _DRY,
        "json": "print the result as JSON",
    },
)
def set_keys(
    c: Context, file: str, assignment: str, dry_run: bool = False, json: bool = False
) -> None:
    """Set keys of a YAML, JSON or TOML file, one token each."""
    from .core.common.textfile import render_diff, write_all
    from .core.pins.keys import build_edits, plan_set

    with a.boundary():
        cfg = a.config(c)
        # invoke reads every further word as a task name; the others come after `--`.
        changes = plan_set(cfg.root, file, [assignment, *c.remainder.split()])
        edits, dry = build_edits(changes), a.is_dry(c, dry_run)
        if edits and not dry:
            write_all(edits, cfg.root)
        if json:
            a.emit_json({"path": file, "dry_run": dry, "changes": [ch.as_json() for ch in changes]})
            return
        if dry and edits:
            a.out(render_diff(edits).rstrip("\n"))
        for ch in changes:
            a.out(ch.line() + (" (unchanged)" if ch.is_noop else ""))
        if dry and edits:
            a.note("dry run: nothing was written")


@task(
    help={
        "file": "a YAML, JSON or TOML file",
        "key": "a key path: oci.pause.tag, dependencies.peerpodctrl.version, or a JSON list",
        "json": "print the result as JSON (path, line, key, value)",
    }
)
def get_key(c: Context, file: str, key: str, json: bool = False) -> None:
    """Print a key's value as the file spells it."""
    from .core.pins.keys import get_value, parse_key

    with a.boundary():
        cfg = a.config(c)
        spot = get_value(cfg.root, file, parse_key(key))
        if json:
            a.emit_json({"path": spot.path, "line": spot.line, "key": key, "value": spot.found})
            return
        a.out(spot.found)
