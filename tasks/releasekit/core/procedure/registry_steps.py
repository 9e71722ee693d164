"""The steps that ask the registry: images published by the workflow, the tested build
promoted by digest (seed 002), the published chart pulled back and checked."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

from ..common.errors import CommandError
from .state import Facts, State, Unreachable

if TYPE_CHECKING:
    from ..registry.promote import ImagePlan


# --- images: the release workflow publishes them ---------------------------------------------


def check_images(f: Facts) -> State:
    from ..registry import run

    if f.cfg.registry is None or not f.cfg.registry.images:
        return State("skipped", "no registry.images configured; nothing to check")
    try:
        report = run.verify(f.cfg, f.tag, [], [], "", [], f.plain_http, _no_progress)
    except CommandError as exc:
        raise Unreachable(f"cannot ask the registry ({exc})") from None
    refs = len(report.checks)
    absent = [c for c in report.checks if c.digest is None]
    wrong = [c for c in report.checks if c.digest is not None and not c.ok]
    if wrong:
        return State(
            "conflict",
            "; ".join(wrong[0].messages())
            + (f" (+{len(wrong) - 1} more)" if len(wrong) > 1 else ""),
        )
    if absent:
        watch = f.watch_workflow()
        if f.tag not in f.remote_tags():
            return State("todo", f"{len(absent)} of {refs} image tags wait for {f.tag}")
        return State("waiting", f"{len(absent)} of {refs} image tags not published yet "
                     f"(first: {absent[0].ref}); the release workflow builds them", watch=watch)  # fmt: skip
    return State("done", f"{refs} image tags published with their platforms")


def _no_progress(what: str, total: int) -> AbstractContextManager[None]:
    return nullcontext(None)


# --- promote: the tested build's digest under the release tags (seed 002) -------------------


def _promote(f: Facts, *, dry_run: bool) -> list[ImagePlan]:
    from ..registry import run

    return run.promote(f.cfg, f.tag, "", [], [], f.plain_http, dry_run, _no_progress)


def check_promote(f: Facts) -> State:
    from ..common.errors import VerificationFailed
    from ..registry.promote import BuildNotPushed, describe_plan

    section = f.cfg.registry
    if section is None or not section.images or not section.promote_from:
        return State("skipped", "no registry.images with registry.promote_from; nothing to promote")
    if f.local_tag(f.tag) is None and f.tag not in f.remote_tags():
        return State("todo", f"the promotion waits for {f.tag} (its commit names the build)")
    try:
        plans = _promote(f, dry_run=True)
    except BuildNotPushed as exc:  # the CI's work in progress
        first = str(exc).splitlines()[1]
        return State("waiting", f"the build is not in the registry yet ({first})",
                     watch=f.watch_workflow())  # fmt: skip
    except VerificationFailed as exc:  # published and different (a version tag on another
        # digest, a platform missing): a human decides
        return State("conflict", "; ".join(str(exc).splitlines()[1:]) or str(exc))
    except CommandError as exc:
        raise Unreachable(f"cannot ask the registry ({exc})") from None
    todo = [t for plan in plans for t in plan.tags if t.action != "unchanged"]
    if not todo:
        tags = sum(len(plan.tags) for plan in plans)
        return State("done", f"{tags} release tags of {len(plans)} images name the tested build")
    return State("todo", f"{len(todo)} release tags do not name the tested build yet",
                 plan=tuple(line for plan in plans for line in describe_plan(plan)))  # fmt: skip


def apply_promote(f: Facts) -> list[str]:
    plans = _promote(f, dry_run=False)
    return [f"promoted {plan.source} to {', '.join(t.tag for t in plan.tags)} of {plan.dest}"
            for plan in plans]  # fmt: skip


# --- charts: the published chart pulled back and checked --------------------------------------


def check_charts(f: Facts) -> State:
    from ..helm.published import verify_all

    if f.cfg.registry is None or not f.cfg.registry.charts:
        return State("skipped", "no registry.charts configured; nothing to check")
    try:
        charts = verify_all(f.cfg, f.tag, "", "", "", f.plain_http, "")
    except CommandError as exc:
        raise Unreachable(f"cannot pull the published chart ({exc})") from None
    absent = [c for c in charts if c.digest is None]
    wrong = [c for c in charts if c.digest is not None and not c.ok]
    if wrong:
        return State("conflict", "; ".join(wrong[0].failures()))
    if absent:
        first = f"{absent[0].ref}:{absent[0].version}"
        if f.tag not in f.remote_tags():
            return State("todo", f"{first} waits for {f.tag}")
        return State("waiting", f"{first} is not published yet; the release workflow pushes it",
                     watch=f.watch_workflow())  # fmt: skip
    return State("done", f"{len(charts)} published charts pulled, rendered and checked")
