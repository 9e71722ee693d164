"""verify.docs on fixture docs of a kruntimes-shaped repository (seed 001) with real release
tags: stale versions with file:line, historical text allowed, a rule firing when go.mod's
toolchain changed without the compatibility doc, and table values drifting from go.mod and the
Makefile (exit 3, naming both places)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, CliResult, Repo

Cli = Callable[..., CliResult]
HINT = "write the current version, or allow this historical text in docs.allow"


@pytest.fixture
def krt(make_repo: Callable[..., Repo]) -> Repo:
    """v0.1.6 and v0.1.7 released; since then go.mod's toolchain moved to go1.23.1."""
    repo = make_repo(name="kruntimes")
    shutil.copytree(FIXTURES / "docs" / "kruntimes", repo.path, dirs_exist_ok=True)
    repo.commit("feat: kruntimes")
    repo.git("tag", "-a", "v0.1.6", "-m", "v0.1.6")
    repo.commit("fix: sessions")
    repo.git("tag", "-a", "v0.1.7", "-m", "v0.1.7")
    gomod = repo.path / "go.mod"
    repo.commit("build: go 1.23 toolchain",
                {"go.mod": gomod.read_text().replace("go1.22.5", "go1.23.1")})  # fmt: skip
    return repo


def test_every_kind_of_finding_with_file_and_line(krt: Repo, cli: Cli) -> None:
    result = cli("verify.docs", "--tag", "v0.1.8", cwd=krt.path)
    assert result.code == 3
    assert result.lines == [
        f"README.md:7: names v0.1.6 (v0.1.6, older than v0.1.8); {HINT}",
        f"docs/install.md:4: names 0.1.7 (v0.1.7, older than v0.1.8); {HINT}",
        f"docs/upgrading.md:5: names v0.1.7 (v0.1.7, older than v0.1.8); {HINT}",
        "docs/compatibility.md: must change when go.mod toolchain changes (Kubernetes, Go or "
        "Python support changed): 'go1.22.5' -> 'go1.23.1' since v0.1.7 (go.mod:5), but "
        "docs/compatibility.md is as it was in v0.1.7 — update it",
        "docs/compatibility.md:6: Go toolchain | Supported says 'go1.22.5', but go.mod:5 (go.mod "
        "toolchain) says 'go1.23.1'; write 'go1.23.1' in the table",
        "docs/compatibility.md:7: Kubernetes (envtest) | Supported says '1.29.0', but Makefile:3 "
        "(Makefile ENVTEST_K8S_VERSION) says '1.30.0'; write '1.30.0' in the table",
        "checked 4 docs, 2 rules, 5 table values against v0.1.8",
    ]
    assert result.err == "releasekit: error: 6 doc finding(s) for v0.1.8\n"
    report = json.loads(cli("verify.docs", "--tag", "v0.1.8", "--json", cwd=krt.path).out)
    assert report["outputs"]["previous_tag"] == "v0.1.7" and report["ok"] is False
    assert report["exit_code"] == 3 and report["outputs"]["findings"] == 6
    assert report["results"][4] == {
        "status": "mismatch", "path": "docs/compatibility.md", "line": 6,
        "kind": "matrix", "where": "docs/compatibility.md:6", "source": "go.mod:5",
        "message": "Go toolchain | Supported says 'go1.22.5', but go.mod:5 (go.mod toolchain) "
        "says 'go1.23.1'; write 'go1.23.1' in the table",
    }  # fmt: skip


def test_fixed_docs_pass_and_history_stays_allowed(krt: Repo, cli: Cli) -> None:
    """The Version History table and the changelog keep naming old releases; the rest moved."""

    def edit(name: str, old: str, new: str) -> None:
        path = krt.path / name
        path.write_text(path.read_text().replace(old, new))

    edit("README.md", "krt_v0.1.6_", "krt_v0.1.8_")
    edit("docs/install.md", "--version 0.1.7", "--version 0.1.8")
    edit("docs/upgrading.md", "Upgrade from v0.1.7", "Upgrade from an earlier release")
    edit("docs/compatibility.md", "go1.22.5", "go1.23.1")
    edit("docs/compatibility.md", "| 1.29.0 |", "| 1.30.0 |")
    result = cli("verify.docs", "--tag", "v0.1.8", cwd=krt.path)
    assert (result.code, result.lines) == (
        0,
        ["checked 4 docs, 2 rules, 5 table values against v0.1.8"],
    )


