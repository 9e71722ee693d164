"""release.*: bump the version everywhere and prepare the release branch."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from invoke import Collection, Context, task

from . import _adapter as a
from . import citation as _citation
from . import forge as _forge
from . import gomod as _gomod
from . import images as _images
from . import manifest as _manifest
from . import notes as _notes
from . import pins as _pins

if TYPE_CHECKING:
    from .core.common.textfile import FileEdit
    from .core.config import Config


@task(
    help={
        "version": "new version (0.1.8 or v0.1.8) or major, minor, patch, prerelease",
        "dry_run": "show the unified diffs and write nothing",
        "date": "date for {date} targets (YYYY-MM-DD; default today)",
        "allow_downgrade": "allow a version lower than the current one",
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
    from .core.common.textfile import render_diff, write_all
    from .core.versioning.version_files import plan_bump

    with a.boundary():
        cfg = a.config(c)
        plan = plan_bump(
            cfg.root,
            cfg.version_files,
            version,
            today=a.release_date(date),
            prerelease_token=cfg.prerelease_token,
            allow_downgrade=allow_downgrade,
        )
        dry = a.is_dry(c, dry_run)
        if not plan.is_noop and not dry:
            write_all(plan.edits, cfg.root)
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
        "dry_run": "show the plan and diffs; change nothing",
        "date": "date for {date} targets (YYYY-MM-DD; default today)",
        "offline": "do not ask the remote whether the tag exists",
        "open-pr": "push the branch and open its pull request on the forge (forge: section)",
    }
)
def prepare(
    c: Context, version: str, dry_run: bool = False, date: str = "", offline: bool = False,
    open_pr: bool = False,
) -> None:  # fmt: skip
    """Create the release branch with the bump in one commit."""
    from .core.common.textfile import render_diff
    from .core.forge.run import forge_for, open_pull_request
    from .core.versioning.prepare import apply_prepare, plan_prepare

    with a.boundary():
        cfg = a.config(c)
        # once: a run across midnight dates the bump and changelog alike
        today = a.release_date(date)
        extra = _changelog_edits(cfg, version, today)
        plan = plan_prepare(cfg, version, today=today, check_remote=not offline, extra_edits=extra)
        _ = (
            forge_for(cfg) if open_pr else None
        )  # no forge section or token: refused before any change
        if not plan.remote_checked:
            a.note(
                f"releasekit: note: did not check {cfg.remote} for tag {plan.tag} (offline or no such remote)"
            )
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
        for line in open_pull_request(cfg, plan.branch) if open_pr else [
            f"next: git push {cfg.remote} {plan.branch} and open a pull request to {cfg.main_branch}"
        ]:  # fmt: skip
            a.out(line)


def _changelog_edits(cfg: Config, requested: str, today: dt.date) -> tuple[FileEdit, ...]:
    """changelog.release's edit when a changelog is configured (version resolved as bump does)."""
    if cfg.changelog is None:
        return ()
    from .core.changelog.keepachangelog import release_changelog
    from .core.versioning.version_files import plan_bump

    version = plan_bump(
        cfg.root, cfg.version_files, requested, today=today, prerelease_token=cfg.prerelease_token
    ).new_version
    edit = release_changelog(
        cfg.root, cfg.changelog.path, str(version), today=today, tag_format=cfg.tag_format
    )
    return (edit,)


# --- tags (issue 4) --------------------------------------------------------------------------


def _parts(module: str, codename: str) -> dict[str, str]:
    return {k: v for k, v in (("module", module), ("codename", codename)) if v}


@task(
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
        "dry-run": "show what would be tagged and pushed; change nothing",
    }
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
) -> None:
    """Create an annotated release tag on one commit."""
    from .core.tags.tagging import create_and_push, plan_release_tag

    with a.boundary():
        cfg = a.config(c)
        plan = plan_release_tag(
            cfg,
            version,
            ref=ref,
            parts=_parts(module, codename),
            channel=channel or None,
            sign=sign or None,
            message=message or None,
            remote=remote or None,
            push=push,
            offline=offline,
        )
        if not plan.remote.checked:
            a.note(f"releasekit: note: did not check {plan.remote.name} ({plan.remote.reason})")
        kind = "signed" if plan.sign else "annotated"
        dry = a.is_dry(c, dry_run)
        verb = "would tag" if dry else "tagged"
        if not dry:
            create_and_push(
                cfg,
                [plan.tag],
                plan.commit,
                remote=plan.remote.name if push else None,
                message=plan.message,
                sign=plan.sign,
            )
        channel_note = f", channel {plan.channel}" if plan.channel else ""
        a.out(f"{verb} {plan.commit[:12]} as {plan.tag} ({kind}: {plan.message}{channel_note})")
        if push:
            a.out(f"{'would push' if dry else 'pushed'} {plan.tag} to {plan.remote.name} (atomic)")
        else:
            a.out(f"next: git push --atomic {plan.remote.name} refs/tags/{plan.tag}")
        if dry:
            a.out("dry run: nothing was changed")


