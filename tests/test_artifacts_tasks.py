"""The artifact tasks through the real `releasekit` CLI: exact output lines and exit codes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT, CliResult, Repo, require_real

SIGSTORE = FIXTURES / "sigstore"
COSIGN = REPO_ROOT / "tests" / "fixtures" / "cosign"
Cli = Callable[..., CliResult]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# verify.sha256sum ---------------------------------------------------------------------------


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "krt_v0.0.3_linux_amd64.tar.gz").write_bytes(b"linux")
    (folder / "krt_v0.0.3_darwin_arm64.tar.gz").write_bytes(b"darwin")
    lines = [
        f"{_sha(b'linux')}  krt_v0.0.3_linux_amd64.tar.gz",
        f"{_sha(b'darwin')}  krt_v0.0.3_darwin_arm64.tar.gz",
        f"{_sha(b'windows')}  krt_v0.0.3_windows_amd64.zip",
    ]
    (folder / "krt_v0.0.3_checksums.txt").write_text("\n".join(lines) + "\n")
    return folder


def test_sha256sum_reports_like_coreutils(cli: Cli, dist: Path) -> None:
    result = cli("verify.sha256sum", "krt_v0.0.3_checksums.txt", cwd=dist)
    assert result.code == 3
    assert result.lines == [
        "krt_v0.0.3_linux_amd64.tar.gz: OK",
        "krt_v0.0.3_darwin_arm64.tar.gz: OK",
        "krt_v0.0.3_windows_amd64.zip: FAILED open or read",
    ]
    assert "releasekit: WARNING: 1 listed file could not be read" in result.err


def test_sha256sum_check_alias_with_ignore_missing_passes(cli: Cli, dist: Path) -> None:
    result = cli("verify.sha256sum-check", "krt_v0.0.3_checksums.txt", "--ignore-missing", cwd=dist)
    assert result.code == 0
    assert result.lines == [
        "krt_v0.0.3_linux_amd64.tar.gz: OK",
        "krt_v0.0.3_darwin_arm64.tar.gz: OK",
    ]


def test_sha256sum_tampered_file_exits_3_quiet_shows_only_failures(cli: Cli, dist: Path) -> None:
    (dist / "krt_v0.0.3_linux_amd64.tar.gz").write_bytes(b"linux!")
    result = cli(
        "verify.sha256sum", "dist/krt_v0.0.3_checksums.txt", "--base-dir", "dist",
        "--ignore-missing", "--quiet", cwd=dist.parent,
    )  # fmt: skip
    assert result.code == 3
    assert result.lines == ["krt_v0.0.3_linux_amd64.tar.gz: FAILED"]
    assert "releasekit: WARNING: 1 computed checksum did NOT match" in result.err


def test_sha256sum_status_prints_nothing(cli: Cli, dist: Path) -> None:
    result = cli("verify.sha256sum", "krt_v0.0.3_checksums.txt", "--status", cwd=dist)
    assert (result.code, result.out) == (3, "")


def test_sha256sum_json(cli: Cli, dist: Path) -> None:
    result = cli("verify.sha256sum", "krt_v0.0.3_checksums.txt", "--json", cwd=dist)
    data = json.loads(result.out)
    # The envelope: results carry the contract's status and sha256sum's own verdict.
    assert [f["sha256_status"] for f in data["results"]] == ["OK", "OK", "MISSING"]
    assert [f["status"] for f in data["results"]] == ["ok", "ok", "missing"]
    assert data["results"][2]["path"] == "krt_v0.0.3_checksums.txt"
    assert data["results"][2]["line"] == 3
    assert (data["ok"], data["exit_code"], result.code) == (False, 3, 3)


def test_sha256sum_strict_malformed_is_exit_1(cli: Cli, dist: Path) -> None:
    listing = dist / "krt_v0.0.3_checksums.txt"
    listing.write_text(listing.read_text() + "not a line\n")
    result = cli("verify.sha256sum", listing.name, "--strict", "--ignore-missing", cwd=dist)
    assert result.code == 1
    assert "improperly formatted line(s) 4 under --strict" in result.err


def test_sha256sum_hostile_list_is_refused(cli: Cli, dist: Path) -> None:
    secret = dist.parent / "secret"
    secret.write_bytes(b"s")
    (dist / "evil.txt").write_text(f"{_sha(b's')}  ../secret\n{_sha(b's')}  {secret}\n")
    result = cli("verify.sha256sum", "evil.txt", cwd=dist)
    assert result.code == 3
    assert result.lines == ["../secret: FAILED open or read", f"{secret}: FAILED open or read"]
    assert "--allow-outside-base" in result.err
    allowed = cli("verify.sha256sum", "evil.txt", "--allow-outside-base", cwd=dist)
    assert (allowed.code, allowed.lines) == (0, ["../secret: OK", f"{secret}: OK"])


def test_sha256sum_missing_list_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("verify.sha256sum", "nope.txt", cwd=tmp_path)
    assert result.code == 1
    assert "nope.txt: no such checksum file" in result.err


# release.checksums ----------------------------------------------------------------------------


def test_release_checksums_writes_sorted_gnu_file_that_coreutils_accepts(
    cli: Cli, dist: Path
) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    (dist / "krt_v0.0.3_checksums.txt").unlink()
    result = cli(
        "release.checksums", "dist/*.tar.gz", "--output", "dist/SHA256SUMS-0.0.3.txt",
        cwd=dist.parent,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (dist / "SHA256SUMS-0.0.3.txt").read_text() == (
        f"{_sha(b'darwin')}  krt_v0.0.3_darwin_arm64.tar.gz\n"
        f"{_sha(b'linux')}  krt_v0.0.3_linux_amd64.tar.gz\n"
    )
    assert result.out == "dist/SHA256SUMS-0.0.3.txt: wrote 2 checksums\n"  # a result: stdout
    check = subprocess.run([tool, "-c", "SHA256SUMS-0.0.3.txt"], cwd=dist, capture_output=True)
    assert check.returncode == 0


def test_release_checksums_refuses_to_overwrite_and_changes_nothing(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"dist/a.tar.gz": "a", "dist/SUMS.txt": f"{_sha(b'old')}  a.tar.gz\n"})
    before = repo.snapshot()
    result = cli("release.checksums", "dist/*.tar.gz", "--output", "dist/SUMS.txt", cwd=repo.path)
    assert result.code == 1
    assert "exists with different checksums" in result.err
    assert repo.snapshot() == before
    dry = cli("release.checksums", "dist/*.tar.gz", "--output", "dist/SUMS.txt", "--dry-run",
              cwd=repo.path)  # fmt: skip
    assert (dry.code, dry.out) == (0, f"{_sha(b'a')}  a.tar.gz\n")
    assert repo.snapshot() == before


# verify.assets --------------------------------------------------------------------------------

ASSETS_CONFIG = """\
tag_format: "v{version}"
artifacts:
  dir: dist
  matrix:
    name: "krt_{tag}_{os}_{arch}.{ext}"
    platforms: [linux/amd64, windows/amd64]
    ext: {default: tar.gz, windows: zip}
  files: [install.yaml]
  checksums: "krt_{tag}_checksums.txt"
  ignore: ["*.log"]
