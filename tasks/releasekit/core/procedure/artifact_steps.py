"""The steps about what a release ships and says: its artifacts verified (the core of
verify.artifacts: the checksums file, Sigstore bundles, attestations) and its notes written in
the configured outline (the core of release.notes).

The artifacts are the files in ``artifacts.dir`` — where the release workflow builds them or
``gh release download`` puts them, as verify.artifacts reads them; nobody here can make them,
so those steps have no apply (a todo is reported as waiting, with the workflow to watch). When
the forge's release already holds one of them, its bytes must be the local file's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..common.errors import CommandError, ReleaseError
from .state import Facts, State, Unreachable

if TYPE_CHECKING:
    from ..artifacts.report import Row
    from ..forge.client import Release
    from ..notes.run import Notes

ASSET_CHECKS = ("assets", "checksums")
SIGNATURE_CHECKS = ("signature", "image-signature", "attestation")


def _rows(f: Facts) -> list[Row]:
    """verify.artifacts' report for the release, read once per check round."""
    from ..artifacts.report import verify_artifacts

    rows: list[Row] = f.once("artifact_rows", lambda: verify_artifacts(f.cfg, f.tag, f.version))
    return rows


def _dir(f: Facts) -> str:
    assert f.cfg.artifacts is not None  # the steps are skipped without the section
    return f.cfg.artifacts.dir


def _absent(f: Facts, names: list[str]) -> list[str]:
    folder = f.cfg.root / _dir(f)
    return [n for n in names if not (folder / n).is_file()]


def _not_there_yet(f: Facts, missing: list[str], what: str) -> State:
    """Files the release workflow has not produced (or nobody downloaded) yet."""
    shown = f"{_dir(f)}/{missing[0]}"
    more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
    if f.tag not in f.remote_tags():
        return State("todo", f"the {what} wait for {f.tag}: {shown} is not there{more}")
    return State("waiting", f"{shown}{more} is not there yet; the release workflow makes it "
                 f"(or download the release: gh release download {f.tag} -D {_dir(f)})",
                 watch=f.watch_workflow())  # fmt: skip


# --- assets: every expected file present, each sha256 as the checksums file says ------------


def check_assets(f: Facts) -> State:
    from ..artifacts.assets import expected_assets, render_name

    art = f.cfg.artifacts
    if art is None:
        return State("skipped", "no artifacts section configured; nothing to check")
    expected = expected_assets(art, f.tag, f.version)
    names = [a.name for a in expected if a.kind != "bundle"]
    bundles = {a.name for a in expected if a.kind == "bundle"}  # the signatures step's
    if not names:  # never done over zero files: nothing would be checked
        return State("skipped", "artifacts names no release file (matrix, files or "
                     "checksums); nothing to check")  # fmt: skip
    missing = _absent(f, names)
    if missing:
        return _not_there_yet(f, missing, "release files")
    rows = [r for r in _rows(f) if r.check in ASSET_CHECKS and r.subject not in bundles]
    # a sha256 other than the checksums file's: done, but different — never re-made
    different = [r for r in rows if r.check == "checksums" and r.detail.startswith("FAILED")]
    if different:
        r = different[0]
        return State("conflict", f"{r.subject}: its sha256 is not the one {r.file}:{r.line} "
                     "lists; published artifacts are immutable — release the next patch")  # fmt: skip
    bad = [r for r in rows if not r.ok]
    if bad:
        return State("conflict", f"{bad[0].subject}: {bad[0].detail}")
    published = _published_elsewhere(f, names)
    if published is not None:
        return published
    sums = sum(r.check == "checksums" for r in rows)
    listed = f", {sums} sha256 match {render_name(art.checksums, f.tag, f.version)}" if art.checksums and sums else ""  # fmt: skip
    return State("done", f"{len(names)} release files present{listed}")


