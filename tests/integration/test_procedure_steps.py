"""The procedure's steps after the tag and around it, on real repositories with bare remotes:
the release files verified (the verify.artifacts core over real GitHub-signed Sigstore bundles,
GNU sha256sum as the oracle), the notes in their outline (the forge stand-in of
tests/forge_stand_in.py, since no GitHub or Gitea server can run here), the image pins on the
release branch and the unpin and CITATION.cff on main after the release."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_artifacts_tasks import COMPOSITE_CONFIG

from conftest import FIXTURES, CliResult, Repo, git
from forge_stand_in import ForgeStandIn
from procedure_parts import run_until_killed

Cli = Callable[..., CliResult]
SIGSTORE = FIXTURES / "sigstore"
TOKEN = "tok-" + "0a9b8c7d6e5f4a3b2c1d"


def states(result: CliResult) -> dict[str, str]:
    return {r["step"]: r.get("state") or r["outcome"] for r in json.loads(result.out)["results"]}


def reasons(result: CliResult) -> dict[str, str]:
    return {r["step"]: r["reason"] for r in json.loads(result.out)["results"]}


# --- assets and signatures: the verify.artifacts core over the release's files ---------------

# verify.artifacts' own fixture config (real signed and attested files), with a procedure
ARTIFACTS = COMPOSITE_CONFIG + (
    "procedure:\n  steps: [tag, assets, signatures]\n  workflow: https://ci.example/release.yml\n"
)


def the_release_files(dist: Path) -> None:
    """What the release workflow uploads (and `gh release download` brings back): real files
    signed and attested on GitHub Actions, and their checksums file."""
    dist.mkdir(exist_ok=True)
    for name in ("bundle_v3_github.whl", "bundle_v3_github.whl.sigstore",
                 "reusable-workflow-artifact"):  # fmt: skip
        shutil.copyfile(SIGSTORE / name, dist / name)
    shutil.copyfile(SIGSTORE / "reusable-workflow-attestation.sigstore.json",
                    dist / "reusable-workflow-artifact.intoto.jsonl")  # fmt: skip
    sums = "".join(f"{hashlib.sha256((dist / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in ("bundle_v3_github.whl", "reusable-workflow-artifact"))  # fmt: skip
    (dist / "SHA256SUMS-0.1.2.txt").write_text(sums)


@pytest.fixture
def artifacts_repo(
    make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> Repo:
    repo = make_repo({"releasekit.yaml": ARTIFACTS, ".gitignore": "dist/\n"})
    bare_remote(repo, "origin")
    return repo


def test_the_release_files_wait_for_the_workflow_then_verify(
    cli: Cli, artifacts_repo: Repo
) -> None:
    repo = artifacts_repo
    before = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert before.code == 0, before.err
    assert states(before) == {"tag": "todo", "assets": "todo", "signatures": "todo"}
    assert reasons(before)["assets"] == (
        "the release files wait for v0.1.2: dist/bundle_v3_github.whl is not there (+2 more)"
    )
    ran = cli("release.run", "--tag", "v0.1.2", cwd=repo.path)
    assert ran.code == 0, ran.err
    assert ran.lines[2:] == [
        "WAITING     assets       dist/bundle_v3_github.whl (+2 more) is not there yet; the "
        "release workflow makes it (or download the release: gh release download v0.1.2 -D dist)",
        "    watch: https://ci.example/release.yml",
        "NOT-REACHED signatures   after assets",
        "next: when that is done, run release.run --tag v0.1.2 again",
    ]
    the_release_files(repo.path / "dist")
    after = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert after.code == 0, after.out + after.err
    assert states(after) == {"tag": "done", "assets": "done", "signatures": "done"}
    assert (
        reasons(after)["assets"] == "3 release files present, 2 sha256 match SHA256SUMS-0.1.2.txt"
    )
    assert reasons(after)["signatures"] == "2 signatures and attestations verify"
    assert json.loads(after.out)["outputs"]["complete"] is True


def test_a_release_file_with_another_sha256_is_done_but_different(
    cli: Cli, artifacts_repo: Repo
) -> None:
    repo = artifacts_repo
    assert cli("release.run", "--tag", "v0.1.2", cwd=repo.path).code == 0
    dist = repo.path / "dist"
    the_release_files(dist)
    whl = dist / "bundle_v3_github.whl"
    data = bytearray(whl.read_bytes())
    data[100] ^= 1
    whl.write_bytes(bytes(data))
    oracle = subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS-0.1.2.txt"],
                            cwd=dist, capture_output=True, text=True, check=False)  # fmt: skip
    assert oracle.returncode == 1 and "bundle_v3_github.whl: FAILED" in oracle.stdout
    status = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert status.code == 3, status.out
    assert states(status) == {"tag": "done", "assets": "conflict", "signatures": "conflict"}
    assert reasons(status)["assets"] == (
        "bundle_v3_github.whl: its sha256 is not the one dist/SHA256SUMS-0.1.2.txt:1 lists; "
        "published artifacts are immutable — release the next patch"
    )
    assert reasons(status)["signatures"].startswith("signature bundle_v3_github.whl: ")
    ran = cli("release.run", "--tag", "v0.1.2", cwd=repo.path)
    assert ran.code == 3 and "CONFLICT    assets" in ran.out


def test_a_missing_bundle_waits_and_no_artifacts_section_is_skipped(
    cli: Cli, artifacts_repo: Repo, make_repo: Callable[..., Repo]
) -> None:
    repo = artifacts_repo
    assert cli("release.run", "--tag", "v0.1.2", cwd=repo.path).code == 0
    the_release_files(repo.path / "dist")
    (repo.path / "dist" / "bundle_v3_github.whl.sigstore").unlink()
    status = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert status.code == 0, status.out
    assert states(status)["signatures"] == "waiting"
    assert reasons(status)["signatures"].startswith("dist/bundle_v3_github.whl.sigstore is not")
    bare = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\n'
                      "procedure:\n  steps: [assets, signatures]\n"})  # fmt: skip
    skipped = cli("release.status", "--tag", "v0.1.2", "--json", cwd=bare.path)
    assert states(skipped) == {"assets": "skipped", "signatures": "skipped"}


def test_an_artifacts_section_that_names_no_file_is_never_done_over_zero_files(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """Review: an artifacts section with no matrix, files or checksums (and signing with no
    blobs or images) said DONE over zero files; nothing was checked, so it is skipped."""
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\nartifacts:\n  dir: dist\n'
                      "  signing:\n    owner: acme\n    repo: krt\n    workflow: release.yml\n"
                      "procedure:\n  steps: [assets, signatures]\n"})  # fmt: skip
    for made in (False, True):  # no dist/ yet (not a conflict either), then an empty one
        status = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
        assert status.code == 0, status.out
        assert states(status) == {"assets": "skipped", "signatures": "skipped"}, status.out
        assert reasons(status)["assets"].startswith("artifacts names no release file")
        assert reasons(status)["signatures"].startswith("artifacts.signing names no blob")
        (repo.path / "dist").mkdir(exist_ok=made)


# --- notes: written in the outline, a human's edits kept ------------------------------------


@pytest.fixture
def forge(monkeypatch: pytest.MonkeyPatch) -> Iterator[ForgeStandIn]:
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "10")
    with ForgeStandIn("github", TOKEN) as server:
        yield server


def notes_repo(make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
               forge: ForgeStandIn, extra: str = "", files: dict[str, str] | None = None) -> Repo:  # fmt: skip
    config = ('tag_format: "v{version}"\nprocedure:\n  steps: [tag, notes, publish]\n'
              f"  notes: notes/{{tag}}.md\n{extra}"
              f"forge:\n  kind: github\n  api_url: {forge.api_url}\n  owner: example\n  repo: demo\n")  # fmt: skip
    repo = make_repo(
        {"releasekit.yaml": config, "notes/README.md": "release notes\n", **(files or {})}
    )
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.commit("feat: a thing users asked for (#3)")
    bare_remote(repo, "origin")
    return repo


def write_placeholders(path: Path) -> str:
    """What the maintainer does: write every placeholder of the generated notes."""
    text = "".join(
        "Written by the maintainer.\n" if "releasekit:placeholder" in line else line
        for line in path.read_text().splitlines(keepends=True)
    )
    path.write_text(text)
    return text


def test_the_notes_are_written_then_wait_for_a_human_then_are_published_as_written(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    repo = notes_repo(make_repo, bare_remote, forge)
    notes = repo.path / "notes" / "v0.1.8.md"
    first = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert first.code == 0, first.err
    assert "WAITING     notes        1 placeholder(s) left: notes/v0.1.8.md:" in first.out
    assert "    wrote notes/v0.1.8.md: the highlights notes of v0.1.8" in first.lines
    assert (
        "    watch: edit notes/v0.1.8.md, then: releasekit release.notes --check notes/v0.1.8.md"
        in first.lines
    )
    generated = notes.read_text()
    assert generated.startswith("## Highlights\n") and "(#3)" in generated
    assert forge.state.releases == []  # publish waits for the notes

    written = write_placeholders(notes)
    second = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert second.code == 0, second.err
    assert second.lines[-1] == "v0.1.8: every step is done"
    (release,) = forge.state.releases
    assert release["body"] == written
    assert notes.read_text() == written  # the human's text, never regenerated over
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert reasons(status)["notes"] == (
        "notes/v0.1.8.md is written by hand (it differs from the generated notes at line 3; "
        "kept as written) and release v0.1.8 says them"
    )


def test_a_release_body_edited_on_the_forge_is_a_conflict_never_replaced(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    repo = notes_repo(make_repo, bare_remote, forge)
    cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    write_placeholders(repo.path / "notes" / "v0.1.8.md")
    assert cli("release.run", "--tag", "v0.1.8", cwd=repo.path).code == 0
    (release,) = forge.state.releases
    release["body"] = "## Highlights\n\nEdited on the release page.\n"  # seed 000 Step 8 by hand
    writes = len(forge.writes())
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert status.code == 3
    assert states(status)["notes"] == "conflict"
    assert reasons(status)["notes"] == (
        "the body of release v0.1.8 differs from notes/v0.1.8.md at line 3 (edited on the "
        "forge?); releasekit does not replace it — copy it into notes/v0.1.8.md to keep it, or "
        "replace it on purpose: releasekit release.publish --tag v0.1.8 --notes notes/v0.1.8.md"
    )
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 3 and "NOT-REACHED publish" in ran.out
    assert len(forge.writes()) == writes
    assert release["body"] == "## Highlights\n\nEdited on the release page.\n"


CHANGELOG = """\
# Changelog

