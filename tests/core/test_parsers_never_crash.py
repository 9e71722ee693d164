"""One case per crash class the fuzzers found (issue 10): each is now a ReleaseError with the
file and line, or a value — never a traceback. tests/fuzz explores around each of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import semver

from conftest import FIXTURES
from releasekit.core.artifacts.attestations import AttestationPolicy, verify_attestation
from releasekit.core.artifacts.signatures import IdentityPolicy, make_verifier
from releasekit.core.changelog.commits import parse_message
from releasekit.core.changelog.keepachangelog import parse_changelog
from releasekit.core.changelog.lint import lint_changelog
from releasekit.core.common.errors import (
    ConfigError,
    FileFormatError,
    ReleaseError,
    VerificationFailed,
    VersionError,
)
from releasekit.core.config import VersionFile, load_config
from releasekit.core.helm.crd_history import audit, plan_add_row, read_table
from releasekit.core.tags.gomodules import parse_gomod
from releasekit.core.tags.schemes import CalVer, TagScheme
from releasekit.core.versioning.version_files import find_occurrences
from releasekit.core.versioning.versions import next_version, parse_version


def _raises(call: Callable[[], object], kind: type[ReleaseError], start: str) -> str:
    with pytest.raises(kind) as info:
        call()
    message = str(info.value)
    assert message.startswith(start), message
    assert len(message) < 600, message[:300]
    return message


# --- go.mod: Go's string syntax -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('module "example.com/\\x41b"\n', "example.com/Ab"),
        ('module "example.com/\\101\\u00e9\\U0001F600"\n', "example.com/Aé😀"),
        ('module "example.com//x" // a comment with "quotes\n', "example.com//x"),
        ("\ufeffmodule x\n".removeprefix("\ufeff") + "go 1.22\r\n", "x"),
        ("module (\n\texample.com/block\n)\n", "example.com/block"),
    ],
)
def test_gomod_strings_are_unquoted_as_go_does(text: str, path: str) -> None:
    assert parse_gomod(text, ".", "go.mod").path == path


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('module example.com/m\n\nrequire "example.com/x v1.0.0\n', "go.mod:3: the string"),
        ('module "example.com/\\q"\n', "go.mod:1: invalid escape '\\\\q'"),
        ('module "example.com/\\uD800"\n', "go.mod:1: invalid escape"),
        ("module `example.com/raw`\n", "go.mod:1: '`example.com/raw`' holds a quote"),
        ("module x /* c */\n", "go.mod:1: go.mod files use // comments"),
        ("require (\n\tx v1\n", "go.mod:1: the block opened here is never closed"),
        ('module "\\xff"\n', "go.mod:1: '\"\\\\xff\"' spells bytes that are not UTF-8"),
        ("\ufeffmodule x\n", "go.mod:1: unexpected character '\\ufeff'"),
    ],
)
def test_gomod_that_go_refuses_is_a_file_format_error_at_its_line(text: str, start: str) -> None:
    _raises(lambda: parse_gomod(text, ".", "go.mod"), FileFormatError, start)


# --- key targets ----------------------------------------------------------------------------------


def _locate(tmp_path: Path, name: str, text: str, *key: str) -> object:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return find_occurrences(tmp_path, [VersionFile(name, key=key)])


@pytest.mark.parametrize(
    ("name", "text", "key", "start"),
    [
        ("a.yaml", "version: " + "[" * 300 + "]" * 300, ("version",), "a.yaml:1: the YAML nests"),
        ("a.yaml", "x:\n" + "".join("  " * n + "- \n" for n in range(150)), ("x",), "a.yaml:"),
        ("a.json", "[" * 2000 + "]" * 2000, ("version",), "a.json: the JSON nests too deeply"),
        ("a.yaml", "d: 2026-13-45\nversion: 1.0.0\n", ("version",), "a.yaml:1: not valid YAML: cannot read the value '2026-13-45'"),
        ("a.yaml", "a: !!bool x\nversion: 1.0.0\n", ("version",), "a.yaml:1: not valid YAML: cannot read the value 'x'"),
        ("a.yaml", "n: " + "1" * 5000 + "\n", ("n",), "a.yaml:1: not valid YAML: cannot read the value"),
        ("a.toml", '[project]\nversion = "1"\n[project.version]\n', ("project", "version"), "a.toml:3: not valid TOML: Key \"version\" already exists"),
        ("a.yaml", "a: [1.0.0]\n", ("a", "²"), "a.yaml: key a.² not found"),
        ("a.yaml", "a: [1.0.0]\n", ("a", "9" * 5000), "a.yaml: key a.999"),
    ],
)  # fmt: skip
def test_hostile_key_target_files(
    tmp_path: Path, name: str, text: str, key: tuple[str, ...], start: str
) -> None:
    _raises(lambda: _locate(tmp_path, name, text, *key), FileFormatError.__base__, start)  # type: ignore[arg-type]


def test_deep_flow_yaml_is_refused_before_the_quadratic_scanner(tmp_path: Path) -> None:
    # ruamel's scanner alone takes about ten seconds here; the depth check's own message proves
    # the file was refused before ruamel saw it (its RecursionError backstop words it otherwise).
    with pytest.raises(FileFormatError, match=r"^a\.yaml:1: the YAML nests more than 100 levels"):
        _locate(tmp_path, "a.yaml", "version: " + "[" * 1200 + "]" * 1200, "version")


def test_a_reused_anchor_is_valid_yaml(tmp_path: Path) -> None:
    found = _locate(tmp_path, "a.yaml", "a: &x 1\nb: &x 2\nversion: 1.0.0\n", "version")
    assert [o.found for o in found] == ["1.0.0"]  # type: ignore[attr-defined]


# --- versions, tags, commits, changelogs ---------------------------------------------------------


def test_versions_that_int_cannot_hold_are_version_errors() -> None:
    _raises(lambda: parse_version("1.0." + "9" * 5000), VersionError, "'1.0.99999")
    _raises(
        lambda: next_version(semver.Version(0, 1, 8), "prerelease", "01"),
        VersionError,
        "cannot bump 0.1.8 with prerelease_token '01'",
    )
    assert CalVer.parse("2026.04.1").patch == 1
    _raises(lambda: CalVer.parse("2026.04." + "9" * 5000), VersionError, "'2026.04.999")
    assert TagScheme("v{version}").parse("v1.0." + "9" * 5000) is None


def test_a_pr_number_of_thousands_of_digits_is_no_pr() -> None:
    message = parse_message("fix: x (#" + "9" * 4400 + ") (#12)")
    assert message.prs == (12,) and message.type == "fix"


def test_a_changelog_heading_with_an_unreadable_version_is_a_lint_finding() -> None:
    doc = parse_changelog("## [Unreleased]\n\n## [1.0." + "9" * 5000 + "] - 2026-01-02\n")
    assert [s.kind for s in doc.sections] == ["unreleased", "other"]
    import datetime as dt

    (finding,) = lint_changelog(doc, sections=("Added",), today=dt.date(2026, 1, 3))
    assert finding.line == 3 and len(finding.message) < 300


# --- CRD history table -----------------------------------------------------------------------------


def test_a_short_delimiter_row_and_rows_without_a_crd_cell(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/u.md").write_text(
        "## Version History with CRD Changes\n\n| Version | CRD Changes | Notes |\n|---|\n"
        "| v0.1.7 |\n"
    )
    table = read_table(tmp_path, "docs/u.md")
    tags = [(semver.Version(0, 1, 6), "v0.1.6"), (semver.Version(0, 1, 7), "v0.1.7")]
    (finding,) = audit(table, tags, lambda a, b: True)
    assert finding.message == "docs/u.md:5: v0.1.7 row has no CRD Changes cell; write Yes or No"
    edit = plan_add_row(table, "v0.1.8", True, "adds x", "v{version}")
    assert edit.new.splitlines()[4] == "| v0.1.8 | Yes         | adds x |"


# --- releasekit.yaml --------------------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> object:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "releasekit.yaml").write_text(text)
    return load_config(tmp_path)


def test_a_yaml_alias_bomb_gives_a_short_message(tmp_path: Path) -> None:
    items = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    items += [f"&a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    text = f"tag_format: [{', '.join(items)}]\n"
    assert len(text) < 1100
    message = _raises(
        lambda: _config(tmp_path, text), ConfigError, "releasekit.yaml:1: tag_format must be"
    )
    assert message.endswith("…")


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("- a\n", "releasekit.yaml: the file must be a mapping of settings"),
        ("prerelease_token: '01'\n", "releasekit.yaml:1: prerelease_token must be a SemVer pre-release identifier"),
        ("main_branch: " + "[" * 500 + "]" * 500 + "\n", "releasekit.yaml:1: the YAML nests more than 100"),
        ("tag_format: 2026-13-45\n", "releasekit.yaml:1: not valid YAML: cannot read the value"),
    ],
)  # fmt: skip
def test_hostile_releasekit_yaml(tmp_path: Path, text: str, start: str) -> None:
    _raises(lambda: _config(tmp_path, text), ConfigError, start)


@pytest.mark.parametrize("pattern", ["a{4294967296}", "(" * 1000 + ")" * 1000, "(unclosed"])
def test_regular_expressions_python_cannot_compile(tmp_path: Path, pattern: str) -> None:
    _raises(
        lambda: _config(tmp_path, f"changelog:\n  exclude: ['{pattern}']\n"),
        ConfigError,
        "releasekit.yaml:2: changelog.exclude[0] is not a valid regular expression",
    )
    chart = f"helm:\n  charts:\n    - path: c\n      image_patterns: ['({pattern})']\n"
    _raises(
        lambda: _config(tmp_path, chart),
        ConfigError,
        "releasekit.yaml:4: helm.charts[0].image_patterns[0] is not a regular expression",
    )
    from releasekit.core.common.errors import UsageError

    _raises(
        lambda: IdentityPolicy(identity_regexp=pattern, issuer="https://x"),
        UsageError,
        "--identity-regexp",
    )


def test_a_deep_invoke_layer_is_a_config_error(tmp_path: Path) -> None:
    layer: object = "x"
    for _ in range(2000):
        layer = [layer]
    (tmp_path / ".git").mkdir()
    _raises(lambda: load_config(tmp_path, {"version_files": layer}), ConfigError, "invoke config")  # type: ignore[dict-item]


# --- Sigstore --------------------------------------------------------------------------------------


def test_a_dsse_envelope_without_a_signature_fails_closed(tmp_path: Path) -> None:
    sigstore = FIXTURES / "sigstore"
    bundle = json.loads((sigstore / "reusable-workflow-attestation.sigstore.json").read_text())
    bundle["dsseEnvelope"]["signatures"] = []
    path = tmp_path / "att.sigstore.json"
    path.write_text(json.dumps(bundle))
    policy = AttestationPolicy(
        identity=IdentityPolicy(identity_regexp=".*", issuer=AttestationPolicy.issuer)
    )
    _raises(
        lambda: verify_attestation(
            sigstore / "reusable-workflow-artifact", path, policy, make_verifier()
        ),
        FileFormatError,
        f"{path}:1: not a Sigstore bundle: envelope must contain exactly one signature",
    )
    assert issubclass(FileFormatError, ReleaseError) and not issubclass(
        FileFormatError, VerificationFailed
    )
