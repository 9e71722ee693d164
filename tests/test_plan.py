"""plan --github-matrix, plan.run and plan.merge: slices run one by one and merged equal one
unsplit run (issue 15, CI that fans out)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, OciRegistry, Repo
from registry_parts import build_layout, push

LAYOUT = FIXTURES / "init" / "operator"
# init's config for the layout, without registry: (its images live on quay.io, not here).
CONFIG = (FIXTURES / "init" / "operator.releasekit.yaml").read_text(encoding="utf-8")
CONFIG = CONFIG[: CONFIG.index("\n# The ``registry:`` section")] + "\n"


@pytest.fixture
def operator(make_repo) -> Repo:
    repo = make_repo(name="operator")
    shutil.copytree(LAYOUT, repo.path, dirs_exist_ok=True)
    repo.commit("chore: the layout", {"releasekit.yaml": CONFIG})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    return repo


def test_plan_lists_one_slice_per_check_and_chart(operator: Repo, cli) -> None:
    result = cli("plan", "--tag", "v0.1.7", cwd=operator.path)
    assert (result.code, result.err) == (0, "")
    assert result.lines == [
        "releasekit verify.versions --tag v0.1.7",
        "releasekit verify.chart --tag v0.1.7 --chart charts/kubeopencode",
        "releasekit verify.helm-template --tag v0.1.7 --chart charts/kubeopencode",
        "releasekit verify.chart-sync",
    ]


def test_github_matrix_is_valid_matrix_json(operator: Repo, cli, tmp_path: Path) -> None:
    result = cli("plan", "--tag", "v0.1.7", "--github-matrix", cwd=operator.path)
    assert result.code == 0
    (line,) = result.lines  # one line: `echo "matrix=$(...)" >> $GITHUB_OUTPUT` works too
    matrix = json.loads(line)
    assert list(matrix) == ["include"]
    assert matrix["include"][1] == {
        "name": "verify.chart charts/kubeopencode",
        "task": "verify.chart",
        "args": "--tag v0.1.7 --chart charts/kubeopencode",
    }
    # The matrix as a workflow takes it, checked against GitHub's workflow schema.
    workflow = tmp_path / "fan-out.yaml"
    workflow.write_text(
        "on: push\njobs:\n  check:\n    runs-on: ubuntu-latest\n    strategy:\n"
        f"      fail-fast: false\n      matrix: {line}\n    steps:\n"
        "      - run: releasekit ${{ matrix.task }} ${{ matrix.args }}\n"
    )
    checker = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", workflow],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _slices_then_merge(repo: Repo, cli, results: Path) -> dict:
    planned = json.loads(cli("plan", "--tag", "v0.1.7", "--github-matrix", cwd=repo.path).out)
    results.mkdir()
    for n, entry in enumerate(planned["include"]):
        run = cli(entry["task"], *shlex.split(entry["args"]), "--json", cwd=repo.path)
        (results / f"{entry['task']}-{n}.json").write_text(run.out)
    merged = cli("plan.merge", str(results), "--json", cwd=repo.path)
    data = json.loads(merged.out)
    assert data["exit_code"] == merged.code
    return data


@pytest.mark.parametrize("broken", [False, True])
def test_slices_merged_equal_one_unsplit_run(
    operator: Repo, cli, tmp_path: Path, helm_sdk, broken: bool
) -> None:
    if broken:  # a version file and a chart CRD out of step: the merge must fail the same way
        operator.write({"agents/Makefile": "VERSION ?= 0.1.6\n"})
        crd = operator.path / "charts/kubeopencode/crds/kubeopencode.io_agents.yaml"
        crd.write_text(crd.read_text().replace("scope: Namespaced", "scope: Cluster"))
    merged = _slices_then_merge(operator, cli, tmp_path / "results")
    unsplit = json.loads(cli("plan.run", "--tag", "v0.1.7", "--json", cwd=operator.path).out)
    assert (merged["task"], unsplit["task"]) == ("plan.merge", "plan.run")
    assert {k: v for k, v in merged.items() if k != "task"} == {
        k: v for k, v in unsplit.items() if k != "task"
    }
    assert merged["exit_code"] == (3 if broken else 0)
    tasks = {item["task"] for item in merged["results"]}
    assert tasks == {"verify.versions", "verify.chart", "verify.helm-template", "verify.chart-sync"}
    if broken:
        failed = {i["task"] for i in merged["results"] if i["status"] != "ok"}
        assert failed == {"verify.versions", "verify.chart-sync"}


def test_merge_keeps_a_slice_that_stopped_with_an_error(operator: Repo, cli, tmp_path) -> None:
    """A slice that could not check (exit 1, no items) makes the merge exit 1, as unsplit."""
    results = tmp_path / "results"
    results.mkdir()
    ok = cli("verify.versions", "--tag", "v0.1.7", "--json", cwd=operator.path)
    (results / "a.json").write_text(ok.out)
    failed = cli("verify.chart", "--tag", "v0.1.7", "--chart", "charts/none", "--json",
                 cwd=operator.path)  # fmt: skip
    assert failed.code == 1
    (results / "b.json").write_text(failed.out)
    merged = cli("plan.merge", f"{results}/*.json", cwd=operator.path)
    assert merged.code == 1
    assert any(line.startswith("verify.chart: ") for line in merged.lines)
    assert merged.err.splitlines()[-1].startswith(
        # the two planned slices no file answers for fail too (test_merge_fails_when_...)
        "releasekit: error: 4 checks: 3 of 8 results fail (verify.chart, verify.chart-sync, "
        "verify.helm-template)"
    )


def test_merge_refuses_what_is_not_an_envelope(operator: Repo, cli, tmp_path) -> None:
    (tmp_path / "x.json").write_text('{"ok": true}')
    result = cli("plan.merge", str(tmp_path), cwd=operator.path)
    assert (result.code, result.err) == (
        1,
        f"releasekit: error: {tmp_path.as_posix()}/x.json: not a releasekit --json envelope "
        "(keys task, ok, exit_code, dry_run, summary, outputs, results, errors)\n",
    )
    none = cli("plan.merge", str(tmp_path / "nothing" / "*.json"), cwd=operator.path)
    assert none.code == 2


def test_plan_without_checks_says_how_to_get_some(make_repo, cli) -> None:
    repo = make_repo({"releasekit.yaml": "tag_format: 'v{version}'\n"})
    result = cli("plan", "--tag", "v0.1.7", cwd=repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: releasekit.yaml configures no checks (version_files:, helm:, "
        "registry:, artifacts:); write one with: releasekit init\n",
    )


def test_published_images_fan_out_one_slice_per_image_and_merge_like_one_run(
    make_repo, cli, tmp_path: Path, oci_registry: OciRegistry, unique_repo: str, skopeo_bin: object
) -> None:
    """StellaOps' shape, scaled down: three modules, each image at the version and a channel;
    one slice per image keeps its own tags and platforms, and the merge equals one run."""
    repos = [
        f"{oci_registry.host}/{unique_repo}-{name}" for name in ("authority", "scanner", "cli")
    ]
    images = "".join(f"    - repository: {r}\n      tags: ['{{tag}}', stable]\n" for r in repos)
    config = f"tag_format: 'v{{version}}'\nregistry:\n  plain_http: ['{oci_registry.host}']\n  images:\n{images}"
    repo = make_repo({"releasekit.yaml": config})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    for n, image in enumerate(repos):
        layout = build_layout(tmp_path / f"m{n}", "v0.1.7", seed=f"module-{n}")
        for tag in ("v0.1.7", "stable"):
            push(layout, f"{image}:{tag}")
    planned = json.loads(cli("plan", "--tag", "v0.1.7", "--github-matrix", cwd=repo.path).out)
    assert [(e["name"], e["args"]) for e in planned["include"]] == [
        (f"verify.images {r}", f"--tag v0.1.7 --repository {r}") for r in repos
    ]
    merged = _slices_then_merge(repo, cli, tmp_path / "results")
    unsplit = json.loads(cli("plan.run", "--tag", "v0.1.7", "--json", cwd=repo.path).out)
    assert {k: v for k, v in merged.items() if k != "task"} == {
        k: v for k, v in unsplit.items() if k != "task"
    }
    assert merged["exit_code"] == 0 and len(merged["results"]) == 6  # 3 images x 2 tags

    # One image's stable tag moved to another build: only its slice fails, and the merge too.
    push(build_layout(tmp_path / "other", "stable", seed="other"), f"{repos[1]}:stable")
    merged = _slices_then_merge(repo, cli, tmp_path / "results-2")
    assert merged["exit_code"] == 3
    failed = [i for i in merged["results"] if i["status"] != "ok"]
    assert {i["reference"].rsplit(":", 1)[0] for i in failed} <= {repos[1]}, failed

    unknown = cli("verify.images", "--tag", "v0.1.7", "--repository", "x/y", cwd=repo.path)
    assert unknown.code == 2
    assert unknown.err.startswith("releasekit: error: --repository 'x/y' is not in registry.images")


_GOOD = {"task": "verify.versions", "ok": True, "exit_code": 0, "dry_run": False,
         "summary": None, "outputs": {}, "results": [{"status": "ok", "message": "fine"}],
         "errors": []}  # fmt: skip


@pytest.mark.parametrize(
    "bad",
    [
        {"exit_code": "abc"},
        {"exit_code": None},
        {"results": None},
        {"results": [{"status": "ok", "message": "m", "path": 5}]},
        {"outputs": {"tag": ["x"]}},
        {"task": None},
        # never "OK" from what does not say so: an envelope that failed but exit 0, an unknown
        # status
        {"ok": False, "exit_code": 0, "errors": ["boom"]},
        {"results": [{"status": "fine", "message": "m"}]},
    ],
)
def test_merge_refuses_a_damaged_envelope_naming_the_file(
    operator: Repo, cli, tmp_path: Path, bad: dict
) -> None:
    """A slice file of the right keys but wrong values is an error naming it, never an
    internal error and never a result that holds."""
    (tmp_path / "a.json").write_text(json.dumps(_GOOD))
    (tmp_path / "b.json").write_text(json.dumps(_GOOD | bad))
    result = cli("plan.merge", str(tmp_path), cwd=operator.path)
    assert result.code == 1, result.out + result.err
    assert result.err.startswith(f"releasekit: error: {tmp_path.as_posix()}/b.json: ")
    assert "internal error" not in result.err


def test_merge_fails_when_a_planned_slice_left_no_file(operator: Repo, cli, tmp_path) -> None:
    """A matrix job that died before writing its envelope (the merge job runs `if: always()`)
    is a planned check without a result: the merge fails naming it, never passes on the rest."""
    results = tmp_path / "results"
    planned = json.loads(cli("plan", "--tag", "v0.1.7", "--github-matrix", cwd=operator.path).out)
    results.mkdir()
    for n, entry in enumerate(planned["include"][:-1]):  # the last job wrote nothing
        run = cli(entry["task"], *shlex.split(entry["args"]), "--json", cwd=operator.path)
        (results / f"{n:03d}.json").write_text(run.out)
    merged = cli("plan.merge", str(results), cwd=operator.path)
    assert merged.code == 1, merged.out + merged.err
    assert (
        "verify.chart-sync: no result file for `releasekit verify.chart-sync` (its job wrote "
        "none)" in merged.lines
    )


def test_merge_refuses_slices_of_different_tags(operator: Repo, cli, tmp_path) -> None:
    """A stale envelope of another release among the slices is an error, never merged."""
    operator.git("tag", "-a", "v0.1.6", "-m", "an older tag on the same commit")
    for n, tag in enumerate(("v0.1.7", "v0.1.6")):
        run = cli("verify.versions", "--tag", tag, "--json", cwd=operator.path)
        (tmp_path / f"{n}.json").write_text(run.out)
    merged = cli("plan.merge", str(tmp_path), cwd=operator.path)
    assert (merged.code, merged.err) == (
        2,
        "releasekit: error: the result files are of different releases (v0.1.6, v0.1.7); "
        "merge the slices of one tag\n",
    )
