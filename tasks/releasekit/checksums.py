"""Checksums: release.checksums and verify.sha256sum (core/artifacts: checksums,
checksum_file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Scalar, Status

if TYPE_CHECKING:
    from .core.artifacts.checksum_check import CheckReport, Outcome

JOBS_HELP = "files hashed in parallel (default: one per CPU)"


@a.task(
    "release.checksums",
    help={
        "files": "glob(s) of the files to list, comma-separated (e.g. 'dist/*.tar.gz')",
        "output": "checksums file to write (default: print to stdout)",
        "force": "overwrite an existing checksums file that differs (never a published one)",
        "dry_run": "print what would be written and write nothing",
        "jobs": JOBS_HELP,
    },
)
def checksums(
    c: Context,
    files: str,
    output: str = "",
    force: bool = False,
    dry_run: bool = False,
    jobs: int = 0,
    json: bool = False,
) -> Result:
    """Write a sorted GNU sha256sum checksums file."""
    from pathlib import Path

    from . import _progress
    from .core.artifacts.checksum_file import plan_checksums, write_checksums

    patterns = [p.strip() for p in files.split(",") if p.strip()]
    target = Path(output) if output else None
    with _progress.bytes_progress("sha256") as factory:
        plan = plan_checksums(
            Path.cwd(), patterns, target, jobs=jobs or None, progress_factory=factory
        )
    listed = plan.content.decode("utf-8", "surrogateescape").split("\n")[:-1]
    listing = [Item("ok", line, fields={"name": name, "sha256": digest})
               for line, (name, digest) in zip(listed, plan.entries, strict=True)]  # fmt: skip
    outputs = {"checksums": output or None, "files": len(listing)}
    if target is None:
        return Result(listing, summary=f"{len(listing)} checksums", outputs=outputs)
    dry = a.is_dry(c, dry_run)
    changed = False if dry else write_checksums(plan, force=force)
    status: Status = "unchanged" if plan.unchanged else "would-change" if dry else "changed"
    said = f"{output}: {'unchanged,' if status == 'unchanged' else 'wrote' if changed else 'would write'} {len(listing)} checksums"
    item = Item(
        status, "" if dry else said, path=output, message=said, fields={"files": len(listing)}
    )
    if dry:  # the content itself is the plan
        return Result([*listing, item], notes=[] if plan.unchanged else [f"dry run: {output} not written"],
                      summary=said, outputs=outputs, dry_run=True)  # fmt: skip
    return Result([item], summary=said, outputs=outputs)


@a.task(
    "verify.sha256sum",
    aliases=["sha256sum-check"],
    help={
        "checksums": "the checksum list (GNU or BSD format), e.g. dist/krt_v0.0.3_checksums.txt",
        "ignore_missing": "skip listed files that do not exist (fail if none was verified)",
        "strict": "fail on improperly formatted lines",
        "quiet": "do not print OK lines",
        "status": "print nothing; the exit code tells",
        "warn": "warn about each improperly formatted line",
        "base_dir": "directory the names are relative to (default: the current directory)",
        "allow_outside_base": "allow absolute names and '..' (only for a list you trust)",
        "jobs": JOBS_HELP,
    },
)
def sha256sum(
    c: Context,
    checksums: str,
    ignore_missing: bool = False,
    strict: bool = False,
    quiet: bool = False,
    status: bool = False,
    warn: bool = False,
    base_dir: str = "",
    allow_outside_base: bool = False,
    jobs: int = 0,
    json: bool = False,
) -> Result:
    """Check files against a checksum list like sha256sum -c."""
    from pathlib import Path

    from . import _progress
    from .core.artifacts.checksum_check import CheckOptions, check_checksums
    from .core.artifacts.checksums import read_checksum_file

    options = CheckOptions(
        ignore_missing, strict, quiet, status, warn, allow_outside_base, jobs or None
    )
    listing = read_checksum_file(Path(checksums), checksums)
    base = Path(base_dir) if base_dir else Path.cwd()
    with _progress.bytes_progress("sha256") as factory:
        report = check_checksums(listing, base, options, progress_factory=factory)
    return _sha256sum_result(checksums, report)


_STATUS: dict[str, Status] = {"OK": "ok", "FAILED": "mismatch", "MISSING": "missing", "UNREADABLE": "missing",
           "REFUSED": "mismatch", "IGNORED": "skipped"}  # fmt: skip


def _sha256sum_result(checksums: str, report: CheckReport) -> Result:
    from .core.common.errors import FileFormatError

    items = [_outcome_item(checksums, o) for o in report.outcomes]
    error = report.failure()
    bad_lines: Status = "error" if isinstance(error, FileFormatError) else "skipped"
    items += [Item(bad_lines, "", path=checksums, line=n, message=f"{checksums}:{n}: improperly formatted line",
                   fields={"name": None, "sha256_status": "MISFORMATTED"}) for n in report.misformatted]  # fmt: skip
    if error is not None and not any(i.status in ("error", "mismatch", "missing") for i in items):
        kind: Status = "error" if isinstance(error, FileFormatError) else "missing"
        items.append(Item(kind, "", path=checksums, message=str(error), fields={"name": None}))
    outputs: dict[str, Scalar] = {"checksums": checksums, "verified": report.verified}
    return Result(items, notes=[f"releasekit: {line}" for line in report.stderr], outputs=outputs,
                  summary=f"{checksums}: {report.verified} of {len(report.outcomes)} files verified",
                  failure=str(error) if error is not None else "")  # fmt: skip


def _outcome_item(checksums: str, o: Outcome) -> Item:
    fields = {"name": o.entry.display_name, "sha256_status": o.status, "detail": o.detail}
    message = f"{o.entry.display_name}: {o.status} {o.detail}".rstrip()
    return Item(
        _STATUS[o.status],
        o.printed,
        path=checksums,
        line=o.entry.line,
        message=message,
        fields=fields,
    )