"""


def test_assets_print_lists_the_matrix(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"releasekit.yaml": ASSETS_CONFIG})
    result = cli("verify.assets", "--tag", "v0.0.3", "--print", cwd=repo.path)
    assert (result.code, result.lines) == (
        0,
        [
            "krt_v0.0.3_linux_amd64.tar.gz",
            "krt_v0.0.3_windows_amd64.zip",
            "install.yaml",
            "krt_v0.0.3_checksums.txt",
        ],
    )


def test_assets_reports_every_kind_of_problem(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    sums = f"{_sha(b'l')}  krt_v0.0.3_linux_amd64.tar.gz\n{_sha(b'x')}  krt_v0.0.3_darwin.tar.gz\n"
    repo = make_repo(
        {
            "releasekit.yaml": ASSETS_CONFIG,
            "dist/krt_v0.0.3_linux_amd64.tar.gz": "l",
            "dist/install.yaml": "kind: List\n",
            "dist/krt_v0.0.3_checksums.txt": sums,
            "dist/notes.txt": "?",
            "dist/build.log": "ignored",
        }
    )
    result = cli("verify.assets", "--tag", "v0.0.3", cwd=repo.path)
    assert result.code == 3
    # Each problem once, on stdout, with what to do; stderr holds the verdict.
    assert result.lines == [
        "dist/krt_v0.0.3_windows_amd64.zip: missing (windows/amd64)",
        "dist/notes.txt: not in the asset matrix for v0.0.3; remove it, or add it to "
        "artifacts.files (or artifacts.ignore)",
        "dist/krt_v0.0.3_checksums.txt: does not list krt_v0.0.3_windows_amd64.zip",
        "dist/krt_v0.0.3_checksums.txt: does not list install.yaml",
        "dist/krt_v0.0.3_checksums.txt:2: lists krt_v0.0.3_darwin.tar.gz, which is not in dist",
    ]
    assert result.err == "releasekit: error: 5 problem(s) with the assets in dist\n"


def test_assets_accept_dot_slash_names_in_the_checksums_file(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    """`sha256sum ./*` writes './name'; that is the same file, and sha256sum -c agrees."""
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    files: dict[str, str | bytes] = {
        "dist/krt_v0.0.3_linux_amd64.tar.gz": "l",
        "dist/krt_v0.0.3_windows_amd64.zip": "w",
        "dist/install.yaml": "kind: List\n",
    }
    sums = "".join(f"{_sha(str(v).encode())}  ./{k[5:]}\n" for k, v in files.items())
    repo = make_repo(
        {**files, "releasekit.yaml": ASSETS_CONFIG, "dist/krt_v0.0.3_checksums.txt": sums}
    )
    oracle = subprocess.run(
        [tool, "-c", "krt_v0.0.3_checksums.txt"], cwd=repo.path / "dist", capture_output=True
    )
    assert oracle.returncode == 0
    result = cli("verify.assets", "--tag", "v0.0.3", cwd=repo.path)
    assert (result.code, result.lines) == (0, ["dist: all 4 expected files present"])


def test_assets_bad_config_names_key_and_line(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"releasekit.yaml": ASSETS_CONFIG.replace("linux/amd64", "linux")})
    result = cli("verify.assets", "--tag", "v0.0.3", "--print", cwd=repo.path)
    assert result.code == 1
    assert "releasekit.yaml:6: artifacts.matrix.platforms[0] must be os/arch" in result.err


# verify.cosign / verify.attestation ----------------------------------------------------------


def _stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tool: str, body: str) -> None:
    """Put a shell script named ``tool`` first on PATH (for tools that cannot run here)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / tool
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")


