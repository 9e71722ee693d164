"""Version files: release.bump, release.prepare, verify.versions (core/versioning)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from invoke import Context

from . import _adapter as a
from ._output import Item, Result, with_diffs

if TYPE_CHECKING:
    import semver

    from .core.common.textfile import FileEdit
    from .core.config import Config
    from .core.versioning.bump import BumpPlan
    from .core.versioning.prepare import PreparePlan
    from .core.versioning.version_files import MissingTarget, VersionCheck


DATE_HELP = "date for {date} targets (YYYY-MM-DD; default today)"


@a.task(
    "release.bump",
    help={
        "version": "new version (0.1.8 or v0.1.8) or major, minor, patch, prerelease, auto",
        "dry_run": "show the unified diffs and write nothing",
        "date": DATE_HELP,
        "allow_downgrade": "allow a version lower than the current one",
    },
)
def bump(
    c: Context,
    version: str,
    dry_run: bool = False,
    date: str = "",
    allow_downgrade: bool = False,
    json: bool = False,
) -> Result:
    """Set the release version in every configured file."""
    from .core.common.textfile import write_all
    from .core.versioning.bump import plan_bump

    cfg = a.config(c)
    why: list[str] = []
    if version == "auto":
        from .core.versioning.auto import crd_directories, suggest

        suggestion = suggest(cfg, crd_dirs=crd_directories(cfg))
        if suggestion.previous_tag is None and not allow_downgrade:
            _refuse_untagged_downgrade(cfg, suggestion.version)
        version, why = str(suggestion.version), suggestion.lines()
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
    result = _bump_result(cfg, plan, dry)
    if not why:
        return result
    reasons = "\n".join(line.strip() for line in why[1:])
    return replace(
        result, head=[*why, *result.head], outputs={**result.outputs, "reasons": reasons}
    )


def _refuse_untagged_downgrade(cfg: Config, suggested: semver.Version) -> None:
    """auto without a release tag suggests 0.1.0; files already past it mean the release
    was never tagged, not that the version should go down."""
    from .core.common.errors import VersionError
    from .core.tags.schemes import render_tag
    from .core.versioning.version_files import find_occurrences

    versioned = [o for o in find_occurrences(cfg.root, cfg.version_files) if not o.is_date]
    current = max((o.version() for o in versioned), default=None)
    if current is None or current <= suggested:
        return
    holder = next(o for o in versioned if o.version() == current)
    tag = render_tag(cfg.tag_format, current)
    raise VersionError(
        "auto: no release tag is reachable from HEAD, so the next version cannot follow the "
        f"last release (the files say {current}, {holder.location}); tag the current release "
        f"(git tag -a {tag} -m 'Release {tag}') or name the version"
    )


def _bump_result(cfg: Config, plan: BumpPlan, dry: bool) -> Result:
    from .core.common.textfile import render_diff
    from .core.tags.schemes import render_tag

    stale = {(o.path, o.line) for o in plan.out_of_step}
    items = [
        Item(
            "would-change" if dry else "changed",
            f"{ch.occurrence.location} {ch.occurrence.target.label}: {ch.occurrence.found} -> {ch.new}",
            path=ch.occurrence.path,
            line=ch.occurrence.line,
            fields={
                "target": ch.occurrence.target.label,
                "old": ch.occurrence.found,
                "new": ch.new,
                "out_of_step": (ch.occurrence.path, ch.occurrence.line) in stale,
            },
        )
        for ch in plan.changes
    ]
    outputs = {
        "version": str(plan.new_version),
        "tag": render_tag(cfg.tag_format, plan.new_version),
        "current": str(plan.current) if plan.current else None,
        "files": len(plan.edits),
    }
    if plan.is_noop:
        said = f"every version file already says {plan.new_version}; nothing to change"
        return Result(tail=[said], summary=said, outputs=outputs, dry_run=dry)
    verb = "would bump" if dry else "bumped"
    summary = f"{verb} {plan.current} -> {plan.new_version} in {len(plan.edits)} files"
    tail = [
        f"{o.location} was out of step ({o.found}, others at {plan.current})"
        for o in plan.out_of_step
    ]
    tail += [summary, *(["dry run: nothing was written"] if dry else [])]
    head = [render_diff(plan.edits).rstrip("\n")] if dry else []
    items = with_diffs(items, plan.edits) if dry else items
    return Result(items, head=head, tail=tail, summary=summary, outputs=outputs, dry_run=dry)


@a.task(
    "release.prepare",
    help={
        "version": "the version to release (0.1.8, v0.1.8, a bump keyword or auto)",
        "dry_run": "show the plan and diffs; change nothing",
        "date": DATE_HELP,
        "offline": "do not ask the remote whether the tag exists",
        "open-pr": "push the branch and open its pull request on the forge (forge: section)",
    },
)
def prepare(
    c: Context,
    version: str,
    dry_run: bool = False,
    date: str = "",
    offline: bool = False,
    open_pr: bool = False,
    json: bool = False,
) -> Result:
    """Create the release branch with the bump in one commit."""
    from .core.forge.run import forge_for, open_pull_request
    from .core.versioning.prepare import apply_prepare, changelog_edits, plan_prepare

    cfg = a.config(c)
    if version == "auto":
        from .core.versioning.auto import crd_directories, suggest

        version = str(suggest(cfg, crd_dirs=crd_directories(cfg)).version)
    today = a.release_date(date)  # once: a run across midnight dates the bump and changelog alike
    extra = changelog_edits(cfg, version, today)
    plan = plan_prepare(cfg, version, today=today, check_remote=not offline, extra_edits=extra)
    if open_pr:
        forge_for(cfg)  # no forge: section or no token: refused before anything changes
    if not plan.remote_checked:  # said at once: a failure later must not hide it
        a.note(
            f"releasekit: note: did not check {cfg.remote} for tag {plan.tag} (offline or no such remote)"
        )
    dry = a.is_dry(c, dry_run)
    sha = None if dry else apply_prepare(cfg, plan)
    pr = None
    if open_pr:  # a dry run has no branch to read the pull request's text from
        pr = (open_pull_request(cfg, plan.branch) if not dry else
              [f"would push {plan.branch} to {cfg.remote} and open a pull request to {cfg.main_branch}"])  # fmt: skip
    return _prepare_result(cfg, plan, sha, pr)


def _prepare_result(
    cfg: Config, plan: PreparePlan, sha: str | None, pr: list[str] | None
) -> Result:
    """What prepare did (``sha``: the commit), or would do (None: a dry run); ``pr``: what
    ``--open-pr`` did or would do."""
    from .core.common.textfile import render_diff

    subject = plan.message.splitlines()[0]
    outputs = {"tag": plan.tag, "version": str(plan.bump.new_version), "branch": plan.branch}
    if sha is None:
        head = [
            f"would create branch {plan.branch} from {cfg.main_branch}",
            render_diff(plan.edits).rstrip("\n"),
        ]
        tail = [
            f"would commit{' -s' if cfg.signoff else ''}: {subject}",
            *(pr or []),
            "dry run: nothing was changed",
        ]
        return Result(with_diffs(_edited(plan.edits, "would-change", ""), plan.edits), head=head, tail=tail,
                      summary=f"would prepare {plan.tag} on {plan.branch}", outputs=outputs, dry_run=True)  # fmt: skip
    tail = [f"committed {sha[:12]} {subject}",
            *(pr if pr is not None else
              [f"next: git push {cfg.remote} {plan.branch} and open a pull request to {cfg.main_branch}"])]  # fmt: skip
    return Result(_edited(plan.edits, "changed", "updated {}"), head=[f"created branch {plan.branch}"],
                  tail=tail, summary=f"prepared {plan.tag} on {plan.branch} ({sha[:12]})",
                  outputs=outputs | {"commit": sha})  # fmt: skip


def _edited(edits: tuple[FileEdit, ...], status: str, text: str) -> list[Item]:
    """One item per file an edit writes (``text`` formats its path; "" hides it: a diff shows it)."""
    verb = "would update" if status == "would-change" else "updated"
    return [
        Item(
            "changed" if status == "changed" else "would-change",
            text.format(e.path) if text else "",
            path=e.path,
            message=f"{verb} {e.path}",
        )
        for e in edits
    ]


@a.task(
    "verify.versions",
    help={
        "tag": "the release tag to check against (e.g. v0.1.8)",
        "version": "the version to check against, instead of --tag (2026.04 for a CalVer suite)",
    },
)
def versions(c: Context, tag: str = "", version: str = "", json: bool = False) -> Result:
    """Check every version file against the release tag."""
    from .core.common.errors import UsageError
    from .core.versioning.version_files import check_versions

    if bool(tag) == bool(version):
        raise UsageError("give exactly one of --tag v0.1.8 or --version 0.1.8")
    cfg = a.config(c)
    expected, calver, tag = _expected(cfg, tag, version)
    against = f"tag ({tag})" if not version else f"version ({version})"
    missing: list[MissingTarget] = []
    checks = check_versions(cfg.root, cfg.version_files, expected, missing, calver)
    items = [_version_item(ch, against) for ch in checks] + [_missing_item(m) for m in missing]
    bad = sum(i.status != "ok" for i in items)
    noun = f"{len(items)} version files" if len(items) != 1 else "1 version file"
    return Result(
        items,
        summary=f"{len(items) - bad} of {noun} match {against}",
        failure=f"{bad} of {noun} do not match {against}",
        outputs={"tag": tag, "version": calver or str(expected)},
    )


def _expected(cfg: Config, tag: str, version: str) -> tuple[semver.Version, str | None, str]:
    """The version to check (a CalVer suite's as SemVer, with its CalVer text) and the tag."""
    from .core.tags.config import tags_config
    from .core.tags.schemes import TagScheme, parse_any_version, render_tag, version_from_tag
    from .core.versioning.versions import calver_as_semver, parse_version

    if tags_config(cfg).versioning == "calver":  # seed 003: suite-2026.04-nova
        scheme = TagScheme(cfg.tag_format, "calver")
        text = str(scheme.require(tag).version if tag else parse_any_version("calver", version))
        mapped = calver_as_semver(text)
        assert mapped is not None  # CalVer.parse accepted it
        return mapped, text, tag or scheme.render(parse_any_version("calver", text))
    expected = version_from_tag(cfg.tag_format, tag) if tag else parse_version(version)
    return expected, None, tag or render_tag(cfg.tag_format, expected)


def _version_item(ch: VersionCheck, against: str) -> Item:
    occ = ch.occurrence
    return Item(
        "ok" if ch.ok else "mismatch",
        f"{occ.location} {occ.target.label}: {occ.found} (expected {ch.expected}) {'OK' if ch.ok else 'MISMATCH'}",
        path=occ.path,
        line=occ.line,
        message=""
        if ch.ok
        else f"{occ.location} {occ.target.label} ({occ.found}) does not match {against}",
        fields={"target": occ.target.label, "found": occ.found, "expected": ch.expected},
    )


def _missing_item(missing: MissingTarget) -> Item:
    origin = missing.target.origin
    path, at = (missing.path, None) if missing.path else (origin.source, origin.line)
    message = missing.args[0]
    return Item(
        "missing",
        f"MISSING  {message}",
        path=path,
        line=at,
        message=message,
        fields={"target": missing.target.label, "found": None, "expected": None},
    )
