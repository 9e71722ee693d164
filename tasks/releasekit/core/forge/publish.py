"""release.publish: create or update a tag's forge release idempotently, then publish it.

1. Find the release by listing (get-by-tag never returns a draft, so a retry would make a
   second one); more than one for the tag is an error, never a guess.
2. None: create it — a draft when ``draft_first`` — with the notes, prerelease and latest flags
   from the version. A create the forge refuses as a duplicate (its answer to an earlier,
   lost request) is re-listed and adopted. One found: update by id what differs.
3. Upload every configured asset not there yet; an asset with other bytes is replaced while the
   release is a draft and refused once it is published (published assets are immutable).
4. Re-check: each asset's size and sha256 (the forge's digest, else its downloaded bytes)
   against the local file. Only then publish the draft.

A failure anywhere leaves a draft (or the release as it was) and a re-run converges: no second
release and no second asset.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common.errors import ConfigError, ReleaseError, UsageError, VerificationFailed
from .client import AlreadyExists, Asset, Forge, Release


@dataclass(frozen=True)
class LocalAsset:
    name: str
    path: Path

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return f"sha256:{digest.hexdigest()}"


@dataclass
class Published:
    """What release.publish did (or would do), step by step."""

    tag: str
    release: Release | None
    steps: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"tag": self.tag, "release": self.release.as_json() if self.release else None,
                "steps": self.steps, "checked": self.checked}  # fmt: skip


def local_assets(
    directory: Path, shown: str, patterns: list[str], required: list[str]
) -> list[LocalAsset]:
    """The files to upload: ``patterns`` (globs) under ``directory``; ``required`` must exist.

    Raises:
        UsageError: a required file is missing, or a glob matches nothing.
    """
    present = (
        sorted(p.name for p in directory.iterdir() if p.is_file()) if directory.is_dir() else []
    )
    out: dict[str, LocalAsset] = {}
    for name in required:
        if name not in present:
            raise UsageError(
                f"{shown}/{name}: missing; build or download the release assets before publishing"
            )
        out[name] = LocalAsset(name, directory / name)
    for pattern in patterns:
        matched = [n for n in present if fnmatch.fnmatchcase(n, pattern)]
        if not matched:
            raise UsageError(
                f"{shown}: no file matches forge.assets {pattern!r}; build the assets or fix the pattern"
            )
        out |= {n: LocalAsset(n, directory / n) for n in matched}
    return [out[n] for n in sorted(out)]


def find_release(forge: Forge, tag: str) -> Release | None:
    """The one release of ``tag``, drafts included.

    Raises:
        ReleaseError: the forge holds several releases for the tag.
    """
    found = [r for r in forge.list_releases() if r.tag == tag]
    if len(found) > 1:
        ids = ", ".join(str(r.id) for r in found)
        raise ReleaseError(
            f"{forge.cfg.owner}/{forge.cfg.repo} has {len(found)} releases for {tag} (ids {ids}); "
            "delete the extra drafts on the forge, then run release.publish again"
        )
    return found[0] if found else None


def asset_matches(forge: Forge, remote: Asset, local: LocalAsset) -> bool:
    """Whether the forge holds the local file's bytes: by size and digest, or by downloading
    the asset when the forge gives no digest (Gitea/Forgejo)."""
    if remote.size != local.path.stat().st_size:
        return False
    if remote.digest is not None:
        return remote.digest == local.sha256
    return f"sha256:{hashlib.sha256(forge.download(remote)).hexdigest()}" == local.sha256


def _ensure_release(
    forge: Forge, tag: str, fields: dict[str, Any], result: Published
) -> Release | None:
    release = find_release(forge, tag)
    if release is None:
        try:
            release = forge.create_release({"tag_name": tag, **fields})
        except AlreadyExists:  # an earlier create landed although its answer was lost
            release = find_release(forge, tag)
            if release is None:
                raise
        verb = "would create" if forge.dry_run else "created"
        result.steps.append(f"{verb} {'draft ' if fields.get('draft') else ''}release {tag}")
        return release
    wanted = {k: v for k, v in fields.items() if k not in ("draft", "make_latest")}
    have = {"name": release.name, "body": release.body, "prerelease": release.prerelease}
    changed = {k: v for k, v in wanted.items() if have.get(k) != v}
    if changed:
        release = forge.update_release(release, changed) or release
        result.steps.append(
            f"updated {', '.join(sorted(changed))} of release {tag} (id {release.id})"
        )
    else:
        result.steps.append(f"release {tag} (id {release.id}) already says this")
    return release


def publish(forge: Forge, tag: str, title: str, body: str, assets: list[LocalAsset], *,
            prerelease: bool, latest: bool) -> Published:  # fmt: skip
    """Create or update, upload, re-check, publish (see the module docstring).

    Raises:
        VerificationFailed: an uploaded asset does not match its local file (exit 3).
        ReleaseError: a published asset would change, or the forge refused a request.
    """
    result = Published(tag, None)
    fields: dict[str, Any] = {"name": title, "body": body, "prerelease": prerelease,
                              "draft": forge.cfg.draft_first}  # fmt: skip
    if forge.github:
        fields["make_latest"] = "true" if latest and not forge.cfg.draft_first else "false"
    release = _ensure_release(forge, tag, fields, result)
    result.release = release
    if release is None:  # a dry run: the release would be created; plan its uploads
        result.steps += [f"would upload {a.name} ({a.sha256})" for a in assets]
        result.steps.append(f"would publish release {tag}" if forge.cfg.draft_first else "")
        result.steps = [s for s in result.steps if s]
        return result
    remote = {a.name: a for a in forge.list_assets(release)}
    for asset in assets:
        have = remote.get(asset.name)
        if have is not None and asset_matches(forge, have, asset):
            result.steps.append(f"{asset.name} already uploaded")
            continue
        if have is not None and not release.draft:
            raise ReleaseError(
                f"release {tag} is published and its asset {asset.name} holds other bytes than "
                f"{asset.path}; published assets are immutable — release the next patch instead"
            )
        if have is not None:
            forge.delete_asset(release, have)
        with contextlib.suppress(AlreadyExists):  # a lost answer again: the re-check decides
            forge.upload_asset(release, asset.name, asset.data)
        result.steps.append(f"{'would upload' if forge.dry_run else 'uploaded'} {asset.name}")
    _recheck(forge, release, assets, result)
    if release.draft and not forge.dry_run:
        publish_fields: dict[str, Any] = {"draft": False}
        if forge.github:
            publish_fields["make_latest"] = "true" if latest else "false"
        result.release = forge.update_release(release, publish_fields) or release
        result.steps.append(f"published release {tag}" + (" (latest)" if latest else ""))
    elif release.draft:
        result.steps.append(f"would publish release {tag}")
    return result


def _recheck(forge: Forge, release: Release, assets: list[LocalAsset], result: Published) -> None:
    if forge.dry_run:
        return
    remote = {a.name: a for a in forge.list_assets(release)}
    bad = []
    for asset in assets:
        have = remote.get(asset.name)
        if have is None or not asset_matches(forge, have, asset):
            what = (
                "missing" if have is None else f"{have.size} bytes, {have.digest or 'other bytes'}"
            )
            bad.append(
                f"{asset.name}: the forge holds {what}; the local file is {asset.path.stat().st_size} bytes, {asset.sha256}"
            )
        else:
            result.checked.append(f"{asset.name} {asset.sha256}")
    if bad:
        raise VerificationFailed(
            f"release {release.tag} stays a draft: {len(bad)} asset(s) do not match after the upload:\n"
            + "\n".join(bad)
            + "\nrun release.publish again to upload them once more"
        )


def append_note(forge: Forge, tag: str, note: str) -> str:
    """Put ``note`` at the top of ``tag``'s release body unless it is there (supersede).

    Raises:
        ConfigError: the forge has no release for the tag.
    """
    release = find_release(forge, tag)
    if release is None:
        raise ConfigError(
            f"{forge.cfg.owner}/{forge.cfg.repo} has no release for {tag}; nothing to mark superseded there"
        )
    if note.strip() in release.body:
        return f"the {tag} release already carries the note"
    forge.update_release(release, {"body": note + "\n" + release.body})
    verb = "would append" if forge.dry_run else "appended"
    return f"{verb} the note to the {tag} release ({forge.cfg.kind})"
