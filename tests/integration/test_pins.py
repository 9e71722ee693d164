"""release.pin / release.unpin / release.set / release.get on a real git repository shaped like
cloud-api-adaptor (seed 004): golden bytes for pin, re-pin, unpin and set; refusals that change
nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable

import pytest

from conftest import FIXTURES, CliResult, Repo

Cli = Callable[..., CliResult]
CAA = FIXTURES / "pins" / "caa"
GOLDEN = FIXTURES / "pins" / "golden"
SHA_A = "6d7d2a3fe8243809b3c3a710792c8498292e2fc3"
SHA_B = "e205a788d6d3ad619bd8b0896c6a847b05c0f745"
PIN_A = ("release.pin", SHA_A, "--tag", "v0.8.0", "--set", "git.coco-operator.reference=v0.13.0")
PIN_B = ("release.pin", SHA_B, "--tag", "v0.8.1", "--set", "git.coco-operator.reference=v0.13.1")
CHART = "src/cloud-api-adaptor/install/charts/peerpods"
VERSIONS = "src/cloud-api-adaptor/versions.yaml"


@pytest.fixture
def caa(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo(name="cloud-api-adaptor")
    shutil.copytree(CAA, repo.path, dirs_exist_ok=True)
    repo.commit("chore: import")
    return repo


def golden(name: str) -> dict[str, bytes]:
    base = GOLDEN / name
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in base.rglob("*") if p.is_file()}


def expect(repo: Repo, before: dict[str, bytes], name: str) -> None:
    """Every file is its golden bytes (the changed ones) or exactly as before (the others)."""
    assert repo.snapshot() == {**before, **golden(name)}


def test_pin_writes_every_target_and_only_its_token(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    result = cli(*PIN_A, cwd=caa.path)
    assert result.code == 0, result.err
    expect(caa, before, "pinned")
    assert result.lines == [
        f"{CHART}/values.yaml:9 image.tag: latest -> {SHA_A}",
        f"{CHART}/providers/docker.yaml:3 image.tag: latest -> {SHA_A}-dev",
        f"{CHART}/providers/libvirt.yaml:4 image.tag: latest -> {SHA_A}-dev",
        f"src/peerpod-ctrl/chart/values.yaml:4 image.tag: latest -> {SHA_A}",
        f"src/webhook/chart/values.yaml:3 image.tag: latest -> {SHA_A}",
        f"src/cloud-api-adaptor/install/overlays/aws/kustomization.yaml:10 images[cloud-api-adaptor].newTag: latest -> {SHA_A}",
        f"src/cloud-api-adaptor/install/overlays/ibmcloud/kustomization.yaml:10 images[cloud-api-adaptor].newTag: latest -> {SHA_A}",
        f'src/cloud-api-adaptor/Makefile:10 tag: \\"{{value}}\\": latest -> {SHA_A}',
        f"{VERSIONS}:18 git.coco-operator.reference: main -> v0.13.0",
        f"{VERSIONS}:19 git.coco-operator.config: default -> release",
        f"{CHART}/Chart.yaml:14 dependencies.peerpodctrl.version: 0.0.0-dev -> 0.8.0",
        f"pinned {SHA_A} in 10 files",
    ]
    assert result.err == ""


def test_pinning_again_from_a_previous_pin_updates_every_target(caa: Repo, cli: Cli) -> None:
    """The sed in release-helper.sh matched the development value: a second pin left the
    Makefile on the first sha. Targets are found by structure here."""
    before = caa.snapshot()
    assert cli(*PIN_A, cwd=caa.path).code == 0
    again = cli(*PIN_B, cwd=caa.path)
    assert again.code == 0, again.err
    expect(caa, before, "repinned")
    assert not any(SHA_A.encode() in data for data in caa.snapshot().values())
    assert len(again.lines) == 11 and all(SHA_A in ln and SHA_B in ln for ln in again.lines[:8])
    assert again.lines[-1] == f"pinned {SHA_B} in 10 files"


def test_the_same_value_twice_is_a_noop(caa: Repo, cli: Cli) -> None:
    assert cli(*PIN_A, cwd=caa.path).code == 0
    pinned = caa.snapshot()
    again = cli(*PIN_A, cwd=caa.path)
    assert again.code == 0, again.err
    assert again.lines == [
        f"every pin target already holds its value; nothing to change (pinned {SHA_A})"
    ]
    assert caa.snapshot() == pinned


def test_a_value_that_is_not_a_commit_sha_is_pinned_with_a_warning(caa: Repo, cli: Cli) -> None:
    result = cli("release.pin", "v0.8.0", "--set", "git.coco-operator.reference=v0.13.0",
                 "--tag", "v0.8.0", cwd=caa.path)  # fmt: skip
    assert result.code == 0, result.err
    assert result.err.splitlines()[0] == (
        "releasekit: warning: 'v0.8.0' does not look like what release.pin expects "
        "(pins.expect: [0-9a-f]{40}; by default the 40-hex commit sha of the tested image); "
        "pinned anyway"
    )
    again = cli("release.pin", "v0.8.1", "--set", "git.coco-operator.reference=v0.13.1",
                "--tag", "v0.8.1", "--json", cwd=caa.path)  # fmt: skip
    warning = json.loads(again.out)["outputs"]["warning"]
    assert (again.code, warning) == (0, result.err.splitlines()[0][21:].replace("v0.8.0", "v0.8.1"))


def test_unpin_restores_every_byte_and_removes_the_chart_lock(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    assert cli(*PIN_A, cwd=caa.path).code == 0
    assert cli(*PIN_B, cwd=caa.path).code == 0
    (caa.path / CHART / "Chart.lock").write_text("dependencies: []\ndigest: sha256:00\n")
    result = cli("release.unpin", cwd=caa.path)
    assert result.code == 0, result.err
    assert caa.snapshot() == before
    assert result.lines[-5:] == [
        f"{VERSIONS}:18 git.coco-operator.reference: v0.13.1 -> main",
        f"{VERSIONS}:19 git.coco-operator.config: release -> default",
        f"{CHART}/Chart.yaml:14 dependencies.peerpodctrl.version: 0.8.1 -> 0.0.0-dev",
        f"{CHART}/Chart.lock: removed",
        "unpinned in 11 files",
    ]
    chart = (caa.path / CHART / "Chart.yaml").read_text()
    assert "version: 0.2.0\n" in chart and 'appVersion: "v0.20.0"\n' in chart  # not reverted
    again = cli("release.unpin", cwd=caa.path)
    assert (again.code, again.lines) == (
        0, ["every pin target already holds its value; nothing to change (unpinned)"]
    )  # fmt: skip


def test_unpin_refuses_a_token_changed_since_the_pin(caa: Repo, cli: Cli) -> None:
    assert cli(*PIN_A, cwd=caa.path).code == 0
    overlay = caa.path / "src/cloud-api-adaptor/install/overlays/aws/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace(f"newTag: {SHA_A}", "newTag: hotfix-1"))
    edited = caa.snapshot()
    result = cli("release.unpin", cwd=caa.path)
    assert result.code == 1
    assert result.err == (
        f"releasekit: error: 1 pin target(s) hold neither the pinned value '{SHA_A}' nor their "
        "development value (changed since the pin?); nothing was written:\n"
        "  src/cloud-api-adaptor/install/overlays/aws/kustomization.yaml:10 "
        "images[cloud-api-adaptor].newTag holds 'hotfix-1'\n"
        "put back the pinned (or the development) value by hand and unpin again; --value names "
        "the pinned value when the targets cannot tell\n"
    )
    assert caa.snapshot() == edited
    wrong = cli("release.unpin", "--value", SHA_B, cwd=caa.path)
    assert wrong.code == 1 and wrong.err.startswith("releasekit: error: 8 pin target(s)")
    assert caa.snapshot() == edited


def test_dry_run_prints_diffs_and_json_describes_the_plan(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    dry = cli(*PIN_A, "--dry-run", cwd=caa.path)
    assert dry.code == 0, dry.err
    assert "--- a/src/cloud-api-adaptor/Makefile\n+++ b/src/cloud-api-adaptor/Makefile\n" in dry.out
    assert f'-\t\t"  tag: \\"latest\\"", \\\n+\t\t"  tag: \\"{SHA_A}\\"", \\\n' in dry.out
    assert dry.lines[-1] == "dry run: 10 files would change; nothing was written"
    assert dry.err == ""
    assert caa.snapshot() == before
    plan = json.loads(cli(*PIN_A, "--dry-run", "--json", cwd=caa.path).out)
    assert (plan["task"], plan["dry_run"], plan["outputs"]) == (
        "release.pin",
        True,
        {"value": SHA_A, "files": 0, "warning": None},
    )
    diff = plan["results"][0].pop("diff")  # the file's unified diff, as the text view shows it
    assert diff.startswith(f"--- a/{CHART}/values.yaml\n+++ b/{CHART}/values.yaml\n@@ ")
    assert diff in dry.out
    assert plan["results"][0] == {
        "status": "would-change", "path": f"{CHART}/values.yaml", "line": 9,
        "message": f"{CHART}/values.yaml:9 image.tag: latest -> {SHA_A}",
        "target": "image.tag", "old": "latest", "new": SHA_A, "removed": False,
    }  # fmt: skip
    # the aws overlay's kube-rbac-proxy is no target; libvirt's "-dev" suffix is kept
    assert {r["status"] for r in plan["results"]} == {"would-change"}
    assert caa.snapshot() == before
    assert caa.snapshot() == before


def test_a_release_pin_without_a_value_and_an_unknown_set_are_errors(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    missing = cli("release.pin", SHA_A, "--tag", "v0.8.0", cwd=caa.path)
    assert (missing.code, missing.err) == (1, (
        f"releasekit: error: release pin {VERSIONS} git.coco-operator.reference has no value; "
        "pass --set git.coco-operator.reference=VALUE or give it a value in releasekit.yaml\n"
    ))  # fmt: skip
    unknown = cli(*PIN_A, "--set", "git.nope=1", cwd=caa.path)
    assert unknown.code == 2 and "--set git.nope: no such release pin" in unknown.err
    no_tag = cli("release.pin", SHA_A, "--set", "git.coco-operator.reference=v1", cwd=caa.path)
    assert no_tag.code == 2 and "is '{version}'; pass --tag vX.Y.Z" in no_tag.err
    assert caa.snapshot() == before


def test_a_value_that_would_read_back_as_a_number_is_refused(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    digits = "1" * 40
    result = cli("release.pin", digits, "--tag", "v0.8.0", "--set",
                 "git.coco-operator.reference=v0.13.0", cwd=caa.path)  # fmt: skip
    assert result.code == 1
    # libvirt's "{value}-dev" stays a string; peerpod-ctrl's plain scalar would be an integer
    assert result.err == (
        f"releasekit: error: src/peerpod-ctrl/chart/values.yaml:4: image.tag would read back "
        f"as integer {digits} after writing '{digits}' (the file holds string 'latest'); quote "
        'the value in the file (tag: "latest") and run again — nothing was written\n'
    )
    assert caa.snapshot() == before


def test_set_edits_only_the_tokens_and_keeps_comments_and_quotes(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    url = "cloudimg.rhel.9.amd64.url=https://example.com/rhel-9.5.img"
    result = cli("release.set", VERSIONS, f"git.kbs.reference={'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'}",
                 "--", "oci.pause.tag=3.10", "tools.bats=1.11.0", url, cwd=caa.path)  # fmt: skip
    assert result.code == 0, result.err
    assert caa.snapshot() == {**before, VERSIONS: (GOLDEN / "set/versions.yaml").read_bytes()}
    assert result.lines[1] == f"{VERSIONS}:26 oci.pause.tag: 3.9 -> 3.10"
    same = cli("release.set", VERSIONS, "tools.bats=1.11.0", cwd=caa.path)
    assert same.lines == [f"{VERSIONS}:10 tools.bats: 1.11.0 -> 1.11.0 (unchanged)"]


def test_set_refuses_a_value_that_would_change_the_type(caa: Repo, cli: Cli) -> None:
    before = caa.snapshot()
    result = cli("release.set", VERSIONS, "tools.golang=1.30", cwd=caa.path)
    assert result.code == 1
    assert "tools.golang would read back as number 1.3 after writing '1.30'" in result.err
    broken = cli("release.set", VERSIONS, "tools.mkosi=a: b", cwd=caa.path)
    assert broken.code == 1 and "would break the file" in broken.err
    assert caa.snapshot() == before


@pytest.mark.parametrize(
    ("file", "key", "value"),
    [
        (VERSIONS, "oci.pause.tag", "3.9"),  # quoted: the string, never a float
        (VERSIONS, "tools.bats", "1.10.0"),
        (VERSIONS, "tools.kcli", "99.0.202605120540"),
        (VERSIONS, "git.kbs.reference", "d4e317620c4039c89779b725f74974d8f005da66"),
        (VERSIONS, "cloudimg.rhel.9.amd64.url",  # 9 is an integer key in the YAML
         "https://access.redhat.com/downloads/content/479/ver=/rhel---9/9.4/x86_64/product-software"),
        (f"{CHART}/Chart.yaml", "dependencies.peerpodctrl.version", "0.0.0-dev"),
        (f"{CHART}/Chart.yaml", "dependencies.1.alias", "resourceCtrl"),
        ("src/cloud-api-adaptor/install/overlays/aws/kustomization.yaml",
         "images.kube-rbac-proxy.newTag", "v0.13.1"),
    ],
)  # fmt: skip
def test_get_returns_the_file_text(caa: Repo, cli: Cli, file: str, key: str, value: str) -> None:
    result = cli("release.get", file, key, cwd=caa.path)
    assert (result.code, result.out) == (0, value + "\n"), result.err


def test_get_errors_name_near_misses_and_non_values(caa: Repo, cli: Cli) -> None:
    miss = cli("release.get", VERSIONS, "git.kbs.refernce", cwd=caa.path)
    assert (miss.code, miss.err) == (1, (
        f"releasekit: error: {VERSIONS}: no such key git.kbs.refernce; did you mean "
        "git.kbs.reference?\n"
    ))  # fmt: skip
    named = cli(
        "release.get", f"{CHART}/Chart.yaml", "dependencies.peerpod-ctrl.version", cwd=caa.path
    )
    assert "did you mean dependencies.peerpodctrl?" in named.err
    mapping = cli("release.get", VERSIONS, "git.kbs", cwd=caa.path)
    assert mapping.err == (
        f"releasekit: error: {VERSIONS}: git.kbs is a mapping, not a value; name one of its "
        "keys: url, reference\n"
    )
    as_json = cli("release.get", VERSIONS, "oci.pause.tag", "--json", cwd=caa.path)
    envelope = json.loads(as_json.out)
    assert (envelope["task"], envelope["outputs"]) == ("release.get", {"value": "3.9"})
    assert envelope["results"] == [{"status": "ok", "path": VERSIONS, "line": 26,
                                    "message": f"{VERSIONS}:26 oci.pause.tag: 3.9",
                                    "key": "oci.pause.tag", "value": "3.9"}]  # fmt: skip


def test_a_glob_target_that_matches_no_entry_is_an_error(caa: Repo, cli: Cli) -> None:
    config = (caa.path / "releasekit.yaml").read_text()
    (caa.path / "releasekit.yaml").write_text(
        config.replace("image: cloud-api-adaptor", "image: nope")
    )
    result = cli(*PIN_A, cwd=caa.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: no file matching 'src/cloud-api-adaptor/install/overlays/*/"
        "kustomization.yaml' holds 'images[nope].newTag'; fix the path or the target in "
        "releasekit.yaml\n"
    )


def test_no_pins_configured_is_an_error_naming_the_starter(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"releasekit.yaml": "tag_format: 'v{version}'\n"})
    result = cli("release.unpin", cwd=repo.path)
    assert result.code == 1 and "no pins are configured; add pins.targets" in result.err


def test_pins_config_mistakes_name_the_key_and_line(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"releasekit.yaml": (
        "pins:\n  targets:\n    - path: values.yaml\n      key: image.tag\n"
        "      pattern: 'tag: {value}'\n      dev: latest\n"
    )})  # fmt: skip
    result = cli("release.unpin", cwd=repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: releasekit.yaml:3: pins.targets[0] needs exactly one of key, pattern "
        "or image"
    )


def test_an_images_entry_without_new_tag_is_an_error_not_a_skip(caa: Repo, cli: Cli) -> None:
    overlay = caa.path / "src/cloud-api-adaptor/install/overlays/ibmcloud/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace('        newTag: "latest"\n', ""))
    before = caa.snapshot()
    result = cli(*PIN_A, cwd=caa.path)
    assert (result.code, result.err) == (1, (
        "releasekit: error: src/cloud-api-adaptor/install/overlays/ibmcloud/kustomization.yaml: "
        "images.cloud-api-adaptor has no newTag (images[cloud-api-adaptor].newTag); add `newTag: "
        "<the development value>` to it, so that release.unpin can put it back\n"
    ))  # fmt: skip
    assert caa.snapshot() == before


def test_unpin_refuses_a_release_pin_changed_from_its_literal_value(caa: Repo, cli: Cli) -> None:
    assert cli(*PIN_A, cwd=caa.path).code == 0
    versions = caa.path / VERSIONS
    versions.write_text(versions.read_text().replace("config: release", "config: custom"))
    edited = caa.snapshot()
    result = cli("release.unpin", cwd=caa.path)
    assert result.code == 1
    assert (
        f"  {VERSIONS}:19 git.coco-operator.config holds 'custom', not its release value 'release'\n"
        in result.err
    )
    assert caa.snapshot() == edited


def test_unpin_json_lists_every_token_and_the_removed_lock(caa: Repo, cli: Cli) -> None:
    assert cli(*PIN_A, cwd=caa.path).code == 0
    (caa.path / CHART / "Chart.lock").write_text("dependencies: []\n")
    pinned = caa.snapshot()
    result = cli("release.unpin", "--dry-run", "--json", cwd=caa.path)
    assert result.code == 0, result.err
    envelope = json.loads(result.out)
    assert (envelope["task"], envelope["dry_run"], envelope["outputs"]) == (
        "release.unpin", True, {"value": SHA_A, "files": 0}
    )  # fmt: skip
    results = envelope["results"]
    assert {r["status"] for r in results} == {"would-change"}
    assert results[-1].pop("diff") == (
        f"--- a/{CHART}/Chart.lock\n+++ /dev/null\n@@ -1 +0,0 @@\n-dependencies: []\n"
    )
    assert results[-1] == {
        "status": "would-change", "path": f"{CHART}/Chart.lock", "line": None,
        "message": f"would remove {CHART}/Chart.lock",
        "target": None, "old": None, "new": None, "removed": True,
    }  # fmt: skip
    assert [(r["target"], r["old"], r["new"]) for r in results if r["path"] == VERSIONS] == [
        ("git.coco-operator.reference", "v0.13.0", "main"),
        ("git.coco-operator.config", "release", "default"),
    ]
    assert caa.snapshot() == pinned  # a dry run


def test_unpin_never_deletes_the_target_of_a_symlinked_removal(caa: Repo, cli: Cli) -> None:
    """unpin_removes names a symlink (Chart.lock -> a file in the repository): the file it
    points at is not deleted through it; the unpin is refused and nothing changes."""
    assert cli(*PIN_A, cwd=caa.path).code == 0
    (caa.path / "precious.txt").write_text("kept\n")
    (caa.path / CHART / "Chart.lock").symlink_to(caa.path / "precious.txt")
    before = caa.snapshot()
    result = cli("release.unpin", cwd=caa.path)
    assert result.code == 1
    assert result.err.startswith(
        f"releasekit: error: unpin_removes file {CHART}/Chart.lock is a symlink"
    )
    assert caa.snapshot() == before
    assert (caa.path / "precious.txt").read_text() == "kept\n"


def test_a_glob_matching_a_link_and_its_target_reports_the_token_once(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    """charts/b/values.yaml -> ../a/values.yaml, both matched by the glob: one file, one
    token, one line (each fact once), and the link stays a link."""
    config = ('pins:\n  targets:\n    - path: "charts/*/values.yaml"\n      key: image.tag\n'
              "      dev: latest\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config, "charts/a/values.yaml": "image:\n  tag: latest\n"})
    (repo.path / "charts" / "b").mkdir()
    (repo.path / "charts" / "b" / "values.yaml").symlink_to("../a/values.yaml")
    repo.commit("chore: the linked chart")
    result = cli("release.pin", SHA_A, cwd=repo.path)
    assert (result.code, result.lines) == (
        0,
        [f"charts/a/values.yaml:2 image.tag: latest -> {SHA_A}", f"pinned {SHA_A} in 1 files"],
    )
    assert (repo.path / "charts" / "b" / "values.yaml").is_symlink()


def test_get_refuses_a_fifo_instead_of_waiting_for_a_writer(make_repo: Callable[..., Repo]) -> None:
    """A named pipe in the repository (or a path to one) is no file to read: opened for
    reading it waits for a writer forever. Its own process, so a hang fails the timeout."""
    import os
    import subprocess
    import sys

    from conftest import REPO_ROOT

    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\n'})
    os.mkfifo(repo.path / "versions.yaml")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tasks")}
    done = subprocess.run([sys.executable, "-m", "releasekit.cli", "release.get", "versions.yaml", "a.b"],
                          cwd=repo.path, env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "releasekit: error: versions.yaml: not a regular file (a FIFO); releasekit reads only "
        "regular files\n"
    )


def test_a_duplicate_json_key_is_named_with_its_line_not_called_invalid_yaml(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """json.loads keeps the last of two equal keys, other readers the first: the file is
    ambiguous, and the error says so — it is not "not valid YAML" (it is not YAML at all)."""
    text = '{\n  "name": "demo",\n  "version": "0.1.7",\n  "version": "0.1.8"\n}\n'
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\n', "package.json": text})
    result = cli("release.get", "package.json", "version", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: package.json:4: duplicate key 'version' (in the mapping at line 1); "
        "readers disagree on which value counts — keep one\n"
    )