def test_a_changed_dockerfile_base_image_fires_the_rule(krt: Repo, cli: Cli) -> None:
    docker, gomod = krt.path / "Dockerfile", krt.path / "go.mod"
    krt.commit("build: the go1.22.5 toolchain again, a debug base image", {
        "go.mod": gomod.read_text().replace("go1.23.1", "go1.22.5"),
        "Dockerfile": docker.read_text().replace("static:nonroot", "static:debug"),
    })  # fmt: skip

    def rules() -> list[dict[str, object]]:
        out = cli("verify.docs", "--tag", "v0.1.8", "--json", cwd=krt.path).out
        return [f for f in json.loads(out)["results"] if f["kind"] == "rule"]

    assert rules() == [{
        "status": "mismatch", "path": "docs/compatibility.md", "line": None, "kind": "rule", "where": "docs/compatibility.md", "source": "Dockerfile:1",
        "message": "must change when Dockerfile lines matching '^FROM ' changes (Kubernetes, Go or Python "
        "support changed): 'FROM golang:1.22-alpine AS build', 'FROM gcr.io/distroless/static:"
        "nonroot' -> 'FROM golang:1.22-alpine AS build', 'FROM gcr.io/distroless/static:debug' "
        "since v0.1.7 (Dockerfile:1), but docs/compatibility.md is as it was in v0.1.7 — update it",
    }]  # fmt: skip
    doc = krt.path / "docs/compatibility.md"
    krt.commit(
        "docs: the debug base image",
        {"docs/compatibility.md": doc.read_text() + "\nDebug base image.\n"},
    )
    assert rules() == []  # the doc changed since v0.1.7


def test_a_missing_table_row_is_an_error_not_a_pass(krt: Repo, cli: Cli) -> None:
    config = krt.path / "releasekit.yaml"
    config.write_text(config.read_text().replace("row: Python,", "row: Python 3,"))
    result = cli("verify.docs", "--tag", "v0.1.8", cwd=krt.path)
    assert (result.code, result.err) == (1, (
        "releasekit: error: docs/compatibility.md: no table row 'Python 3' (docs.compatibility); "
        "add it to the doc or fix the row in releasekit.yaml\n"
    ))  # fmt: skip


def test_docs_config_mistakes_name_the_key_and_line(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = make_repo({"releasekit.yaml": "docs:\n  rules:\n    - doc: d.md\n      when: []\n"})
    result = cli("verify.docs", "--tag", "v0.1.0", cwd=repo.path)
    assert result.code == 1
    assert result.err.startswith(
        "releasekit: error: releasekit.yaml:4: docs.rules[0].when must list at least one source, "
        "e.g. [{path: go.mod}]"
    )


def test_in_github_actions_each_finding_is_an_annotation_at_its_line(
    krt: Repo, cli: Cli, env_ci: dict[str, Path]
) -> None:
    result = cli("verify.docs", "--tag", "v0.1.8", cwd=krt.path)
    assert result.code == 3
    annotations = [line for line in result.out.splitlines() if line.startswith("::")]
    assert annotations[0].startswith("::error file=README.md,line=7::names v0.1.6")
    assert "::error file=docs/compatibility.md::must change when go.mod toolchain" in (
        "\n".join(annotations)
    )  # a rule is about the whole doc: no line
    assert any(a.startswith("::error file=docs/compatibility.md,line=6::") for a in annotations)
    assert len(annotations) == 6
    summary = env_ci["summary"].read_text()
    assert summary.startswith("### ❌ verify.docs: 6 doc finding(s) for v0.1.8\n")
    outputs = env_ci["output"].read_text().splitlines()
    assert {"ok=false", "tag=v0.1.8", "previous_tag=v0.1.7", "findings=6"} <= set(outputs)
