"""The forge tasks' arguments, resolved: flag, else releasekit.yaml, else the default."""

from __future__ import annotations

from pathlib import Path

from ..common.errors import ConfigError
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
        return local_assets(base, shown, [p for p in patterns if any(c in p for c in "*?[")],
                            [p for p in patterns if not any(c in p for c in "*?[")])  # fmt: skip
    if cfg.artifacts is None:
        return []
    return local_assets(
        base, shown, [], [a.name for a in expected_assets(cfg.artifacts, tag, version)]
    )


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
                    directory: str = "", dry_run: bool = False) -> tuple[Published, Forge]:  # fmt: skip
    """release.publish from its flags."""
    body = notes_body(cfg, tag, notes_file)
    assets = release_assets(cfg, tag, directory)
    prerelease, latest = release_flags(cfg, tag)
    forge = forge_for(cfg, dry_run=dry_run)
    return publish(
        forge, tag, title or tag, body, assets, prerelease=prerelease, latest=latest
    ), forge
