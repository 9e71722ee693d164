"""releasekit init on repositories shaped like the seed layouts (tests/fixtures/init/).

Each layout is copied into a real git repository and tagged as its project tags; init's
releasekit.yaml must equal the golden file beside it, and verify.versions must pass on it at
the current release tag. RELEASEKIT_UPDATE_GOLDENS=1 rewrites the goldens (then review the diff).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, Repo

LAYOUTS = FIXTURES / "init"
# layout -> (tags on the first commit, tags on the commit with the layout, commits after it)
HISTORY: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    "operator": (("v0.1.6",), ("v0.1.7",), 0),  # seed 000
    "changelog-driven": (("v0.1.6",), ("v0.1.7",), 1),  # seed 001
    "generated-changelog": ((), ("v0.1.7",), 0),  # seed 002
    "calver-suite": (  # seed 003: module tags beside CalVer suite tags with a channel
        ("suite-2025.10-stable", "module-authority-v1.2.2"),
        ("module-authority-v1.2.3", "module-scanner-v1.4.0", "suite-2026.04-nova"),
        0,
    ),
    "go-multi-module": (  # seed 004: Go submodule tags beside the release tag
        ("v0.8.0-alpha.1", "src/cloud-api-adaptor/v0.8.0-alpha.1"),
        ("v0.8.0", *(f"src/{m}/v0.8.0" for m in ("cloud-api-adaptor", "webhook"))),
        0,
    ),
}
# The remote each project pushes to (the forge: section comes from it).
REMOTES = {
    "operator": "https://github.com/kubeopencode/kubeopencode.git",
    "changelog-driven": "git@github.com:example/kruntimes.git",
    "generated-changelog": "https://github.com/openbao/openbao-operator",
    "calver-suite": "https://git.stella-ops.org/stella-ops.org/git.stella-ops.org.git",
    "go-multi-module": "ssh://git@github.com/confidential-containers/cloud-api-adaptor.git",
}


def layout_repo(make_repo, name: str) -> Repo:
    before, at, after = HISTORY[name]
    repo = make_repo(name=name)
    repo.git("remote", "add", "origin", REMOTES[name])
    for tag in before:
        repo.git("tag", "-a", tag, "-m", f"Release {tag}")
    shutil.copytree(LAYOUTS / name, repo.path, dirs_exist_ok=True)
    repo.commit("chore: the layout")
    for tag in at:
        repo.git("tag", "-a", tag, "-m", f"Release {tag}")
    for n in range(after):
        repo.commit(f"feat: change {n} after the release")
    return repo


@pytest.mark.parametrize("name", sorted(HISTORY))
def test_init_writes_the_golden_config_and_verify_versions_passes(make_repo, cli, name) -> None:
    repo = layout_repo(make_repo, name)
    tag = next(t for t in HISTORY[name][1] if t.startswith(("v", "suite-")))
    result = cli("init", cwd=repo.path)
    assert (result.code, result.err) == (0, ""), result.err
    written = (repo.path / "releasekit.yaml").read_text(encoding="utf-8")
    golden = LAYOUTS / f"{name}.releasekit.yaml"
    if os.environ.get("RELEASEKIT_UPDATE_GOLDENS") == "1":
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")
    assert result.lines[-1] == f"next: releasekit verify.versions --tag {tag}"
    check = cli("verify.versions", "--tag", tag, cwd=repo.path)
    assert check.code == 0, check.out + check.err
    assert check.lines and all(line.endswith(" OK") for line in check.lines)


def test_init_report_says_what_it_found_and_left_out(make_repo, cli) -> None:
    repo = layout_repo(make_repo, "operator")
    result = cli("init", cwd=repo.path)
    assert result.code == 0
    assert "found  Makefile:6: VERSION ?= 0.1.7" in result.lines
    assert "found  charts/kubeopencode/Chart.yaml: appVersion v0.1.7" in result.lines
    assert "found  CLAUDE.md:5: - **Version**: v0.1.7" in result.lines
    assert "found  .github/workflows/release.yaml runs on tags v*" in result.lines
    assert "found  image quay.io/kubeopencode/kubeopencode:{tag} (charts/kubeopencode)" in (
        result.lines
    )
    assert (
        "left out  image quay.io/brancz/kube-rbac-proxy:v0.18.1 is pinned in "
        "charts/kubeopencode/values.yaml, not released with it (helm.charts allow:)"
    ) in result.lines
    assert "wrote releasekit.yaml (5 version files at v0.1.7)" in result.lines


def test_init_config_passes_the_chart_checks_at_the_tag(make_repo, cli, helm_sdk) -> None:
    """The chart entries (app_version, registries, allow) and the CRD pair init wrote hold
    for the real chart, rendered by Helm."""
    repo = layout_repo(make_repo, "operator")
    assert cli("init", cwd=repo.path).code == 0
    rendered = cli("verify.helm-template", "--tag", "v0.1.7", "--engine", "sdk", cwd=repo.path)
    assert rendered.code == 0, rendered.out + rendered.err
    assert "quay.io/kubeopencode/kubeopencode:v0.1.7" in rendered.out
    synced = cli("verify.chart-sync", cwd=repo.path)
    assert synced.code == 0, synced.out + synced.err


def test_init_dry_run_prints_the_config_and_writes_nothing(make_repo, cli) -> None:
    repo = layout_repo(make_repo, "changelog-driven")
    before = repo.snapshot()
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    golden = (LAYOUTS / "changelog-driven.releasekit.yaml").read_text(encoding="utf-8")
    assert result.out.startswith(golden)
    assert result.lines[-2:] == [
        "would write releasekit.yaml (4 version files at v0.1.7)",
        "dry run: nothing was written",
    ]
    assert repo.snapshot() == before


def test_init_never_overwrites_a_config(make_repo, cli) -> None:
    repo = layout_repo(make_repo, "operator")
    repo.commit("chore: config", {"releasekit.yaml": "tag_format: 'v{version}'\n"})
    before = repo.snapshot()
    for extra in ((), ("--dry-run",)):
        result = cli("init", *extra, cwd=repo.path)
        assert (result.code, result.out) == (1, "")
        assert result.err == (
            f"releasekit: error: releasekit.yaml already exists in {repo.path}; init never "
            "overwrites it — move it aside (mv releasekit.yaml releasekit.yaml.old) and run "
            "releasekit init again, then compare the two\n"
        )
    assert repo.snapshot() == before


def test_init_without_a_release_tag_says_how_to_name_one(make_repo, cli) -> None:
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n"})
    result = cli("init", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        f"releasekit: error: {repo.path}: no release tag (v0.1.7 or 0.1.7) is reachable from "
        "HEAD; tag the current release first, or name it: releasekit init --tag v0.1.7\n"
    )
    named = cli("init", "--tag", "v0.1.0", cwd=repo.path)
    assert named.code == 0, named.err
    written = (repo.path / "releasekit.yaml").read_text(encoding="utf-8")
    assert (
        "\nversion_files:\n  # Makefile:1: VERSION ?= 0.1.0\n  - path: Makefile\n"
        '    pattern: "VERSION ?= {version}"\n'
    ) in written
    assert "left out  remote origin is not set, so no forge: section" in named.lines


def test_init_outside_a_repository_is_a_clear_error(tmp_path: Path, cli) -> None:
    result = cli("init", cwd=tmp_path)
    assert result.code == 1
    assert result.err == (
        f"releasekit: error: {tmp_path} is not inside a git repository; run releasekit from "
        "your project\n"
    )


def test_init_on_module_tags_without_a_suite_says_what_it_found_and_writes_nothing(
    make_repo, cli
) -> None:
    """Seed 003's module tags alone: no release of the whole repository to check."""
    repo = make_repo(name="modules")
    for tag in ("module-authority-v1.2.3", "module-scanner-v1.4.0"):
        repo.git("tag", "-a", tag, "-m", tag)
    before = repo.snapshot()
    result = cli("init", cwd=repo.path)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"releasekit: error: {repo.path}: no release tag (v0.1.7 or 0.1.7) is reachable from "
        "HEAD; found module tags (module-scanner-v1.4.0: tag_format "
        "'module-{module}-v{version}') but no suite tag (suite-2026.04), whose versions init "
        "cannot check against version files (verify.versions takes one release); write "
        "releasekit.yaml from releasekit --print-template releasekit.yaml (docs/tags.md: tag "
        "schemes)\n"
    )
    assert repo.snapshot() == before


