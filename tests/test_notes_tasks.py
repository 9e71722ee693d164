"""release.notes through the real CLI: the previous release, --from, --output, templates, --json."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import CliResult, Repo
from releasekit.core.notes.previous import choose_previous
from releasekit.core.tags.schemes import TagScheme

Cli = Callable[..., CliResult]


@pytest.mark.parametrize(
    ("fmt", "new", "tags", "expected"),
    [
        ("v{version}", "v0.2.0", ["v0.1.0", "v0.2.0-rc.1", "src/x/v0.1.9", "demo-0.9.0"], "v0.1.0"),
        ("v{version}", "v0.2.0-rc.2", ["v0.1.0", "v0.2.0-rc.1"], "v0.2.0-rc.1"),
        ("v{version}", "v0.1.9", ["v0.1.8", "v0.2.0"], "v0.1.8"),  # a newer line is never "previous"
        ("module-{module}-v{version}", "module-authority-v1.3.0",
         ["module-authority-v1.2.3", "module-scanner-v1.2.9"], "module-authority-v1.2.3"),
        ("{dir}/v{version}", "src/a/v0.8.0", ["src/a/v0.7.0", "src/b/v0.7.9"], "src/a/v0.7.0"),
        ("v{version}", "v0.1.0", ["v0.1.0-rc.1"], None),  # no stable release before the first
    ],
)  # fmt: skip
def test_the_previous_release_follows_scheme_line_and_precedence(
    fmt: str, new: str, tags: list[str], expected: str | None
) -> None:
    scheme = TagScheme(fmt)
    found = choose_previous(scheme, scheme.require(new), "end", [(t, f"c-{t}") for t in tags])
    assert (found[0] if found else None) == expected


def test_calver_suites_ignore_codename_and_channel() -> None:
    scheme = TagScheme("suite-{version}[-{codename}][-{channel}]", "calver")
    tags = [("suite-2025.10-orion", "a"), ("suite-2026.04-nova-lts", "end")]
    found = choose_previous(scheme, scheme.require("suite-2026.04.1"), "end", tags)
    assert found == ("suite-2025.10-orion", "a")


@pytest.fixture
def released(make_repo: Callable[..., Repo]) -> Repo:
    repo = make_repo()
    repo.git("tag", "-a", "v0.1.0", "-m", "r")
    repo.git("switch", "-q", "-c", "side")
    repo.commit("fix: only on the side branch")
    repo.git("tag", "-a", "v0.1.1", "-m", "r")
    repo.git("switch", "-q", "main")
    repo.commit("feat: widgets (#3)")
    return repo


def test_from_must_be_an_ancestor(cli: Cli, released: Repo) -> None:
    result = cli("release.notes", "--tag", "v0.2.0", "--from", "v0.1.1", cwd=released.path)
    assert result.code == 1
    assert "--from v0.1.1 is not an ancestor of v0.2.0" in result.err
    missing = cli("release.notes", "--tag", "v0.2.0", "--from", "v9", cwd=released.path)
    assert "--from v9 does not name a commit" in missing.err


def test_an_untagged_release_covers_head_and_says_so(cli: Cli, released: Repo) -> None:
    result = cli("release.notes", "--tag", "v0.2.0", cwd=released.path)
    assert result.code == 0
    assert result.err == (
        "releasekit: tag v0.2.0 does not exist yet: the notes cover the commits up to HEAD\n"
        "releasekit: previous release: v0.1.0\n"
    )
    assert "- **Widgets** (#3)" in result.lines and "only on the side" not in result.out


def test_output_refuses_a_hand_edited_file_and_force_replaces_it(cli: Cli, released: Repo) -> None:
    assert (
        cli("release.notes", "--tag", "v0.2.0", "--output", "notes.md", cwd=released.path).code == 0
    )
    again = cli("release.notes", "--tag", "v0.2.0", "--output", "notes.md", cwd=released.path)
    assert again.lines == ["unchanged notes.md: highlights notes for v0.2.0"]
    (released.path / "notes.md").write_text("edited by hand\n")
    refused = cli("release.notes", "--tag", "v0.2.0", "--output", "notes.md", cwd=released.path)
    assert refused.code == 1 and "pass --force to replace it" in refused.err
    dry = cli(
        "release.notes",
        "--tag",
        "v0.2.0",
        "--output",
        "notes.md",
        "--force",
        "--dry-run",
        cwd=released.path,
    )
    assert (
        dry.lines[0] == "--- a/notes.md"
        and (released.path / "notes.md").read_text() == "edited by hand\n"
    )
    forced = cli(
        "release.notes", "--tag", "v0.2.0", "--output", "notes.md", "--force", cwd=released.path
    )
    assert forced.code == 0 and "## Highlights" in (released.path / "notes.md").read_text()


def test_a_user_template_is_sandboxed_and_errors_name_file_and_line(
    cli: Cli, released: Repo
) -> None:
    released.write(
        {
            "notes.j2": "# {{ tag }} after {{ previous_tag }}\n{% for e in all_changes %}* {{ e.title }}\n{% endfor %}"
        }
    )
    result = cli("release.notes", "--tag", "v0.2.0", "--template", "notes.j2", cwd=released.path)
    assert (result.code, result.out) == (0, "# v0.2.0 after v0.1.0\n* Widgets\n")
    released.write({"bad.j2": "line one\n{{ tag.__class__.__mro__ }}\n"})
    bad = cli("release.notes", "--tag", "v0.2.0", "--template", "bad.j2", cwd=released.path)
    assert (
        bad.code == 1 and "bad.j2:2: template error: not allowed in a sandboxed template" in bad.err
    )


def test_json_prints_the_context_a_template_gets(cli: Cli, released: Repo) -> None:
    envelope = json.loads(cli("release.notes", "--tag", "v0.2.0", "--json", cwd=released.path).out)
    (data,) = envelope["results"]  # the envelope's one result carries the notes
    assert (data["previous_tag"], data["outline"]) == ("v0.1.0", "highlights")
    context = data["context"]
    assert context["release_type"] == "a minor release" and context["unstable"] is True
    assert [s["title"] for s in context["sections"]] == ["New Features"]
    assert context["all_changes"][0]["prs"] == [3] and data["markdown"].startswith(
        "## Highlights\n"
    )
