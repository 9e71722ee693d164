"""Fuzz: the real ``releasekit`` program on a repository full of hostile files.

The suites beside this one call each parser directly; this one runs the tasks a user runs
(verify.versions, release.bump --dry-run, changelog.check, verify.sha256sum, docs.crd-history,
release.go-tag, verify.artifacts), in GitHub Actions mode half of the time, with every input
file drawn from those suites' strategies. The internal-error guard must never fire: its
message, or any traceback, in the output fails the test.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_fuzz_changelog as changelogs
import test_fuzz_checksums as checksums
import test_fuzz_config as configs
import test_fuzz_crd_history as crd_tables
import test_fuzz_gomod as gomods
import test_fuzz_version_files as targets
from fuzzing import encoded, examples
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from conftest import git

COMMANDS = (
    ("verify.versions", "--tag", "v0.1.8"),
    ("release.bump", "0.1.9", "--dry-run", "--date", "2026-11-21"),
    ("changelog.check",),
    ("changelog.release", "0.2.0", "--dry-run", "--date", "2026-11-21"),
    ("verify.sha256sum", "SHA256SUMS"),
    ("docs.crd-history",),
    ("release.go-tag", "v0.9.0", "--offline"),
    ("verify.artifacts", "--tag", "v0.1.8"),
)
CONFIG = (
    "version_files:\n"
    "  - path: target.yaml\n    key: version\n"
    "  - path: target.json\n    key: version\n"
    "  - path: target.toml\n    key: [project, version]\n"
    "changelog:\n  path: CHANGELOG.md\n"
    "helm:\n  crd_history: docs/upgrading.md\n"
    "artifacts:\n  dir: .\n  files: [target.yaml]\n  checksums: SHA256SUMS\n"
)


@pytest.fixture(scope="module")
def hostile_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fuzz-cli")
    git(root, "init", "-q", "-b", "main")
    (root / "docs").mkdir()
    yield root


@st.composite
def repositories(draw: st.DrawFn) -> dict[str, str]:
    """Every input file of the tasks above, each hostile or realistic."""
    config = draw(st.one_of(st.just(CONFIG), configs.documents, st.just(CONFIG + "\ufeff")))
    return {
        "releasekit.yaml": config,
        "target.yaml": draw(targets.odd_values(".yaml")),
        "target.json": draw(st.one_of(targets.odd_values(".json"), targets.json_documents())),
        "target.toml": draw(st.one_of(targets.odd_values(".toml"), targets.toml_documents())),
        "CHANGELOG.md": draw(changelogs.documents),
        "SHA256SUMS": draw(checksums.lists),
        "docs/upgrading.md": draw(crd_tables.documents),
        "go.mod": draw(gomods.documents),
    }


@examples(ci=12, fuzz=600, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(repositories(), st.sampled_from(COMMANDS), st.booleans())
def test_no_hostile_repository_makes_releasekit_crash(
    hostile_repo: Path,
    cli: object,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    command: tuple[str, ...],
    actions: bool,
) -> None:
    for name, text in files.items():
        (hostile_repo / name).write_bytes(encoded(text))
    # A file name that is not UTF-8: reports and annotations print it.
    (hostile_repo / os.fsdecode(b"caf\xe9.bin")).write_bytes(b"x")
    if command[0] == "release.go-tag":
        git(hostile_repo, "add", "-A")
        subprocess.run(
            ["git", "-C", str(hostile_repo), "commit", "-q", "--allow-empty", "-m", "x"],
            check=True,
            capture_output=True,
        )
    if actions:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(hostile_repo.parent / "summary.md"))
        monkeypatch.setenv("GITHUB_OUTPUT", str(hostile_repo.parent / "output.txt"))
    else:
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = cli(*command, cwd=hostile_repo)  # type: ignore[operator]
    shown = result.out + result.err
    assert "internal error" not in shown, shown[-2000:]
    assert "Traceback" not in shown, shown[-2000:]
    assert result.code in (0, 1, 2, 3), (result.code, shown[-2000:])
