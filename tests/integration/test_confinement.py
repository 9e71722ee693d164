"""Symlink escapes for every writer: a link out of the work tree (to a file, or a directory) is
refused with the link and its target named, and nothing inside or outside changes; a link
inside the repository is edited through and stays a link (no typechange in the commit)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
CHANGELOG = (
    "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a feature\n\n"
    "## [0.1.7] - 2026-01-02\n\n### Added\n\n- the start\n"
)
CHART = "apiVersion: v2\nname: other\nversion: 0.1.0\n"
FILES_CONFIG = 'version_files:\n  - path: Makefile\n    pattern: "VERSION ?= {version}"\n'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory of another project, next to the repositories: it must never change."""
    other = tmp_path / "elsewhere"
    (other / "ext").mkdir(parents=True)
    (other / "x.md").write_text("DEMO_VERSION=0.1.7\n")
    (other / "ext" / "y.md").write_text("DEMO_VERSION=0.1.7\n")
    (other / "CHANGELOG.md").write_text(CHANGELOG)
    (other / "chart").mkdir()
    (other / "chart" / "Chart.yaml").write_text(CHART)
    (other / "upgrading.md").write_text("# Upgrading\n")
    return other


def _tree(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def _refused(result: CliResult, link: str, target: Path) -> None:
    assert result.code == 1, (result.out, result.err)
    assert f"{link} is a symlink to {target}" in result.err, result.err
    assert "outside the repository" in result.err and "nothing was changed" in result.err


def _repo_with_link(
    make_repo: Callable[..., Repo], files: dict[str, str], link: str, target: Path
) -> Repo:
    repo = make_repo({"Makefile": "VERSION ?= 0.1.7\n", **files})
    (repo.path / link).parent.mkdir(parents=True, exist_ok=True)
    (repo.path / link).symlink_to(target)
    repo.commit("add the link")
    return repo


DOCS_CONFIG = FILES_CONFIG + '  - path: "GLOB"\n    pattern: "DEMO_VERSION={version}"\n'


@pytest.mark.parametrize(
    ("link", "points_to", "glob"),
    [
        ("docs/x.md", "x.md", "docs/*.md"),  # a file link out, found by a glob
        ("docs/x.md", "x.md", "docs/x.md"),  # ... named as a plain path
        ("docs/ext", "ext", "docs/*/*.md"),  # a directory link out
        ("docs/ext", "ext", "docs/ext/y.md"),
    ],
)
@pytest.mark.parametrize("task", ["release.bump", "release.prepare"])
def test_version_file_through_a_link_out_is_refused(
    make_repo: Callable[..., Repo],
    cli: Cli,
    outside: Path,
    task: str,
    link: str,
    points_to: str,
    glob: str,
) -> None:
    files = {
        "releasekit.yaml": DOCS_CONFIG.replace("GLOB", glob),
        "docs/in.md": "DEMO_VERSION=0.1.7\n",
    }
    repo = _repo_with_link(make_repo, files, link, outside / points_to)
    before, elsewhere = repo.snapshot(), _tree(outside)
    result = cli(
        task, "0.1.8", *(["--offline"] if task == "release.prepare" else []), cwd=repo.path
    )
    _refused(result, link, outside / points_to)
    assert "updated" not in result.out
    assert (repo.snapshot(), _tree(outside)) == (before, elsewhere)
    assert repo.git("symbolic-ref", "--short", "HEAD").strip() == "main"
    assert repo.git("branch", "--list").split() == ["*", "main"]


@pytest.mark.parametrize(("link", "points_to"), [("CHANGELOG.md", "CHANGELOG.md"), ("docs", ".")])
def test_changelog_release_through_a_link_out_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path, link: str, points_to: str
) -> None:
    path = "CHANGELOG.md" if link == "CHANGELOG.md" else "docs/CHANGELOG.md"
    config = f"changelog:\n  path: {path}\n"
    repo = _repo_with_link(make_repo, {"releasekit.yaml": config}, link, outside / points_to)
    before, elsewhere = repo.snapshot(), _tree(outside)
    result = cli("changelog.release", "0.1.8", "--date", "2026-11-21", cwd=repo.path)
    _refused(result, link, (outside / points_to).resolve())
    assert (repo.snapshot(), _tree(outside)) == (before, elsewhere)


@pytest.mark.parametrize(("link", "points_to"), [("CHANGELOG.md", "CHANGELOG.md"), ("out", ".")])
def test_changelog_output_through_a_link_out_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path, link: str, points_to: str
) -> None:
    repo = _repo_with_link(make_repo, {}, link, outside / points_to)
    repo.commit("feat: something new")
    before, elsewhere = repo.snapshot(), _tree(outside)
    output = "CHANGELOG.md" if link == "CHANGELOG.md" else "out/CHANGELOG.md"
    result = cli("changelog", "--output", output, cwd=repo.path)
    _refused(result, link, (outside / points_to).resolve())
    assert (repo.snapshot(), _tree(outside)) == (before, elsewhere)