WHL_SAN = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"


def test_cosign_blob_bundle_ok_and_wrong_identity(cli: Cli) -> None:
    ok = cli(
        "verify.cosign-verify", "bundle_v3_github.whl", "--bundle", "bundle_v3_github.whl.sigstore",
        "--identity", WHL_SAN, cwd=SIGSTORE,
    )  # fmt: skip
    assert ok.code == 0, ok.err
    assert ok.lines == [
        f"bundle_v3_github.whl: OK (signed by {WHL_SAN}, "
        "issuer https://token.actions.githubusercontent.com)"
    ]
    bad = cli(
        "verify.cosign", "bundle_v3_github.whl", "--bundle", "bundle_v3_github.whl.sigstore",
        "--identity-regexp", "https://github.com/trailofbits/.*", "--issuer",
        "https://accounts.google.com", cwd=SIGSTORE,
    )  # fmt: skip
    assert bad.code == 3
    assert "wrong OIDC issuer" in bad.err


def test_cosign_image_without_cosign_fails_closed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("verify.cosign", "ghcr.io/acme/krt:0.0.3", "--identity", "x", cwd=tmp_path)
    assert result.code == 1
    assert "cosign is not installed" in result.err and "install cosign" in result.err


def test_cosign_image_recorded_output_through_cli(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in `cosign` that replays recorded real output (cosign cannot be installed here)."""
    args_file = tmp_path / "argv"
    _stand_in(
        tmp_path,
        monkeypatch,
        "cosign",
        f'printf "%s\\n" "$@" > "{args_file}"\n'
        f'cat "{COSIGN / "podinfo-verify.stderr.txt"}" >&2\n'
        f'cat "{COSIGN / "podinfo-verify.stdout.json"}"\n',
    )
    regexp = (
        r"https://github\.com/stefanprodan/podinfo/\.github/workflows/release\.yml@refs/tags/.*"
    )
    result = cli(
        "verify.cosign", "ghcr.io/stefanprodan/modules/podinfo:latest", "--identity-regexp", regexp,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.lines == [
        "ghcr.io/stefanprodan/modules/podinfo:latest: OK "
        "(sha256:1dba385f9d56f9a79e5b87344bbec1502bd11f056df51834e18d3e054de39365 signed by "
        "https://github.com/stefanprodan/podinfo/.github/workflows/release.yml@refs/tags/6.5.4)"
    ]
    assert args_file.read_text().splitlines() == [
        "verify", "--output", "json", "--certificate-identity-regexp", f"^(?:{regexp})$",
        "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
        "ghcr.io/stefanprodan/modules/podinfo:latest",
    ]  # fmt: skip


def test_attestation_cli_ok_and_subject_mismatch(cli: Cli) -> None:
    ok = cli(
        "verify.attestation", "reusable-workflow-artifact", "--bundle",
        "reusable-workflow-attestation.sigstore.json", "--repo", "malancas/attest-demo", "--json",
        cwd=SIGSTORE,
    )  # fmt: skip
    assert ok.code == 0, ok.err
    data = json.loads(ok.out)
    assert data["results"][0]["digest"] == (
        "sha256:49a3aa6075e0f49f82843e74b5baa614ad2a588e6675612bf108a0a008c5ac25"
    )
    bad = cli(
        "verify.attestation", "a.txt", "--bundle", "a.dsse.staging-rekor-v2.txt.sigstore.json",
        "--staging", "--identity-regexp", ".*", cwd=SIGSTORE,
    )  # fmt: skip
    assert bad.code == 3
    assert "no subject digest matches a.txt" in bad.err


def test_attestation_with_gh_missing_fails_closed(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("verify.attestation", "x", "--repo", "a/b", "--with-gh", cwd=tmp_path)
    assert result.code == 1
    assert "gh is not installed" in result.err


# verify.artifacts -----------------------------------------------------------------------------

COMPOSITE_CONFIG = """\
tag_format: "v{version}"
version_files:
  - path: VERSION
    pattern: "{version}"
artifacts:
  dir: dist
  files: [bundle_v3_github.whl, reusable-workflow-artifact]
  checksums: "SHA256SUMS-{version}.txt"
  signing:
    owner: trailofbits
    repo: rfc8785.py
    workflow: release.yml
    blobs: [bundle_v3_github.whl]
    bundle: "{file}.sigstore"
  attestations:
    files: [reusable-workflow-artifact]
    bundle: "{file}.intoto.jsonl"
    repo: malancas/attest-demo
"""


@pytest.fixture
def release_repo(make_repo: Callable[..., Repo]) -> Repo:
    """A repo at tag v0.1.2 whose dist/ holds real signed and attested files."""
    files: dict[str, str | bytes] = {"releasekit.yaml": COMPOSITE_CONFIG, "VERSION": "0.1.2\n"}
    for name in ("bundle_v3_github.whl", "bundle_v3_github.whl.sigstore",
                 "reusable-workflow-artifact"):  # fmt: skip
        files[f"dist/{name}"] = (SIGSTORE / name).read_bytes()
    files["dist/reusable-workflow-artifact.intoto.jsonl"] = (
        SIGSTORE / "reusable-workflow-attestation.sigstore.json"
    ).read_bytes()
    sums = "".join(
        f"{_sha((SIGSTORE / n).read_bytes())}  {n}\n"
        for n in ("bundle_v3_github.whl", "reusable-workflow-artifact")
    )
    files["dist/SHA256SUMS-0.1.2.txt"] = sums
    return make_repo(files)


def test_artifacts_all_checks_pass(cli: Cli, release_repo: Repo) -> None:
    result = cli("verify.artifacts", "--tag", "v0.1.2", cwd=release_repo.path)
    assert result.code == 0, result.out + result.err
    assert [ln.split(":")[0] for ln in result.lines[:-1]] == [
        "versions VERSION",
        "assets dist",
        "checksums bundle_v3_github.whl",
        "checksums reusable-workflow-artifact",
        "signature bundle_v3_github.whl",
        "attestation reusable-workflow-artifact",
    ]
    assert all(": OK" in ln for ln in result.lines[:-1])
    # The verdict is a result: stdout (it was a note on stderr before the output contract).
    assert result.lines[-1] == "all 6 artifact checks passed for v0.1.2"
    assert result.err == ""


def test_artifacts_one_changed_byte_fails_checksum_and_signature_in_ci(
    cli: Cli, release_repo: Repo, env_ci: dict[str, Path]
) -> None:
    whl = release_repo.path / "dist" / "bundle_v3_github.whl"
    data = bytearray(whl.read_bytes())
    data[100] ^= 1
    whl.write_bytes(bytes(data))
    result = cli("verify.artifacts", "--tag", "v0.1.2", cwd=release_repo.path)
    assert result.code == 3
    failed = [ln for ln in result.lines if ": FAILED" in ln and not ln.startswith("::")]
    assert [ln.split(":")[0] for ln in failed] == [
        "checksums bundle_v3_github.whl",
        "signature bundle_v3_github.whl",
    ]
    errors = [ln for ln in result.lines if ln.startswith("::error")]
    assert errors[0].startswith("::error file=dist/SHA256SUMS-0.1.2.txt,line=1::checksums")
    assert len(errors) == 2
    summary = env_ci["summary"].read_text()
    assert summary.startswith(
        "### ❌ verify.artifacts: 2 of 6 artifact checks failed for v0.1.2\n\n4 ok, 2 mismatch\n"
    )
    assert (
        "| mismatch | `dist/SHA256SUMS-0.1.2.txt:1` | checksums bundle_v3_github.whl: " in summary
    )


def test_artifacts_json_and_wrong_tag_identity(cli: Cli, release_repo: Repo) -> None:
    (release_repo.path / "VERSION").write_text("0.1.3\n")
    shutil.copy(
        release_repo.path / "dist" / "SHA256SUMS-0.1.2.txt",
        release_repo.path / "dist" / "SHA256SUMS-0.1.3.txt",
    )
    (release_repo.path / "dist" / "SHA256SUMS-0.1.2.txt").unlink()
    result = cli("verify.artifacts", "--tag", "v0.1.3", "--json", cwd=release_repo.path)
    assert result.code == 3
    data = json.loads(result.out)
    verdicts = {c["check"]: c["status"] == "ok" for c in data["results"]}
    # the certificate names refs/tags/v0.1.2, so v0.1.3 is not signed by the release workflow
    assert verdicts == {
        "versions": True,
        "assets": True,
        "checksums": True,
        "signature": False,
        "attestation": True,
    }


def _embedded_trusted_root(host: str) -> Path:
    import sigstore

    return Path(sigstore.__file__).parent / "_store" / f"https%3A%2F%2F{host}" / "trusted_root.json"


def test_cosign_trusted_root_file_selects_the_instance(cli: Cli) -> None:
    staging_root = _embedded_trusted_root("tuf-repo-cdn.sigstage.dev")
    argv = ("verify.cosign", "bundle_v3.txt", "--bundle", "bundle_v3.txt.sigstore",
            "--identity", "william@yossarian.net",
            "--issuer", "https://github.com/login/oauth")  # fmt: skip
    assert cli(*argv, "--trusted-root", str(staging_root), cwd=SIGSTORE).code == 0
    production_root = _embedded_trusted_root("tuf-repo-cdn.sigstore.dev")
    assert cli(*argv, "--trusted-root", str(production_root), cwd=SIGSTORE).code == 3
    broken = cli(*argv, "--trusted-root", "bundle_v3.txt", cwd=SIGSTORE)
    assert broken.code == 1
    assert "cannot load the Sigstore trust root" in broken.err


def test_attestation_with_gh_recorded_unknown_command_from_old_gh(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian's gh 2.23 has no `attestation`; a stand-in replays its recorded real stderr."""
    recorded = REPO_ROOT / "tests" / "fixtures" / "gh" / "attestation-unknown-command.stderr.txt"
    _stand_in(tmp_path, monkeypatch, "gh", f'cat "{recorded}" >&2\nexit 1\n')
    result = cli("verify.attestation", "x", "--repo", "a/b", "--with-gh", cwd=tmp_path)
    assert result.code == 3
    assert "this gh has no `attestation` command; install the GitHub CLI 2.49" in result.err


def test_artifacts_image_without_cosign_fails_closed(
    cli: Cli, release_repo: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = release_repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text().replace(
            '    bundle: "{file}.sigstore"\n',
            '    bundle: "{file}.sigstore"\n'
            '    images: ["ghcr.io/trailofbits/rfc8785:{version}"]\n',
        )
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("verify.artifacts", "--tag", "v0.1.2", "--json", cwd=release_repo.path)
    assert result.code == 3
    image = [c for c in json.loads(result.out)["results"] if c["check"] == "image-signature"]
    assert [(c["subject"], c["status"]) for c in image] == [
        ("ghcr.io/trailofbits/rfc8785:0.1.2", "mismatch")
    ]
    assert "cosign is not installed" in image[0]["detail"]


def test_artifacts_without_config_section_is_an_error(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"releasekit.yaml": 'tag_format: "v{version}"\n'})
    result = cli("verify.artifacts", "--tag", "v1.0.0", cwd=repo.path)
    assert result.code == 1
    assert "no artifacts section" in result.err


def test_sha256sum_in_github_actions_annotates_failures(
    cli: Cli, dist: Path, env_ci: dict[str, Path]
) -> None:
    result = cli("verify.sha256sum", "krt_v0.0.3_checksums.txt", cwd=dist)
    assert result.code == 3
    assert result.lines[-1] == (
        "::error file=krt_v0.0.3_checksums.txt,line=3::krt_v0.0.3_windows_amd64.zip: MISSING "
        "No such file or directory"
    )
    summary = env_ci["summary"].read_text().splitlines()
    assert summary[:3] == [
        "### ❌ verify.sha256sum: krt_v0.0.3_checksums.txt: 1 could not be read",
        "",
        "2 ok, 1 missing",
    ]
    assert summary[-1] == (
        "| missing | `krt_v0.0.3_checksums.txt:3` | krt_v0.0.3_windows_amd64.zip: MISSING "
        "No such file or directory |"
    )
    assert env_ci["output"].read_text() == (
        "ok=false\nchecksums=krt_v0.0.3_checksums.txt\nverified=2\n"
    )


def test_artifacts_on_a_terminal_prints_a_table(
    cli: Cli, release_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "160")
    result = cli("verify.artifacts", "--tag", "v0.1.2", cwd=release_repo.path)
    assert result.code == 0, result.err
    assert "verify.artifacts v0.1.2" in result.out
    cells = [ln.split("│")[1].strip() for ln in result.lines if ln.startswith("│")]
    assert [cell for cell in cells if cell] == [
        "versions", "assets", "checksums", "checksums", "signature", "attestation",
    ]  # fmt: skip


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from releasekit import _progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _progress.wanted()
    with _progress.bytes_progress("sha256") as factory:
        assert factory is not None
        advance = factory(_progress.MIN_BYTES - 1)  # small: no bar
        advance(10)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert not _progress.wanted()
    with _progress.bytes_progress("sha256") as factory:
        assert factory is None


def test_attestation_with_gh_stand_in_is_given_the_identity(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gh cannot run here: a stand-in records its argv. --identity must reach gh, not vanish."""
    args_file = tmp_path / "argv"
    _stand_in(tmp_path, monkeypatch, "gh", f'printf "%s\\n" "$@" > "{args_file}"\n')
    exact = cli(
        "verify.attestation", "x", "--repo", "a/b", "--identity", "https://id", "--with-gh",
        cwd=tmp_path,
    )  # fmt: skip
    assert exact.code == 0, exact.err
    argv = args_file.read_text().splitlines()
    assert argv[argv.index("--cert-identity") + 1] == "https://id"
    regexp = cli(
        "verify.attestation", "x", "--repo", "a/b", "--identity-regexp", "https://.*", "--with-gh",
        cwd=tmp_path,
    )  # fmt: skip
    assert regexp.code == 0, regexp.err
    argv = args_file.read_text().splitlines()
    assert argv[argv.index("--cert-identity-regex") + 1] == "^(?:https://.*)$"


def test_artifacts_signing_pattern_that_matches_nothing_fails_not_skips(
    cli: Cli, release_repo: Repo
) -> None:
    """A typo in signing.blobs (and no bundle in dist/) used to pass with no signature check."""
    config = release_repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text()
        .replace("blobs: [bundle_v3_github.whl]", "blobs: [bundle_v3_github.tar.gz]")
        .replace("files: [reusable-workflow-artifact]\n    bundle", "files: [x-*]\n    bundle")
    )
    (release_repo.path / "dist" / "bundle_v3_github.whl.sigstore").unlink()
    (release_repo.path / "dist" / "reusable-workflow-artifact.intoto.jsonl").unlink()
    result = cli("verify.artifacts", "--tag", "v0.1.2", "--json", cwd=release_repo.path)
    assert result.code == 3, result.err
    failed = [c for c in json.loads(result.out)["results"] if c["status"] != "ok"]
    assert [(c["check"], c["subject"]) for c in failed] == [
        ("signature", "bundle_v3_github.tar.gz"),
        ("attestation", "x-*"),
    ]
    assert (
        "artifacts.signing.blobs pattern 'bundle_v3_github.tar.gz' matches no release file"
        in (failed[0]["detail"])
    )
    artifacts_line = COMPOSITE_CONFIG.splitlines().index("artifacts:") + 1
    assert (failed[0]["path"], failed[0]["line"]) == ("releasekit.yaml", artifacts_line)


def test_release_checksums_lists_a_symlink_under_its_own_name(cli: Cli, dist: Path) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    (dist / "krt_v0.0.3_checksums.txt").unlink()
    (dist / "krt_latest_linux_amd64.tar.gz").symlink_to("krt_v0.0.3_linux_amd64.tar.gz")
    result = cli("release.checksums", "dist/*.tar.gz", "--output", "dist/SUMS.txt", cwd=dist.parent)
    assert result.code == 0, result.err
    listed = [ln.split("  ", 1)[1] for ln in (dist / "SUMS.txt").read_text().splitlines()]
    assert listed == sorted(p.name for p in dist.glob("*.tar.gz"))
    check = subprocess.run([tool, "-c", "SUMS.txt"], cwd=dist, capture_output=True, text=True)
    assert check.returncode == 0
    assert "krt_latest_linux_amd64.tar.gz: OK" in check.stdout


def test_cosign_image_with_staging_is_refused_not_silently_production(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in cosign that would accept anything: --staging must not be dropped on the floor."""
    _stand_in(tmp_path, monkeypatch, "cosign", f'cat "{COSIGN / "podinfo-verify.stdout.json"}"\n')
    result = cli(
        "verify.cosign", "ghcr.io/stefanprodan/modules/podinfo:latest", "--identity-regexp",
        ".*", "--staging", cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 2
    assert "--staging/--trusted-root apply to blobs" in result.err
    assert result.out == ""


def test_attestation_with_gh_stand_in_refuses_staging_instead_of_dropping_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stand_in(tmp_path, monkeypatch, "gh", "exit 0\n")
    result = cli("verify.attestation", "x", "--repo", "a/b", "--with-gh", "--staging", cwd=tmp_path)
    assert result.code == 2
    assert "--staging/--trusted-root are for the in-process check" in result.err


def test_release_checksums_output_through_a_symlinked_directory(cli: Cli, dist: Path) -> None:
    (dist / "krt_v0.0.3_checksums.txt").unlink()
    link = dist.parent / "link"
    link.symlink_to(dist.parent, target_is_directory=True)
    result = cli(
        "release.checksums", "dist/*.tar.gz", "--output", str(link / "dist" / "SUMS.txt"),
        cwd=dist.parent,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (dist / "SUMS.txt").read_text() == (
        f"{_sha(b'darwin')}  krt_v0.0.3_darwin_arm64.tar.gz\n"
        f"{_sha(b'linux')}  krt_v0.0.3_linux_amd64.tar.gz\n"
    )
