"""The whole procedure: release.status, release.run, release.preflight (core/procedure)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status

if TYPE_CHECKING:
    from .core.config import Config
    from .core.procedure.drive import Outcome
    from .core.procedure.state import Facts, State, Step

_COMMON = {
    "tag": "the release tag (e.g. v0.1.8; default: the one release.bump auto suggests)",
    "date": "date of the release for {date} targets and the changelog (YYYY-MM-DD; default today)",
    "plain_http": "talk HTTP to the registries (a local registry)",
}
# A step's state as a result item's status (README: Output).
_STATUS: dict[str, Status] = {"done": "ok", "skipped": "skipped", "conflict": "mismatch", "todo": "would-change", "waiting": "skipped",
           "unknown": "error"}  # fmt: skip


def _facts(
    cfg: Config, tag: str, date: str, plain_http: bool, *, suggest_unmade: bool
) -> tuple[Facts, list[str]]:
    """The release to check: ``tag``, else the suggested next version; the suggestion (and
    why) when no tag is given, or ``suggest_unmade`` and the tag is not made yet."""
    from .core.notes.run import scheme_of
    from .core.procedure.pipeline import procedure_of
    from .core.procedure.state import Facts
    from .core.tags.schemes import render_tag
    from .core.versioning.auto import crd_directories, suggest

    head: list[str] = []
    if scheme_of(cfg).versioning == "calver":  # a suite's version is its date: no suggestion
        if not tag:
            from .core.common.errors import UsageError

            raise UsageError("a CalVer release names its tag: pass --tag, e.g. suite-2026.04")
    elif not tag or (suggest_unmade and not _tag_made(cfg, tag)):
        suggestion = suggest(cfg, crd_dirs=crd_directories(cfg), allow_taken=bool(tag))
        head = [f"release.bump auto: {line.strip()}" for line in suggestion.lines()[:1]]
        head += [f"  {line.strip()}" for line in suggestion.lines()[1:]]
        tag = tag or render_tag(cfg.tag_format, suggestion.version)
    version = str(scheme_of(cfg).require(tag).version)
    names = tuple(s.name for s in procedure_of(cfg))
    return Facts(cfg, tag, version, a.release_date(date), plain_http, names), head


def _tag_made(cfg: Config, tag: str) -> bool:
    from .core.common.git import local_tag_exists

    return local_tag_exists(cfg.root, tag)


@a.task("release.status", help={**_COMMON})
def status(c: Context, tag: str = "", date: str = "", plain_http: bool = False,
           json: bool = False) -> Result:  # fmt: skip
    """Show each release step's state and why."""
    from .core.procedure import drive
    from .core.procedure.pipeline import procedure_of

    cfg = a.config(c)
    facts, head = _facts(cfg, tag, date, plain_http, suggest_unmade=True)
    states = drive.status(facts, procedure_of(cfg))
    items = [_state_item(step, state) for step, state in states]
    done = sum(s.kind in ("done", "skipped") for _, s in states)
    conflicts = sum(s.kind == "conflict" for _, s in states)
    unknown = sum(s.kind == "unknown" for _, s in states)
    summary = _summary(facts.tag, [s.kind for _, s in states])
    failure = (f"{facts.tag}: {unknown} step(s) could not be checked" if unknown
               else f"{facts.tag}: {conflicts} step(s) conflict")  # fmt: skip
    return Result(items, head=head, summary=summary, failure=failure,
                  outputs={"tag": facts.tag, "version": facts.version, "complete": done == len(states),
                           "next": next((st.name for st, s in states if s.kind not in ("done", "skipped")), None)})  # fmt: skip


def _state_item(step: Step, state: State) -> Item:
    watch = f"\n    watch: {state.watch}" if state.watch else ""
    plan = "".join(f"\n    would: {line}" for line in state.plan)
    return Item(_STATUS[state.kind], f"{state.kind.upper():<8} {step.name:<12} {state.reason}{watch}{plan}",
                message=f"{step.name}: {state.kind}: {state.reason}",
                fields={"step": step.name, "state": state.kind, "reason": state.reason,
                        "watch": state.watch or None, "plan": list(state.plan)})  # fmt: skip


@a.task(
    "release.run",
    help={
        **_COMMON,
        "until": "stop after this step (e.g. tag)",
        "dry_run": "check each step and show the first todo step's plan; change nothing",
    },
)
def run(c: Context, tag: str = "", until: str = "", dry_run: bool = False, date: str = "",
        plain_http: bool = False, json: bool = False) -> Result:  # fmt: skip
    """Run the release steps that are still to do."""
    from .core.procedure import drive
    from .core.procedure.pipeline import procedure_of

    cfg = a.config(c)
    facts, head = _facts(cfg, tag, date, plain_http, suggest_unmade=False)
    dry = a.is_dry(c, dry_run)
    outcomes = drive.run(facts, procedure_of(cfg), until=until, dry_run=dry, progress=a.note)
    return _run_result(facts, outcomes, head, dry)


