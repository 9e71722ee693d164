"""Tags: release.tag, release.untag, release.go-tag, release.tags, release.hotfix,
release.supersede and verify.tags (core/tags)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, Status

if TYPE_CHECKING:
    from .core.tags.gomodules import GoTagPlan
    from .core.tags.hotfix import HotfixPlan
    from .core.tags.tagging import RemoteState, TagPlan


def _note_unchecked(remote: RemoteState) -> None:
    """Say at once that the remote was not asked: a later failure must not hide it."""
    if not remote.checked:
        a.note(f"releasekit: note: did not check {remote.name} ({remote.reason})")


def _tag_item(tag: str, status: str, text: str, **fields: object) -> Item:
    return Item(
        "changed" if status == "changed" else "would-change", text, fields={"tag": tag, **fields}
    )


@a.task(
    "release.tag",
    help={
        "version": "the version to tag (0.1.8, v0.1.8, or 2026.04 for CalVer suites)",
        "ref": "the commit to tag (resolved once; default HEAD)",
        "sign": "make a signed tag (git tag -s)",
        "push": "push the tag with git push --atomic",
        "remote": "the remote to check and push to (default: config remote)",
        "module": "the {module} part of the tag_format",
        "codename": "the {codename} part of the tag_format",
        "channel": "edge, stable or lts (CalVer; lts only for April)",
        "message": "tag message template ({tag}, {version}; default: tags.message)",
        "offline": "do not ask the remote whether the tag exists",
        "dry_run": "show what would be tagged and pushed; change nothing",
    },
)
def tag(
    c: Context,
    version: str,
    ref: str = "HEAD",
    sign: bool = False,
    push: bool = False,
    remote: str = "",
    module: str = "",
    codename: str = "",
    channel: str = "",
    message: str = "",
    offline: bool = False,
    dry_run: bool = False,
    json: bool = False,
) -> Result:
    """Create an annotated release tag on one commit."""
    from .core.tags.tagging import create_and_push, plan_release_tag

    cfg = a.config(c)
    parts = {k: v for k, v in (("module", module), ("codename", codename)) if v}
    plan = plan_release_tag(
        cfg,
        version,
        ref=ref,
        parts=parts,
        channel=channel or None,
        sign=sign or None,
        message=message or None,
        remote=remote or None,
        push=push,
        offline=offline,
    )
    _note_unchecked(plan.remote)
    dry = a.is_dry(c, dry_run)
    if not dry:
        pushed_to = plan.remote.name if push else None
        create_and_push(
            cfg, [plan.tag], plan.commit, remote=pushed_to, message=plan.message, sign=plan.sign
        )
    return _tag_result(plan, push, dry)


def _tag_result(plan: TagPlan, push: bool, dry: bool) -> Result:
    kind = "signed" if plan.sign else "annotated"
    channel_note = f", channel {plan.channel}" if plan.channel else ""
    status: Status = "would-change" if dry else "changed"
    said = f"{'would tag' if dry else 'tagged'} {plan.commit[:12]} as {plan.tag} ({kind}: {plan.message}{channel_note})"
    items = [_tag_item(plan.tag, status, said, commit=plan.commit, pushed=push and not dry)]
    if push:
        tail = [f"{'would push' if dry else 'pushed'} {plan.tag} to {plan.remote.name} (atomic)"]
    else:
        tail = [f"next: git push --atomic {plan.remote.name} refs/tags/{plan.tag}"]
    outputs = {"tag": plan.tag, "version": str(plan.version), "commit": plan.commit}
    return Result(
        items,
        tail=[*tail, *(["dry run: nothing was changed"] if dry else [])],
        summary=said,
        outputs=outputs,
        dry_run=dry,
    )


@a.task(
    "release.untag",
    help={
        "tag": "the local tag to delete (never one that a remote has)",
        "dry_run": "check that no remote has the tag; delete nothing",
    },
)
def untag(c: Context, tag: str, dry_run: bool = False, json: bool = False) -> Result:
    """Delete a local tag that no remote has."""
    from .core.tags.tagging import untag as delete

    dry = a.is_dry(c, dry_run)
    asked = delete(a.config(c), tag, dry_run=dry)
    where = ", ".join(asked) if asked else "no remotes configured"
    said = f"{'would delete' if dry else 'deleted'} local tag {tag} (not on: {where})"
    item = _tag_item(tag, "would-change" if dry else "changed", said, remotes_asked=asked)
    return Result([item], summary=said, outputs={"tag": tag}, dry_run=dry)


@a.task(
    "release.go-tag",
    help={
        "version": "the Go module version, with its v (v0.8.0, v0.8.0-alpha.1)",
        "remote": "the remote to check and push to (default: config remote)",
        "ref": "the commit to tag (resolved once; default HEAD)",
        "execute": "create the tags and push them in one git push --atomic",
        "check_proxy": "ask the Go module proxy whether it knows the version (network)",
        "offline": "do not ask the remote which tags it has",
    },
)
def go_tag(
    c: Context,
    version: str,
    remote: str = "",
    ref: str = "HEAD",
    execute: bool = False,
    check_proxy: bool = False,
    offline: bool = False,
    json: bool = False,
) -> Result:
    """Tag every Go module in dependency order."""
    from .core.common.network import settings
    from .core.tags import gomodules as gm
    from .core.tags.tagging import create_and_push, push_atomic

    cfg = a.config(c)
    execute = execute and not a.is_dry(c, False)  # invoke's global --dry only prints
    plan = gm.plan_go_tags(
        cfg, version, ref=ref, remote=remote or None, offline=offline, push=execute
    )
    _note_unchecked(plan.remote)
    if check_proxy:
        report = gm.ensure_unknown_to_proxy(plan.modules, version, net=settings(cfg))
        if report.skipped:
            a.note(f"releasekit: note: skipped the Go module proxy check: {report.skipped}")
    if execute and plan.to_push:
        create_and_push(cfg, plan.tags, plan.commit, remote=None, message=None, sign=False)
        push_atomic(cfg, plan.remote.name, plan.to_push, plan.commit)
    return _go_tag_result(plan, version, execute)


def _go_tag_result(plan: GoTagPlan, version: str, execute: bool) -> Result:
    from .core.tags.gomodules import BANNER

    unpushed = f", not yet on {plan.remote.name}"
    head = [f"go-tag {version}: {len(plan.tags)} tags on {plan.commit} ({plan.ref})"]
    head += [
        f"{k} is already on {plan.commit[:12]}; kept as it is{unpushed if k in plan.unpushed_kept else ''}"
        for k in plan.kept
    ]
    head.append(BANNER)
    outputs = {"version": version, "commit": plan.commit, "tags": "\n".join(plan.to_push)}
    if not plan.to_push:
        said = f"every module already has its {version} tag; nothing to do"
        kept = [
            Item(
                "unchanged", "", message=f"{t} is already on {plan.commit[:12]}", fields={"tag": t}
            )
            for t in plan.kept
        ]
        return Result(kept, head=head, tail=[said], summary=said, outputs=outputs)
    if not execute:
        items = [
            _tag_item(t, "would-change", "", command=f"git tag {t} {plan.commit}")
            for t in plan.tags
        ]
        items += [
            _tag_item(t, "would-change", "", command=f"git push {plan.remote.name} {t}")
            for t in plan.unpushed_kept
        ]
        tail = [
            *plan.commands(),
            "run with --execute to create them and push all in one atomic push",
        ]
        return Result(
            items,
            head=head,
            tail=tail,
            dry_run=True,
            outputs=outputs,
            summary=f"would tag {len(plan.tags)} modules at {version}",
        )
    items = [_tag_item(t, "changed", f"created and pushed {t}") for t in plan.tags]
    items += [_tag_item(t, "changed", f"pushed {t}") for t in plan.unpushed_kept]
    return Result(
        items,
        head=head,
        outputs=outputs,
        summary=f"tagged and pushed {len(plan.to_push)} tags at {version}",
    )


@a.task(
    "release.tags",
    help={"format": "list tags of this tag_format instead of the configured one"},
)
def list_tags(c: Context, json: bool = False, format: str = "") -> Result:
    """List release tags, newest first."""
    from .core.tags.tagging import list_releases

    items = []
    for r in list_releases(a.config(c), format or None):
        extra = " ".join(f"{k}={v}" for k, v in r.parsed.parts.items())
        fields = {
            "tag": r.parsed.tag,
            "version": str(r.parsed.version),
            "commit": r.commit,
            "prerelease": r.parsed.is_prerelease,
            "channel": r.parsed.channel,
            "annotated": r.annotated,
            "parts": dict(r.parsed.parts),
        }
        line = f"{r.parsed.tag}\t{r.parsed.version}\t{r.commit[:12]}\t{extra}".rstrip()
        items.append(Item("ok", line, message=r.parsed.tag, fields=fields))
    latest = items[0].fields["tag"] if items else None
    return Result(items, summary=f"{len(items)} release tags", outputs={"tag": latest})


@a.task(
    "release.hotfix",
    help={
        "tag": "the release tag to fix (e.g. v0.3.1 or suite-2026.04)",
        "execute": "create the hotfix branch (otherwise only print the plan)",
        "offline": "do not ask the remote whether the hotfix tag or branch exists",
    },
)
def hotfix(
    c: Context, tag: str, execute: bool = False, offline: bool = False, json: bool = False
) -> Result:
    """Cut a hotfix branch from a release tag."""
    from .core.tags.hotfix import create_hotfix_branch, hotfix_steps, plan_hotfix

    cfg = a.config(c)
    execute = execute and not a.is_dry(c, False)  # invoke's global --dry only prints
    plan = plan_hotfix(cfg, tag, offline=offline)
    _note_unchecked(plan.remote)
    if execute:
        create_hotfix_branch(cfg, plan)
    return _hotfix_result(plan, hotfix_steps(cfg, plan), execute)


def _hotfix_result(plan: HotfixPlan, steps: list[str], executed: bool) -> Result:
    at, since = plan.commit[:12], plan.source.tag
    if executed:
        item = Item("changed", f"created branch {plan.branch} at {at}")
    elif plan.branch_exists:
        item = Item(
            "unchanged", f"branch {plan.branch} exists ({len(plan.commits)} commits since {since})"
        )
    else:
        item = Item(
            "would-change", f"would create branch {plan.branch} at {at} (run with --execute)"
        )
    outputs = {
        "tag": plan.tag,
        "version": plan.version,
        "branch": plan.branch,
        "commit": plan.commit,
    }
    return Result(
        [item],
        head=[f"hotfix {plan.version} from {since} ({at})"],
        tail=["next:", *(f"  {line}" for line in steps)],
        summary=item.text,
        outputs=outputs,
        dry_run=not executed,
    )


@a.task(
    "release.supersede",
    help={
        "bad": "the bad release tag (e.g. v0.3.1)",
        "good": "the release tag that replaces it (must exist)",
        "publish": "also put the note on the bad release on the forge (forge: in releasekit.yaml)",
        "offline": "do not ask the remote whether the tags exist",
        "dry_run": "show the note as a diff; write nothing",
    },
)
def supersede(
    c: Context,
    bad: str,
    good: str,
    publish: bool = False,
    offline: bool = False,
    dry_run: bool = False,
    json: bool = False,
) -> Result:
    """Mark a bad release as superseded by a newer one."""
    from .core.common.textfile import render_diff
    from .core.tags.hotfix import plan_supersede, publish_supersede, write_supersede

    cfg = a.config(c)
    plan = plan_supersede(cfg, bad, good, offline=offline)
    outputs = {"tag": good, "superseded": bad}
    if a.is_dry(c, dry_run):
        status: Status = "would-change" if plan.edit else "unchanged"
        text = render_diff([plan.edit]).rstrip("\n") if plan.edit else "note is up to date"
        item = Item(
            status, text, path=plan.path, message=f"{plan.path}: {bad} superseded by {good}"
        )
        forge = publish_supersede(cfg, plan, dry_run=True) if publish else []
        return Result([item], tail=[*forge, "dry run: nothing was written"], outputs=outputs,
                      dry_run=True)  # fmt: skip
    write_supersede(cfg.root, plan)
    said = f"{'wrote' if plan.edit else 'unchanged'} {plan.path}: {bad} superseded by {good}"
    items = [Item("changed" if plan.edit else "unchanged", said, path=plan.path)]
    for line in publish_supersede(cfg, plan) if publish else []:
        said_on_forge: Status = "unchanged" if "already carries" in line else "changed"
        items.append(Item(said_on_forge, line, fields={"tag": bad}))
    return Result(items, summary=said, outputs=outputs)


@a.task("verify.tags", help={})
def verify_tags(c: Context, json: bool = False) -> Result:
    """Audit release and Go module tags for consistency."""
    from .core.tags.audit import audit_tags

    findings, audited = audit_tags(a.config(c))
    items = [
        Item(
            "mismatch",
            f"{f.kind}: {f.message}",
            message=f.message,
            fields={"kind": f.kind, "tag": f.tag},
        )
        for f in findings
    ]
    said = f"{audited} tags audited, {len(findings)} findings"
    return Result(
        items,
        tail=[said],
        summary=said,
        outputs={"audited": audited},
        failure=f"{len(findings)} tag findings in {audited} tags audited",
    )
