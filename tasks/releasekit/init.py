"""init: write the releasekit.yaml a repository's layout implies (core/init)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result

if TYPE_CHECKING:
    from .core.init.layout import Layout


@a.task(
    "init",
    help={
        "tag": "the current release tag (default: the newest v0.1.7 or 0.1.7 tag reachable "
        "from HEAD, else the newest CalVer suite tag, suite-2026.04-nova)",
        "dry_run": "print the releasekit.yaml init would write; write nothing",
    },
)
def init(c: Context, tag: str = "", dry_run: bool = False, json: bool = False) -> Result:
    """Write a commented releasekit.yaml for this repository."""
    from .core.common.errors import ConfigError
    from .core.common.git import toplevel
    from .core.common.section import CONFIG_FILE
    from .core.common.textfile import FileEdit, write_all
    from .core.init.detect import detect_layout
    from .core.init.render import render_config

    root = toplevel(Path.cwd())
    target = root / CONFIG_FILE
    if target.exists() or target.is_symlink():
        raise ConfigError(
            f"{CONFIG_FILE} already exists in {root}; init never overwrites it — move it "
            f"aside (mv {CONFIG_FILE} {CONFIG_FILE}.old) and run releasekit init again, then "
            "compare the two"
        )
    layout = detect_layout(root, tag)
    text = render_config(layout)
    if a.is_dry(c, dry_run):
        return _report(layout, f"would write {CONFIG_FILE}", head=[text.rstrip("\n")])
    write_all([FileEdit(CONFIG_FILE, target, "", text, created=True)], root)
    return _report(layout, f"wrote {CONFIG_FILE}")


def _report(layout: Layout, verb: str, head: list[str] | None = None) -> Result:
    """What init found (``found``) and saw but did not use (``left out``), then the file."""
    from .core.common.section import CONFIG_FILE

    items = [
        Item("ok" if f.kept else "skipped", f"{'found' if f.kept else 'left out'}  {f.text}",
             path=f.path, line=f.line, message=f.text, fields={"kind": f.kind})
        for f in layout.findings
    ]  # fmt: skip
    count = len(layout.settings.get("version_files", []))
    said = f"{verb} ({count} version files at {layout.tag})"
    outputs: dict[str, str | int] = {"path": CONFIG_FILE, "tag": layout.tag,
                                     "version": layout.shown, "version_files": count}  # fmt: skip
    if head is not None:  # a dry run
        return Result(items, head=head, tail=[said, "dry run: nothing was written"],
                      summary=said, outputs=outputs, dry_run=True)  # fmt: skip
    items.append(Item("changed", said, path=CONFIG_FILE))
    tail = [f"next: releasekit verify.versions --tag {layout.tag}"]
    return Result(items, tail=tail, summary=said, outputs=outputs)