## [Unreleased]

## [0.1.8] - 2026-01-02

### Added

- The krt CLI lists runtimes.

## [0.1.7] - 2025-12-01

### Fixed

- A crash.
"""


def test_the_changelog_driven_notes_come_from_the_changelog_section(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    extra = "  kind: changelog-driven\nchangelog:\n  path: CHANGELOG.md\nnotes:\n  known_limitations: None known.\n"
    repo = notes_repo(make_repo, bare_remote, forge, extra, {"CHANGELOG.md": CHANGELOG})
    ran = cli("release.run", "--tag", "v0.1.8", "--until", "notes", cwd=repo.path)
    assert ran.code == 0, ran.out + ran.err
    text = (repo.path / "notes" / "v0.1.8.md").read_text()
    assert text.startswith("## Summary\n")
    assert "- The krt CLI lists runtimes." in text and "(#3)" not in text
    repo.write(
        {"CHANGELOG.md": CHANGELOG.replace("## [0.1.8] - 2026-01-02", "## [0.1.9] - 2026-01-02")}
    )
    (repo.path / "notes" / "v0.1.8.md").unlink()
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert states(status)["notes"] == "unknown"  # never the commits instead
    assert reasons(status)["notes"].startswith("CHANGELOG.md has no section for 0.1.8; move")


def test_generated_notes_with_placeholders_and_no_notes_file_say_what_to_configure(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    repo = make_repo(
        {"releasekit.yaml": 'tag_format: "v{version}"\nprocedure:\n  steps: [notes]\n'}
    )
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert status.code == 0  # work to do, not a conflict and not an unknown
    assert states(status)["notes"] == "todo"
    assert reasons(status)["notes"].startswith(
        "releasekit.yaml: the highlights notes of v0.1.8 leave 1 placeholder(s) ("
    )
    assert reasons(status)["notes"].endswith("set procedure.notes: notes/{tag}.md")
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 1
    assert "procedure.notes names no file to write the notes to" in ran.out + ran.err
    assert not (repo.path / "notes").exists()


def test_notes_a_release_workflow_wrote_are_done_when_releasekit_owns_no_notes(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn
) -> None:
    """Seed 000: the tag's workflow creates the release with GitHub's generated notes. With no
    procedure.notes, releasekit does not own the notes: that body is the notes, not a conflict."""
    config = ('tag_format: "v{version}"\nprocedure:\n  steps: [notes]\n'
              f"forge:\n  kind: github\n  api_url: {forge.api_url}\n  owner: example\n  repo: demo\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config})
    before = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert states(before)["notes"] == "todo"  # the default outline's placeholders, no file
    body = "## What's Changed\n* Add a flag by @a in #3\n"
    request = urllib.request.Request(  # what the workflow's `gh release create` sends
        f"{forge.api_url}/repos/example/demo/releases", method="POST",
        data=json.dumps({"tag_name": "v0.1.8", "body": body}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
    writes = len(forge.writes())
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert status.code == 0
    assert states(status)["notes"] == "done", reasons(status)
    assert reasons(status)["notes"].startswith("release v0.1.8 has its notes")
    assert cli("release.run", "--tag", "v0.1.8", cwd=repo.path).code == 0
    assert len(forge.writes()) == writes and forge.state.releases[0]["body"] == body


# --- pins on the release branch, unpin and CITATION.cff on main after the release (seed 004) --

PINS = """\
tag_format: "v{version}"
version_files:
  - path: Makefile
    pattern: "VERSION ?= {version}"
