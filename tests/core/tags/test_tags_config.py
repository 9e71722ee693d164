"""The tags: section of releasekit.yaml and tag_format validation, with file:line errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import CliResult, Repo
from releasekit.core.common.errors import ConfigError
from releasekit.core.config import TagsConfig, load_config, tags_config
from releasekit.core.tags.config import GoModules


def test_defaults_without_a_tags_section(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    assert tags_config(load_config(repo.path)) == TagsConfig()


def test_full_section(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": (
                "tags:\n  versioning: calver\n  message: 'suite {tag}'\n  sign: true\n"
                "  channel: stable\n  hotfix_branch: 'hotfix/{tag}-{version}'\n"
                "  supersede_note: docs/{tag}.md\n"
                "  go_modules:\n    include: ['src/*']\n    exclude: ['src/*/podvm']\n"
            )
        }
    )
    assert tags_config(load_config(repo.path)) == TagsConfig(
        versioning="calver",
        message="suite {tag}",
        sign=True,
        channel="stable",
        hotfix_branch="hotfix/{tag}-{version}",
        supersede_note="docs/{tag}.md",
        go_modules=GoModules(include=("src/*",), exclude=("src/*/podvm",)),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "tags:\n  versioning: semver2\n",
            "releasekit.yaml:2: tags.versioning must be semver or calver",
        ),
        ("tags:\n  channel: beta\n", "releasekit.yaml:2: tags.channel must be edge, stable or lts"),
        ("tags:\n  sign: 'yes'\n", "releasekit.yaml:2: tags.sign must be true or false"),
        (
            "tags:\n  hotfix_branch: hotfix\n",
            "tags.hotfix_branch must contain {version} exactly once",
        ),
        (
            "tags:\n  go_modules:\n    exclude: [../x]\n",
            "tags.go_modules.exclude[0] must be a path inside",
        ),
        ("tags:\n  colour: red\n", "releasekit.yaml:2: unknown key 'tags.colour'"),
    ],
)
def test_bad_values_name_key_file_and_line(
    make_repo: Callable[..., Repo], body: str, message: str
) -> None:
    repo = make_repo({"releasekit.yaml": body})
    with pytest.raises(ConfigError) as caught:
        load_config(repo.path)
    assert message in str(caught.value)


def test_bad_tag_format_is_reported_against_the_config_file(
    cli: Callable[..., CliResult], make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}-{flavour}"\n'})
    # every task reads the format, so the error names the line even where no tag is listed
    for argv in (("release.tags",), ("verify.versions", "--tag", "v0.1.0")):
        result = cli(*argv, cwd=repo.path)
        assert result.code == 1
        assert (
            "releasekit.yaml:1: tag_format 'v{version}-{flavour}' has unknown placeholder "
            "{flavour}" in result.err
        )