@task(
    help={
        "tag": "the local tag to delete (never one that a remote has)",
        "dry-run": "check that no remote has the tag; delete nothing",
    }
)
def untag(c: Context, tag: str, dry_run: bool = False) -> None:
    """Delete a local tag that no remote has."""
    from .core.tags.tagging import untag as delete

    with a.boundary():
        dry = a.is_dry(c, dry_run)
        asked = delete(a.config(c), tag, dry_run=dry)
        where = ", ".join(asked) if asked else "no remotes configured"
        a.out(f"{'would delete' if dry else 'deleted'} local tag {tag} (not on: {where})")


@task(
    help={
        "version": "the Go module version, with its v (v0.8.0, v0.8.0-alpha.1)",
        "remote": "the remote to check and push to (default: config remote)",
        "ref": "the commit to tag (resolved once; default HEAD)",
        "execute": "create the tags and push them in one git push --atomic",
        "check-proxy": "ask the Go module proxy whether it knows the version (network)",
        "offline": "do not ask the remote which tags it has",
    }
)
def go_tag(
    c: Context,
    version: str,
    remote: str = "",
    ref: str = "HEAD",
    execute: bool = False,
    check_proxy: bool = False,
    offline: bool = False,
) -> None:
    """Tag every Go module in dependency order."""
    from .core.common.network import settings
    from .core.tags import gomodules as gm
    from .core.tags.tagging import create_and_push, push_atomic

    with a.boundary():
        cfg = a.config(c)
        execute = execute and not a.is_dry(c, False)  # invoke's global --dry only prints
        plan = gm.plan_go_tags(
            cfg, version, ref=ref, remote=remote or None, offline=offline, push=execute
        )
        if not plan.remote.checked:
            a.note(f"releasekit: note: did not check {plan.remote.name} ({plan.remote.reason})")
        if check_proxy:
            report = gm.ensure_unknown_to_proxy(plan.modules, version, net=settings(cfg))
            if report.skipped:
                a.note(f"releasekit: note: skipped the Go module proxy check: {report.skipped}")
        a.out(f"go-tag {version}: {len(plan.tags)} tags on {plan.commit} ({plan.ref})")
        for kept in plan.kept:
            unpushed = f", not yet on {plan.remote.name}" if kept in plan.unpushed_kept else ""
            a.out(f"{kept} is already on {plan.commit[:12]}; kept as it is{unpushed}")
        a.out(gm.BANNER)
        if not plan.to_push:
            a.out(f"every module already has its {version} tag; nothing to do")
            return
        if not execute:
            for line in plan.commands():
                a.out(line)
            a.out("run with --execute to create them and push all in one atomic push")
            return
        create_and_push(cfg, plan.tags, plan.commit, remote=None, message=None, sign=False)
        push_atomic(cfg, plan.remote.name, plan.to_push, plan.commit)
        for tag_name in plan.tags:
            a.out(f"created and pushed {tag_name}")
        for tag_name in plan.unpushed_kept:
            a.out(f"pushed {tag_name}")


@task(
    help={
        "json": "print the result as JSON",
        "format": "list tags of this tag_format instead of the configured one",
    }
)
def tags(c: Context, json: bool = False, format: str = "") -> None:
    """List release tags, newest first."""
    from .core.tags.tagging import list_releases

    with a.boundary():
        releases = list_releases(a.config(c), format or None)
        if json:
            a.emit_json(
                [
                    {
                        "tag": r.parsed.tag,
                        "version": str(r.parsed.version),
                        "commit": r.commit,
                        "prerelease": r.parsed.is_prerelease,
                        "channel": r.parsed.channel,
                        "annotated": r.annotated,
                        "parts": dict(r.parsed.parts),
                    }
                    for r in releases
                ]
            )
            return
        for r in releases:
            extra = " ".join(f"{k}={v}" for k, v in r.parsed.parts.items())
            a.out(f"{r.parsed.tag}\t{r.parsed.version}\t{r.commit[:12]}\t{extra}".rstrip())