def test_init_on_a_calver_suite_reports_the_suite_its_modules_and_images(make_repo, cli) -> None:
    """Seed 003 (StellaOps): the newest suite tag is the release; module tags are the
    modules' own; each module with a Dockerfile is an image with version, channel and latest."""
    repo = layout_repo(make_repo, "calver-suite")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    for line in (
        "found  charts/stellaops/Chart.yaml: version 2026.4.0",
        "found  charts/stellaops/Chart.yaml: appVersion 2026.04",
        "found  README.md:3: Current suite: 2026.04 (Nova). Suite releases: see docs/releases.md.",
        "left out  3 module tags of 2 modules (module-scanner-v1.4.0): their versions are the "
        "modules' own, not the suite's",
        "found  image git.stella-ops.org/stella-ops.org/authority (src/Authority)",
        "found  remote origin is git.stella-ops.org/stella-ops.org/git.stella-ops.org and "
        ".gitea/workflows run there (Gitea/Forgejo)",
        "found  .gitea/workflows/release-suite.yml runs on tags suite-*",
        "left out  .gitea/workflows/module-publish.yml runs on tags module-*-v* (not on "
        "suite-2026.04-nova: check tag_format)",
        "would write releasekit.yaml (3 version files at suite-2026.04-nova)",
    ):
        assert line in result.lines, line
    stable = cli("init", "--tag", "suite-2025.10-stable", "--dry-run", cwd=repo.path)
    assert stable.code == 0, stable.err
    assert "  versioning: calver\n  # Default channel" in stable.out
    assert "  channel: stable\n" in stable.out