def _published_elsewhere(f: Facts, names: list[str]) -> State | None:
    """A conflict when the forge's release holds one of the files with other bytes (the
    release page is what users download); None when it holds the same, or not yet."""
    from ..forge.publish import LocalAsset, asset_matches

    release = _release(f)
    if release is None:
        return None
    folder = f.cfg.root / _dir(f)
    try:
        remote = {a.name: a for a in f.forge().list_assets(release)}
        local = [LocalAsset(n, folder / n) for n in names if n in remote]
        other = next((a for a in local if not asset_matches(f.forge(), remote[a.name], a)), None)
    except CommandError as exc:
        raise Unreachable(f"cannot ask the forge for the assets of {f.tag} ({exc})") from None
    if other is None:
        return None
    return State("conflict", f"release {f.tag} on the forge holds {other.name} with another "
                 f"sha256 than {_dir(f)}/{other.name} ({other.sha256}); published "
                 "assets are immutable — release the next patch")  # fmt: skip


# --- signatures: the Sigstore bundles and attestations verify --------------------------------


def check_signatures(f: Facts) -> State:
    from ..artifacts.assets import attested_files, render_name, signed_blobs

    art = f.cfg.artifacts
    if art is None or (art.signing is None and art.attestations is None):
        return State("skipped", "no artifacts.signing or artifacts.attestations; nothing to verify")
    needed = signed_blobs(art, f.tag, f.version) + attested_files(art, f.tag, f.version)
    bundles = [render_name(art.signing.bundle, f.tag, f.version, file=b)
               for b in signed_blobs(art, f.tag, f.version)] if art.signing else []  # fmt: skip
    if art.attestations is not None:
        bundles += [render_name(art.attestations.bundle, f.tag, f.version, file=n)
                    for n in attested_files(art, f.tag, f.version)]  # fmt: skip
    missing = _absent(f, needed + bundles)
    if missing:
        return _not_there_yet(f, missing, "signed files and their bundles")
    rows = [r for r in _rows(f) if r.check in SIGNATURE_CHECKS]
    if not rows:  # never done over zero files: nothing was verified
        return State("skipped", "artifacts.signing names no blob or image (and no "
                     "attestations); nothing to verify")  # fmt: skip
    bad = [r for r in rows if not r.ok]
    if bad:
        return State("conflict", f"{bad[0].check} {bad[0].subject}: {bad[0].detail}"
                     + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""))  # fmt: skip
    return State("done", f"{len(rows)} signatures and attestations verify")


# --- notes: the release notes in the configured outline --------------------------------------
#
# The notes are the procedure.notes file when one is configured (a human writes the
# placeholders there), else the generated notes. A hand-edited file is the human's: it is kept
# (done, and said so), never overwritten. A published forge release whose body differs from the
# notes was edited on the forge: a conflict, since the publish step would replace that text —
# releasekit never does so unasked (release.publish --notes FILE replaces it on purpose).


def _notes_path(f: Facts) -> str | None:
    proc = f.cfg.procedure
    if proc is None or not proc.notes:
        return None
    return proc.notes.replace("{tag}", f.tag).replace("{version}", f.version)


def generated_notes(f: Facts) -> Notes:
    """The notes release.notes renders for the tag; the changelog-driven procedure takes them
    from the version's changelog section (required there, never the commits instead)."""
    import msgspec

    from ..notes.config import NotesConfig
    from ..notes.run import make_notes

    cfg, template = f.cfg, ""
    proc = cfg.procedure
    if proc is not None and proc.kind == "changelog-driven":
        notes = cfg.notes if cfg.notes is not None else NotesConfig()
        template = notes.template or "changelog-driven"
        cfg = msgspec.structs.replace(cfg, notes=msgspec.structs.replace(notes, source="changelog"))
    try:
        made: Notes = f.once("notes", lambda: make_notes(cfg, f.tag, template=template))
    except CommandError as exc:  # the registry, for the Images section's digests
        raise Unreachable(f"cannot gather the facts of the notes ({exc})") from None
    return made


