"""The output contract (README: Output), over every task in the collection.

Each task runs for real on the example project (or, for tasks that need a registry, against an
unreachable one), once with ``--json`` and once as text, under GitHub Actions: one envelope of
the documented shape, statuses from the vocabulary, an exit code that follows from them,
annotations that point at files, a step summary and ``$GITHUB_OUTPUT`` keys, each fact once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import releasekit
from conftest import EXAMPLE, FIXTURES, GIT_ENV, CliResult
from releasekit._output import STATUSES, Item, Result, _painted

SIGSTORE = FIXTURES / "sigstore"
WHL_SAN = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
SHA = "6d7d2a3fe8243809b3c3a710792c8498292e2fc3"  # a tested image's commit, for release.pin
NOWHERE = "127.0.0.1:9"  # the discard port: connection refused at once
ENVELOPE = ["task", "ok", "exit_code", "dry_run", "summary", "outputs", "results", "errors"]
FAILING = {"mismatch": 3, "missing": 3}


@dataclass(frozen=True)
class Scenario:
    argv: tuple[str, ...]
    code: int
    helm: bool = False  # renders charts (helm-python-sdk)


SCENARIOS: dict[str, Scenario] = {
    "changelog.generate": Scenario(("--all",), 0),
    "changelog.release": Scenario(("0.1.8", "--date", "2026-11-21", "--dry-run"), 0),
    "changelog.check": Scenario(("--date", "2026-11-21"), 0),
    "docs.crd-history": Scenario((), 0),
    "init": Scenario(("--dry-run",), 1),  # the example has its releasekit.yaml: kept as it is
    "plan.checks": Scenario(("--tag", "v0.1.7", "--github-matrix"), 0),
    "plan.merge": Scenario(("no-results/*.json",), 2),
    "plan.run": Scenario(("--tag", "0.1.7"), 1),  # not a tag of v{version}: refused before any run
    "release.bump": Scenario(("0.1.8", "--dry-run", "--date", "2026-11-21"), 0),
    "release.bump-chart": Scenario(("charts/demo-operator", "0.2.0", "--dry-run"), 0),
    "release.checksums": Scenario(("Makefile,go.mod",), 0),
    "release.citation": Scenario(("--tag", "v0.1.7", "--date", "2026-11-21", "--dry-run"), 0),
    "release.get": Scenario(("versions.yaml", "git.agent-runtime.reference"), 0),
    "release.go-get": Scenario(("example.com/runtime@v1.0.0", "--in", ".", "--dry-run"), 0),
    "release.go-tag": Scenario(("v0.8.0", "--offline"), 0),
    "release.hotfix": Scenario(("v0.1.7", "--offline"), 0),
    "release.image-tags": Scenario(("--image", f"{NOWHERE}/demo", "--plain-http"), 1),
    "release.manifest": Scenario(("2026.04", "--dry-run"), 1),  # the example has no manifest:
    "release.notes": Scenario(("--tag", "v0.1.8", "--offline"), 0),
    "release.pin": Scenario((SHA, "--set", "git.agent-runtime.reference=v0.1.8", "--dry-run"), 0),
    "release.package-chart": Scenario(("--dest", "../packaged", "--engine", "sdk"), 0, helm=True),
    "release.prepare": Scenario(("0.1.8", "--dry-run", "--offline", "--date", "2026-11-21"), 0),
    "release.promote": Scenario(
        (
            "--tag",
            "v0.1.7",
            "--from",
            "build-1",
            "--image",
            f"{NOWHERE}/demo:{{tag}}",
            "--plain-http",
            "--dry-run",
        ),
        1,
    ),
    "release.preflight": Scenario(("--tag", "v0.1.8"), 1),  # the example has no preflight:
    "release.publish": Scenario(("--tag", "v0.1.7", "--dry-run"), 3),  # placeholders left
    "release.push-chart": Scenario(("dist/none-0.1.0.tgz", f"oci://{NOWHERE}/charts"), 1),
    "release.recover": Scenario((), 0),
    "release.set": Scenario(("versions.yaml", "oci.pause.tag=3.10", "--dry-run"), 0),
    # The example repository has no remote: the steps that ask it are unknown (exit 1).
    "release.run": Scenario(("--tag", "v0.1.8", "--dry-run", "--date", "2026-11-21"), 1),
    "release.status": Scenario(("--tag", "v0.1.8", "--date", "2026-11-21"), 1),
    "release.supersede": Scenario(("v0.1.7", "v0.1.9", "--offline", "--dry-run"), 1),
    "release.tag": Scenario(("0.1.8", "--offline", "--dry-run"), 0),
    "release.tags": Scenario((), 0),
    "release.unpin": Scenario(("--dry-run",), 0),  # nothing is pinned: every target unchanged
    "release.untag": Scenario(("v0.1.7", "--dry-run"), 0),
    "verify.artifacts": Scenario(("--tag", "v0.1.7", "--platform", "linux/amd64"), 3),
    "verify.assets": Scenario(("--tag", "v0.1.7"), 3),
    "verify.attestation": Scenario(
        (
            str(SIGSTORE / "reusable-workflow-artifact"),
            "--bundle",
            str(SIGSTORE / "reusable-workflow-attestation.sigstore.json"),
            "--repo",
            "malancas/attest-demo",
        ),
        0,
    ),
    "verify.chart": Scenario(("--tag", "v0.1.8"), 3),
    "verify.chart-published": Scenario(
        (
            "--tag",
            "v0.1.7",
            "--remote",
            f"oci://{NOWHERE}/charts",
            "--chart",
            "charts/demo-operator",
            "--plain-http",
        ),
        1,
    ),
    "verify.chart-sync": Scenario((), 0),
    "verify.citation": Scenario((), 3),  # the example's CITATION.cff has no commit yet
    "verify.cosign": Scenario(
        (
            str(SIGSTORE / "bundle_v3_github.whl"),
            "--bundle",
            str(SIGSTORE / "bundle_v3_github.whl.sigstore"),
            "--identity",
            WHL_SAN,
        ),
        0,
    ),
    "verify.crd-changes": Scenario(("--since", "v0.1.7"), 0),
    "verify.docs": Scenario(("--tag", "v0.1.7"), 0),
    "verify.helm-template": Scenario(("--tag", "v0.1.8", "--engine", "sdk"), 3, helm=True),
    "verify.images": Scenario(
        ("--tag", "v0.1.7", "--image", f"{NOWHERE}/demo:{{tag}}", "--plain-http"), 1
    ),
    "verify.manifest": Scenario(("dist/suite-2026.04.yaml",), 1),  # no such file
    "verify.sha256sum": Scenario(("SHA256SUMS",), 3),
    "verify.tags": Scenario((), 3),  # the example's Go submodules have no v0.1.7 tags
    "verify.versions": Scenario(("--tag", "v0.1.8"), 3),
}


def _task_names() -> list[str]:
    return sorted(releasekit.ns.task_names)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project as a real repository with a v0.1.7 tag and a checksum list with one
    wrong line (read-only for every scenario: each runs read-only or as a dry run)."""
    root = tmp_path_factory.mktemp("contract") / "demo-operator"
    shutil.copytree(EXAMPLE, root, symlinks=True)
    (root / "SHA256SUMS").write_text(f"{'0' * 64}  Makefile\nnot a checksum line\n")
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    for argv in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "chore: import demo operator"],
        ["-c", "tag.gpgsign=false", "tag", "-a", "v0.1.7", "-m", "Release v0.1.7"],
    ):
        subprocess.run(["git", "-C", str(root), *argv], check=True, env=env, capture_output=True)
    return root