_RUN_STATUS: dict[str, Status] = {"done": "unchanged", "skipped": "skipped", "applied": "changed", "would-apply": "would-change",
               "waiting": "skipped", "not-reached": "skipped", "conflict": "mismatch",
               "unknown": "error", "failed": "error"}  # fmt: skip


def _run_result(facts: Facts, outcomes: list[Outcome], head: list[str], dry: bool) -> Result:
    items = []
    for o in outcomes:
        said = "would: " if o.kind == "would-apply" else ""
        extra = "".join(f"\n    {said}{line}" for line in o.lines) + (
            f"\n    watch: {o.watch}" if o.watch else ""
        )
        items.append(Item(_RUN_STATUS[o.kind], f"{o.kind.upper():<11} {o.step.name:<12} {o.reason}{extra}",
                          message=f"{o.step.name}: {o.kind}: {o.reason}",
                          fields={"step": o.step.name, "outcome": o.kind, "reason": o.reason,
                                  "did": list(o.lines), "watch": o.watch or None}))  # fmt: skip
    stop = next((o for o in outcomes if o.kind not in ("done", "skipped", "applied")), None)
    again = f"release.run --tag {facts.tag}"
    tail = {
        None: f"{facts.tag}: every step is done" + _skipped(outcomes),
        "waiting": f"next: when that is done, run {again} again",
        "would-apply": "dry run: nothing was changed",
        "not-reached": "",
        "failed": f"next: fix what the error says, then run {again} again; finished steps stay done",
        "conflict": f"next: resolve the conflict by hand (release.status --tag {facts.tag} shows it)",
        # a check that could not be made: a remote that did not answer, or a missing setting
        "unknown": f"next: fix what it says (a setting), or when the remote, registry or "
        f"forge answers, run {again} again",
    }[stop.kind if stop else None]
    done = sum(o.kind in ("done", "skipped", "applied") for o in outcomes)
    summary = _summary(facts.tag, ["done" if o.kind == "applied" else o.kind for o in outcomes])
    return Result(items, head=head, tail=[tail] if tail else [], summary=summary, dry_run=dry,
                  outputs={"tag": facts.tag, "version": facts.version,
                           "complete": done == len(outcomes),
                           "next": stop.step.name if stop else None})  # fmt: skip


def _summary(tag: str, kinds: list[str]) -> str:
    """``v0.1.8: 5 of 7 steps done, 2 skipped (not configured)``: a skipped step is never
    counted as done."""
    done, skipped = kinds.count("done"), kinds.count("skipped")
    tail = f", {skipped} skipped (not configured)" if skipped else ""
    return f"{tag}: {done} of {len(kinds) - skipped} steps done{tail}"


def _skipped(outcomes: list[Outcome]) -> str:
    skipped = [o.step.name for o in outcomes if o.kind == "skipped"]
    return f" ({', '.join(skipped)} skipped: not configured)" if skipped else ""


_PREFLIGHT_STATUS: dict[str, Status] = {"ok": "ok", "failed": "mismatch", "error": "error",
                                        "not-run": "skipped"}  # fmt: skip


@a.task(
    "release.preflight",
    help={
        "tag": "the release tag the version probe must print (e.g. v0.1.8)",
        "version": "the version the probe must print, instead of --tag",
        "keep_going": "run every check even after one failed",
    },
)
def preflight(c: Context, tag: str = "", version: str = "", keep_going: bool = False,
              json: bool = False) -> Result:  # fmt: skip
    """Run the preflight checks, then the clean-tree check."""
    from .core.common.errors import UsageError
    from .core.notes.run import scheme_of
    from .core.procedure.preflight import run_preflight

    if tag and version:
        raise UsageError("give one of --tag v0.1.8 or --version 0.1.8, not both")
    cfg = a.config(c)
    if tag:
        version = str(scheme_of(cfg).require(tag).version)
    elif version:
        from .core.tags.schemes import parse_any_version

        scheme = scheme_of(cfg)  # SemVer, or a CalVer suite's 2026.04
        tag = scheme.render(parse_any_version(scheme.versioning, version))
    checks = run_preflight(cfg, version=version or None, tag=tag or None, keep_going=keep_going,
                           echo=a.note)  # fmt: skip
    items = [Item(_PREFLIGHT_STATUS[ch.outcome],
                  f"{ch.outcome.upper():<8} {'-' if ch.seconds is None else f'{ch.seconds:.1f}s':>7}  {ch.name}"
                  + (f"  ({ch.detail})" if ch.detail else ""),
                  message=f"{ch.name}: {ch.outcome}" + (f" ({ch.detail})" if ch.detail else ""),
                  fields={"check": ch.name, "outcome": ch.outcome, "seconds": ch.seconds,
                          "detail": ch.detail or None})
             for ch in checks]  # fmt: skip
    bad = [ch for ch in checks if ch.outcome in ("failed", "error")]
    summary = f"{len(checks) - len(bad)} of {len(checks)} preflight checks passed"
    return Result(items, head=["preflight summary:"], summary=summary,
                  failure=f"preflight failed at {bad[0].name}" if bad else summary,
                  outputs={"tag": tag or None, "version": version or None})  # fmt: skip
