"""release.status and release.run over a procedure: check every step, or act on the todo ones.

A run keeps no journal: a step is skipped because its check says done now, so a run after
any failure or interrupt picks up where the world is, and nothing is made twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..common.errors import ReleaseError, UsageError
from ..common.interrupts import failpoint
from .state import Facts, State, Step


def check(step: Step, facts: Facts) -> State:
    """The step's state now; a remote that cannot be asked (or a section the step needs that
    is not configured) makes it ``unknown``, with the reason."""
    try:
        return step.check(facts)
    except ReleaseError as exc:
        return State("unknown", str(exc))


def status(facts: Facts, steps: Sequence[Step]) -> list[tuple[Step, State]]:
    """Every step's state, in order."""
    return [(step, check(step, facts)) for step in steps]


RunKind = str  # done | skipped | applied | would-apply | waiting | conflict | unknown | failed | not-reached


@dataclass(frozen=True)
class Outcome:
    """What release.run did with one step."""

    step: Step
    kind: RunKind
    reason: str
    lines: tuple[str, ...] = ()
    watch: str = ""


def run(
    facts: Facts,
    steps: Sequence[Step],
    *,
    until: str = "",
    dry_run: bool = False,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    """Check each step in order; act on a todo one, then re-check it. Stop at the first step
    that is not done afterwards (waiting, conflict, unknown, failed), after ``until``, or — in a
    dry run — at the first todo step, whose plan is shown.

    Raises:
        UsageError: ``until`` names no step of the procedure.
    """
    names = [s.name for s in steps]
    if until and until not in names:
        raise UsageError(f"--until {until}: the procedure's steps are {', '.join(names)}")
    outcomes: list[Outcome] = []
    for index, step in enumerate(steps):
        state = check(step, facts)
        outcome = _act(step, state, facts, dry_run, progress)
        outcomes.append(outcome)
        if outcome.kind not in ("done", "skipped", "applied") or step.name == until:
            rest = steps[index + 1 :]
            after = f"after {step.name}"
            outcomes += [Outcome(s, "not-reached", after) for s in rest]
            break
    return outcomes


def _act(
    step: Step, state: State, facts: Facts, dry_run: bool, progress: Callable[[str], None]
) -> Outcome:
    if state.kind in ("done", "skipped"):
        return Outcome(step, state.kind, state.reason)
    if state.kind in ("conflict", "unknown", "waiting"):
        return Outcome(step, state.kind, state.reason, watch=state.watch)
    if step.apply is None:  # todo, but nobody here can do it
        return Outcome(step, "waiting", state.reason, watch=state.watch)
    if dry_run:
        return Outcome(step, "would-apply", state.reason, state.plan)
    progress(f"{step.name}: {state.reason}; running it")
    try:
        lines = step.apply(facts)
    except ReleaseError as exc:
        facts.forget()
        return Outcome(step, "failed", str(exc))
    failpoint(f"procedure:{step.name}")  # the fault tests interrupt a run between steps here
    facts.forget()
    after = check(step, facts)
    if after.kind == "done":
        return Outcome(step, "applied", after.reason, tuple(lines))
    if after.kind == "waiting":
        return Outcome(step, "waiting", after.reason, tuple(lines), after.watch)
    return Outcome(step, "failed", f"it ran, but its re-check says {after.kind}: {after.reason}",
                   tuple(lines))  # fmt: skip
