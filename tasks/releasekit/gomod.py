"""Go dependency bumps: release.go-get. The task joins the ``release`` namespace."""

from __future__ import annotations

from invoke import Context, task

from . import _adapter as a


@task(
    iterable=["in_"],
    help={
        "target": "MODULE@VERSION, e.g. github.com/kata-containers/kata-containers/src/runtime@v0.0.0-2024...",
        "in": "a Go module directory (repeatable): src/cloud-api-adaptor",
        "dry-run": "print the commands; run and write nothing",
        "json": "print the result as JSON",
    },
)
def go_get(
    c: Context, target: str, in_: list[str] | None = None, dry_run: bool = False, json: bool = False
) -> None:
    """Run go get and go mod tidy in Go module directories."""
    from .core.common.network import settings
    from .core.common.textfile import write_all
    from .core.tags import goget

    with a.boundary():
        cfg = a.config(c)
        goget.parse_target(target)
        dirs = goget.module_dirs(cfg.root, in_ or [])
        if a.is_dry(c, dry_run):
            lines = goget.command_lines(target, dirs)
            if json:
                a.emit_json({"target": target, "dry_run": True, "commands": lines, "modules": []})
            for line in [] if json else lines:
                a.out(line)
            a.note("dry run: nothing was run or written")
            return
        plan = goget.plan_go_get(cfg.root, target, dirs, settings(cfg))
        write_all(plan.edits, cfg.root)
        if json:
            a.emit_json({"target": target, "dry_run": False, "commands": plan.command_lines(),
                         "modules": [vars(u) | {"edits": [e.path for e in u.edits]} for u in plan.updates]})  # fmt: skip
            return
        for line in [*plan.command_lines(), *(u.line_text(plan.module) for u in plan.updates)]:
            a.out(line)
        a.note(
            f"{len(plan.edits)} files updated in {len(dirs)} modules"
            if plan.edits
            else "nothing changed"
        )
