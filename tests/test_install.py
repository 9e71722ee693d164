"""What a new user meets: the built wheel in a fresh venv, its messages, and closed pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import GIT_ENV, REPO_ROOT

PIP = (sys.executable, "-m", "pip")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **GIT_ENV, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed into a new venv; returns its bin/.

    Built offline (hatchling comes with the test extra) and installed without its
    dependencies, which the new venv borrows from the test environment through a plain path
    line — so the `releasekit` it imports is the wheel's, never the source tree.
    """
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            *PIP,
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(root / "dist"),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        env=_env(),
    )
    (wheel,) = (root / "dist").glob("releasekit-*.whl")
    assert "releasekit/starters/releasekit.yaml" in zipfile.ZipFile(wheel).namelist()
    fresh = root / "venv"
    venv.create(fresh, with_pip=False)
    purelib = sysconfig.get_paths(vars={"base": str(fresh), "platbase": str(fresh)})["purelib"]
    Path(purelib, "_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            *PIP,
            "--python",
            str(fresh / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        env=_env(),
    )
    return fresh / "bin"


def test_the_wheel_runs_outside_the_source_tree(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import releasekit; print(releasekit.__file__)"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed.parent))
    listed = subprocess.run(
        [installed / "releasekit", "--list"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0 and "  release.bump " in listed.stdout


def test_a_new_users_first_error_names_a_command_that_works(
    installed: Path, tmp_path: Path
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=_env())

    def releasekit(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [installed / "releasekit", *argv],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
        )

    first = releasekit("release.bump", "0.1.0")
    assert first.returncode == 1
    hint = "releasekit --print-template releasekit.yaml"
    assert hint in first.stderr and "templates/" not in first.stderr
    # Follow it: the starter prints from the installed package, and releasekit reads it back.
    starter = releasekit("--print-template", "releasekit.yaml")
    # It starts with the schema line (editor completion), then says what it is.
    assert starter.returncode == 0 and starter.stdout.startswith(
        "# yaml-language-server: $schema=releasekit.schema.json\n# releasekit.yaml"
    )
    schema = releasekit("--print-template", "releasekit.schema.json")
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"] == "releasekit.yaml"
    (tmp_path / "releasekit.yaml").write_text(starter.stdout)
    second = releasekit("release.bump", "0.1.0", "--dry-run")
    assert second.returncode == 1
    assert second.stderr.startswith(
        "releasekit: error: Makefile: file not found (target at releasekit.yaml:"
    )
    names = releasekit("--print-template")
    assert names.stdout.split() == [
        "releasekit.yaml",
        "releasekit.schema.json",
        "tasks.py",
        "release.mk",
        "github/release-verify.yaml",
        "github/release-fan-out.yaml",
    ]
    for name in names.stdout.split():
        # The schema is package data (the package's templates/), the others starter files.
        source = REPO_ROOT / "templates" / name
        if not source.exists():
            source = REPO_ROOT / "tasks" / "releasekit" / "templates" / name
        assert releasekit("--print-template", name).stdout == source.read_text()
    unknown = releasekit("--print-template", "nope.yaml")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "no starter file 'nope.yaml'; choose one of: releasekit.yaml" in unknown.stderr


def _into_closed_pipe(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Run releasekit with stdout on a pipe whose reader has already gone (`| head -0`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "releasekit.cli", *argv],
            cwd=cwd,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(PYTHONPATH=str(REPO_ROOT / "tasks")),
        )
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize(
    "argv", [["--help"], ["--list"], ["release.tags", "--help"], ["--version"]]
)
def test_help_and_listing_into_a_closed_pipe_end_quietly_with_0(
    argv: list[str], tmp_path: Path
) -> None:
    assert _into_closed_pipe(argv, tmp_path) == (0, "")


@pytest.mark.parametrize("argv", [["release.tags"], ["release.tags", "--json"]])
def test_a_task_into_a_closed_pipe_ends_quietly_with_141(argv: list[str], tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=_env())
    subprocess.run(
        ["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"],
        check=True,
        env=_env(),
    )
    for n in range(5):
        subprocess.run(["git", "-C", str(tmp_path), "tag", f"v0.1.{n}"], check=True, env=_env())
    (tmp_path / "releasekit.yaml").write_text("version_files: []\n")
    assert _into_closed_pipe(argv, tmp_path) == (141, "")
