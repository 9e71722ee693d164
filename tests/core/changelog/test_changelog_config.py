"""The `changelog:` section of releasekit.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from releasekit.core.common.errors import ConfigError
from releasekit.core.config import ChangelogConfig, load_config


def _config(tmp_path: Path, text: str) -> ChangelogConfig | None:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "releasekit.yaml").write_text(text)
    return load_config(tmp_path).changelog


def test_the_documented_section_is_the_default(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copy(REPO_ROOT / "templates" / "releasekit.yaml", tmp_path / "releasekit.yaml")
    assert load_config(tmp_path).changelog == ChangelogConfig()


def test_no_section_means_no_changelog(tmp_path: Path) -> None:
    assert _config(tmp_path, "tag_format: 'v{version}'\n") is None


def test_values_are_read(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        "changelog:\n  path: docs/CHANGES.md\n  groups: {feat: Features, docs: Docs}\n"
        "  other_section: Other\n  group_by_scope: true\n  exclude: ['^chore\\(release\\)']\n",
    )
    assert cfg == ChangelogConfig(
        path="docs/CHANGES.md",
        groups={"feat": "Features", "docs": "Docs"},
        other_section="Other",
        group_by_scope=True,
        exclude=("^chore\\(release\\)",),
    )
    assert cfg.allowed_headings == (
        "Breaking Changes",
        "Added",
        "Changed",
        "Deprecated",
        "Removed",
        "Fixed",
        "Security",
        "Features",
        "Docs",
        "Other",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "changelog:\n  colour: red\n",
            "releasekit.yaml:2: unknown key 'changelog.colour'; known keys here: breaking_section, "
            "exclude, group_by_scope, groups, other_section, path, sections, template",
        ),
        ("changelog:\n  path: ../CHANGELOG.md\n", "must be a path inside the repository"),
        (
            "changelog:\n  sections: []\n",
            "releasekit.yaml:2: changelog.sections must list at least",
        ),
        (
            "changelog:\n  groups:\n    feat: 1\n",
            "releasekit.yaml:3: changelog.groups.feat must be a string",
        ),
        (
            "changelog:\n  exclude: ['(']\n",
            "changelog.exclude[0] is not a valid regular expression",
        ),
    ],
)
def test_bad_values_name_key_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _config(tmp_path, text)
    assert message in str(info.value)