def test_verify_versions_on_a_calver_suite_names_the_mismatch(make_repo, cli) -> None:
    """The suite's version files after init: a chart left at the last suite is a mismatch at
    the new suite tag, named in both spellings (2026.04 and Helm's 2026.4.0)."""
    repo = layout_repo(make_repo, "calver-suite")
    assert cli("init", cwd=repo.path).code == 0
    repo.commit("chore: the next suite", {"README.md": "Current suite: 2026.10 (Orion).\n"})
    repo.git("tag", "-a", "suite-2026.10-orion", "-m", "suite 2026.10")
    check = cli("verify.versions", "--tag", "suite-2026.10-orion", cwd=repo.path)
    assert check.code == 3, check.out + check.err
    assert check.lines[:3] == [
        "README.md:1 suite: 2026.10 (expected 2026.10) OK",
        "charts/stellaops/Chart.yaml:3 version: 2026.4.0 (expected 2026.10) MISMATCH",
        "charts/stellaops/Chart.yaml:4 appVersion: 2026.04 (expected 2026.10) MISMATCH",
    ]
    by_version = cli("verify.versions", "--version", "2026.04", cwd=repo.path)
    assert by_version.code == 3  # the README moved on
    assert "charts/stellaops/Chart.yaml:4 appVersion: 2026.04 (expected 2026.04) OK" in (
        by_version.lines
    )


def test_init_in_a_repository_without_commits_says_so(tmp_path: Path, cli) -> None:
    from conftest import git

    git(tmp_path, "init", "-q", "-b", "main")
    for argv in (("init",), ("init", "--tag", "v0.1.0")):
        result = cli(*argv, cwd=tmp_path)
        assert (result.code, result.err) == (
            1,
            f"releasekit: error: {tmp_path} has no commits yet; commit the project and tag "
            "its current release first (git tag -a v0.1.7 -m 'Release v0.1.7')\n",
        )
    assert not (tmp_path / "releasekit.yaml").exists()


