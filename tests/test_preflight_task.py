"""release.preflight on real repositories with real commands (the test's own Python)."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
PY = shlex.quote(sys.executable)


def preflight_yaml(*commands: str, probe: str = "", expect: str = "") -> str:
    lines = ["preflight:", f"  commands: [{', '.join(json.dumps(c) for c in commands)}]"]
    if probe:
        lines += ["  probe:", f"    command: {json.dumps(probe)}"]
        lines += [f"    expect: {json.dumps(expect)}"] if expect else []
    return 'tag_format: "v{version}"\n' + "\n".join(lines) + "\n"


def verdicts(result: CliResult) -> list[tuple[str, str]]:
    return [(r["outcome"], r["check"]) for r in json.loads(result.out)["results"]]


UNIT = f"{PY} -c \"print('unit tests ok')\""
FAIL = f'{PY} -c "import sys; sys.exit(4)"'
PROBE = f"{PY} -c \"import sys; print('demo version', sys.argv[1])\" {{version}}"


def test_every_check_passes_with_live_output_and_a_summary(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": preflight_yaml(UNIT, probe=PROBE)})
    result = cli("release.preflight", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[0] == "preflight summary:"
    rows = [line.split()[0] for line in result.lines[1:]]
    assert rows == ["OK", "OK", "OK"]
    assert result.lines[2].endswith("s  git status --short")
    assert result.lines[3].endswith(" 0.1.8  (printed '0.1.8')")
    assert "unit tests ok" in result.err.splitlines() and "demo version 0.1.8" in result.err


def test_the_first_failure_stops_it_unless_keep_going(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": preflight_yaml(FAIL, UNIT)})
    stopped = cli("release.preflight", "--json", cwd=repo.path)
    assert stopped.code == 3
    assert verdicts(stopped) == [
        ("failed", FAIL),
        ("not-run", UNIT),
        ("not-run", "git status --short"),
    ]
    assert stopped.err.splitlines()[-1] == f"releasekit: error: preflight failed at {FAIL}"
    assert "unit tests ok" not in stopped.err
    going = cli("release.preflight", "--keep-going", "--json", cwd=repo.path)
    assert going.code == 3
    assert verdicts(going) == [("failed", FAIL), ("ok", UNIT), ("ok", "git status --short")]
    assert json.loads(going.out)["results"][0]["detail"] == "exit code 4"


def test_a_check_that_leaves_the_tree_dirty_fails_the_clean_tree_check(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    generate = f"{PY} -c \"open('zz_generated.go', 'w').write('package x')\""
    repo = make_repo({"releasekit.yaml": preflight_yaml(generate)})
    result = cli("release.preflight", "--json", cwd=repo.path)
    assert result.code == 3
    clean = json.loads(result.out)["results"][1]
    assert (clean["outcome"], clean["detail"]) == (
        "failed", "the checks left the tree dirty (?? zz_generated.go); commit the generated files")  # fmt: skip


def test_a_probe_that_prints_another_version_fails(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": preflight_yaml(probe=PROBE, expect="demo version {tag}")})
    result = cli("release.preflight", "--version", "0.1.8", "--json", cwd=repo.path)
    assert result.code == 3
    assert json.loads(result.out)["results"][-1]["detail"] == (
        "its output does not contain 'demo version v0.1.8'"
    )


def test_a_command_that_is_not_installed_is_an_error_and_a_probe_needs_a_version(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": preflight_yaml("no-such-tool-here --check", probe=PROBE)})
    missing = cli("release.preflight", "--tag", "v0.1.8", "--json", cwd=repo.path)
    assert missing.code == 1
    assert json.loads(missing.out)["results"][0]["detail"].startswith(
        "cannot run no-such-tool-here: "
    )
    no_version = cli("release.preflight", cwd=repo.path)
    assert no_version.code == 1
    assert no_version.err.strip() == (
        "releasekit: error: releasekit.yaml: preflight.probe needs the version to expect; pass --tag or --version"
    )


def test_a_command_line_that_does_not_split_is_a_config_error_at_its_line(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(
        {"releasekit.yaml": 'preflight:\n  commands:\n    - make test\n    - "echo \'unclosed"\n'}
    )
    result = cli("release.preflight", cwd=repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: releasekit.yaml:4: preflight.commands[1] cannot be split"
    )


def test_a_preflight_with_nothing_to_check_is_a_config_error_not_a_pass(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """No commands, no clean-tree check, no probe: never "OK" without checking anything."""
    repo = make_repo({"releasekit.yaml": "preflight:\n  commands: []\n  clean: false\n"})
    result = cli("release.preflight", "--json", cwd=repo.path)
    assert result.code == 1
    assert json.loads(result.out)["errors"] == [
        "releasekit.yaml:3: preflight.clean is false with no commands and no probe: the "
        "preflight would check nothing; list preflight.commands or set clean: true"
    ]


def test_the_probe_matches_the_version_as_a_whole_word_never_inside_a_longer_one(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """0.1.8 is not printed by a build that says 0.1.80 (or 10.1.8): a substring is no proof."""
    longer = f"{PY} -c \"print('demo version 0.1.80')\""
    repo = make_repo({"releasekit.yaml": preflight_yaml(probe=longer)})
    result = cli("release.preflight", "--version", "0.1.8", "--json", cwd=repo.path)
    assert result.code == 3, result.out
    assert json.loads(result.out)["results"][-1]["detail"] == (
        "its output does not contain '0.1.8' as a whole word"
    )
    ended = f"{PY} -c \"print('Version: 0.1.8.')\""  # a sentence's full stop ends the word
    repo = make_repo({"releasekit.yaml": preflight_yaml(probe=ended)})
    assert cli("release.preflight", "--version", "0.1.8", cwd=repo.path).code == 0
    tagged = f"{PY} -c \"print('kubeopencode v0.1.8 (linux/amd64)')\""  # a Go build's tag
    repo = make_repo({"releasekit.yaml": preflight_yaml(probe=tagged)})
    assert cli("release.preflight", "--version", "0.1.8", cwd=repo.path).code == 0
    glued = f"{PY} -c \"print('kubeopencodev0.1.8')\""  # a letter before the v: another word
    repo = make_repo({"releasekit.yaml": preflight_yaml(probe=glued)})
    assert cli("release.preflight", "--version", "0.1.8", cwd=repo.path).code == 3


def test_a_calver_suite_takes_its_version_on_the_command_line(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """Review: `--version 2026.04` on a CalVer suite was refused as "not a SemVer version"
    (while `--tag suite-2026.04` worked); the version is read as the suite's scheme reads it."""
    config = preflight_yaml(probe=PROBE).replace(
        'tag_format: "v{version}"\n',
        'tag_format: "suite-{version}[-{codename}][-{channel}]"\ntags:\n  versioning: calver\n',
    )
    repo = make_repo({"releasekit.yaml": config})
    result = cli("release.preflight", "--version", "2026.04", "--json", cwd=repo.path)
    assert result.code == 0, result.out + result.err
    data = json.loads(result.out)
    assert data["results"][-1]["detail"] == "printed '2026.04'"
    assert data["outputs"]["tag"] == "suite-2026.04"