@pytest.fixture
def actions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[[], dict[str, str]]]:
    """GitHub Actions files, fresh for each run; no retries or long waits on the dead registry."""
    monkeypatch.setenv("RELEASEKIT_NETWORK_RETRIES", "0")
    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "5")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    runs = iter(range(100))

    def fresh() -> dict[str, str]:
        n = next(runs)
        files = {
            "summary": str(tmp_path / f"summary{n}.md"),
            "output": str(tmp_path / f"output{n}"),
        }
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", files["summary"])
        monkeypatch.setenv("GITHUB_OUTPUT", files["output"])
        return files

    yield fresh


def test_every_task_has_a_scenario() -> None:
    """A new task joins the contract by adding its scenario here."""
    assert sorted(SCENARIOS) == _task_names()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_task_keeps_the_output_contract(
    name: str, project: Path, cli, actions, request: pytest.FixtureRequest
) -> None:
    scenario = SCENARIOS[name]
    if scenario.helm:
        request.getfixturevalue("helm_sdk")
    files = actions()
    run = cli(name, *scenario.argv, "--json", cwd=project)
    data = json.loads(run.out)  # stdout is exactly one JSON document
    assert list(data) == ENVELOPE
    assert (data["task"], data["exit_code"], run.code) == (name, scenario.code, scenario.code), (
        run.err
    )
    assert data["ok"] is (run.code == 0) and isinstance(data["dry_run"], bool)
    for item in data["results"]:
        assert item["status"] in STATUSES and isinstance(item["message"], str)
        assert ("path" in item) == ("line" in item)
    if data["results"] and not data["errors"]:
        assert run.code == _code_of(data["results"])
    if run.code:
        assert data["errors"] and run.err.splitlines()[-1].startswith("releasekit: error: ")
        assert data["errors"][0].splitlines()[0] in run.err
    _assert_annotations(data["results"], run.err)
    _assert_actions_files(name, run.code, files)
    if name in FILE_EDITS:
        _assert_dry_run_diffs(data)

    files = actions()
    text = cli(name, *scenario.argv, cwd=project)
    assert text.code == run.code
    _assert_each_fact_once(text)
    _assert_actions_files(name, text.code, files)