def test_init_never_reads_a_tracked_symlink_that_leads_outside(make_repo, cli, tmp_path) -> None:
    """CHANGELOG.md -> a file outside the repository: init does not read it (nor propose a
    changelog: section every later command would refuse)."""
    outside = tmp_path / "outside.md"
    outside.write_text("# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- x\n")
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n"})
    (repo.path / "CHANGELOG.md").symlink_to(outside)
    repo.commit("chore: the changelog link")
    repo.git("tag", "-a", "v0.1.0", "-m", "Release v0.1.0")
    result = cli("init", cwd=repo.path)
    assert result.code == 0, result.err
    assert "changelog:" not in (repo.path / "releasekit.yaml").read_text(encoding="utf-8")


def test_init_docs_patterns_hold_no_version_so_they_survive_the_bump(make_repo, cli) -> None:
    """A docs line with the version twice (a compatibility table row) or after an older one:
    the pattern of each token is the text before it up to the last version-like literal, so
    after release.bump the same patterns still find every token (reviewer finding)."""
    readme = (
        "# kruntimes\n\n"
        "| krt | controller |\n|---|---|\n"
        "| kruntimes | 0.1.7 | 0.1.7 |\n\n"
        "Upgrade from 0.1.6 to 0.1.7 with helm upgrade.\n"
    )
    repo = make_repo({"README.md": readme})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    result = cli("init", cwd=repo.path)
    assert result.code == 0, result.err
    written = (repo.path / "releasekit.yaml").read_text(encoding="utf-8")
    patterns = re.findall(r'pattern: "(.*)"', written)
    assert patterns == ["kruntimes | {version}", "to {version}"]
    assert all(not re.search(r"\d\.\d", p) for p in patterns)
    assert (
        "left out  README.md:5: | kruntimes | 0.1.7 | 0.1.7 |: nothing but versions before it "
        "to anchor a pattern; if it must follow each release, write one by hand"
    ) in result.lines
    bumped = cli("release.bump", "0.1.8", "--date", "2026-02-01", cwd=repo.path)
    assert bumped.code == 0, bumped.out + bumped.err
    check = cli("verify.versions", "--tag", "v0.1.8", cwd=repo.path)
    assert check.code == 0, check.out + check.err
    assert "Upgrade from 0.1.6 to 0.1.8" in (repo.path / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "files", "said"),
    [
        ("git@github.com:acme/krt.git", {}, "found  remote origin is github.com/acme/krt"),
        (
            "https://x-access-token:ghp_secret123@github.com/acme/krt",
            {},
            "found  remote origin is github.com/acme/krt",
        ),
        (
            "ssh://git@codeberg.org:2222/acme/krt.git",
            {".forgejo/workflows/ci.yml": "on: push\n"},
            "found  remote origin is codeberg.org/acme/krt and .gitea/workflows run there "
            "(Gitea/Forgejo)",
        ),
        (  # Review: an unencoded @ in the password left "secret-..." in the host
            "https://ci:p@ss-secret9@github.com/acme/krt.git",
            {},
            "found  remote origin is github.com/acme/krt",
        ),
        (
            "https://gitlab.com/acme/krt.git",
            {},
            "left out  remote origin is gitlab.com/acme/krt: neither github.com nor a "
            "Gitea/Forgejo host (.gitea/workflows), so no forge: section",
        ),
    ],
)
def test_init_forge_from_the_remote_never_prints_its_credentials(
    make_repo, cli, url: str, files: dict[str, str], said: str
) -> None:
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n", **files})
    repo.git("remote", "add", "origin", url)
    repo.git("tag", "-a", "v0.1.0", "-m", "Release v0.1.0")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert said in result.lines
    assert "secret" not in result.out + result.err
    if said.startswith("found"):
        kind = "gitea" if files else "github"
        assert (
            f"forge:\n  # github (also GitHub Enterprise) or gitea (also Forgejo)\n  kind: {kind}\n"
            in (result.out)
        )