def _release(f: Facts) -> Release | None:
    from ..forge.publish import find_release

    if f.cfg.forge is None:
        return None
    try:
        found: Release | None = f.once("release", lambda: find_release(f.forge(), f.tag))
    except CommandError as exc:
        raise Unreachable(f"cannot ask the forge for release {f.tag} ({exc})") from None
    return found


def _first_difference(a: str, b: str) -> int:
    left, right = a.splitlines(), b.splitlines()
    return next((i for i, (x, y) in enumerate(zip(left, right, strict=False), 1) if x != y),
                min(len(left), len(right)) + 1)  # fmt: skip


def check_notes(f: Facts) -> State:
    from ..common.confine import confine
    from ..common.textfile import read_text
    from ..notes.outlines import placeholders_left

    path = _notes_path(f)
    proc = f.cfg.procedure
    if path is None and not (proc is not None and proc.kind == "changelog-driven"):
        # releasekit owns no notes here: a release the workflow (seed 000: GitHub's generated
        # notes) or a human already gave a body is done as it is, never a conflict.
        release = _release(f)
        if release is not None and not release.draft and release.body.strip():
            return State("done", f"release {f.tag} has its notes (written on the forge or by "
                         "the release workflow; set procedure.notes for releasekit to write "
                         "and check them)")  # fmt: skip
    made = generated_notes(f)
    if path is not None:
        real = confine(f.cfg.root, path, what="procedure.notes file")
        if not real.is_file():
            return State("todo", f"{path} is not written yet",
                         plan=(f"write {path}: the {made.outline} notes of {f.tag}",))  # fmt: skip
        text, shown = read_text(real, path), path
    else:
        text, shown = made.text, f"the generated {made.outline} notes"
    left = placeholders_left(text, path or f"release.notes --tag {f.tag}")
    if left:
        if path is None:  # a human must fill them in, and there is no file to do it in
            return State("todo", f"{f.cfg.where()}: the {made.outline} notes of {f.tag} leave "
                         f"{len(left)} placeholder(s) ({left[0]}) and procedure.notes names no "
                         "file to write them in; set procedure.notes: notes/{tag}.md",
                         plan=("set procedure.notes: notes/{tag}.md in releasekit.yaml",))  # fmt: skip
        return State("waiting", f"{len(left)} placeholder(s) left: {left[0]}",
                     watch=f"edit {path}, then: releasekit release.notes --check {path}")  # fmt: skip
    release = _release(f)
    if release is not None and not release.draft and release.body.strip() != text.strip():
        line = _first_difference(release.body.strip(), text.strip())
        return State("conflict", f"the body of release {f.tag} differs from {shown} at line "
                     f"{line} (edited on the forge?); releasekit does not replace it — copy it "
                     f"into {path or 'procedure.notes'} to keep it, or replace it on purpose: "
                     f"releasekit release.publish --tag {f.tag} --notes {path or 'FILE'}")  # fmt: skip
    where = f" and release {f.tag} says them" if release is not None and not release.draft else ""
    if path is not None and text != made.text:
        return State("done", f"{path} is written by hand (it differs from the generated notes "
                     f"at line {_first_difference(text, made.text)}; kept as written){where}")  # fmt: skip
    if path is None:
        return State("done", f"{shown} of {f.tag} have no placeholder left{where}")
    return State("done", f"{path} holds the {made.outline} notes of {f.tag}{where}")


def apply_notes(f: Facts) -> list[str]:
    from ..common.textfile import write_all
    from ..notes.run import output_edit

    path = _notes_path(f)
    if path is None:  # the check only says todo for a missing file
        raise ReleaseError("procedure.notes names no file to write the notes to")
    made = generated_notes(f)
    edit = output_edit(f.cfg, path, made.text, force=False)  # never over a human's file
    write_all([edit] if edit else [], f.cfg.root)
    return [f"wrote {path}: the {made.outline} notes of {f.tag}"]
