"""cli.py: releasekit's own core options, -h as help everywhere, task help under `inv` and
`releasekit`, shell completion. Fresh processes: invoke consumes a task's help texts the first
time a process builds its arguments."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT

CORE_HELP = """\
Usage: releasekit [--core-opts] <subcommand> [--subcommand-opts] ...

Core options:

  --complete                         Print tab-completion candidates for given parse remainder.
  --dry                              Dry-run every task (as each task's --dry-run).
  --list-depth=INT                   When listing tasks, only show the first INT levels.
  --list-format=STRING               Change the display format used when listing tasks. Should be
                                     one of: flat (default), nested, json.
  --print-completion-script=STRING   Print the tab-completion script for bash, zsh or fish.
  --print-template[=STRING]          Print a starter file to copy into your repository
                                     (releasekit.yaml, tasks.py, release.mk,
                                     github/release-*.yaml; without a name: the list).
  -d, --debug                        Enable debug output.
  -h [STRING], --help[=STRING]       Show core or per-task help and exit.
  -l [STRING], --list[=STRING]       List the tasks, optionally limited to a namespace (release,
                                     verify, ...).
  -V, --version                      Show version and exit.
"""

BUMP_OPTIONS = """\
Docstring:
  Set the release version in every configured file.

Options:
  --allow-downgrade   allow a version lower than the current one
  --date=STRING       date for {date} targets (YYYY-MM-DD; default today)
  --json              print one JSON envelope on stdout (README: Output)
  --version=STRING    new version (0.1.8 or v0.1.8) or major, minor, patch,
                      prerelease, auto
  -n, --dry-run       show the unified diffs and write nothing

"""


def _run(argv: list[str], cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLUMNS")}
    env.update(PYTHONPATH=str(REPO_ROOT / "tasks"), COLUMNS="100")
    result = subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == code, result.stderr
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose own tasks.py composes releasekit, as templates/tasks.py does."""
    (tmp_path / "tasks.py").write_text("import releasekit\n\nns = releasekit.ns\n")
    return tmp_path


def test_core_help_shows_releasekit_options_only(tmp_path: Path) -> None:
    out = _run(["-m", "releasekit.cli", "--help"], tmp_path).stdout
    assert out.startswith(CORE_HELP + "\nSubcommands:\n")
    for invoke_only in ("--pty", "--echo", "--hide", "--warn-only", "sudo", "--command-timeout"):
        assert invoke_only not in out


def test_an_invoke_only_option_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(["-m", "releasekit.cli", "--pty", "--list"], tmp_path, code=2)
    assert result.stderr == "No idea what '--pty' is!\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["release.bump", "--help"],
        ["release.bump", "-h"],
        ["--help", "release.bump"],
        ["release.bump", "0.1.8", "-h"],
    ],
)
def test_task_help_under_releasekit(argv: list[str], tmp_path: Path) -> None:
    out = _run(["-m", "releasekit.cli", *argv], tmp_path).stdout
    usage = "Usage: releasekit [--core-opts] release.bump [--options] [other tasks here ...]\n\n"
    assert out == usage + BUMP_OPTIONS


@pytest.mark.parametrize(
    "argv",
    [
        [
            "release.bump",
            "--help",
        ],  # invoke hands "--help" to the missing VERSION: the task says help
        ["release.bump", "-h"],
        ["release.bump", "0.1.8", "--help"],  # invoke's own per-task help
        ["--help", "release.bump"],
    ],
)
def test_task_help_under_inv(argv: list[str], project: Path) -> None:
    out = _run(["-m", "invoke", *argv], project).stdout
    usage = "Usage: inv[oke] [--core-opts] release.bump [--options] [other tasks here ...]\n\n"
    assert out == usage + BUMP_OPTIONS


def test_dash_h_is_help_for_a_task_that_once_took_it_as_channel(tmp_path: Path) -> None:
    out = _run(["-m", "releasekit.cli", "release.tag", "-h"], tmp_path).stdout
    assert out.startswith("Usage: releasekit [--core-opts] release.tag [--options]")
    assert "  --channel=STRING " in out and "-h" not in out.split("Options:")[1]


def test_completion_script_and_candidates(tmp_path: Path) -> None:
    script = _run(["-m", "releasekit.cli", "--print-completion-script", "bash"], tmp_path).stdout
    assert "_complete_releasekit()" in script and "complete -F" in script
    tasks = _run(["-m", "releasekit.cli", "--complete", "--", "releasekit", "release.bu"], tmp_path)
    assert {"release.bump", "release.bump-chart"} <= set(tasks.stdout.split())
    flags = _run(
        ["-m", "releasekit.cli", "--complete", "--", "releasekit", "release.bump", "--"], tmp_path
    )
    assert flags.stdout.split() == [
        "--allow-downgrade",
        "--date",
        "--json",
        "--version",
        "--dry-run",
    ]


# The command lines the trimmed parser must read exactly as invoke's full one does: task
# names, aliases, flags, positionals that are themselves task names, --help TASK, unknown
# tokens, an optional-value flag followed by a task name (invoke's ambiguity check).
PARSES = [
    [],
    ["release.bump", "0.1.0", "--dry-run"],
    ["release.bump", "release.tag"],
    ["release.bump", "0.1.0", "release.tag", "--dry-run"],
    ["verify.versions", "--tag", "verify.images"],
    ["verify.images", "--image", "a:1", "--image", "b:2", "--json"],
    ["--help", "release.bump"],
    ["release.bump", "--help"],
    ["nosuch"],
    ["release.bump", "-x"],
    ["changelog", "--output", "release.notes", "release.notes"],
    ["--list", "release"],
]


@pytest.mark.parametrize("argv", PARSES, ids=lambda a: " ".join(a) or "nothing")
def test_the_trimmed_parser_reads_every_command_line_as_invokes_full_one(argv: list[str]) -> None:
    from invoke import Exit, ParseError, Program

    from releasekit import __version__, ns
    from releasekit.cli import ReleasekitProgram

    def parse(program_type: type[Program]) -> object:
        program = ReleasekitProgram(namespace=ns, name="releasekit", binary="releasekit",
                                    version=__version__)  # fmt: skip
        # The full parser: invoke's own _make_parser, reached past releasekit's override.
        make = program_type._make_parser  # type: ignore[attr-defined]
        program._make_parser = lambda: make(program)  # type: ignore[method-assign]
        try:
            program.create_config()
            program.parse_core(["releasekit", *argv])
            program.parse_collection()
            program.parse_tasks()
            program.parse_cleanup()  # --help TASK, --list, unknown --help targets
        except (Exit, ParseError) as exc:
            return (type(exc).__name__, str(exc), getattr(exc, "code", None))
        return [(ctx.name, sorted((k, repr(a.value)) for k, a in ctx.args.items()))
                for ctx in program.tasks]  # fmt: skip

    def parsed_and_printed(program_type: type[Program]) -> tuple[object, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = parse(program_type)
        return result, out.getvalue()

    trimmed, full = parsed_and_printed(ReleasekitProgram), parsed_and_printed(Program)
    assert trimmed == full
    if argv == ["release.bump", "0.1.0", "--dry-run"]:  # the comparison compares something
        assert trimmed[0] == [("release.bump", [("allow-downgrade", "False"), ("date", "''"),
                               ("dry-run", "True"), ("json", "False"), ("version", "'0.1.0'")])]  # fmt: skip
    if argv[:1] == ["--help"]:
        assert "Usage: releasekit [--core-opts] release.bump" in trimmed[1]
