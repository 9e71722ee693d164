"""plan.*: a release's independent checks as CI matrix slices, run or merged (core/plan)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke import Collection, Context

from . import _adapter as a
from ._output import Item, Result

if TYPE_CHECKING:
    from .core.plan.checks import Check


@a.task(
    "plan.checks",
    default=True,
    help={
        "tag": "the release tag (e.g. v0.1.8)",
        "github_matrix": "print the checks as a strategy.matrix JSON line (include: name, "
        "task, args); also the `matrix` output",
    },
)
def checks(c: Context, tag: str, github_matrix: bool = False, json: bool = False) -> Result:
    """List the release's checks, one slice per CI job."""
    from .core.plan.checks import MATRIX_LIMIT

    found = _checks(c, tag)
    if github_matrix and len(found) > MATRIX_LIMIT:
        from .core.common.errors import UsageError

        raise UsageError(
            f"{len(found)} checks are more than a GitHub matrix takes ({MATRIX_LIMIT})"
        )
    from .core.plan.checks import github_matrix as matrix_of

    matrix = matrix_of(found)
    items = [
        Item("ok", "" if github_matrix else check.command, message=check.command,
             fields={"task": check.task, "args": list(check.args)})
        for check in found
    ]  # fmt: skip
    said = f"{len(found)} independent checks for {tag}"
    return Result(items, head=[matrix] if github_matrix else [], summary=said,
                  outputs={"tag": tag, "checks": len(found), "matrix": matrix})  # fmt: skip


def _checks(c: Context, tag: str) -> list[Check]:
    from .core.common.errors import ConfigError
    from .core.plan.checks import plan_checks
    from .core.tags.config import release_version

    cfg = a.config(c)
    release_version(cfg, tag)  # a tag of another scheme is refused here, once
    found = plan_checks(cfg, tag)
    if not found:
        raise ConfigError(
            f"{cfg.where()} configures no checks (version_files:, helm:, registry:, "
            "artifacts:); write one with: releasekit init"
        )
    return found


@a.task("plan.run", help={"tag": "the release tag (e.g. v0.1.8)"})
def run(c: Context, tag: str, json: bool = False) -> Result:
    """Run every check of the plan here, one after another."""
    from .core.plan.checks import run_check

    envelopes = [run_check(check, Path.cwd()) for check in _checks(c, tag)]
    return _merged(envelopes, tag)


@a.task(
    "plan.merge",
    help={"results": "the slices' --json files: a directory, or a glob such as 'results/*.json'"},
)
def merge(c: Context, results: str, json: bool = False) -> Result:
    """Merge the slices' --json results into one."""
    import glob

    from .core.common.errors import UsageError
    from .core.plan.merge import read_envelope

    given = Path(results)
    files = (
        sorted(given.glob("*.json")) if given.is_dir() else sorted(map(Path, glob.glob(results)))
    )
    if not files:
        raise UsageError(f"no --json result files match {results!r}")
    envelopes = [read_envelope(f, f.as_posix()) for f in files]
    tags = {e["outputs"].get("tag") for e in envelopes if isinstance(e["outputs"], dict)}
    if len(tags - {None}) > 1:  # a stale envelope of another release among the slices
        raise UsageError(
            f"the result files are of different releases ({', '.join(sorted(map(str, tags - {None})))}); "
            "merge the slices of one tag"
        )
    tag = next(iter(tags - {None})) if len(tags - {None}) == 1 else None
    return _merged(envelopes + _missing_slices(c, envelopes, tag), tag)


def _missing_slices(
    c: Context, envelopes: list[dict[str, Any]], tag: str | None
) -> list[dict[str, Any]]:
    """An error envelope for each planned check no file answers for: a matrix job that died
    before writing its envelope never lets the merge pass on the others' results."""
    from collections import Counter

    from .core.common.errors import ReleaseError
    from .core.plan.merge import ENVELOPE_KEYS

    if tag is None:
        return []
    try:
        planned = _checks(c, tag)
    except ReleaseError:  # no plan here (no config, another scheme): nothing to compare
        return []
    have = Counter(str(e["task"]) for e in envelopes)
    missing = []
    for check in planned:
        if have[check.task]:
            have[check.task] -= 1
            continue
        said = f"no result file for `{check.command}` (its job wrote none)"
        values: tuple[object, ...] = (check.task, False, 1, False, None, {}, [], [said])
        missing.append(dict(zip(ENVELOPE_KEYS, values, strict=True)))
    return missing


def _merged(envelopes: list[dict[str, Any]], tag: str | None) -> Result:
    """One result for the checks (the same for plan.run and for plan.merge of its slices)."""
    from .core.plan.merge import merge_envelopes

    what = f"{len(envelopes)} checks"
    merged = merge_envelopes(envelopes)
    items = [
        Item(m.status, f"{m.task}: {m.message}", path=m.path, line=m.line, message=m.message,  # type: ignore[arg-type]
             fields={"task": m.task, **m.fields})
        for m in merged
    ]  # fmt: skip
    bad = sum(m.status in ("mismatch", "missing", "error") for m in merged)
    failed = sorted({m.task for m in merged if m.status in ("mismatch", "missing", "error")})
    return Result(
        items,
        summary=f"{what}: {len(merged) - bad} of {len(merged)} results hold",
        failure=f"{what}: {bad} of {len(merged)} results fail ({', '.join(failed)})",
        outputs={"tag": tag, "slices": len(envelopes)},
    )


ns = Collection("plan", checks, run, merge)
