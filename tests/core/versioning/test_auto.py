"""release.bump auto on real git histories: Conventional Commits, the 0.x rule, pre-release
lines, and CRD schema changes since the last release (removed/retyped vs added fields)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from conftest import CliResult, Repo
from releasekit.core.config import load_config
from releasekit.core.versioning.auto import crd_directories, suggest

CONFIG = 'tag_format: "v{version}"\nversion_files:\n  - path: VERSION\n    pattern: "{version}"\n'
CRD = "config/crd/bases/demo.example.com_agents.yaml"


def history(make_repo: Callable[..., Repo], steps: Sequence[str]) -> Repo:
    """A repository whose commits and tags follow ``steps`` ("tag v1.2.3" or a message)."""
    repo = make_repo({"releasekit.yaml": CONFIG, "VERSION": "0.0.0\n"})
    for step in steps:
        if step.startswith("tag "):
            repo.git("tag", "-a", step[4:], "-m", step[4:])
        else:
            repo.commit(step)
    return repo


@pytest.mark.parametrize(
    ("steps", "expected", "level"),
    [
        (["tag v1.2.3", "fix: a crash"], "1.2.4", "patch"),
        (["tag v1.2.3", "fix: a crash", "feat(cli): a flag", "docs: typo"], "1.3.0", "minor"),
        (["tag v1.2.3", "feat(api)!: drop v1beta1"], "2.0.0", "major"),
        (
            ["tag v1.2.3", "fix: renamed\n\nBREAKING CHANGE: the flag is --out now"],
            "2.0.0",
            "major",
        ),
        (["tag v0.4.1", "feat!: new config format"], "0.5.0", "major"),
        (["tag v0.4.1", "feat: a flag"], "0.5.0", "minor"),
        (["tag v0.4.1", "fix: a crash"], "0.4.2", "patch"),
        (["tag v0.4.1", "chore: tidy", "ci: faster"], "0.4.2", "patch"),
        # A pre-release line continues its counter while the changes fit it...
        (["tag v0.7.3", "feat: a", "tag v0.8.0-rc.1", "fix: b"], "0.8.0-rc.2", "patch"),
        (["tag v0.7.3", "feat: a", "tag v0.8.0-rc.1", "feat!: c"], "0.8.0-rc.2", "major"),
        # ... and a new line starts when they outgrow it.
        (["tag v0.7.3", "fix: a", "tag v0.7.4-rc.1", "feat: b"], "0.8.0-rc.1", "minor"),
        (["tag v1.2.0", "feat: a", "tag v1.3.0-rc.2", "feat!: b"], "2.0.0-rc.1", "major"),
        (["fix: before any release"], "0.1.0", "patch"),
    ],
)
def test_the_next_version_follows_the_commits_since_the_last_release(
    make_repo: Callable[..., Repo], steps: list[str], expected: str, level: str
) -> None:
    repo = history(make_repo, steps)
    found = suggest(load_config(repo.path))
    assert (str(found.version), found.level) == (expected, level)


def test_the_reasons_name_each_commit_strongest_first(make_repo: Callable[..., Repo]) -> None:
    repo = history(make_repo, ["tag v0.4.1", "fix: a crash", "feat!: new config format"])
    lines = suggest(load_config(repo.path)).lines()
    assert lines[0] == "next version 0.5.0 (major) since v0.4.1"
    assert lines[1].startswith("  major: ") and lines[1].endswith(" feat!: new config format")
    assert lines[2] == "  minor: below 1.0.0 a breaking change bumps the minor version"
    assert lines[3].startswith("  patch: ") and lines[3].endswith(" fix: a crash")
    assert len(lines) == 4


def test_only_other_commits_give_a_patch_and_say_why(make_repo: Callable[..., Repo]) -> None:
    repo = history(make_repo, ["tag v2.0.0", "chore: tidy"])
    assert suggest(load_config(repo.path)).lines() == [
        "next version 2.0.1 (patch) since v2.0.0",
        "  patch: no feat, fix or breaking change (nor CRD change); a patch",
    ]


# --- CRD changes (the example operator: helm.crds -> config/crd/bases) -----------------------


@pytest.fixture
def operator_at_1(example_repo: Repo) -> Repo:
    example_repo.git("tag", "-a", "v1.0.0", "-m", "Release v1.0.0")
    return example_repo


def crd_edit(repo: Repo, old: str, new: str) -> None:
    path = repo.path / CRD
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    repo.commit("chore: regenerate the CRDs")  # not a conventional feat/fix: the CRD decides


MODEL = """              model:
                description: Model names the language model the agent uses.
                type: string
