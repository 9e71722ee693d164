from __future__ import annotations

from pathlib import Path

import pytest

from releasekit.core.common.errors import ConfigError
from releasekit.core.config import DEFAULTS, VersionFile, find_config_file, load_config
from releasekit.core.tags.schemes import TagScheme
from releasekit.core.versioning import config as versioning_config

REPO = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "releasekit.yaml").write_text(text)
    return tmp_path


def test_full_config_parses_every_foundation_key(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        'tag_format: "{version}"\nmain_branch: trunk\nremote: upstream\n'
        'release_branch: "rel/{version}"\ncommit_message: "release {tag}"\nsignoff: false\n'
        "prerelease_token: alpha\nversion_files:\n"
        '  - path: Makefile\n    pattern: "VERSION ?= {version}"\n'
        "  - path: charts/x/Chart.yaml\n    key: appVersion\n    format: 'v{version}'\n"
        '  - path: .release-please-manifest.json\n    key: ["."]\n'
        "  - path: values.yaml\n    key: image.tag\n",
    )
    cfg = load_config(root)
    assert (cfg.tag_format, cfg.main_branch, cfg.remote) == ("{version}", "trunk", "upstream")
    assert (cfg.release_branch, cfg.commit_message, cfg.signoff) == (
        "rel/{version}",
        "release {tag}",
        False,
    )
    assert cfg.prerelease_token == "alpha"
    assert cfg.version_files == (
        VersionFile("Makefile", pattern="VERSION ?= {version}"),
        VersionFile("charts/x/Chart.yaml", key=("appVersion",), format="v{version}"),
        VersionFile(".release-please-manifest.json", key=(".",)),
        VersionFile("values.yaml", key=("image", "tag")),
    )
    assert cfg.source == root / "releasekit.yaml"


def test_config_is_found_from_a_subdirectory_up_to_the_git_top(tmp_path: Path) -> None:
    root = write(tmp_path, "main_branch: trunk\n")
    sub = root / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config_file(sub) == (root.resolve(), (root / "releasekit.yaml").resolve())
    assert load_config(sub).main_branch == "trunk"


def test_search_stops_at_the_git_top_level(tmp_path: Path) -> None:
    write(tmp_path, "main_branch: outer\n")
    inner = tmp_path / "inner"
    (inner / ".git").mkdir(parents=True)
    assert find_config_file(inner) == (inner.resolve(), None)
    assert load_config(inner).main_branch == "main"


@pytest.mark.parametrize("fmt", sorted(versioning_config._VALID_FORMATS))
def test_the_tag_formats_the_loader_skips_checking_are_ones_the_tag_grammar_accepts(
    tmp_path: Path, fmt: str
) -> None:
    """The loader takes these without importing schemes.py; TagScheme must agree they parse."""
    scheme = TagScheme(fmt)
    assert str(scheme.require(fmt.replace("{version}", "1.2.3")).version) == "1.2.3"
    assert load_config(write(tmp_path, f'tag_format: "{fmt}"\n')).tag_format == fmt


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tag_fromat: v{version}\n",
            "releasekit.yaml:1: unknown key 'tag_fromat'; known keys here: ",
        ),
        (
            "signoff: yes please\n",
            "releasekit.yaml:1: signoff must be true or false, got str 'yes please'",
        ),
        (
            "tag_format: v\n",
            "releasekit.yaml:1: tag_format must contain {version} exactly once, got 'v'",
        ),
        (
            "version_files: Makefile\n",
            "releasekit.yaml:1: version_files must be a list, got str 'Makefile'",
        ),
        (
            "version_files:\n  - path: Makefile\n    pattern: VERSION\n",
            "releasekit.yaml:3: version_files[0].pattern must contain {version} or {date} once",
        ),
        (
            "version_files:\n  - path: Makefile\n",
            "releasekit.yaml:2: version_files[0] needs exactly one of pattern (literal text) or key",
        ),
        (
            "version_files:\n  - pattern: 'V={version}'\n",
            "releasekit.yaml:2: version_files[0] needs a path",
        ),
        (
            "version_files:\n  - path: ../outside\n    key: version\n",
            "releasekit.yaml:2: version_files[0].path must be a path inside the repository",
        ),
        (
            "version_files:\n  - path: a.yaml\n    key: version\n    formt: v{version}\n",
            "releasekit.yaml:4: unknown key 'version_files[0].formt'; known keys here: format, key, path, pattern",
        ),
        (
            "version_files:\n  - path: a.yaml\n    key: version\n    format: v\n",
            "releasekit.yaml:4: version_files[0].format must contain {version} or {date} once",
        ),
        ("main_branch: [a]\n", "releasekit.yaml:1: main_branch must be a string, got CommentedSeq"),
        ("- a\n", "releasekit.yaml: the file must be a mapping of settings (`key: value` lines"),
        ("tag_format: 'v{version}\n", "releasekit.yaml:2: not valid YAML"),
    ],
)
def test_bad_config_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    root = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert message in str(info.value)


def test_invoke_layer_is_validated_and_overridden_by_the_file(tmp_path: Path) -> None:
    root = write(tmp_path, "remote: upstream\n")
    cfg = load_config(root, {**DEFAULTS, "main_branch": "trunk", "remote": "fork"})
    assert (cfg.main_branch, cfg.remote) == ("trunk", "upstream")
    with pytest.raises(ConfigError, match=r"^invoke config: unknown key 'releasekit.bogus'"):
        load_config(root, {"bogus": 1})


def test_missing_file_gives_defaults_and_a_hint(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    cfg = load_config(tmp_path)
    assert cfg.source is None and cfg.version_files == ()
    assert "with: releasekit --print-template releasekit.yaml > releasekit.yaml" in cfg.where()


def test_shipped_template_is_a_valid_config(tmp_path: Path) -> None:
    root = write(tmp_path, (REPO / "templates" / "releasekit.yaml").read_text())
    cfg = load_config(root)
    assert cfg.tag_format == "v{version}"
    assert len(cfg.version_files) >= 5


def test_example_project_config_is_valid() -> None:
    cfg = load_config(REPO / "examples" / "demo-operator")
    assert cfg.version_files[0] == VersionFile("Makefile", pattern="VERSION ?= {version}")


def test_list_key_may_name_the_empty_key_of_package_lock(make_repo) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": "version_files:\n  - path: package-lock.json\n"
            "    key: [packages, '', version]\n"
        }
    )
    (target,) = load_config(repo.path).version_files
    assert target.key == ("packages", "", "version")


def test_no_config_section_has_a_string_annotation_for_msgspec_to_compile() -> None:
    """Every command loads the config; msgspec compiles each string annotation on the first
    convert (~220 fields: ~7 ms), so the section modules do without the __future__ import."""
    from releasekit.core.common.section import Section
    from releasekit.core.config.model import Settings

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    classes = {*subclasses(Section), Settings}
    assert len(classes) > 30  # every section of releasekit.yaml is loaded by now
    strings = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, value in vars(cls).get("__annotations__", {}).items()
        if isinstance(value, str)
    ]
    assert strings == []
