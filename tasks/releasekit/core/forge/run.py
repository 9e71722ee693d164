"""The forge tasks' arguments, resolved: flag, else releasekit.yaml, else the default."""

from __future__ import annotations

from pathlib import Path

from ..common.confine import Confiner, work_tree
from ..common.confine import shown as shown_path
from ..common.errors import ConfigError, ConfinementError
from ..common.network import settings
from ..common.starters import STARTER_DOCS
from ..common.textfile import read_text
from ..config import Config
from .client import Forge, token_for
from .config import ForgeConfig
from .publish import LocalAsset, Published, local_assets, publish


def section(cfg: Config) -> ForgeConfig:
    if cfg.forge is None:
        raise ConfigError(
            f"{cfg.where()}: no forge section; add one (kind, owner, repo; every key: "
            f"{STARTER_DOCS}) so releasekit knows where releases and pull requests go"
        )
    return cfg.forge


def forge_for(cfg: Config, *, dry_run: bool = False) -> Forge:
    forge = section(cfg)
    return Forge(forge, settings(cfg), token_for(forge), dry_run=dry_run)


def release_flags(cfg: Config, tag: str) -> tuple[bool, bool]:
    """(prerelease, latest) from the version: a pre-release is never latest, and neither is
    a release below the newest one of its line (a hotfix of an older minor)."""
    from ..common.git import tag_refs
    from ..notes.previous import LINE_PARTS
    from ..notes.run import scheme_of
    from ..tags.schemes import precedes

    scheme = scheme_of(cfg)
    new = scheme.require(tag)
    if new.is_prerelease:
        return True, False
    line = {k: new.parts.get(k) for k in LINE_PARTS}
    newer = [p for p in scheme.releases(r.name for r in tag_refs(cfg.root))
             if not p.is_prerelease and {k: p.parts.get(k) for k in LINE_PARTS} == line
             and precedes(new.version, p.version)]  # fmt: skip
    return False, not newer


def release_assets(cfg: Config, tag: str, directory: str) -> list[LocalAsset]:
    """forge.assets (globs in the assets directory), else every asset verify.assets expects."""
    from ..artifacts.assets import expected_assets, render_name

    forge = section(cfg)
    version = _version(cfg, tag)
    shown = directory or (cfg.artifacts.dir if cfg.artifacts else "dist")
    base = Path(directory) if directory else cfg.root / shown
    if forge.assets is not None:
        patterns = [render_name(p, tag, version) for p in forge.assets]
        found = local_assets(base, shown, [p for p in patterns if any(c in p for c in "*?[")],
                             [p for p in patterns if not any(c in p for c in "*?[")])  # fmt: skip
    elif cfg.artifacts is None:
        return []
    else:
        found = local_assets(
            base, shown, [], [a.name for a in expected_assets(cfg.artifacts, tag, version)]
        )
    # what is uploaded is published for good: a link out of the tree that holds the assets
    # (dist/x -> a runner's credentials file) is refused before anything is sent
    confined = Confiner(cfg.root if not directory else base, what="release asset")
    tree = work_tree(cfg.root if not directory else base)
    for asset in found:
        real = confined(Path(shown) / asset.name if not directory else base / asset.name)
        # nor into .git: its config holds actions/checkout's token and credentials in URLs
        if real.relative_to(tree).parts[:1] == (".git",):
            raise ConfinementError(
                f"release asset {shown}/{asset.name} leads into .git ({shown_path(tree, real)}); "
                "releasekit never uploads git's own files; nothing was sent — replace the link "
                "with the real asset"
            )
    return found


def _version(cfg: Config, tag: str) -> str:
    from ..notes.run import scheme_of

    return str(scheme_of(cfg).require(tag).version)


def notes_body(cfg: Config, tag: str, notes_file: str) -> str:
    """The release's body: ``--notes FILE``, else the notes rendered now; a placeholder left
    in either is refused before anything is sent.

    Raises:
        VerificationFailed: a placeholder is left (write it, or pass a finished file).
    """
    from ..notes.outlines import check_text

    if notes_file:
        text = read_text(Path(notes_file), notes_file)
        shown = notes_file
    else:
        from ..notes.run import make_notes

        text = make_notes(cfg, tag).text
        shown = f"the notes of {tag} (release.notes --tag {tag} --output notes.md, write the placeholders, then --notes notes.md)"
    check_text(text, shown)
    return text


def publish_release(cfg: Config, tag: str, *, notes_file: str = "", title: str = "",
                    directory: str = "", dry_run: bool = False,
                    notes: str | None = None) -> tuple[Published, Forge]:  # fmt: skip
    """release.publish from its flags (``notes``: the body itself, checked like a file)."""
    from ..notes.outlines import check_text

    if notes is not None:
        check_text(notes, f"the notes of {tag}")
    body = notes if notes is not None else notes_body(cfg, tag, notes_file)
    assets = release_assets(cfg, tag, directory)
    prerelease, latest = release_flags(cfg, tag)
    forge = forge_for(cfg, dry_run=dry_run)
    return publish(
        forge, tag, title or tag, body, assets, prerelease=prerelease, latest=latest
    ), forge


def open_pull_request(cfg: Config, branch: str, *, dry_run: bool = False) -> list[str]:
    """Push ``branch`` to the remote and open its pull request to ``main_branch`` with the
    prepare commit's subject as title and its body as description (seed 000 Step 4); a pull
    request already open for the branch is reported, not opened twice.

    Raises:
        CommandError: the push or the forge failed (the branch stays local and committed).
    """
    from ..common.errors import CommandError
    from ..common.git import git
    from ..common.network import run_git

    forge = forge_for(cfg, dry_run=dry_run)
    # The commit as git wrote it: with the Signed-off-by trailer `git commit -s` added.
    title, _, body = git(cfg.root, "log", "-1", "--format=%B", f"refs/heads/{branch}").partition(
        "\n"
    )
    push = ["push", "--porcelain", cfg.remote, f"refs/heads/{branch}:refs/heads/{branch}"]
    if dry_run:
        existing = forge.find_pull(branch, cfg.main_branch)
        forge.open_pull(branch, cfg.main_branch, title, body.strip()) if existing is None else None
        return [f"would run: git {' '.join(push)}", *forge.planned]
    result = run_git(cfg.root, push, net=forge.net, remote=cfg.remote, read=False)
    if result.returncode != 0:
        raise CommandError(
            f"git push {cfg.remote} {branch} failed: {result.stderr.strip()}; the release branch "
            f"stays committed locally — push it and run release.prepare's pull request by hand"
        )
    lines = [f"pushed {branch} to {cfg.remote}"]
    existing = forge.find_pull(branch, cfg.main_branch)
    if existing is not None:
        return [
            *lines,
            f"pull request #{existing.number} is already open for {branch}: {existing.url}",
        ]
    opened = forge.open_pull(branch, cfg.main_branch, title, body.strip())
    assert opened is not None  # not a dry run
    return [
        *lines,
        f"opened pull request #{opened.number} {branch} -> {cfg.main_branch}: {opened.url}",
    ]