def test_init_commented_sections_uncommented_are_a_valid_config(make_repo, cli) -> None:
    """The notes default and the artifacts read from workflow lines are written commented
    out; taking the "# " off their lines gives a config every task loads."""
    repo = layout_repo(make_repo, "calver-suite")
    assert cli("init", cwd=repo.path).code == 0
    text = (repo.path / "releasekit.yaml").read_text(encoding="utf-8")
    assert "\n# artifacts:\n#   # The GNU sha256sum checksums file" in text
    assert '#   checksums: "SHA256SUMS-{version}.txt"\n' in text
    uncommented = re.sub(
        r"(?m)^# (?:artifacts|notes):\n(?:# .*\n)*",
        lambda block: re.sub(r"(?m)^# ", "", block[0]),
        text,
    )
    assert "\nartifacts:\n" in uncommented and "\nnotes:\n  outline: highlights" in re.sub(
        r"\n\s*#[^\n]*", "", uncommented
    )
    (repo.path / "releasekit.yaml").write_text(uncommented, encoding="utf-8")
    check = cli("verify.versions", "--tag", "suite-2026.04-nova", cwd=repo.path)
    assert check.code == 0, check.out + check.err
    listed = cli("verify.assets", "--tag", "suite-2026.04-nova", "--print", cwd=repo.path)
    assert listed.lines == ["SHA256SUMS-2026.04.txt", "SHA256SUMS-2026.04.txt.sigstore.json"]


def test_init_goreleaser_names_it_cannot_spell_are_left_out(make_repo, cli) -> None:
    config = (
        "project_name: krt\narchives:\n  - name_template: >-\n"
        "      {{ .ProjectName }}_{{ .Version }}_{{ title .Os }}_"
        '{{ if eq .Arch "amd64" }}x86_64{{ else }}{{ .Arch }}{{ end }}\n'
    )
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n", ".goreleaser.yaml": config})
    repo.git("tag", "-a", "v0.1.0", "-m", "Release v0.1.0")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert (
        "left out  .goreleaser.yaml: name templates releasekit cannot spell (only .ProjectName "
        ".Version .Tag .Os .Arch) or no platforms, so no artifacts: section"
    ) in result.lines
    assert "\nartifacts:" not in result.out


def test_init_goreleaser_detached_signatures_are_not_taken_for_bundles(make_repo, cli) -> None:
    """goreleaser's default cosign signature is a detached ${artifact}.sig: the archives and
    checksums are written, the signing is left for the user (releasekit verifies bundles)."""
    config = "project_name: krt\nsigns:\n  - cmd: cosign\n    artifacts: checksum\n"
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n", ".goreleaser.yaml": config})
    repo.git("tag", "-a", "v0.1.0", "-m", "Release v0.1.0")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert (
        "left out  .goreleaser.yaml: cosign signs write {file}.sig, not a Sigstore bundle "
        "(--bundle): add artifacts.signing by hand"
    ) in result.lines
    assert '  checksums: "krt_{version}_checksums.txt"\n' in result.out
    assert '    name: "krt_{version}_{os}_{arch}.{ext}"\n' in result.out
    assert "signing:" not in result.out


def test_init_suite_config_passes_the_chart_checks_at_the_suite_tag(
    make_repo, cli, helm_sdk
) -> None:
    """The chart of a CalVer suite: verify.chart reads suite-2026.04-nova (appVersion 2026.04,
    the chart version bumped since suite-2025.10-stable) and Helm renders it; a chart left at
    the last suite is named at the next suite tag."""
    repo = layout_repo(make_repo, "calver-suite")
    assert cli("init", cwd=repo.path).code == 0
    chart = cli("verify.chart", "--tag", "suite-2026.04-nova", cwd=repo.path)
    assert chart.code == 0, chart.out + chart.err
    assert "charts/stellaops/Chart.yaml: appVersion 2026.04 matches suite-2026.04-nova" in chart.out
    rendered = cli("verify.helm-template", "--tag", "suite-2026.04-nova", "--engine", "sdk",
                   cwd=repo.path)  # fmt: skip
    assert rendered.code == 0, rendered.out + rendered.err
    for module in ("authority", "scanner"):
        assert f"git.stella-ops.org/stella-ops.org/{module}:2026.04" in rendered.out
    repo.git("tag", "-a", "suite-2026.10", "-m", "suite 2026.10")
    later = cli("verify.chart", "--tag", "suite-2026.10", cwd=repo.path)
    assert later.code == 3, later.out + later.err
    assert "appVersion 2026.04 does not match the release (expected 2026.10)" in later.out


