"""The whole procedure (release.status, release.run) on a real repository: a bare remote, the
local OCI registry (docker-registry) and the forge stand-in (tests/forge_stand_in.py, since no
GitHub or Gitea server can run here). The test plays the humans and the release workflow: it
merges the pull request and pushes the images the tag's workflow would build."""

from __future__ import annotations

import json
import signal
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import CliResult, OciRegistry, Repo, git
from forge_stand_in import ForgeStandIn
from procedure_parts import run_until_killed
from registry_parts import build_layout, push, skopeo_digest

Cli = Callable[..., CliResult]
TOKEN = "tok-" + "5e4d3c2b1a0f9e8d7c6b"
ASSET = "demo_v0.1.8_linux_amd64.tar.gz"


@pytest.fixture
def forge(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ForgeStandIn]:
    """GitHub's API by default; ``indirect`` parametrization picks Gitea's."""
    kind = getattr(request, "param", "github")
    monkeypatch.setenv("GITEA_TOKEN" if kind == "gitea" else "GH_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "10")
    with ForgeStandIn(kind, TOKEN) as server:
        yield server


@pytest.fixture
def project(
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
    oci_registry: OciRegistry,
    unique_repo: str,
) -> tuple[Repo, Path, str]:
    image = f"{oci_registry.host}/{unique_repo}"
    config = (
        'tag_format: "v{version}"\nversion_files:\n  - path: Makefile\n    pattern: "VERSION ?= {version}"\n'
        "procedure:\n  kind: operator\n  notes: notes/{tag}.md\n"
        f"registry:\n  plain_http: ['{oci_registry.host}']\n  images:\n    - repository: {image}\n"
        f"forge:\n  kind: {forge.state.kind}\n  api_url: {forge.api_url}\n  owner: example\n  repo: demo\n"
        '  assets: ["demo_{tag}_*.tar.gz"]\n'
    )
    repo = make_repo({"releasekit.yaml": config, "Makefile": "VERSION ?= 0.1.7\n",
                      ".gitignore": "dist/\n", "notes/v0.1.8.md": "## Summary\n\nThe v0.1.8 release.\n"})  # fmt: skip
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.commit("feat: a thing users asked for (#3)")
    bare = bare_remote(repo, "origin")
    repo.git("push", "-q", "origin", "v0.1.7")
    return repo, bare, image


def states(result: CliResult) -> dict[str, str]:
    return {r["step"]: r.get("state") or r["outcome"] for r in json.loads(result.out)["results"]}


def merge_on_the_forge(bare: Path, tmp_path: Path) -> None:
    """What the reviewer does: merge the release branch into main on the remote."""
    clone = tmp_path / "reviewer"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    git(clone, "merge", "-q", "--no-ff", "origin/release/v0.1.8", "-m", "Merge pull request #1")
    git(clone, "push", "-q", "origin", "main")


def the_release_workflow(repo: Repo, image: str, tmp_path: Path) -> None:
    """What the tag's workflow does: build and push the image, leave the archive to upload."""
    push(build_layout(tmp_path / "layout", "v0.1.8", seed="procedure"), f"{image}:v0.1.8")
    (repo.path / "dist").mkdir(exist_ok=True)
    (repo.path / "dist" / ASSET).write_bytes(b"the krt archive\n")


def up_to_publish(cli: Cli, project: tuple[Repo, Path, str], tmp_path: Path) -> None:
    """Run to the merge, merge, run to the workflow, be the workflow: publish is what is left."""
    repo, bare, image = project
    cli("release.run", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    merge_on_the_forge(bare, tmp_path)
    cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    the_release_workflow(repo, image, tmp_path)


@pytest.mark.parametrize("forge", ["github", "gitea"], indirect=True)
def test_the_whole_procedure_runs_to_the_human_gate_then_to_the_end_and_converges(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn, tmp_path: Path
) -> None:
    repo, bare, image = project
    before = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert before.code == 0, before.out
    assert states(before) == {"prepare": "todo", "pull-request": "todo", "merge": "todo",
                              "tag": "todo", "images": "todo", "charts": "skipped",
                              "notes": "done", "publish": "todo"}  # fmt: skip
    notes = json.loads(before.out)["results"][6]["reason"]  # committed by hand: kept as written
    assert notes.startswith("notes/v0.1.8.md is written by hand (it differs from the generated")
    assert json.loads(before.out)["outputs"]["complete"] is False

    first = cli("release.run", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert first.code == 0, first.err
    (pr,) = forge.state.pulls
    assert first.lines[0].startswith("APPLIED     prepare      branch release/v0.1.8 at ")
    assert "APPLIED     pull-request pull request #1 is open: " + pr["html_url"] in first.lines
    assert "WAITING     merge        pull request #1 waits for review and merge" in first.lines
    assert f"    watch: {pr['html_url']}" in first.lines
    assert first.lines[-1] == "next: when that is done, run release.run --tag v0.1.8 again"
    assert git(bare, "tag", "--list") == "v0.1.7\n"

    merge_on_the_forge(bare, tmp_path)
    second = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert second.code == 0, second.err
    assert "DONE        merge        origin/main at " in second.out
    assert "APPLIED     tag          v0.1.8 is on origin at " in second.out
    assert "WAITING     images       1 of 1 image tags not published yet" in second.out
    assert "    watch: http://127.0.0.1" in second.out  # the forge's actions page
    tagged = git(bare, "rev-list", "-n1", "v0.1.8").strip()
    assert tagged == git(bare, "rev-parse", "main").strip()

    the_release_workflow(repo, image, tmp_path)
    third = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert third.code == 0, third.err
    assert third.lines[-1] == "v0.1.8: every step is done (charts skipped: not configured)"
    (release,) = forge.state.releases
    assert (release["tag_name"], release["draft"], release["body"]) == (
        "v0.1.8", False, "## Summary\n\nThe v0.1.8 release.\n")  # fmt: skip
    assert [a["name"] for a in release["assets"]] == [ASSET]

    after = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert after.code == 0, after.err
    assert set(states(after).values()) == {"done", "skipped"}
    assert json.loads(after.out)["outputs"]["complete"] is True
    writes = len(forge.writes())
    again = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert again.code == 0 and all(
        line.startswith(("DONE", "SKIPPED", "v0.1.8:")) for line in again.lines
    )
    assert len(forge.writes()) == writes  # nothing sent twice
    assert git(bare, "tag", "--list") == "v0.1.7\nv0.1.8\n"


def test_status_tells_a_tag_on_another_commit_from_done_and_exits_3(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn
) -> None:
    repo, _, _ = project
    repo.git("tag", "-a", "v0.1.8", "-m", "made by hand on the wrong commit")
    repo.git("push", "-q", "origin", "v0.1.8")
    result = cli("release.status", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 3
    line = next(line for line in result.lines if " tag " in line)
    assert line.startswith("CONFLICT tag          v0.1.8 on origin points at ")
    assert "does not hold 'chore: prepare v0.1.8 release'" in line
    assert result.err.strip() == "releasekit: error: v0.1.8: 1 step(s) conflict"


def test_an_unreachable_remote_is_unknown_not_done(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn
) -> None:
    repo, bare, _ = project
    repo.git("remote", "set-url", "origin", str(bare.parent / "gone.git"))
    result = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert result.code == 1
    assert states(result)["tag"] == "unknown"
    assert "cannot ask origin for its tags" in json.loads(result.out)["results"][3]["reason"]


def test_a_failed_step_stops_the_run_with_what_to_do_and_a_rerun_sends_nothing_twice(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn, tmp_path: Path
) -> None:
    repo, bare, _ = project
    up_to_publish(cli, project, tmp_path)
    forge.fail("POST", "/uploads/", kind="error")  # the forge fails the upload once
    failed = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert failed.code == 1
    assert "FAILED      publish      " in failed.out
    assert failed.lines[-1] == (
        "next: fix what the error says, then run release.run --tag v0.1.8 again; finished steps stay done"
    )
    fixed = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert fixed.code == 0, fixed.err
    verdicts = [line.split()[0] for line in fixed.lines[:-1] if not line.startswith(" ")]
    assert verdicts == ["DONE"] * 5 + ["SKIPPED", "DONE", "APPLIED"]  # no charts: never "done"
    (release,) = forge.state.releases
    assert [a["name"] for a in release["assets"]] == [ASSET]
    assert git(bare, "tag", "--list") == "v0.1.7\nv0.1.8\n"


def test_dry_run_and_until_stop_where_they_say(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn
) -> None:
    repo, _, _ = project
    snapshot = repo.snapshot()
    dry = cli("release.run", "--tag", "v0.1.8", "--dry-run", "--date", "2026-11-21", cwd=repo.path)
    assert dry.code == 0, dry.err
    assert dry.lines == [
        "WOULD-APPLY prepare      no branch release/v0.1.8 yet",
        "    would: create release/v0.1.8 from main",
        "    would: update Makefile",
        "    would: commit: chore: prepare v0.1.8 release",
        *(f"NOT-REACHED {name:<12} after prepare"
          for name in ("pull-request", "merge", "tag", "images", "charts", "notes", "publish")),
        "dry run: nothing was changed",
    ]  # fmt: skip
    assert dry.lines[-1] == "dry run: nothing was changed"
    assert repo.snapshot() == snapshot and "release/v0.1.8" not in repo.git("branch")
    until = cli("release.run", "--tag", "v0.1.8", "--until", "prepare", "--date", "2026-11-21",
                cwd=repo.path)  # fmt: skip
    assert until.code == 0, until.err
    assert [line.split()[0] for line in until.lines if not line.startswith(" ")] == [
        "APPLIED", *["NOT-REACHED"] * 7]  # fmt: skip
    assert forge.state.pulls == []
    bad = cli("release.run", "--tag", "v0.1.8", "--until", "deploy", cwd=repo.path)
    assert bad.code == 2
    assert "--until deploy: the procedure's steps are prepare, pull-request, merge" in bad.err


# --- interrupts between steps ----------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.parametrize("step", ["prepare", "pull-request", "tag", "publish"])
def test_an_interrupt_after_a_step_and_a_rerun_converge_without_duplicates(
    cli: Cli,
    project: tuple[Repo, Path, str],
    forge: ForgeStandIn,
    tmp_path: Path,
    step: str,
    signum: int,
) -> None:
    repo, bare, image = project
    if step in ("tag", "publish"):
        cli("release.run", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
        merge_on_the_forge(bare, tmp_path)
    if step == "publish":
        cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
        the_release_workflow(repo, image, tmp_path)
    code = run_until_killed(repo, step, signum, "--tag", "v0.1.8", "--date", "2026-11-21")
    assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 130)
    rerun = cli("release.run", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert rerun.code == 0, rerun.err
    assert rerun.lines[0].startswith("DONE        prepare")  # the interrupted step's work stands
    if step in ("prepare", "pull-request"):
        merge_on_the_forge(bare, tmp_path)
        the_release_workflow(repo, image, tmp_path)
        assert cli("release.run", "--tag", "v0.1.8", cwd=repo.path).code == 0
    if step == "tag":
        the_release_workflow(repo, image, tmp_path)
    final = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert final.lines[-1] == "v0.1.8: every step is done (charts skipped: not configured)", (
        final.out + final.err
    )
    assert len(forge.state.pulls) == 1
    assert git(bare, "tag", "--list") == "v0.1.7\nv0.1.8\n"
    (release,) = forge.state.releases
    assert [a["name"] for a in release["assets"]] == [ASSET]
    assert [b for b in git(bare, "branch", "--list").split() if b != "*"] == [
        "main",
        "release/v0.1.8",
    ]
    host, _, path = image.partition("/")
    with urllib.request.urlopen(f"http://{host}/v2/{path}/tags/list", timeout=10) as answer:
        assert json.load(answer)["tags"] == ["v0.1.8"]


# --- conflicts: done, but different ----------------------------------------------------------


def test_an_image_without_a_required_platform_is_a_conflict(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn, tmp_path: Path
) -> None:
    repo, _, image = project
    config = repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text().replace(
            "  images:\n", "  platforms: [linux/amd64, linux/arm64]\n  images:\n"
        )
    )
    repo.commit("chore: both platforms")
    repo.git("push", "-q", "origin", "main")
    push(build_layout(tmp_path / "amd64", "v0.1.8", platforms=("linux/amd64",)), f"{image}:v0.1.8")
    result = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert result.code == 3
    images = json.loads(result.out)["results"][4]
    assert (images["state"], images["status"]) == ("conflict", "mismatch")
    assert "linux/arm64" in images["reason"]


@pytest.mark.parametrize("forge", ["github", "gitea"], indirect=True)
def test_a_published_asset_with_other_bytes_is_a_conflict_and_run_stops_there(
    cli: Cli, project: tuple[Repo, Path, str], forge: ForgeStandIn, tmp_path: Path
) -> None:
    repo, _, _ = project
    up_to_publish(cli, project, tmp_path)
    assert cli("release.run", "--tag", "v0.1.8", cwd=repo.path).code == 0
    (repo.path / "dist" / ASSET).write_bytes(b"rebuilt with other bytes\n")
    status = cli("release.status", "--tag", "v0.1.8", cwd=repo.path)
    assert status.code == 3
    assert status.lines[-1] == (
        f"CONFLICT publish      release v0.1.8 holds {ASSET} with other bytes than the local "
        "file; published assets are immutable — release the next patch"
    )
    writes = len(forge.writes())
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 3 and len(forge.writes()) == writes
    assert (
        ran.lines[-1] == "next: resolve the conflict by hand (release.status --tag v0.1.8 shows it)"
    )


# --- the Go multi-module procedure (seed 004) ------------------------------------------------


def test_the_go_modules_procedure_tags_every_module_after_the_release_tag(
    cli: Cli, go_repo: Repo, bare_remote: Callable[[Repo, str], Path]
) -> None:
    config = go_repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text() + "procedure:\n  kind: go-modules\n  steps: [tag, go-tag]\n"
    )
    go_repo.commit("chore: declare the procedure")
    bare = bare_remote(go_repo, "origin")
    before = cli("release.status", "--tag", "v0.8.0", "--json", cwd=go_repo.path)
    assert states(before) == {"tag": "todo", "go-tag": "todo"}
    assert json.loads(before.out)["results"][1]["reason"] == "the Go module tags wait for v0.8.0"
    ran = cli("release.run", "--tag", "v0.8.0", cwd=go_repo.path)
    assert ran.code == 0, ran.err
    assert ran.lines[-1] == "v0.8.0: every step is done"
    tags = git(bare, "tag", "--list").split()
    assert "v0.8.0" in tags and "src/cloud-providers/v0.8.0" in tags and len(tags) == 6
    after = cli("release.status", "--tag", "v0.8.0", "--json", cwd=go_repo.path)
    assert states(after) == {"tag": "done", "go-tag": "done"}
    assert cli("release.run", "--tag", "v0.8.0", cwd=go_repo.path).code == 0
    assert git(bare, "tag", "--list").split() == tags


def test_a_module_tag_on_another_commit_is_a_conflict(
    cli: Cli, go_repo: Repo, bare_remote: Callable[[Repo, str], Path]
) -> None:
    config = go_repo.path / "releasekit.yaml"
    config.write_text(config.read_text() + "procedure:\n  steps: [tag, go-tag]\n")
    old = go_repo.commit("chore: declare the procedure")
    bare_remote(go_repo, "origin")
    go_repo.git("tag", "src/webhook/v0.8.0", old)
    go_repo.git("push", "-q", "origin", "src/webhook/v0.8.0")
    go_repo.commit("fix: after the hand-made module tag")
    ran = cli("release.run", "--tag", "v0.8.0", cwd=go_repo.path)
    assert ran.code == 3
    conflict = next(line for line in ran.lines if line.startswith("CONFLICT"))
    assert conflict.startswith(
        f"CONFLICT    go-tag       src/webhook/v0.8.0 is on {old[:12]}, not on v0.8.0's commit "
    )


# --- promote (seed 002) and charts ------------------------------------------------------------


@pytest.fixture
def promote_project(
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
    oci_registry: OciRegistry,
    unique_repo: str,
) -> tuple[Repo, Path, str]:
    image = f"{oci_registry.host}/{unique_repo}"
    config = (
        'tag_format: "v{version}"\nversion_files:\n  - path: Makefile\n    pattern: "VERSION ?= {version}"\n'
        "procedure:\n  kind: promote\n  steps: [tag, promote]\n"
        f"registry:\n  plain_http: ['{oci_registry.host}']\n  promote_from: build-{{commit}}\n"
        f"  images:\n    - repository: {image}\n      tags: ['{{tag}}', stable]\n"
        "      moving_tags: [stable]\n"
    )
    repo = make_repo({"releasekit.yaml": config, "Makefile": "VERSION ?= 0.1.8\n"})
    bare = bare_remote(repo, "origin")
    return repo, bare, image


def test_the_promote_procedure_waits_for_the_tested_build_then_tags_its_digest(
    cli: Cli, promote_project: tuple[Repo, Path, str], tmp_path: Path
) -> None:
    repo, bare, image = promote_project
    before = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert before.code == 0, before.err
    assert states(before) == {"tag": "todo", "promote": "todo"}
    first = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert first.code == 0, first.err
    assert "APPLIED     tag          v0.1.8 is on origin at " in first.out
    assert "WAITING     promote      the build is not in the registry yet" in first.out

    commit = git(bare, "rev-list", "-n1", "v0.1.8").strip()
    layout = build_layout(tmp_path / "build", f"build-{commit}", seed="tested")
    push(layout, f"{image}:build-{commit}")  # what CI does: build and test build-<sha>
    planned = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    (promote,) = [r for r in json.loads(planned.out)["results"] if r["step"] == "promote"]
    assert promote["state"] == "todo" and promote["plan"], promote

    second = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert second.code == 0, second.err
    assert f"promoted {image}:build-{commit}" in second.out
    assert second.lines[-1] == "v0.1.8: every step is done"
    built = skopeo_digest(f"{image}:build-{commit}")
    assert skopeo_digest(f"{image}:v0.1.8") == built == skopeo_digest(f"{image}:stable")
    after = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert after.code == 0 and states(after) == {"tag": "done", "promote": "done"}


def test_a_release_tag_on_another_build_is_a_promote_conflict(
    cli: Cli, promote_project: tuple[Repo, Path, str], tmp_path: Path
) -> None:
    repo, bare, image = promote_project
    assert cli("release.run", "--tag", "v0.1.8", cwd=repo.path).code == 0
    commit = git(bare, "rev-list", "-n1", "v0.1.8").strip()
    push(build_layout(tmp_path / "b", f"build-{commit}", seed="tested"), f"{image}:build-{commit}")
    push(build_layout(tmp_path / "o", "v0.1.8", seed="other"), f"{image}:v0.1.8")  # by hand
    result = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert result.code == 3, result.out
    (promote,) = [r for r in json.loads(result.out)["results"] if r["step"] == "promote"]
    assert promote["state"] == "conflict"
    assert f"{image}:v0.1.8 already names sha256:" in promote["message"]
    assert "published version tags are immutable" in promote["message"]


def test_the_charts_step_waits_for_the_published_chart_then_checks_it(
    cli: Cli,
    example_repo: Repo,
    bare_remote: Callable[[Repo, str], Path],
    oci_registry: OciRegistry,
    unique_repo: str,
    tmp_path: Path,
    helm_sdk: object,
) -> None:
    remote = oci_registry.oci(unique_repo)
    config = example_repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "procedure:\n  steps: [tag, charts]\n"
        + f"registry:\n  plain_http: ['{oci_registry.host}']\n"
        + f"  charts:\n    - path: charts/demo-operator\n      repository: {remote}\n",
        encoding="utf-8",
    )
    example_repo.git("commit", "-qam", "chore: publish the chart")
    bare_remote(example_repo, "origin")
    first = cli("release.run", "--tag", "v0.1.7", cwd=example_repo.path)
    assert first.code == 0, first.err
    assert "WAITING     charts       " in first.out and "is not published yet" in first.out

    dist = tmp_path / "dist"
    packaged = cli("release.package-chart", "--engine", "sdk", "--dest", str(dist),
                   cwd=example_repo.path)  # fmt: skip
    assert packaged.code == 0, packaged.err
    pushed = cli("release.push-chart", str(dist / "demo-operator-0.1.7.tgz"), remote,
                 "--plain-http", "--engine", "sdk", cwd=example_repo.path)  # fmt: skip
    assert pushed.code == 0, pushed.err
    done = cli("release.status", "--tag", "v0.1.7", "--json", cwd=example_repo.path)
    assert done.code == 0, done.out
    assert states(done) == {"tag": "done", "charts": "done"}


def test_procedure_notes_through_a_symlink_out_of_the_repository_are_never_published(
    cli: Cli, make_repo: Callable[..., Repo], forge: ForgeStandIn, tmp_path: Path
) -> None:
    """procedure.notes names repository content: notes/v0.1.8.md -> a file outside (a
    credentials file on the release runner) is refused, and no release is created."""
    secret = tmp_path / "hosts.yml"
    secret.write_text("## Summary\n\noauth: not-for-the-release-page\n")
    config = ('tag_format: "v{version}"\nprocedure:\n  steps: [publish]\n  notes: notes/{tag}.md\n'
              f"forge:\n  kind: {forge.state.kind}\n  api_url: {forge.api_url}\n  owner: example\n"
              "  repo: demo\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config})
    (repo.path / "notes").mkdir()
    (repo.path / "notes" / "v0.1.8.md").symlink_to(secret)
    repo.commit("docs: the notes")
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    result = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 1, result.out + result.err
    assert "outside the repository" in result.out
    assert forge.state.releases == []


def test_a_release_asset_linked_out_of_the_tree_is_a_conflict_not_waiting_for_a_build(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path],
    forge: ForgeStandIn,
) -> None:  # fmt: skip
    """Review: dist/demo_v0.1.8_linux_amd64.tar.gz -> ../.git/config (the token checkout
    persists): the publish step said "waiting: the assets are not built yet" with the refusal
    in parentheses, as if the workflow would fix it. It is a conflict a human resolves."""
    config = ('tag_format: "v{version}"\nprocedure:\n  steps: [publish]\n'
              f"forge:\n  kind: {forge.state.kind}\n  api_url: {forge.api_url}\n  owner: example\n"
              '  repo: demo\n  assets: ["demo_{tag}_*.tar.gz"]\n')  # fmt: skip
    repo = make_repo({"releasekit.yaml": config, ".gitignore": "dist/\n"})
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    bare_remote(repo, "origin")
    repo.git("push", "-q", "origin", "v0.1.8")
    (repo.path / "dist").mkdir()
    (repo.path / "dist" / ASSET).symlink_to("../.git/config")
    status = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert status.code == 3, status.out
    assert states(status) == {"publish": "conflict"}
    (result,) = json.loads(status.out)["results"]
    assert result["reason"].startswith(f"release asset dist/{ASSET} leads into .git")
    ran = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert ran.code == 3 and forge.state.releases == []