"""


@pytest.mark.parametrize(
    ("old", "new", "expected", "reason"),
    [
        (MODEL, "", "2.0.0",
         "major: CRD agents.demo.example.com v1alpha1: field removed spec.model (string)"),
        (MODEL, MODEL.replace("type: string", "type: integer"), "2.0.0",
         "major: CRD agents.demo.example.com v1alpha1: field changed spec.model (type: string -> integer)"),
        (MODEL, MODEL + "              retries:\n                type: integer\n", "1.1.0",
         "minor: CRD agents.demo.example.com v1alpha1: field added spec.retries (integer)"),
        ("            required:\n            - image\n",
         "            required:\n            - image\n            - model\n", "2.0.0",
         "major: CRD agents.demo.example.com v1alpha1: field changed spec.model (required: None -> True)"),
    ],
    ids=["field-removed", "field-retyped", "optional-field-added", "field-made-required"],
)  # fmt: skip
def test_crd_changes_since_the_last_release_weigh_in(
    operator_at_1: Repo, old: str, new: str, expected: str, reason: str
) -> None:
    crd_edit(operator_at_1, old, new)
    cfg = load_config(operator_at_1.path)
    assert crd_directories(cfg) == ["config/crd/bases"]
    found = suggest(cfg, crd_dirs=crd_directories(cfg))
    assert str(found.version) == expected
    assert f"  {reason}" in found.lines()


def test_a_description_only_crd_change_does_not_bump(operator_at_1: Repo) -> None:
    crd_edit(operator_at_1, "Model names the language model", "Model is the language model")
    cfg = load_config(operator_at_1.path)
    assert str(suggest(cfg, crd_dirs=crd_directories(cfg)).version) == "1.0.1"


def test_release_bump_auto_bumps_to_the_suggestion_and_prints_the_reasons(
    cli: Callable[..., CliResult], example_repo: Repo
) -> None:
    example_repo.commit("feat(api): the agent's model is optional")
    result = cli("release.bump", "auto", "--dry-run", "--date", "2026-11-21", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines[:2] == [
        "next version 0.2.0 (minor) since v0.1.7",
        f"  minor: {example_repo.git('rev-parse', '--short=7', 'HEAD').strip()} feat(api): the agent's model is optional",
    ]
    assert "Makefile:3 VERSION: 0.1.7 -> 0.2.0" in result.lines
    as_json = cli("release.bump", "auto", "--dry-run", "--json", "--date", "2026-11-21",
                  cwd=example_repo.path)  # fmt: skip
    assert '"reasons": "minor: ' in as_json.out and '"version": "0.2.0"' in as_json.out


def test_release_prepare_auto_prepares_the_suggested_version(
    cli: Callable[..., CliResult], example_repo: Repo
) -> None:
    example_repo.commit("fix(controller): requeue on conflict")
    result = cli("release.prepare", "auto", "--offline", "--dry-run", "--date", "2026-11-21",
                 cwd=example_repo.path)  # fmt: skip
    assert result.code == 0, result.err
    assert result.lines[0] == "would create branch release/v0.1.8 from main"


def test_auto_refuses_a_version_released_from_another_branch(
    cli: Callable[..., CliResult], make_repo: Callable[..., Repo]
) -> None:
    """v0.8.1 was released from release-0.8; main's next fix is not 0.8.1 again."""
    repo = history(make_repo, ["tag v0.8.0"])
    repo.git("checkout", "-q", "-b", "release-0.8")
    repo.commit("fix: the hotfix")
    repo.git("tag", "-a", "v0.8.1", "-m", "v0.8.1")
    repo.git("checkout", "-q", "main")
    repo.commit("fix: a crash")
    before = repo.snapshot()
    result = cli("release.bump", "auto", cwd=repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: auto: the commits since v0.8.0 make 0.8.1, but tag v0.8.1 exists"
    )
    assert repo.snapshot() == before
    status = cli("release.status", cwd=repo.path)
    assert status.code == 1 and "tag v0.8.1 exists already" in status.err


def test_auto_without_a_release_tag_never_advises_a_downgrade(
    cli: Callable[..., CliResult], make_repo: Callable[..., Repo]
) -> None:
    """No release tag yet, the files at 1.4.0: auto's 0.1.0 is not "pass --allow-downgrade"
    (that would write 0.1.0 over 1.4.0) but "tag the current release"."""
    repo = make_repo({"releasekit.yaml": CONFIG, "VERSION": "1.4.0\n"})
    repo.commit("feat: a flag")
    result = cli("release.bump", "auto", cwd=repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: auto: no release tag is reachable from HEAD, so the next version "
        "cannot follow the last release (the files say 1.4.0, VERSION:1); tag the current "
        "release (git tag -a v1.4.0 -m 'Release v1.4.0') or name the version\n",
    )