@pytest.mark.parametrize(
    "config",
    [
        "archives: [x]\nbuilds: abc\n",
        "builds:\n  - goos: linux\n    goarch: {a: 1}\n    ignore: [1, {goos: [x]}]\n",
        "archives:\n  - formats: [{x: 1}]\n    format_overrides: 5\nchecksum: []\n",
        "archives:\n  - format_overrides: [{goos: [windows], format: zip}, {goos: windows}]\n",
        "signs: cosign\nproject_name: [a, b]\n",
        "- just\n- a list\n",
        "builds:\n  - goos: [darwin]\n    goarch: ['386']\n",  # nothing Go can build
    ],
)
def test_init_survives_any_goreleaser_config_and_writes_a_valid_one(
    make_repo, cli, config: str
) -> None:
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0\n", ".goreleaser.yaml": config})
    repo.git("tag", "-a", "v0.1.0", "-m", "Release v0.1.0")
    result = cli("init", cwd=repo.path)
    assert (result.code, result.err) == (0, ""), result.err
    check = cli("verify.versions", "--tag", "v0.1.0", cwd=repo.path)
    assert check.code == 0, check.out + check.err


def test_init_beside_semver_tags_says_it_left_the_suite_tags_out(make_repo, cli) -> None:
    """Review: a repository with v0.1.7 and (newer) CalVer suite tags got a SemVer config and
    not a word about the suite tags; init says which it chose and how to pick the suite."""
    repo = make_repo({"Makefile": "VERSION ?= 0.1.7\n"})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.git("tag", "-a", "suite-2026.04-nova", "-m", "Suite 2026.04")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert (
        "left out  1 CalVer suite tags (suite-2026.04-nova) beside the SemVer tags; this config "
        "is for v0.1.7 — for the suite: releasekit init --tag suite-2026.04-nova"
    ) in result.lines
    assert "would write releasekit.yaml (1 version files at v0.1.7)" in result.lines


def test_init_on_pre_release_tags_only_takes_the_newest_pre_release(make_repo, cli) -> None:
    """Review: only v0.1.0-rc.1 reachable was an internal error (StopIteration)."""
    repo = make_repo({"Makefile": "VERSION ?= 0.1.0-rc.1\n"})
    repo.git("tag", "-a", "v0.1.0-rc.1", "-m", "Release v0.1.0-rc.1")
    result = cli("init", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert "would write releasekit.yaml (1 version files at v0.1.0-rc.1)" in result.lines


def test_init_at_a_tag_that_is_not_there_says_so_and_still_writes_for_it(make_repo, cli) -> None:
    """Review: `init --tag v0.1.8` (a typo, or before the first tag) wrote a config "at" a tag
    the repository does not have, without a word. Allowed, never silent."""
    repo = make_repo({"Makefile": "VERSION ?= 0.1.8\n"})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    result = cli("init", "--tag", "v0.1.8", "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert (
        "left out  v0.1.8 is not a tag here; the config reads the files at HEAD as v0.1.8 — check "
        "the spelling, or tag the release (git tag -a v0.1.8 -m 'Release v0.1.8')"
    ) in result.lines
    assert "would write releasekit.yaml (1 version files at v0.1.8)" in result.lines
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("chore: elsewhere")
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    repo.git("checkout", "-q", "-")
    result = cli("init", "--tag", "v0.1.8", "--dry-run", cwd=repo.path)
    assert "left out  v0.1.8 is not reachable from HEAD; the config reads the files at HEAD as " \
        "v0.1.8 — check the spelling, or tag the release (git tag -a v0.1.8 -m 'Release v0.1.8')" \
        in result.lines  # fmt: skip
    assert not (repo.path / "releasekit.yaml").exists()