# Tasks whose scenario is a dry run of a file edit: their items carry the diff (README: Output).
FILE_EDITS = (
    "changelog.release",
    "release.bump",
    "release.bump-chart",
    "release.citation",
    "release.pin",
    "release.prepare",
    "release.set",
)


def _assert_dry_run_diffs(data: dict[str, Any]) -> None:
    assert data["dry_run"] is True
    with_diff = [item for item in data["results"] if "diff" in item]
    assert with_diff, "a dry run of a file edit carries the diff it would apply"
    for item in with_diff:
        assert item["status"] == "would-change"
        assert item["diff"].startswith(f"--- a/{item['path']}\n+++ b/{item['path']}\n@@ ")


def _code_of(results: list[dict[str, object]]) -> int:
    statuses = {str(r["status"]) for r in results}
    if "error" in statuses:
        return 1
    return max((FAILING.get(s, 0) for s in statuses), default=0)


def _assert_annotations(results: list[dict[str, object]], stream: str) -> None:
    """Every failing result is an ::error annotation, with file= and line= when it has them."""
    annotations = [line for line in stream.splitlines() if line.startswith("::")]
    for item in results:
        if item["status"] not in ("mismatch", "missing", "error"):
            continue
        head = "::error"
        if item.get("path") is not None:
            head += f" file={item['path']}".replace(":", "%3A").replace(",", "%2C")
            if item.get("line") is not None:
                head += f",line={item['line']}"
        assert any(a.startswith(head + "::") for a in annotations), (head, annotations)


def _assert_actions_files(name: str, code: int, files: dict[str, str]) -> None:
    summary = Path(files["summary"]).read_text(encoding="utf-8")
    assert summary.startswith(f"### {'✅' if code == 0 else '❌'} {name}"), summary
    outputs = Path(files["output"]).read_text(encoding="utf-8").splitlines()
    assert f"ok={'true' if code == 0 else 'false'}" in outputs


