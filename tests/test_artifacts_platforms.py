"""verify.artifacts --platform and the plan's one slice per platform (issue 15, CI that fans
out): real files, checksums written by coreutils' sha256sum, the real CLI; the slices of every
platform plus ``none`` check what one unsplit run checks, each file once."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
PLATFORMS = ["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"]
CONFIG = """\
tag_format: "v{version}"
version_files:
  - path: VERSION
    pattern: "{version}"
artifacts:
  matrix:
    name: "krt_{tag}_{os}_{arch}.{ext}"
    platforms: [linux/amd64, linux/arm64, darwin/amd64, darwin/arm64, windows/amd64]
    ext: {default: tar.gz, windows: zip}
  files: [install.yaml]
  checksums: "krt_{tag}_checksums.txt"
"""


@pytest.mark.parametrize(
    ("name", "platform", "expected"),
    [
        ("krt_v0.1.7_linux_amd64.tar.gz", "linux/amd64", True),  # goreleaser's default
        ("krt-linux-amd64", "linux/amd64", True),
        ("krt.linux-amd64.zip", "linux/amd64", True),
        ("krt_Darwin_x86_64.tar.gz", "darwin/amd64", True),  # {{ title .Os }}, x86_64
        ("krt_Darwin_x86_64.tar.gz", "darwin/386", False),  # x86_64 is not x86
        ("krt_linux_x86.tar.gz", "linux/386", True),
        ("stellaops-cli-2026.04-osx-arm64.tar.gz", "darwin/arm64", True),  # .NET RIDs
        ("stellaops-cli-2026.04-win-x64.zip", "windows/amd64", True),
        ("krt_linux_arm64.tar.gz", "linux/arm", False),  # arm is not arm64
        ("krt_linux_armv7.tar.gz", "linux/arm", True),
        ("krt_linux_amd64v2.tar.gz", "linux/amd64", False),
        ("krtlinux_amd64.tar.gz", "linux/amd64", False),  # no separator before the OS
        ("darwin_amd64/krt", "darwin/amd64", False),  # the file's name, not its folder
        ("krt_v0.1.7_checksums.txt", "linux/amd64", False),
    ],
)
def test_a_file_carries_a_platform_in_the_spellings_archives_use(
    name: str, platform: str, expected: bool
) -> None:
    from releasekit.core.artifacts.platforms import carries

    assert carries(name, platform) is expected


def _release(make_repo: Callable[..., Repo], tmp_path: Path) -> Repo:
    """v0.1.7 with five archives, install.yaml and a checksums file coreutils wrote."""
    repo = make_repo({"releasekit.yaml": CONFIG, "VERSION": "0.1.7\n"}, name="krt")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    dist = repo.path / "dist"
    dist.mkdir()
    names = []
    for platform in PLATFORMS:
        os_name, arch = platform.split("/")
        name = f"krt_v0.1.7_{os_name}_{arch}.{'zip' if os_name == 'windows' else 'tar.gz'}"
        (dist / name).write_bytes(f"krt for {platform}\n".encode() * 1000)
        names.append(name)
    (dist / "install.yaml").write_text("kind: Namespace\n")
    sums = subprocess.run(["sha256sum", *names, "install.yaml"], cwd=dist, check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    (dist / "krt_v0.1.7_checksums.txt").write_text(sums)
    return repo


def test_one_platform_checks_only_its_own_files(cli: Cli, make_repo, tmp_path: Path) -> None:
    repo = _release(make_repo, tmp_path)
    linux = cli("verify.artifacts", "--tag", "v0.1.7", "--platform", "linux/amd64", cwd=repo.path)
    assert linux.code == 0, linux.out + linux.err
    assert linux.lines == [
        "assets dist: OK 1 expected files",
        "checksums krt_v0.1.7_linux_amd64.tar.gz: OK sha256 matches",
        "all 2 artifact checks passed for v0.1.7 (linux/amd64)",
    ]
    rest = cli("verify.artifacts", "--tag", "v0.1.7", "--platform", "none", cwd=repo.path)
    assert rest.code == 0, rest.out + rest.err
    assert rest.lines == [
        "versions VERSION:1: OK {version}: 0.1.7",
        "assets dist: OK 2 expected files",
        "checksums install.yaml: OK sha256 matches",
        "all 3 artifact checks passed for v0.1.7 (none)",
    ]


def test_an_unknown_platform_or_one_without_files_is_an_error_never_ok(
    cli: Cli, make_repo, tmp_path: Path
) -> None:
    repo = _release(make_repo, tmp_path)
    unknown = cli("verify.artifacts", "--tag", "v0.1.7", "--platform", "linux/amd46", cwd=repo.path)
    assert (unknown.code, unknown.out) == (2, "")
    assert unknown.err.startswith(
        "releasekit: error: --platform 'linux/amd46' is not a platform releasekit can find in "
        "file names; use os/arch with os one of linux, darwin, windows"
    )
    for platform in ("freebsd/amd64", "linux/s390x"):
        absent = cli("verify.artifacts", "--tag", "v0.1.7", "--platform", platform, cwd=repo.path)
        assert (absent.code, absent.out) == (2, "")
        assert absent.err == (
            f"releasekit: error: --platform {platform} selects no file of v0.1.7 "
            "(releasekit.yaml:5), so nothing would be checked; the release's platforms: "
            f"{', '.join(PLATFORMS)}\n"
        )


def _slices(cli: Cli, repo: Repo, tag: str) -> list[dict[str, str]]:
    planned = cli("plan", "--tag", tag, "--github-matrix", cwd=repo.path)
    assert planned.code == 0, planned.err
    include: list[dict[str, str]] = json.loads(planned.out)["include"]
    return include


def test_the_plan_has_one_artifacts_slice_per_platform_and_they_fail_as_one_run(
    cli: Cli, make_repo, tmp_path: Path
) -> None:
    repo = _release(make_repo, tmp_path)
    include = _slices(cli, repo, "v0.1.7")
    artifacts = [e for e in include if e["task"] == "verify.artifacts"]
    assert [(e["name"], e["args"]) for e in artifacts] == [
        (f"verify.artifacts {p}", f"--tag v0.1.7 --platform {p}") for p in [*PLATFORMS, "none"]
    ]
    # One changed byte in one archive and a stray file of another platform: the unsplit run
    # and the slices find the same problems, each in exactly one slice.
    (repo.path / "dist/krt_v0.1.7_darwin_arm64.tar.gz").write_bytes(b"tampered")
    (repo.path / "dist/krt_v0.1.7_linux_arm64.tar.gz.sig").write_text("stray")
    unsplit = json.loads(cli("verify.artifacts", "--tag", "v0.1.7", "--json", cwd=repo.path).out)
    failing: list[tuple[str, str, str]] = []
    checked: list[tuple[str, str]] = []
    for entry in artifacts:
        argv = ["verify.artifacts", *shlex.split(entry["args"]), "--json"]
        data = json.loads(cli(*argv, cwd=repo.path).out)
        failing += [(entry["name"], r["check"], r["subject"]) for r in data["results"]
                    if r["status"] != "ok"]  # fmt: skip
        checked += [(r["check"], r["subject"]) for r in data["results"] if r["check"] != "assets"]
    assert failing == [
        ("verify.artifacts linux/arm64", "assets", "krt_v0.1.7_linux_arm64.tar.gz.sig"),
        ("verify.artifacts darwin/arm64", "checksums", "krt_v0.1.7_darwin_arm64.tar.gz"),
    ]
    assert sorted(
        (r["check"], r["subject"]) for r in unsplit["results"] if r["status"] != "ok"
    ) == [
        ("assets", "krt_v0.1.7_linux_arm64.tar.gz.sig"),
        ("checksums", "krt_v0.1.7_darwin_arm64.tar.gz"),
    ]
    whole = [(r["check"], r["subject"]) for r in unsplit["results"] if r["check"] != "assets"]
    assert sorted(checked) == sorted(whole)  # every file's checks once, none dropped


def test_a_suite_with_dotnet_cli_platforms_fans_out_per_platform(cli: Cli, make_repo) -> None:
    """Seed 003: the CLI of a CalVer suite for 5 .NET runtime identifiers."""
    rids = ["linux-x64", "linux-arm64", "win-x64", "osx-x64", "osx-arm64"]
    files = ", ".join(f"'stellaops-cli-{{version}}-{rid}.tar.gz'" for rid in rids)
    config = (
        "tag_format: 'suite-{version}[-{codename}][-{channel}]'\ntags:\n  versioning: calver\n"
        f"artifacts:\n  files: [{files}]\n  checksums: 'SHA256SUMS-{{version}}.txt'\n"
    )
    repo = make_repo({"releasekit.yaml": config}, name="suite")
    repo.git("tag", "-a", "suite-2026.04-nova", "-m", "suite 2026.04")
    artifacts = [e for e in _slices(cli, repo, "suite-2026.04-nova")
                 if e["task"] == "verify.artifacts"]  # fmt: skip
    assert [e["name"].split(" ", 1)[1] for e in artifacts] == [
        "linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "none",
    ]  # fmt: skip
    dist = repo.path / "dist"
    dist.mkdir()
    names = [f"stellaops-cli-2026.04-{rid}.tar.gz" for rid in rids]
    for name in names:
        (dist / name).write_text(name)
    sums = subprocess.run(["sha256sum", *names], cwd=dist, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip
    (dist / "SHA256SUMS-2026.04.txt").write_text(sums)
    osx = cli("verify.artifacts", "--tag", "suite-2026.04-nova", "--platform", "darwin/arm64",
              cwd=repo.path)  # fmt: skip
    assert osx.code == 0, osx.out + osx.err
    assert osx.lines[1] == "checksums stellaops-cli-2026.04-osx-arm64.tar.gz: OK sha256 matches"


def test_a_platform_slice_without_the_checksums_file_fails(cli: Cli, make_repo, tmp_path) -> None:
    """The slice downloads its archive and the checksums file; without the file its archive's
    sha256 cannot be checked, which is a failure, never an OK over an unchecked file."""
    repo = _release(make_repo, tmp_path)
    (repo.path / "dist/krt_v0.1.7_checksums.txt").unlink()
    result = cli("verify.artifacts", "--tag", "v0.1.7", "--platform", "linux/arm64", cwd=repo.path)
    assert result.code == 3, result.out + result.err
    assert (
        "checksums krt_v0.1.7_checksums.txt: FAILED dist/krt_v0.1.7_checksums.txt: missing "
        "(the sha256 of this slice's files are listed there)"
    ) in result.lines
    listed = cli("verify.assets", "--tag", "v0.1.7", "--platform", "linux/arm64", "--print",
                 cwd=repo.path)  # fmt: skip
    assert listed.lines == [
        "krt_v0.1.7_linux_arm64.tar.gz",
        "krt_v0.1.7_checksums.txt",
    ]


def test_platform_slices_merged_equal_plan_run(cli: Cli, make_repo, tmp_path: Path) -> None:
    from test_plan import _slices_then_merge

    repo = _release(make_repo, tmp_path)
    (repo.path / "dist/krt_v0.1.7_windows_amd64.zip").write_bytes(b"tampered")
    merged = _slices_then_merge(repo, cli, tmp_path / "results")
    unsplit = json.loads(cli("plan.run", "--tag", "v0.1.7", "--json", cwd=repo.path).out)
    assert {k: v for k, v in merged.items() if k != "task"} == {
        k: v for k, v in unsplit.items() if k != "task"
    }
    assert merged["exit_code"] == 3
    assert [r["subject"] for r in merged["results"] if r["status"] != "ok"] == [
        "krt_v0.1.7_windows_amd64.zip"
    ]


def test_a_release_whose_every_file_names_a_platform_still_runs_its_none_slice(
    cli: Cli, make_repo
) -> None:
    """Review: archives only (no checksums file, no other file, no version files): the plan's
    ``--platform none`` slice "selected no file" and exited 2, failing the fan-out while the
    unsplit run passed. It checks what only it can: that dist holds no stray file of no
    platform — one the unsplit run fails on, and so does exactly that slice."""
    config = CONFIG.split("version_files:")[0] + (
        "artifacts:\n  matrix:\n    name: 'krt_{tag}_{os}_{arch}.tar.gz'\n"
        "    platforms: [linux/amd64, linux/arm64]\n"
    )
    repo = make_repo({"releasekit.yaml": config}, name="krt")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    (repo.path / "dist").mkdir()
    for arch in ("amd64", "arm64"):
        (repo.path / f"dist/krt_v0.1.7_linux_{arch}.tar.gz").write_text(arch)
    assert cli("verify.artifacts", "--tag", "v0.1.7", cwd=repo.path).code == 0
    artifacts = [e for e in _slices(cli, repo, "v0.1.7") if e["task"] == "verify.artifacts"]
    assert [e["args"].rsplit(" ", 1)[-1] for e in artifacts] == [
        "linux/amd64", "linux/arm64", "none"]  # fmt: skip

    def codes() -> list[int]:
        return [cli("verify.artifacts", *shlex.split(e["args"]), cwd=repo.path).code
                for e in artifacts]  # fmt: skip

    assert codes() == [0, 0, 0]
    (repo.path / "dist/notes.txt").write_text("stray")
    assert cli("verify.artifacts", "--tag", "v0.1.7", cwd=repo.path).code == 3
    assert codes() == [0, 0, 3]