@task(
    help={
        "tag": "the release tag to fix (e.g. v0.3.1 or suite-2026.04)",
        "execute": "create the hotfix branch (otherwise only print the plan)",
        "offline": "do not ask the remote whether the hotfix tag or branch exists",
    }
)
def hotfix(c: Context, tag: str, execute: bool = False, offline: bool = False) -> None:
    """Cut a hotfix branch from a release tag."""
    from .core.tags.hotfix import create_hotfix_branch, hotfix_steps, plan_hotfix

    with a.boundary():
        cfg = a.config(c)
        execute = execute and not a.is_dry(c, False)  # invoke's global --dry only prints
        plan = plan_hotfix(cfg, tag, offline=offline)
        if not plan.remote.checked:
            a.note(f"releasekit: note: did not check {plan.remote.name} ({plan.remote.reason})")
        a.out(f"hotfix {plan.version} from {tag} ({plan.commit[:12]})")
        if execute:
            create_hotfix_branch(cfg, plan)
            a.out(f"created branch {plan.branch} at {plan.commit[:12]}")
        elif plan.branch_exists:
            a.out(f"branch {plan.branch} exists ({len(plan.commits)} commits since {tag})")
        else:
            a.out(f"would create branch {plan.branch} at {plan.commit[:12]} (run with --execute)")
        a.out("next:")
        for line in hotfix_steps(cfg, plan):
            a.out(f"  {line}")


@task(
    help={
        "bad": "the bad release tag (e.g. v0.3.1)",
        "good": "the release tag that replaces it (must exist)",
        "publish": "also put the note on the bad release on the forge (forge: in releasekit.yaml)",
        "offline": "do not ask the remote whether the tags exist",
        "dry-run": "show the note as a diff; write nothing",
    }
)
def supersede(
    c: Context,
    bad: str,
    good: str,
    publish: bool = False,
    offline: bool = False,
    dry_run: bool = False,
) -> None:
    """Mark a bad release as superseded by a newer one."""
    from .core.common.textfile import render_diff
    from .core.tags.hotfix import plan_supersede, publish_supersede, write_supersede

    with a.boundary():
        cfg = a.config(c)
        plan = plan_supersede(cfg, bad, good, offline=offline)
        if a.is_dry(c, dry_run):
            a.out(render_diff([plan.edit]).rstrip("\n") if plan.edit else "note is up to date")
            for line in publish_supersede(cfg, plan, dry_run=True) if publish else []:
                a.out(line)
            a.out("dry run: nothing was written")
            return
        write_supersede(cfg.root, plan)
        a.out(f"{'wrote' if plan.edit else 'unchanged'} {plan.path}: {bad} superseded by {good}")
        for line in publish_supersede(cfg, plan) if publish else []:
            a.out(line)


@task(
    help={
        "dry-run": "say what would be restored; change nothing",
        "json": "print the result as JSON",
    }
)
def recover(c: Context, dry_run: bool = False, json: bool = False) -> None:
    """Restore what an interrupted releasekit command left."""
    from pathlib import Path

    from .core.common.recovery import recover as recover_files

    with a.boundary(recover=False):
        dry = a.is_dry(c, dry_run)
        result = recover_files(Path.cwd(), dry_run=dry, wait_for_others=True)
        if json:
            a.emit_json(
                {
                    "journal": None if result is None else str(result.journal),
                    "dry_run": dry,
                    "restored": [] if result is None else list(result.restored),
                    "removed": [] if result is None else list(result.removed),
                    "staged_deleted": 0 if result is None else result.staged,
                    "git": [] if result is None else list(result.git),
                }
            )
        elif result is None:
            a.out("nothing to recover: no interrupted releasekit edit in this repository")
        else:
            for line in result.lines():
                a.out(line)


# --- helm charts (issue 5) -------------------------------------------------------------------


@task(
    help={
        "chart": "the chart directory (e.g. charts/demo)",
        "version": "the new chart version (SemVer without v, e.g. 0.4.0)",
        "dry-run": "show the unified diffs and write nothing",
    }
)
def bump_chart(c: Context, chart: str, version: str, dry_run: bool = False) -> None:
    """Set a chart's version and its local dependants'."""
    from .core.common.errors import CommandError
    from .core.common.textfile import render_diff, write_all
    from .core.helm.charts import chart_engine, plan_bump_chart

    with a.boundary():
        cfg = a.config(c)
        plan = plan_bump_chart(cfg.root, chart, version)
        dry = a.is_dry(c, dry_run)
        if dry:
            a.out(render_diff(plan.edits).rstrip("\n"))
        else:
            write_all(plan.edits, cfg.root)
        for change in plan.changes:
            a.out(change)
        for note in plan.notes:
            a.note(f"releasekit: note: {note}")
        for parent in plan.locks:
            if dry:
                a.out(f"would regenerate {parent}/Chart.lock")
                continue
            try:
                chart_engine(cfg).dependency_update(cfg.root / parent)
                a.out(f"regenerated {parent}/Chart.lock")
            except CommandError as exc:
                a.note(
                    f"releasekit: {parent}/Chart.lock is now stale; run `helm dependency update {parent}` ({exc})"
                )
        verb = "would bump" if dry else "bumped"
        a.out(f"{verb} {plan.chart.name} {plan.old} -> {plan.new} in {len(plan.edits)} files")
        if dry:
            a.out("dry run: nothing was written")


