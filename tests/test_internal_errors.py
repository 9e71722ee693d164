"""The internal-error guard: a bug becomes one clear message and exit 1, never a traceback,
under the ``releasekit`` console script and under ``inv`` with a project's own tasks.py; the
traceback only with ``--debug`` or ``RELEASEKIT_DEBUG=1``.

The crash is provoked by replacing a core function with one that raises: no input reaches a
crash any more (tests/fuzz holds every parser to that).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO_ROOT, CliResult, Repo

MESSAGE = [
    "releasekit: internal error: ValueError: boom at ghcr.io/org",
    "releasekit: this is a bug in releasekit, not in your input; please report it with the "
    "command you ran and this message — run the command again with --debug (or "
    "RELEASEKIT_DEBUG=1) to see the traceback",
]


def _boom(*args: object, **kwargs: object) -> None:
    raise ValueError("boom at ghcr.io/org")


def test_an_unexpected_exception_is_one_message_and_exit_1(
    example_repo: Repo, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("releasekit.core.versioning.version_files.check_versions", _boom)
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    assert (result.code, result.out, result.err.splitlines()) == (1, "", MESSAGE)


def test_release_errors_and_usage_errors_are_not_internal(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("verify.versions", cwd=example_repo.path)
    assert result.code == 2 and "internal error" not in result.err
    result = cli("verify.versions", "--tag", "0.1.7", cwd=example_repo.path)
    assert result.code == 1 and result.err.startswith("releasekit: error: tag '0.1.7'")


def test_releasekit_debug_shows_the_traceback(
    example_repo: Repo, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("releasekit.core.versioning.version_files.check_versions", _boom)
    monkeypatch.setenv("RELEASEKIT_DEBUG", "1")
    result = cli("verify.versions", "--tag", "v0.1.7", cwd=example_repo.path)
    lines = result.err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "ValueError: boom at ghcr.io/org" in lines
    assert lines[-2] == MESSAGE[0]
    assert lines[-1].endswith("the traceback is above")


# The same through both entry points, in fresh processes: the console script (with invoke's
# own --debug flag) and `inv` running a project's tasks.py that composes releasekit.
TASKS = (
    "import releasekit\n"
    "import releasekit.core.versioning.version_files as vf\n\n"
    "def boom(*args, **kwargs):\n"
    "    raise ValueError('boom at ghcr.io/org')\n\n"
    "vf.check_versions = boom\n"
    "ns = releasekit.ns\n"
)
CONSOLE = (
    "import sys, releasekit.core.versioning.version_files as vf\n"
    "def boom(*args, **kwargs):\n"
    "    raise ValueError('boom at ghcr.io/org')\n"
    "vf.check_versions = boom\n"
    "from releasekit.cli import main\n"
    "sys.argv = ['releasekit', *sys.argv[1:]]\n"
    "main()\n"
)


def _run(repo: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RELEASEKIT", "INVOKE"))}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=repo,
        env={**clean, "PYTHONPATH": str(REPO_ROOT / "tasks"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("entry", ["inv", "releasekit"])
def test_both_entry_points_guard_and_debug(example_repo: Repo, entry: str) -> None:
    (example_repo.path / "tasks.py").write_text(TASKS)
    (example_repo.path / "crash_console.py").write_text(CONSOLE)
    prefix = ["-m", "invoke"] if entry == "inv" else ["crash_console.py"]
    plain = _run(example_repo.path, *prefix, "verify.versions", "--tag", "v0.1.7")
    assert (plain.returncode, plain.stdout, plain.stderr.splitlines()) == (1, "", MESSAGE)
    debug = _run(example_repo.path, *prefix, "--debug", "verify.versions", "--tag", "v0.1.7")
    assert debug.returncode == 1
    assert "Traceback (most recent call last):" in debug.stderr
    assert debug.stderr.rstrip().endswith("the traceback is above")
    by_env = _run(
        example_repo.path, *prefix, "verify.versions", "--tag", "v0.1.7", RELEASEKIT_DEBUG="1"
    )
    assert by_env.returncode == 1 and "Traceback (most recent call last):" in by_env.stderr


def test_a_non_utf8_file_name_under_github_actions_is_shown_not_a_crash(tmp_path: Path) -> None:
    # A fresh process with a strict UTF-8 stdout, as on a GitHub runner (C.UTF-8): the
    # sha256sum lines carry the name's own bytes, like coreutils; annotations, the step
    # summary and messages show the byte escaped.
    (tmp_path / ".git").mkdir()
    (tmp_path / "SHA256SUMS").write_bytes(b"0" * 64 + b"  caf\xe9.bin\n")
    summary = tmp_path / "summary.md"
    result = subprocess.run(
        [sys.executable, "-m", "releasekit.cli", "verify.sha256sum", "SHA256SUMS"],
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("RELEASEKIT")},
            "PYTHONPATH": str(REPO_ROOT / "tasks"),
            "PYTHONIOENCODING": "utf-8",
            "LC_ALL": "C.UTF-8",
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
        },
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    assert result.stdout.splitlines() == [
        b"caf\xe9.bin: FAILED open or read",
        b"::error file=SHA256SUMS,line=1::caf\\xe9.bin: MISSING No such file or directory",
    ]
    assert b"internal error" not in result.stderr
    shown = summary.read_text(encoding="utf-8")  # strict UTF-8: the name shown escaped
    assert shown.startswith("### ❌ verify.sha256sum: SHA256SUMS: 1 could not be read\n"), shown
    assert "| missing | `SHA256SUMS:1` | caf\\xe9.bin: MISSING No such file or directory |" in shown


@pytest.mark.parametrize(
    ("invoke_yaml", "message"),
    [
        (
            "releasekit:\n  - a\n",
            "releasekit: error: invoke.yaml: releasekit must be a mapping of releasekit.yaml's "
            "keys (tag_format:, version_files: ...), got list ['a']",
        ),
        (
            "releasekit: [\n",
            "releasekit: error: invoke.yaml: invoke cannot load it (ParserError: while parsing a "
            "flow node expected the node content, but found '<stream end>' in "
            '"{repo}/invoke.yaml", line 2, column 1); fix the file',
        ),
        (
            "run: [a]\n",
            "releasekit: error: invoke.yaml: invoke cannot load it (AmbiguousMergeError: Can't "
            "cleanly merge <class 'dict'>",
        ),
    ],
)
def test_a_broken_invoke_yaml_is_a_config_error_for_the_console_script(
    example_repo: Repo, invoke_yaml: str, message: str
) -> None:
    # Under `inv` invoke reads invoke.yaml itself, before any releasekit code runs.
    (example_repo.path / "invoke.yaml").write_text(invoke_yaml)
    result = _run(example_repo.path, "-m", "releasekit.cli", "verify.versions", "--tag", "v0.1.7")
    assert result.returncode == 1
    assert result.stderr.startswith(message.format(repo=example_repo.path)), result.stderr
    assert "Traceback" not in result.stderr
