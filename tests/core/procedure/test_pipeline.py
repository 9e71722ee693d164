"""The declared procedures: built-in ones per seed shape, a repository's own steps, and the
config errors that name their line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo, git
from releasekit.core.common.errors import ConfigError
from releasekit.core.config import load_config
from releasekit.core.procedure.pipeline import PROCEDURES, procedure_of


@pytest.mark.parametrize("kind", sorted(PROCEDURES))
def test_each_built_in_procedure_is_selected_by_its_kind(tmp_path: Path, kind: str) -> None:
    (tmp_path / "releasekit.yaml").write_text(f"procedure:\n  kind: {kind}\n")
    names = tuple(s.name for s in procedure_of(load_config(tmp_path)))
    assert names == PROCEDURES[kind]  # type: ignore[index]


def test_without_a_section_the_operator_procedure_applies(tmp_path: Path) -> None:
    names = [s.name for s in procedure_of(load_config(tmp_path))]
    assert names == [
        "prepare", "pull-request", "merge", "tag", "images", "charts", "notes", "publish"
    ]  # fmt: skip


def test_steps_override_the_built_in_order(tmp_path: Path) -> None:
    (tmp_path / "releasekit.yaml").write_text(
        "procedure:\n  kind: go-modules\n  steps: [tag, go-tag]\n"
    )
    assert [s.name for s in procedure_of(load_config(tmp_path))] == ["tag", "go-tag"]


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "procedure:\n  steps: [tag, deploy]\n",
            "releasekit.yaml:2: procedure.steps[1] must be prepare, pins, pull-request, merge, tag, go-tag, images, promote, charts, assets, signatures, manifest, notes, publish, unpin or citation, got 'deploy'",
        ),
        ("procedure:\n  steps: [tag, tag]\n", "releasekit.yaml:2: procedure.steps lists tag twice"),
        (
            "procedure:\n  kind: monorepo\n",
            "releasekit.yaml:2: procedure.kind must be operator, go-modules, calver-suite, changelog-driven or promote, got 'monorepo'",
        ),
    ],
)
def test_a_wrong_procedure_is_an_error_at_its_line(tmp_path: Path, yaml: str, message: str) -> None:
    (tmp_path / "releasekit.yaml").write_text(yaml)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert str(caught.value) == message


def test_a_tag_only_procedure_tags_head_once_and_then_reports_done(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\nprocedure:\n  steps: [tag]\n'})
    bare = bare_remote(repo, "origin")
    before = cli("release.status", "--tag", "v2.1.0", cwd=repo.path)
    assert before.code == 0, before.err
    head = repo.git("rev-parse", "HEAD").strip()
    assert before.lines[-3:] == [
        "TODO     tag          v2.1.0 is not on origin",
        f"    would: tag v2.1.0 on {head[:12]} (HEAD)",
        "    would: git push --atomic origin refs/tags/v2.1.0",
    ]
    ran = cli("release.run", "--tag", "v2.1.0", cwd=repo.path)
    assert ran.code == 0, ran.err
    assert ran.lines == [f"APPLIED     tag          v2.1.0 is on origin at {head[:12]}",
                         f"    tagged v2.1.0 on {head[:12]} and pushed it to origin",
                         "v2.1.0: every step is done"]  # fmt: skip
    assert git(bare, "rev-list", "-n1", "v2.1.0").strip() == head
    after = cli("release.status", "--tag", "v2.1.0", cwd=repo.path)
    assert after.lines == [f"DONE     tag          v2.1.0 is on origin at {head[:12]}"]


def test_a_calver_suite_release_tags_head_with_its_codename_and_channel(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    config = ('tag_format: "suite-{version}[-{codename}][-{channel}]"\ntags:\n  versioning: calver\n'
              "procedure:\n  kind: calver-suite\n  steps: [tag]\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config})
    bare = bare_remote(repo, "origin")
    no_tag = cli("release.status", cwd=repo.path)
    assert no_tag.code == 2
    assert (
        no_tag.err.strip()
        == "releasekit: error: a CalVer release names its tag: pass --tag, e.g. suite-2026.04"
    )
    ran = cli("release.run", "--tag", "suite-2026.04-nova-lts", cwd=repo.path)
    assert ran.code == 0, ran.err
    assert ran.lines[-1] == "suite-2026.04-nova-lts: every step is done"
    assert git(bare, "tag", "--list") == "suite-2026.04-nova-lts\n"
    message = git(bare, "tag", "-l", "--format=%(contents:subject)", "suite-2026.04-nova-lts")
    assert message.strip() == "Release suite-2026.04-nova-lts"


def test_a_local_tag_on_a_commit_without_the_prepare_commit_is_a_conflict_never_pushed(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    """The release tag made here by hand on the wrong commit (the last release's) is not
    pushed by release.run: published tags are immutable, so it is refused before it is."""
    config = ('tag_format: "v{version}"\nversion_files:\n  - path: Makefile\n'
              '    pattern: "VERSION ?= {version}"\nprocedure:\n  steps: [prepare, merge, tag]\n')  # fmt: skip
    repo = make_repo({"releasekit.yaml": config, "Makefile": "VERSION ?= 0.1.7\n"})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    old = repo.commit("fix: a bug")
    bare = bare_remote(repo, "origin")
    ran = cli("release.run", "--tag", "v0.1.8", "--date", "2026-01-02", cwd=repo.path)
    assert "created release/v0.1.8" in ran.out, ran.err
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "release/v0.1.8", "-m", "Merge pull request #1")
    repo.git("push", "-q", "origin", "main")
    repo.git("tag", "-a", "v0.1.8", "-m", "by hand, on the wrong commit", old)
    status = cli("release.status", "--tag", "v0.1.8", cwd=repo.path)
    assert status.code == 3, status.out + status.err
    line = next(line for line in status.lines if " tag " in line)
    assert line.startswith(f"CONFLICT tag          v0.1.8 was made here at {old[:12]}, which ")
    assert "git tag -d v0.1.8" in line
    again = cli("release.run", "--tag", "v0.1.8", cwd=repo.path)
    assert again.code == 3, again.out + again.err
    assert "v0.1.8" not in git(bare, "tag", "--list")


def test_steps_whose_section_is_not_configured_are_skipped_never_done(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    steps = "[tag, pins, assets, signatures, manifest, unpin, citation]"
    repo = make_repo(
        {"releasekit.yaml": f'tag_format: "v{{version}}"\nprocedure:\n  steps: {steps}\n'}
    )
    bare_remote(repo, "origin")
    status = cli("release.status", "--tag", "v2.1.0", cwd=repo.path)
    assert status.code == 0, status.err
    verdicts = [line.split()[:2] for line in status.lines if line.split()[0] in ("TODO", "SKIPPED")]
    assert verdicts == [["TODO", "tag"], *(["SKIPPED", s] for s in
                        ("pins", "assets", "signatures", "manifest", "unpin", "citation"))]  # fmt: skip


CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- A thing users asked for.\n"


def test_the_changelog_driven_prepare_moves_the_changelog_or_says_to_configure_it(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    config = ('tag_format: "v{version}"\nversion_files:\n  - path: Makefile\n'
              '    pattern: "VERSION ?= {version}"\nprocedure:\n  kind: changelog-driven\n')  # fmt: skip
    repo = make_repo(
        {"releasekit.yaml": config, "Makefile": "VERSION ?= 0.1.7\n", "CHANGELOG.md": CHANGELOG}
    )
    bare_remote(repo, "origin")
    unset = cli("release.status", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert unset.code == 1
    (prepare,) = [r for r in json.loads(unset.out)["results"] if r["step"] == "prepare"]
    assert prepare["state"] == "unknown"
    assert prepare["reason"] == (
        "releasekit.yaml: the changelog-driven procedure moves the Unreleased entries into the "
        "release's section in the prepare commit; add changelog: {path: CHANGELOG.md}"
    )
    (repo.path / "releasekit.yaml").write_text(config + "changelog:\n  path: CHANGELOG.md\n")
    repo.commit("chore: the changelog")
    ran = cli(
        "release.run",
        "--tag",
        "v0.1.8",
        "--until",
        "prepare",
        "--date",
        "2026-01-02",
        cwd=repo.path,
    )
    assert ran.code == 0, ran.out + ran.err
    moved = repo.git("show", "release/v0.1.8:CHANGELOG.md")
    assert (
        "## [Unreleased]\n\n## [0.1.8] - 2026-01-02\n\n### Added\n\n- A thing users asked for.\n"
        in moved
    )
    assert repo.git("show", "--format=", "--name-only", "release/v0.1.8").split() == [
        "CHANGELOG.md",
        "Makefile",
    ]


def test_a_release_tag_made_on_a_ci_build_tag_is_done_not_a_conflict(
    cli: Callable[..., CliResult],
    make_repo: Callable[..., Repo],
    bare_remote: Callable[[Repo, str], Path],
) -> None:
    """v2.1.0 tags the annotated build-7 tag (a tag of a tag): here and on the remote it names
    the same commit, so the step is done — not "on build-7's tag object here"."""
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\nprocedure:\n  steps: [tag]\n'})
    bare_remote(repo, "origin")
    head = repo.git("rev-parse", "HEAD").strip()
    repo.git("tag", "-a", "build-7", "-m", "CI build 7")
    repo.git(
        "-c", "advice.nestedTag=false", "tag", "-a", "v2.1.0", "-m", "Release v2.1.0", "build-7"
    )
    repo.git("push", "-q", "origin", "build-7", "v2.1.0")
    status = cli("release.status", "--tag", "v2.1.0", cwd=repo.path)
    assert status.code == 0, status.out + status.err
    assert status.lines == [f"DONE     tag          v2.1.0 is on origin at {head[:12]}"]