procedure:
  steps: [prepare, pins, tag, unpin, citation]
pins:
  targets:
    - path: config/overlays/*/kustomization.yaml
      image: cloud-api-adaptor
      dev: latest
  release:
    - path: versions.yaml
      key: git.coco-operator.reference
      value: "{tag}"
      dev: main
citation:
  path: CITATION.cff
"""
KUSTOMIZATION = "images:\n- name: cloud-api-adaptor\n  newName: quay.io/confidential-containers/cloud-api-adaptor\n  newTag: latest\n"
CITATION = 'cff-version: 1.2.0\ntitle: "peer pods"\nversion: 0.1.7\ndate-released: 2025-12-01\ncommit: deadbeefdeadbeefdeadbeefdeadbeefdeadbeef\n'


@pytest.fixture
def pins_repo(
    make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> tuple[Repo, Path]:
    repo = make_repo({"releasekit.yaml": PINS, "Makefile": "VERSION ?= 0.1.7\n",
                      "config/overlays/aws/kustomization.yaml": KUSTOMIZATION,
                      "config/overlays/azure/kustomization.yaml": KUSTOMIZATION,
                      "versions.yaml": "git:\n  coco-operator:\n    reference: main\n",
                      "CITATION.cff": CITATION})  # fmt: skip
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.commit("fix: a bug")
    return repo, bare_remote(repo, "origin")


def merge(bare: Path, tmp_path: Path) -> None:
    """The reviewer merges the release branch on the remote."""
    clone = tmp_path / "reviewer"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    git(clone, "merge", "-q", "--no-ff", "origin/release/v0.1.8", "-m", "Merge pull request #1")
    git(clone, "push", "-q", "origin", "main")


def test_pins_go_on_the_release_branch_and_unpin_and_citation_follow_the_release(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    repo, bare = pins_repo
    tested = repo.git("rev-parse", "main").strip()  # CI built and tested this commit's image
    first = cli("release.run", "--tag", "v0.1.8", "--until", "pins", "--date", "2026-01-02",
                cwd=repo.path)  # fmt: skip
    assert first.code == 0, first.out + first.err
    assert (
        "APPLIED     pins         the files at branch release/v0.1.8 carry the pins of " + tested
        in first.out
    )
    assert f"    pinned {tested} in 3 files" in first.lines
    pinned = repo.git("show", "release/v0.1.8:config/overlays/aws/kustomization.yaml")
    assert f"  newTag: {tested}\n" in pinned
    assert (
        repo.git("show", "release/v0.1.8:versions.yaml")
        == "git:\n  coco-operator:\n    reference: v0.1.8\n"
    )
    assert repo.git("log", "-1", "--format=%B", "release/v0.1.8").startswith(
        "chore: pin the release images of v0.1.8\n\nSigned-off-by: "
    )

    repo.git("push", "-q", "origin", "release/v0.1.8")
    merge(bare, tmp_path)
    second = cli("release.run", "--tag", "v0.1.8", "--date", "2026-01-02", cwd=repo.path)
    assert second.code == 0, second.out + second.err
    assert second.lines[-1] == "v0.1.8: every step is done"
    assert (
        "DONE        pins         the files at origin/main carry the pins of " + tested
        in second.out
    )
    tag = git(bare, "rev-list", "-n1", "v0.1.8").strip()
    assert f"newTag: {tested}" in git(
        bare, "show", "v0.1.8:config/overlays/azure/kustomization.yaml"
    )
    assert git(bare, "show", "main:config/overlays/azure/kustomization.yaml") == KUSTOMIZATION
    assert (
        git(bare, "show", "main:versions.yaml") == "git:\n  coco-operator:\n    reference: main\n"
    )
    cited = git(bare, "show", "main:CITATION.cff")
    assert cited == CITATION.replace("0.1.7", "0.1.8").replace("2025-12-01", "2026-01-02").replace(
        "deadbeef" * 5, tag
    )
    assert git(bare, "log", "-2", "--format=%s", "main").splitlines() == [
        "chore: cite v0.1.8 in CITATION.cff", "chore: unpin after v0.1.8"]  # fmt: skip

    head = git(bare, "rev-parse", "main")
    status = cli(
        "release.status", "--tag", "v0.1.8", "--date", "2026-02-03", "--json", cwd=repo.path
    )
    assert status.code == 0 and set(states(status).values()) == {"done"}, status.out
    assert reasons(status)["pins"] == f"the files at v0.1.8 carry the pins of {tested}"
    assert reasons(status)["unpin"] == "origin/main holds the development values again"
    assert reasons(status)["citation"] == f"CITATION.cff on origin/main cites v0.1.8 ({tag[:12]})"
    again = cli("release.run", "--tag", "v0.1.8", "--date", "2026-02-03", cwd=repo.path)
    assert again.code == 0 and git(bare, "rev-parse", "main") == head  # nothing made twice


def test_a_pinned_target_changed_on_main_since_the_release_is_an_unpin_conflict(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    repo, bare = pins_repo
    cli("release.run", "--tag", "v0.1.8", "--until", "pins", "--date", "2026-01-02", cwd=repo.path)
    repo.git("push", "-q", "origin", "release/v0.1.8")
    merge(bare, tmp_path)
    assert cli("release.run", "--tag", "v0.1.8", "--until", "tag", cwd=repo.path).code == 0
    clone = tmp_path / "reviewer"
    git(clone, "pull", "-q", "origin", "main")
    overlay = clone / "config/overlays/aws/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("newTag: ", "newTag: hotfix-"))
    git(clone, "commit", "-qam", "fix: a hand-made pin")
    git(clone, "push", "-q", "origin", "main")
    ran = cli("release.run", "--tag", "v0.1.8", "--date", "2026-01-02", cwd=repo.path)
    assert ran.code == 3, ran.out + ran.err
    conflict = next(line for line in ran.lines if line.startswith("CONFLICT"))
    assert conflict.startswith(
        "CONFLICT    unpin        at origin/main: 2 pin target(s) hold neither"
    )
    assert "config/overlays/aws/kustomization.yaml" in ran.out
    assert git(bare, "log", "-1", "--format=%s", "main").strip() == "fix: a hand-made pin"


# --- manifest: the suite release manifest (seed 003) -------------------------------------------

SUITE = """\
tag_format: "suite-{version}[-{codename}][-{channel}]"
tags:
  versioning: calver
procedure:
  kind: calver-suite
  steps: [tag, manifest]
manifest:
  path: dist/suite-{version}.yaml
  cli: ["stella-{version}-linux-x64.tar.gz"]
"""


def test_the_suite_manifest_waits_for_its_files_is_written_once_and_then_never_changes(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    repo = make_repo({"releasekit.yaml": SUITE, ".gitignore": "dist/\n"})
    bare_remote(repo, "origin")
    (repo.path / "dist").mkdir()
    tag = "suite-2026.04-nova-lts"
    first = cli("release.run", "--tag", tag, cwd=repo.path)
    assert first.code == 0, first.out + first.err
    assert "WAITING     manifest     the manifest cannot be made yet: " in first.out
    archive = repo.path / "dist" / "stella-2026.04-linux-x64.tar.gz"
    archive.write_bytes(b"the stella CLI\n")
    second = cli("release.run", "--tag", tag, cwd=repo.path)
    assert second.code == 0, second.out + second.err
    assert (
        "APPLIED     manifest     dist/suite-2026.04.yaml lists the release as it is published"
        in second.out
    )
    written = (repo.path / "dist" / "suite-2026.04.yaml").read_text()
    oracle = subprocess.run(["sha256sum", str(archive)], capture_output=True, text=True, check=True)
    assert oracle.stdout.split()[0] in written and 'codename: "nova"' in written
    archive.write_bytes(b"rebuilt with other bytes\n")
    status = cli("release.status", "--tag", tag, "--json", cwd=repo.path)
    assert status.code == 3, status.out
    assert states(status) == {"tag": "done", "manifest": "conflict"}
    assert "a published manifest must not change" in reasons(status)["manifest"]
    assert (repo.path / "dist" / "suite-2026.04.yaml").read_text() == written


def test_a_release_file_the_forge_holds_with_other_bytes_is_a_conflict_and_a_dead_forge_unknown(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    config = ARTIFACTS.replace("[tag, assets, signatures]", "[tag, assets, signatures, publish]")
    config = config.replace("  workflow: https://", "  notes: notes.md\n  workflow: https://")
    config += (
        f"forge:\n  kind: github\n  api_url: {forge.api_url}\n  owner: example\n  repo: demo\n"
    )
    repo = make_repo({"releasekit.yaml": config, ".gitignore": "dist/\n",
                      "notes.md": "## Summary\n\nv0.1.2.\n"})  # fmt: skip
    bare_remote(repo, "origin")
    dist = repo.path / "dist"
    the_release_files(dist)
    ran = cli("release.run", "--tag", "v0.1.2", cwd=repo.path)
    assert ran.code == 0, ran.out + ran.err
    assert ran.lines[-1] == "v0.1.2: every step is done"
    rebuilt = hashlib.sha256(b"rebuilt here\n").hexdigest()
    (dist / "reusable-workflow-artifact").write_bytes(b"rebuilt here\n")  # and its sums with it
    (dist / "SHA256SUMS-0.1.2.txt").write_text(
        (dist / "SHA256SUMS-0.1.2.txt")
        .read_text()
        .replace(
            hashlib.sha256((SIGSTORE / "reusable-workflow-artifact").read_bytes()).hexdigest(),
            rebuilt,
        )
    )
    status = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert status.code == 3, status.out
    assert reasons(status)["assets"] == (
        "release v0.1.2 on the forge holds reusable-workflow-artifact with another sha256 than "
        f"dist/reusable-workflow-artifact (sha256:{rebuilt}); "
        "published assets are immutable — release the next patch"
    )
    gone = repo.path / "releasekit.yaml"
    gone.write_text(gone.read_text().replace(forge.api_url, "http://127.0.0.1:9/api"))
    dead = cli("release.status", "--tag", "v0.1.2", "--json", cwd=repo.path)
    assert dead.code == 1
    assert states(dead)["assets"] == "unknown"
    assert reasons(dead)["assets"].startswith("cannot ask the forge for release v0.1.2 (")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("step", ["pins", "unpin", "citation"])
def test_an_interrupt_after_pins_unpin_or_citation_and_a_rerun_make_each_commit_once(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path, step: str, signum: int
) -> None:
    repo, bare = pins_repo
    run = ("--tag", "v0.1.8", "--date", "2026-01-02")
    if step != "pins":
        assert cli("release.run", *run, "--until", "pins", cwd=repo.path).code == 0
        repo.git("push", "-q", "origin", "release/v0.1.8")
        merge(bare, tmp_path)
    code = run_until_killed(repo, step, signum, *run)
    assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 130)
    if step == "pins":
        assert cli("release.run", *run, "--until", "pins", cwd=repo.path).code == 0
        repo.git("push", "-q", "origin", "release/v0.1.8")
        merge(bare, tmp_path)
    final = cli("release.run", *run, cwd=repo.path)
    assert final.lines[-1] == "v0.1.8: every step is done", final.out + final.err
    subjects = git(bare, "log", "--format=%s", "main").splitlines()
    for made in ("chore: pin the release images of v0.1.8", "chore: unpin after v0.1.8",
                 "chore: cite v0.1.8 in CITATION.cff"):  # fmt: skip
        assert subjects.count(made) == 1, subjects
    assert git(bare, "tag", "--list") == "v0.1.8\n"  # v0.1.7 was never pushed


def test_an_unpin_written_but_not_committed_before_an_interrupt_is_committed_by_the_rerun(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    """Killed between the unpin's write and its commit: the files hold the development values,
    uncommitted. The re-run keeps that work (the step's own files) and commits it once."""
    repo, bare = pins_repo
    run = ("--tag", "v0.1.8", "--date", "2026-01-02")
    assert cli("release.run", *run, "--until", "pins", cwd=repo.path).code == 0
    repo.git("push", "-q", "origin", "release/v0.1.8")
    merge(bare, tmp_path)
    assert cli("release.run", *run, "--until", "tag", cwd=repo.path).code == 0
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "origin/main")
    assert cli("release.unpin", cwd=repo.path).code == 0  # the write, as apply makes it
    assert repo.git("status", "--short").split() == [
        "M", "config/overlays/aws/kustomization.yaml", "M",
        "config/overlays/azure/kustomization.yaml", "M", "versions.yaml"]  # fmt: skip
    ran = cli("release.run", *run, cwd=repo.path)
    assert ran.lines[-1] == "v0.1.8: every step is done", ran.out + ran.err
    assert "    committed on main: chore: unpin after v0.1.8" in ran.lines
    assert (
        git(bare, "log", "--format=%s", "main").splitlines().count("chore: unpin after v0.1.8") == 1
    )
    assert git(bare, "show", "main:config/overlays/aws/kustomization.yaml") == KUSTOMIZATION
    assert repo.git("status", "--short") == ""


def test_an_unpushed_commit_of_the_maintainer_on_main_is_never_pushed_by_unpin(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    """Review: unpin and citation push main; a commit of someone's own left unpushed on main
    here went out with them. The step refuses, naming it, and pushes nothing."""
    repo, bare = pins_repo
    run = ("--tag", "v0.1.8", "--date", "2026-01-02")
    assert cli("release.run", *run, "--until", "pins", cwd=repo.path).code == 0
    repo.git("push", "-q", "origin", "release/v0.1.8")
    merge(bare, tmp_path)
    assert cli("release.run", *run, "--until", "tag", cwd=repo.path).code == 0
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "origin/main")
    repo.commit("wip: not for main yet", {"notes.txt": "draft\n"})
    head = git(bare, "rev-parse", "main")
    ran = cli("release.run", *run, cwd=repo.path)
    assert ran.code == 1, ran.out + ran.err
    failed = next(line for line in ran.lines if line.startswith("FAILED"))
    assert failed.startswith("FAILED      unpin        main here has a commit origin/main does "
                             "not (wip: not for main yet, "), ran.out  # fmt: skip
    assert git(bare, "rev-parse", "main") == head
    assert repo.git("log", "-1", "--format=%s", "main").strip() == "wip: not for main yet"


def test_pins_on_a_release_branch_only_the_remote_has_are_todo_and_applied(
    cli: Cli, pins_repo: tuple[Repo, Path]
) -> None:
    """Review: the release branch pushed (from another clone, or by CI) and not here: the
    pins check read ``merge-base main refs/heads/<branch>`` and said unknown (exit 1)."""
    repo, _ = pins_repo
    run = ("--tag", "v0.1.8", "--date", "2026-01-02")
    assert cli("release.run", *run, "--until", "prepare", cwd=repo.path).code == 0
    repo.git("push", "-q", "origin", "release/v0.1.8")
    repo.git("switch", "-q", "main")
    repo.git("branch", "-q", "-D", "release/v0.1.8")
    repo.git("fetch", "-q", "origin")
    status = cli("release.status", *run, "--json", cwd=repo.path)
    assert states(status)["pins"] == "todo", status.out
    assert status.code == 0
    ran = cli("release.run", *run, "--until", "pins", cwd=repo.path)
    assert ran.code == 0, ran.out + ran.err
    assert "chore: pin the release images of v0.1.8" in repo.git(
        "log", "-1", "--format=%s", "release/v0.1.8"
    )


def test_a_step_unknown_for_a_missing_setting_says_to_fix_it_not_to_wait_for_a_remote(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    """Review: the calver-suite procedure without a forge section: publish is unknown for a
    missing setting, and release.run said "when the remote answers, run again"."""
    repo = make_repo({"releasekit.yaml": SUITE.replace("[tag, manifest]", "[tag, publish]")})
    bare_remote(repo, "origin")
    ran = cli("release.run", "--tag", "suite-2026.04-nova", cwd=repo.path)
    assert ran.code == 1, ran.out + ran.err
    assert ran.lines[-2].startswith("UNKNOWN     publish      releasekit.yaml: no forge section")
    assert ran.lines[-1] == (
        "next: fix what it says (a setting), or when the remote, registry or forge answers, "
        "run release.run --tag suite-2026.04-nova again"
    )


def test_a_rerun_for_an_older_release_never_cites_it_over_a_newer_one(
    cli: Cli, pins_repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    """Review: after v0.1.8, CITATION.cff on main cites the next release (0.1.9); a re-run of
    release.run --tag v0.1.8 (a late retry, a CI re-run) rewrote it back to 0.1.8 and pushed."""
    repo, bare = pins_repo
    run = ("--tag", "v0.1.8", "--date", "2026-01-02")
    assert cli("release.run", *run, "--until", "pins", cwd=repo.path).code == 0
    repo.git("push", "-q", "origin", "release/v0.1.8")
    merge(bare, tmp_path)
    assert cli("release.run", *run, cwd=repo.path).lines[-1] == "v0.1.8: every step is done"
    clone = tmp_path / "reviewer"
    git(clone, "pull", "-q", "origin", "main")
    cff = clone / "CITATION.cff"
    cff.write_text(cff.read_text().replace("version: 0.1.8", "version: 0.1.9"))
    git(clone, "commit", "-qam", "chore: cite v0.1.9 in CITATION.cff")
    git(clone, "push", "-q", "origin", "main")
    head = git(bare, "rev-parse", "main")
    status = cli("release.status", *run, "--json", cwd=repo.path)
    assert states(status)["citation"] == "done", status.out
    assert reasons(status)["citation"] == (
        "CITATION.cff on origin/main cites 0.1.9, a later release than v0.1.8"
    )
    again = cli("release.run", *run, cwd=repo.path)
    assert again.code == 0, again.out + again.err
    assert git(bare, "rev-parse", "main") == head


def test_pins_without_a_release_branch_say_to_make_it_first(
    cli: Cli, pins_repo: tuple[Repo, Path]
) -> None:
    repo, _ = pins_repo
    config = repo.path / "releasekit.yaml"
    config.write_text(config.read_text().replace("[prepare, pins, tag, unpin, citation]", "[pins]"))
    repo.commit("chore: pins only")
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 1
    assert ran.lines[0] == (
        "FAILED      pins         the pins go on the release branch release/v0.1.8, which is not "
        "made yet; list the prepare step before pins (or run release.prepare)"
    )


def test_a_changelog_driven_release_without_a_notes_file_publishes_the_changelog_notes(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    """The notes step's text is what the publish step sends: the version's changelog section
    through the outline (here the repository's own, with no placeholder), never the commits —
    not even where notes.source says commits for release.notes."""
    config = ('tag_format: "v{version}"\nprocedure:\n  kind: changelog-driven\n'
              "  steps: [tag, notes, publish]\nchangelog:\n  path: CHANGELOG.md\n"
              "notes:\n  template: notes.md.j2\n  source: commits\n"
              f"forge:\n  kind: github\n  api_url: {forge.api_url}\n  owner: example\n  repo: demo\n")  # fmt: skip
    outline = "## What changed in {{ tag }}\n\n{{ changelog.body }}\n"
    repo = make_repo({"releasekit.yaml": config, "CHANGELOG.md": CHANGELOG, "notes.md.j2": outline})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.commit("feat: a thing users asked for (#3)")
    bare_remote(repo, "origin")
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 0, ran.out + ran.err
    assert ran.lines[-1] == "v0.1.8: every step is done"
    (release,) = forge.state.releases
    assert release["body"] == (
        "## What changed in v0.1.8\n\n### Added\n\n- The krt CLI lists runtimes.\n"
    )
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert reasons(status)["notes"] == (
        "the generated custom notes of v0.1.8 have no placeholder left and release v0.1.8 says them"
    )