@task(
    help={
        "chart": "chart directory (default: every chart in helm.charts, else every chart)",
        "dest": "directory for the .tgz files (default: dist)",
        "version": "package with this chart version instead of Chart.yaml's",
        "app-version": "package with this appVersion instead of Chart.yaml's",
        "engine": "helm (binary), sdk (helm-python-sdk) or auto",
        "json": "print the result as JSON",
    }
)
def package_chart(
    c: Context,
    chart: str = "",
    dest: str = "dist",
    version: str = "",
    app_version: str = "",
    engine: str = "",
    json: bool = False,
) -> None:
    """Package charts into reproducible name-version.tgz."""
    from pathlib import Path

    from .core.helm.charts import chart_engine, configured_charts, package_chart
    from .core.helm.registry import sha256_file

    with a.boundary():
        cfg = a.config(c)
        eng = chart_engine(cfg, engine)
        target = Path(dest) if Path(dest).is_absolute() else cfg.root / dest
        results = []
        for entry in configured_charts(cfg, chart):
            out = package_chart(
                cfg.root,
                eng,
                entry.path,
                target,
                version=version or None,
                app_version=app_version or None,
            )
            shown = out.relative_to(cfg.root) if out.is_relative_to(cfg.root) else out
            results.append({"chart": entry.path, "archive": str(shown), "sha256": sha256_file(out)})
        if json:
            a.emit_json(results)
            return
        for item in results:
            a.out(f"{item['sha256']}  {item['archive']}")


@task(
    help={
        "archive": "the packaged chart (e.g. dist/demo-0.4.0.tgz)",
        "remote": "OCI repository root, e.g. oci://ghcr.io/org/charts",
        "plain-http": "talk HTTP instead of HTTPS (a local registry)",
        "engine": "helm (binary), sdk (helm-python-sdk) or auto",
        "dry-run": "check that the version is free; push nothing",
        "json": "print the result as JSON",
    },
    positional=["archive", "remote"],
)
def push_chart(
    c: Context,
    archive: str,
    remote: str,
    plain_http: bool = False,
    engine: str = "",
    dry_run: bool = False,
    json: bool = False,
) -> None:
    """Push a chart to OCI once and pull it back to verify."""
    from pathlib import Path

    from .core.common import ci
    from .core.common.network import settings
    from .core.helm.charts import chart_engine, helm_config
    from .core.helm.registry import push_chart

    with a.boundary():
        cfg = a.config(c)
        hc = helm_config(cfg)
        path = Path(archive) if Path(archive).is_absolute() else Path.cwd() / archive
        eng = chart_engine(cfg, engine)
        dry = a.is_dry(c, dry_run)
        result = push_chart(
            eng,
            path,
            remote,
            plain_http=plain_http or hc.plain_http,
            dry_run=dry,
            net=settings(cfg),
        )
        if json:
            a.emit_json(
                {
                    "ref": result.ref,
                    "version": result.version,
                    "digest": result.digest or None,
                    "sha256": result.sha256,
                    "pushed": result.pushed,
                }
            )
        elif dry:
            a.out(f"would push {path.name} as {result.ref}:{result.version} (that version is free)")
            a.out("dry run: nothing was pushed")
        else:
            a.out(f"pushed {result.ref}:{result.version} {result.digest}")
            a.out(
                f"pulled back {result.ref}:{result.version}: sha256 {result.sha256} matches {path.name}"
            )
        if result.pushed:
            ci.set_outputs(
                {"chart_ref": f"{result.ref}:{result.version}", "chart_digest": result.digest}
            )
        verb = "pushed" if result.pushed else "would push (dry run)"
        ci.append_summary(
            f"release.push-chart: {verb} `{result.ref}:{result.version}` {result.digest}"
        )


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
    from .core.artifacts.checksums import plan_checksums, write_checksums

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


ns = Collection(
    "release",
    bump,
    prepare,
    tag,
    untag,
    go_tag,
    tags,
    hotfix,
    supersede,
    recover,
    bump_chart,
    package_chart,
    push_chart,
    checksums,
)
# Published images (tasks/releasekit/images.py).
ns.add_task(_images.promote, name="promote")
ns.add_task(_images.image_tags, name="image-tags")
# Pins, keys, CITATION.cff and Go dependency bumps (pins.py, citation.py, gomod.py).
for _name, _task in (("pin", _pins.pin), ("unpin", _pins.unpin), ("set", _pins.set_keys),
                     ("get", _pins.get_key), ("citation", _citation.citation),
                     ("go-get", _gomod.go_get)):  # fmt: skip
    ns.add_task(_task, name=_name)
# Release notes, forge releases, the suite manifest (notes.py, forge.py, manifest.py).
ns.add_task(_notes.notes, name="notes")
ns.add_task(_forge.publish, name="publish")
ns.add_task(_manifest.manifest, name="manifest")