def _linked_changelog_repo(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo(
        {
            "releasekit.yaml": FILES_CONFIG + "changelog:\n  path: CHANGELOG.md\n",
            "Makefile": "VERSION ?= 0.1.7\n",
            "docs/CHANGELOG.md": CHANGELOG,
        }
    )
    (repo.path / "CHANGELOG.md").symlink_to("docs/CHANGELOG.md")
    repo.commit("chore: link the changelog")
    repo.git("tag", "v0.1.7")
    return repo


def test_changelog_release_edits_an_in_repo_link_through_and_keeps_it(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = _linked_changelog_repo(make_repo)
    result = cli("changelog.release", "0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert result.code == 0, result.err
    assert os.readlink(repo.path / "CHANGELOG.md") == "docs/CHANGELOG.md"
    assert "## [0.1.8] - 2026-11-21" in (repo.path / "docs/CHANGELOG.md").read_text()
    assert repo.git("status", "--porcelain") == " M docs/CHANGELOG.md\n"


def test_changelog_output_edits_an_in_repo_link_through_and_keeps_it(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = _linked_changelog_repo(make_repo)
    repo.commit("feat: a generated entry")
    # The linked file's Unreleased holds a hand-written entry: replacing it is asked for.
    result = cli("changelog", "--output", "CHANGELOG.md", "--replace-unreleased", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == ["updated docs/CHANGELOG.md"]
    assert os.readlink(repo.path / "CHANGELOG.md") == "docs/CHANGELOG.md"
    assert "- A generated entry" in (repo.path / "docs/CHANGELOG.md").read_text()
    assert repo.git("status", "--porcelain") == " M docs/CHANGELOG.md\n"


def test_changelog_output_creates_a_dangling_in_repo_link_target(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"docs/README.md": "docs\n"})
    (repo.path / "CHANGELOG.md").symlink_to("docs/CHANGELOG.md")
    repo.commit("feat: first")
    result = cli("changelog", "--output", "CHANGELOG.md", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == ["created docs/CHANGELOG.md"]
    assert (repo.path / "CHANGELOG.md").is_symlink()
    assert (repo.path / "docs/CHANGELOG.md").read_text().startswith("# Changelog")


def test_prepare_commits_a_linked_changelog_without_a_typechange(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = _linked_changelog_repo(make_repo)
    result = cli("release.prepare", "0.1.8", "--offline", "--date", "2026-11-21", cwd=repo.path)
    assert result.code == 0, result.err
    assert "updated CHANGELOG.md" in result.lines
    changed = repo.git("show", "--name-status", "--format=", "HEAD").split("\n")
    assert sorted(filter(None, changed)) == ["M\tMakefile", "M\tdocs/CHANGELOG.md"]
    assert os.readlink(repo.path / "CHANGELOG.md") == "docs/CHANGELOG.md"
    assert repo.git("status", "--porcelain") == ""


@pytest.mark.parametrize("how", ["relative", "absolute", "link", "file link"])
def test_bump_chart_outside_the_repository_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path, how: str
) -> None:
    repo = make_repo({"charts/in/Chart.yaml": CHART.replace("other", "in")})
    if how == "link":
        (repo.path / "charts/ext").symlink_to(outside / "chart")
        repo.commit("vendor a chart by link")
    if how == "file link":
        (repo.path / "charts/ext").mkdir()
        (repo.path / "charts/ext/Chart.yaml").symlink_to(outside / "chart/Chart.yaml")
        repo.commit("vendor a Chart.yaml by link")
    chart = {
        "relative": "../elsewhere/chart",
        "absolute": str(outside / "chart"),
        "link": "charts/ext",
        "file link": "charts/ext",
    }[how]
    before, elsewhere = repo.snapshot(), _tree(outside)
    result = cli("release.bump-chart", chart, "0.2.0", cwd=repo.path)
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    if how == "link":
        _refused(result, "charts/ext", outside / "chart")
    elif how == "file link":
        _refused(result, "charts/ext/Chart.yaml", outside / "chart/Chart.yaml")
    else:
        assert f"chart {chart} is outside the repository ({repo.path})" in result.err
    assert (repo.snapshot(), _tree(outside)) == (before, elsewhere)


def test_bump_chart_takes_an_absolute_path_inside_the_repository(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"charts/in/Chart.yaml": CHART.replace("other", "in")})
    result = cli("release.bump-chart", str(repo.path / "charts/in"), "0.2.0", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        "charts/in/Chart.yaml: version 0.1.0 -> 0.2.0",
        "bumped in 0.1.0 -> 0.2.0 in 1 files",
    ]


@pytest.mark.parametrize(
    ("link", "points_to"), [("docs/upgrading.md", "upgrading.md"), ("docs", ".")]
)
def test_crd_history_add_through_a_link_out_is_refused(
    example_repo: Repo, cli: Cli, outside: Path, link: str, points_to: str
) -> None:
    if link == "docs":
        for name in os.listdir(example_repo.path / "docs"):
            (outside / name).write_bytes((example_repo.path / "docs" / name).read_bytes())
        for name in os.listdir(example_repo.path / "docs"):
            (example_repo.path / "docs" / name).unlink()
        (example_repo.path / "docs").rmdir()
    else:
        (outside / "upgrading.md").write_bytes((example_repo.path / link).read_bytes())
        (example_repo.path / link).unlink()
    (example_repo.path / link).symlink_to(outside / points_to)
    example_repo.commit("docs elsewhere")
    before, elsewhere = example_repo.snapshot(), _tree(outside)
    result = cli(
        "docs.crd-history", "--add", "v0.1.8", "--crd-changes", "yes", "--description", "x",
        cwd=example_repo.path,
    )  # fmt: skip
    _refused(result, link, (outside / points_to).resolve())
    assert (example_repo.snapshot(), _tree(outside)) == (before, elsewhere)


def test_chart_crd_directory_through_a_link_out_is_refused(
    example_repo: Repo, cli: Cli, outside: Path
) -> None:
    crds = example_repo.path / "charts/demo-operator/crds"
    (outside / "crds").mkdir()
    for item in crds.iterdir():
        (outside / "crds" / item.name).write_bytes(item.read_bytes())
        item.unlink()
    crds.rmdir()
    crds.symlink_to(outside / "crds")
    example_repo.commit("crds elsewhere")
    result = cli("verify.chart-sync", cwd=example_repo.path)
    _refused(result, "charts/demo-operator/crds", outside / "crds")


def test_supersede_through_a_notes_directory_link_out_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path
) -> None:
    repo = make_repo()
    (repo.path / "release-notes").symlink_to(outside)
    repo.commit("notes elsewhere")
    repo.git("tag", "-a", "v0.3.1", "-m", "Release v0.3.1")
    repo.commit("fix: the bad artifact")
    repo.git("tag", "-a", "v0.3.2", "-m", "Release v0.3.2")
    before, elsewhere = repo.snapshot(), _tree(outside)
    result = cli("release.supersede", "v0.3.1", "v0.3.2", cwd=repo.path)
    _refused(result, "release-notes", outside)
    assert (repo.snapshot(), _tree(outside)) == (before, elsewhere)


def test_supersede_note_file_link_out_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path
) -> None:
    repo = make_repo()
    (repo.path / "release-notes").mkdir()
    (repo.path / "release-notes/v0.3.1.superseded.md").symlink_to(outside / "x.md")
    repo.commit("a note elsewhere")
    repo.git("tag", "v0.3.1")
    repo.commit("fix")
    repo.git("tag", "v0.3.2")
    elsewhere = _tree(outside)
    result = cli("release.supersede", "v0.3.1", "v0.3.2", "--offline", cwd=repo.path)
    _refused(result, "release-notes/v0.3.1.superseded.md", outside / "x.md")
    assert _tree(outside) == elsewhere


@pytest.mark.parametrize(("link", "points_to"), [("dist/SUMS.txt", "x.md"), ("out", ".")])
def test_checksums_output_through_a_link_out_is_refused(
    make_repo: Callable[..., Repo], cli: Cli, outside: Path, link: str, points_to: str
) -> None:
    repo = make_repo({"dist/a.tar.gz": "a\n"})
    (repo.path / link).symlink_to(outside / points_to)
    elsewhere = _tree(outside)
    output = "dist/SUMS.txt" if link.startswith("dist") else "out/SUMS.txt"
    result = cli("release.checksums", "dist/*.tar.gz", "--output", output, cwd=repo.path)
    _refused(result, link, (outside / points_to).resolve())
    assert _tree(outside) == elsewhere


def test_checksums_output_through_an_in_repo_link_stays_a_link(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"dist/a.tar.gz": "a\n", "dist/SHA256SUMS.txt": "old\n"})
    (repo.path / "dist/SUMS.txt").symlink_to("SHA256SUMS.txt")
    result = cli(
        "release.checksums", "dist/*.tar.gz", "--output", "dist/SUMS.txt", "--force",
        cwd=repo.path,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert os.readlink(repo.path / "dist/SUMS.txt") == "SHA256SUMS.txt"
    assert (repo.path / "dist/SHA256SUMS.txt").read_text().endswith("  a.tar.gz\n")
