"""release.*: bump the version everywhere and prepare the release branch."""

from __future__ import annotations

import datetime as dt

from invoke import Collection, Context, task

from . import _adapter as a


def _today(date: str) -> dt.date:
    from .core.errors import UsageError

    if not date:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        raise UsageError(f"--date {date!r} is not an ISO date (YYYY-MM-DD)") from None


@task(
    help={
        "version": "new version (0.1.8 or v0.1.8) or major, minor, patch, prerelease",
        "dry-run": "show the unified diffs and write nothing",
        "date": "date for {date} targets (YYYY-MM-DD; default today)",
        "allow-downgrade": "allow a version lower than the current one",
        "json": "print the result as JSON",
    }
)
def bump(
    c: Context,
    version: str,
    dry_run: bool = False,
    date: str = "",
    allow_downgrade: bool = False,
    json: bool = False,
) -> None:
    """Set the release version in every configured file."""
    from .core.textfile import render_diff, write_all
    from .core.version_files import plan_bump

    with a.boundary():
        cfg = a.config(c)
        plan = plan_bump(
            cfg.root,
            cfg.version_files,
            version,
            today=_today(date),
            prerelease_token=cfg.prerelease_token,
            allow_downgrade=allow_downgrade,
        )
        dry = a.is_dry(c, dry_run)
        if not plan.is_noop and not dry:
            write_all(plan.edits)
        if json:
            a.emit_json(
                {
                    "current": str(plan.current) if plan.current else None,
                    "version": str(plan.new_version),
                    "dry_run": dry,
                    "changes": [
                        {
                            "path": ch.occurrence.path,
                            "line": ch.occurrence.line,
                            "target": ch.occurrence.target.label,
                            "old": ch.occurrence.found,
                            "new": ch.new,
                        }
                        for ch in plan.changes
                    ],
                    "out_of_step": [
                        {"path": o.path, "line": o.line, "found": o.found} for o in plan.out_of_step
                    ],
                }
            )
            return
        if plan.is_noop:
            a.out(f"every version file already says {plan.new_version}; nothing to change")
            return
        if dry:
            a.out(render_diff(plan.edits).rstrip("\n"))
        for change in plan.changes:
            occ = change.occurrence
            a.out(f"{occ.location} {occ.target.label}: {occ.found} -> {change.new}")
        for occ in plan.out_of_step:
            a.out(f"{occ.location} was out of step ({occ.found}, others at {plan.current})")
        verb = "would bump" if dry else "bumped"
        a.out(f"{verb} {plan.current} -> {plan.new_version} in {len(plan.edits)} files")
        if dry:
            a.out("dry run: nothing was written")


@task(
    help={
        "version": "the version to release (0.1.8, v0.1.8 or a bump keyword)",
        "dry-run": "show the plan and diffs; change nothing",
        "date": "date for {date} targets (YYYY-MM-DD; default today)",
        "offline": "do not ask the remote whether the tag exists",
    }
)
def prepare(
    c: Context, version: str, dry_run: bool = False, date: str = "", offline: bool = False
) -> None:
    """Create the release branch with the bump in one commit."""
    from .core.prepare import apply_prepare, plan_prepare
    from .core.textfile import render_diff

    with a.boundary():
        cfg = a.config(c)
        plan = plan_prepare(cfg, version, today=_today(date), check_remote=not offline)
        if not plan.remote_checked:
            a.note(f"releasekit: note: did not check {cfg.remote} for tag {plan.tag} (offline or no such remote)")
        if a.is_dry(c, dry_run):
            a.out(f"would create branch {plan.branch} from {cfg.main_branch}")
            a.out(render_diff(plan.edits).rstrip("\n"))
            a.out(f"would commit{' -s' if cfg.signoff else ''}: {plan.message.splitlines()[0]}")
            a.out("dry run: nothing was changed")
            return
        sha = apply_prepare(cfg, plan)
        a.out(f"created branch {plan.branch}")
        for edit in plan.edits:
            a.out(f"updated {edit.path}")
        a.out(f"committed {sha[:12]} {plan.message.splitlines()[0]}")
        a.out(f"next: git push {cfg.remote} {plan.branch} and open a pull request to {cfg.main_branch}")


@task(
    help={
        "files": "glob(s) of the files to list, comma-separated (e.g. 'dist/*.tar.gz')",
        "output": "checksums file to write (default: print to stdout)",
        "force": "overwrite an existing checksums file that differs (never a published one)",
        "dry-run": "print what would be written and write nothing",
        "jobs": "files hashed in parallel (default: one per CPU)",
    }
)
def checksums(
    c: Context,
    files: str,
    output: str = "",
    force: bool = False,
    dry_run: bool = False,
    jobs: int = 0,
) -> None:
    """Write a sorted GNU sha256sum checksums file."""
    import sys
    from pathlib import Path

    from . import _progress
    from .core.checksums import plan_checksums, write_checksums

    with a.boundary():
        patterns = [p.strip() for p in files.split(",") if p.strip()]
        target = Path(output) if output else None
        with _progress.bytes_progress("sha256") as factory:
            plan = plan_checksums(
                Path.cwd(), patterns, target, jobs=jobs or None, progress_factory=factory
            )
        if target is None or a.is_dry(c, dry_run):
            sys.stdout.flush()
            sys.stdout.buffer.write(plan.content)
            sys.stdout.flush()
            if target is not None and not plan.unchanged:
                a.note(f"dry run: {output} not written")
            return
        changed = write_checksums(plan, force=force)
        lines = plan.content.count(b"\n")
        a.note(f"{output}: {'wrote' if changed else 'unchanged,'} {lines} checksums")


ns = Collection("release", bump, prepare, checksums)