def _assert_each_fact_once(run: CliResult) -> None:
    """No result line on stdout is said again on stderr."""
    said = {
        line.strip() for line in run.out.splitlines() if line.strip() and not line.startswith("::")
    }
    repeated = [line for line in run.err.splitlines() if line.strip() in said]
    assert not repeated, repeated


# --- the flags every task shares -------------------------------------------------------------


@pytest.mark.parametrize("name", _task_names())
def test_every_task_has_json_and_only_deliberate_short_flags(name: str) -> None:
    task = releasekit.ns[name]
    args = {arg.name: arg for arg in task.get_arguments()}
    assert "json" in args, f"{name} has no --json"
    shorts = {n for arg in args.values() for n in arg.names if len(n) == 1}
    assert shorts <= {"n", "j", "f"}, (name, shorts)  # -h is help, everywhere
    if "dry_run" in args:
        assert "n" in args["dry_run"].names


def test_no_task_module_prints_formats_json_or_annotations() -> None:
    """Only the renderer (_output.py) prints results, builds JSON or writes Actions files."""
    package = Path(releasekit.__file__).parent
    for module in sorted(package.glob("*.py")):
        # _crash.py prints the internal-error report at the CLI boundary, as _adapter.py does.
        if module.name in ("_output.py", "_adapter.py", "_crash.py", "_progress.py", "cli.py"):
            continue
        source = module.read_text(encoding="utf-8")
        for forbidden in ("print(", "json.dumps", "::error", "common import ci", "sys.stdout"):
            assert forbidden not in source, f"{module.name} uses {forbidden}"


# --- the renderer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((), 0),
        (("ok", "changed", "unchanged", "would-change", "skipped"), 0),
        (("ok", "mismatch"), 3),
        (("missing",), 3),
        (("mismatch", "error"), 1),
    ],
)
def test_the_exit_code_follows_from_the_statuses(statuses: tuple[str, ...], code: int) -> None:
    result = Result([Item(s, s) for s in statuses])  # type: ignore[arg-type]
    assert result.exit_code == code


def test_colour_marks_the_verdict_word_only() -> None:
    ok = Item("ok", "Makefile:3 VERSION: 0.1.8 (expected 0.1.8) OK")
    bad = Item("mismatch", "MISMATCH charts/demo/Chart.yaml: appVersion v0.1.7")
    assert _painted(ok, True) == "Makefile:3 VERSION: 0.1.8 (expected 0.1.8) \x1b[32mOK\x1b[0m"
    assert (
        _painted(bad, True) == "\x1b[31mMISMATCH\x1b[0m charts/demo/Chart.yaml: appVersion v0.1.7"
    )
    assert _painted(ok, False) == ok.text


@pytest.mark.parametrize(("env", "tty", "colour"), [
    ({}, True, True), ({"NO_COLOR": "1"}, True, False), ({"CI": "true"}, True, False), ({}, False, False),
])  # fmt: skip
def test_colour_only_on_a_terminal_without_no_color_or_ci(
    env: dict[str, str], tty: bool, colour: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from releasekit._output import _colour_wanted

    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert _colour_wanted(Stream()) is colour  # type: ignore[arg-type]


def test_a_multi_line_output_is_written_with_a_heredoc(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from releasekit.core.common import ci

    target = tmp_path / "out"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    ci.set_outputs({"tags": "v1.0.0\nmod/v1.0.0", "ok": "true"})
    lines = target.read_text().splitlines()
    delimiter = lines[0].removeprefix("tags<<")
    assert re.fullmatch(r"releasekit_[0-9a-f]{32}", delimiter)
    assert lines[1:] == ["v1.0.0", "mod/v1.0.0", delimiter, "ok=true"]
