"""Go dependency bumps: release.go-get (core/tags/goget.py). The task joins the ``release``
namespace."""

from __future__ import annotations

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar


@a.task(
    "release.go-get",
    iterable=["in_"],
    help={
        "target": "MODULE@VERSION, e.g. github.com/kata-containers/kata-containers/src/runtime@v0.0.0-2024...",
        "in": "a Go module directory (repeatable): src/cloud-api-adaptor",
        "dry-run": "print the commands; run and write nothing",
    },
)
def go_get(
    c: Context, target: str, in_: list[str] | None = None, dry_run: bool = False, json: bool = False
) -> Result:
    """Run go get and go mod tidy in Go module directories."""
    from .core.common.network import settings
    from .core.common.textfile import write_all
    from .core.tags import goget

    cfg = a.config(c)
    module, _ = goget.parse_target(target)
    dirs = goget.module_dirs(cfg.root, in_ or [])
    outputs: dict[str, Scalar] = {"target": target, "modules": len(dirs)}
    if a.is_dry(c, dry_run):  # go writes go.mod as it runs: a dry run runs nothing
        items = []
        for d in dirs:
            lines = goget.command_lines(target, [d])
            items.append(
                Item(
                    "would-change",
                    "\n".join(lines),
                    path=_gomod(d),
                    message=f"would run {' and '.join(lines)}",
                    fields={"dir": d, "module": module, "commands": lines},
                )
            )
        return Result(
            items,
            tail=["dry run: nothing was run or written"],
            summary=f"would run go get {target} and go mod tidy in {len(dirs)} modules",
            outputs=outputs | {"files": 0},
            dry_run=True,
        )
    plan = goget.plan_go_get(cfg.root, target, dirs, settings(cfg))
    write_all(plan.edits, cfg.root)
    items = [
        Item(
            "changed" if u.edits else "unchanged",
            u.line_text(plan.module),
            path=_gomod(u.dir),
            line=u.line,
            fields={
                "dir": u.dir,
                "module": module,
                "before": u.before,
                "after": u.after,
                "files": [e.path for e in u.edits],
                "commands": goget.command_lines(target, [u.dir]),
            },
        )
        for u in plan.updates
    ]
    files = len(plan.edits)
    summary = f"{files} files updated in {len(dirs)} modules" if files else "nothing changed"
    return Result(
        items,
        head=plan.command_lines(),
        tail=[summary],
        summary=summary,
        outputs=outputs | {"files": files},
    )


def _gomod(directory: str) -> str:
    return "go.mod" if directory == "." else f"{directory}/go.mod"
