"""The root action.yml and the workflow template: valid for the runners, clean for zizmor, and
their scripts do what they say when bash runs them.

Both files are validated against the GitHub workflow and action schemas check-jsonschema
vendors (SchemaStore's) and audited with zizmor offline; both tools come with the test extra.
No runner can be installed here, so the scripts run under bash with the runner's environment
(RUNNER_TEMP, GITHUB_OUTPUT, ...) set up by the test, pip stubbed where it would download.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import releasekit
from conftest import GIT_ENV, REPO_ROOT, Repo

ACTION = REPO_ROOT / "action.yml"
WORKFLOW = REPO_ROOT / "templates" / "github" / "release-verify.yaml"
FAN_OUT = REPO_ROOT / "templates" / "github" / "release-fan-out.yaml"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is missing; it comes with the test extra: pip install -e '.[test]'")
    return found


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        (WORKFLOW, "vendor.github-workflows"),
        (FAN_OUT, "vendor.github-workflows"),
        (ACTION, "vendor.github-actions"),
    ],
)
def test_valid_against_the_vendored_schema(path: Path, schema: str) -> None:
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok -- validation done"), done.stderr


@pytest.mark.parametrize("path", [WORKFLOW, FAN_OUT, ACTION])
def test_zizmor_finds_nothing(path: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []


def _workflow() -> dict:
    return YAML(typ="safe").load(WORKFLOW)


def test_workflow_is_least_privilege_full_history_and_pinned() -> None:
    workflow = _workflow()
    assert workflow["permissions"] == {}
    assert set(workflow["jobs"]) == {
        "versions", "charts", "rendered-images", "published-images", "artifacts",
    }  # fmt: skip
    for name, job in workflow["jobs"].items():
        assert set(job["permissions"]) <= {"contents", "packages"}, name
        assert set(job["permissions"].values()) == {"read"}, name
        checkout = job["steps"][0]
        assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}, name
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step
    text = WORKFLOW.read_text()
    assert "actions/checkout@8e8c483db84b4bee98b60c0593521ed34d9990e8 # v6.0.1" in text
    assert "actions/setup-python@83679a892e2d95755f2dac6acb0bfd1e9ac5d548 # v6.1.0" in text


def test_workflow_runs_existing_tasks_with_the_tag() -> None:
    commands = [
        step["run"]
        for job in _workflow()["jobs"].values()
        for step in job["steps"]
        if step.get("run", "").startswith("python -m releasekit.cli ")
    ]
    tasks = {cmd.split()[3] for cmd in commands}
    assert tasks == {
        "verify.versions", "verify.chart", "verify.chart-sync", "verify.helm-template",
        "verify.images", "verify.artifacts",
    }  # fmt: skip
    assert tasks <= set(releasekit.ns.task_names)
    assert all('--tag "$TAG"' in cmd for cmd in commands if "chart-sync" not in cmd)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **GIT_ENV, **extra}


def test_workflow_install_and_versions_job_run_a_vendored_copy(
    example_repo: Repo, tmp_path: Path
) -> None:
    """The versions job as bash runs it: the vendored branch of the install step (pip is a
    stub: no package index here), then its check, for real, on a repository at its tag."""
    job = _workflow()["jobs"]["versions"]
    install = next(s["run"] for s in job["steps"] if s.get("name") == "Install releasekit")
    check = job["steps"][-1]["run"]
    shutil.copytree(REPO_ROOT / "tasks" / "releasekit", example_repo.path / "tasks" / "releasekit")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "python").write_text(
        '#!/bin/sh\n[ "$1 $2 $3" = "-m pip install" ] && { echo "pip $*" >> "$PIP_LOG"; exit 0; }\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    (stubs / "python").chmod(0o755)
    env = _env(
        **{k: str(v) for k, v in _workflow()["env"].items() if k == "PYTHONPATH"},
        RELEASEKIT_PIP="",
        TAG="v0.1.7",
        PIP_LOG=str(tmp_path / "pip.log"),
        PATH=f"{stubs}:{os.environ['PATH']}",
    )
    subprocess.run(["bash", "-e", "-c", install], cwd=example_repo.path, env=env, check=True)
    assert (tmp_path / "pip.log").read_text().startswith("pip -m pip install invoke semver")
    done = subprocess.run(
        ["bash", "-e", "-c", check], cwd=example_repo.path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Makefile:3 VERSION: 0.1.7 (expected 0.1.7) OK" in done.stdout.splitlines()
    mismatch = subprocess.run(
        ["bash", "-e", "-c", check], cwd=example_repo.path, env={**env, "TAG": "v0.1.8"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert mismatch.returncode == 3
    unset = subprocess.run(
        ["bash", "-e", "-c", install], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert unset.returncode == 1
    assert "::error::set the repository variable RELEASEKIT_PIP" in unset.stdout


# --- the composite action --------------------------------------------------------------------


def _action_step(step_id: str, inputs: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A step's script and its env, with ${{ inputs.x }} filled in as the runner does."""
    action = YAML(typ="safe").load(ACTION)
    step = next(s for s in action["runs"]["steps"] if s.get("id") == step_id)
    defaults = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values = defaults | inputs

    def fill(text: str) -> str:
        return re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m[1]], text)

    return step["run"], {k: fill(str(v)) for k, v in step.get("env", {}).items()}


def _run_action(repo: Repo, tmp_path: Path, args: str) -> tuple[int, str, dict[str, str]]:
    """The action's run step on ``repo``, with a releasekit in the venv the install step makes."""
    runner_temp = tmp_path / "runner"
    (runner_temp / "releasekit-venv" / "bin").mkdir(parents=True, exist_ok=True)
    binary = runner_temp / "releasekit-venv" / "bin" / "releasekit"
    binary.write_text(
        f'#!/bin/sh\nPYTHONPATH="{REPO_ROOT / "tasks"}" exec "{sys.executable}" -m releasekit.cli "$@"\n'
    )
    binary.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("")
    script, env = _action_step("run", {"task": "verify.versions", "args": args})
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=_env(
            **env,
            RUNNER_TEMP=str(runner_temp),
            GITHUB_ACTIONS="true",
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
            GITHUB_RUN_ID="7",
        ),
    )
    return done.returncode, done.stdout, _outputs(output.read_text())


def _outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: key=value lines and key<<DELIMITER blocks."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            found[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            found[key] = value
    return found


def test_action_outputs_ok_tag_version_and_the_results(example_repo: Repo, tmp_path: Path) -> None:
    code, out, outputs = _run_action(example_repo, tmp_path, "--tag 'v0.1.7'")
    assert code == 0, out
    assert (outputs["ok"], outputs["tag"], outputs["version"]) == ("true", "v0.1.7", "0.1.7")
    envelope = json.loads(outputs["results"])
    assert (envelope["task"], envelope["ok"], envelope["exit_code"]) == ("verify.versions", True, 0)
    assert json.loads(out) == envelope  # the log shows the same envelope


def test_action_fails_the_step_with_the_task_exit_code(example_repo: Repo, tmp_path: Path) -> None:
    code, _, outputs = _run_action(example_repo, tmp_path, "--tag v0.1.8")
    assert code == 3
    assert outputs["ok"] == "false"
    assert json.loads(outputs["results"])["exit_code"] == 3


def test_action_args_are_split_like_a_shell_and_never_expanded(
    example_repo: Repo, tmp_path: Path
) -> None:
    code, _, outputs = _run_action(example_repo, tmp_path, '--tag "$(touch pwned)v0.1.7"')
    assert code == 1  # one argument, taken literally: not a tag of this scheme
    assert not (example_repo.path / "pwned").exists()
    assert "$(touch pwned)v0.1.7" in json.loads(outputs["results"])["errors"][0]


# --- the fan-out template: plan, one job per slice, merge ------------------------------------


def test_fan_out_jobs_split_and_merge_like_one_unsplit_run(
    make_repo, cli, tmp_path: Path, helm_sdk
) -> None:
    """The plan step's matrix output, each check job's script with its matrix entry, then the
    merge job's step: bash runs each as the runner would, on a repository at its tag."""
    from test_plan import CONFIG, LAYOUT

    repo = make_repo(name="operator")
    shutil.copytree(LAYOUT, repo.path, dirs_exist_ok=True)
    repo.commit("chore: the layout", {"releasekit.yaml": CONFIG})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    repo.write({"agents/Makefile": "VERSION ?= 0.1.6\n"})  # one slice fails: exit 3 overall
    jobs = YAML(typ="safe").load(FAN_OUT)["jobs"]
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (stubs / "python").chmod(0o755)
    env = _env(
        PYTHONPATH=str(REPO_ROOT / "tasks"),
        PATH=f"{stubs}:{os.environ['PATH']}",
        TAG="v0.1.7",
        GITHUB_ACTIONS="true",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
    )

    def step(job: str, key: str, **matrix: str) -> tuple[int, str, dict[str, str]]:
        found = next(
            s for s in jobs[job]["steps"] if key in (s.get("id"), s.get("name"), s.get("run"))
        )
        output = tmp_path / "output"
        output.write_text("")
        done = subprocess.run(
            ["bash", "-e", "-c", found["run"]],
            cwd=repo.path,
            capture_output=True,
            text=True,
            env={**env, **matrix, "GITHUB_OUTPUT": str(output)},
        )
        return done.returncode, done.stdout + done.stderr, _outputs(output.read_text())

    code, log, outputs = step("plan", "plan")
    assert code == 0, log
    matrix = json.loads(outputs["matrix"])
    for n, entry in enumerate(matrix["include"]):
        code, log, _ = step(
            "check", "releasekit ${{ matrix.task }}",
            TASK=entry["task"], ARGS=entry["args"], INDEX=str(n),
        )  # fmt: skip
        assert code == (3 if entry["task"] == "verify.versions" else 0), log
    assert len(list((repo.path / "results").glob("*.json"))) == len(matrix["include"])
    code, log, outputs = step("merge", "python -m releasekit.cli plan.merge results")
    assert (code, outputs["ok"], outputs["slices"]) == (3, "false", str(len(matrix["include"])))
    unsplit = cli("plan.run", "--tag", "v0.1.7", cwd=repo.path)
    assert unsplit.code == 3
    assert [line for line in log.splitlines() if not line.startswith("::")] == [
        *unsplit.lines,
        unsplit.err.rstrip("\n"),
    ]


def test_fan_out_artifact_slices_download_only_their_files_with_a_gh_stand_in(
    make_repo, tmp_path: Path
) -> None:
    """The check job's download step for each verify.artifacts slice, then its check: `gh`
    is a stand-in (no forge here) that records its arguments and copies the files the
    patterns name from a folder standing for the release; each slice gets its own files."""
    from test_artifacts_platforms import PLATFORMS, _release

    published = _release(make_repo, tmp_path)
    repo = make_repo(name="checkout")
    shutil.copy(published.path / "releasekit.yaml", repo.path / "releasekit.yaml")
    shutil.copy(published.path / "VERSION", repo.path / "VERSION")
    repo.commit("chore: config")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (stubs / "gh").write_text(
        "#!/bin/sh\n"  # gh release download TAG --dir DIR --repo R --pattern P ...
        f'echo "$@" >> "{tmp_path}/gh.log"\n'
        'dir=$5; mkdir -p "$dir"; shift 7\n'
        'while [ $# -gt 0 ]; do '
        f'cp "{published.path}/dist/$2" "$dir/"; shift 2; done\n'
    )  # fmt: skip
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    steps = YAML(typ="safe").load(FAN_OUT)["jobs"]["check"]["steps"]
    download = next(s for s in steps if s.get("name") == "Download the release assets")
    env = _env(PYTHONPATH=str(REPO_ROOT / "tasks"), PATH=f"{stubs}:{os.environ['PATH']}",
               TAG="v0.1.7", GITHUB_REPOSITORY="example/krt")  # fmt: skip
    planned = subprocess.run([sys.executable, "-m", "releasekit.cli", "plan", "--tag", "v0.1.7",
                              "--github-matrix"], cwd=repo.path, env=env, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    slices = [e for e in json.loads(planned)["include"] if e["task"] == "verify.artifacts"]
    assert len(slices) == len(PLATFORMS) + 1
    for entry in slices:
        shutil.rmtree(repo.path / "dist", ignore_errors=True)
        done = subprocess.run(["bash", "-e", "-c", download["run"]], cwd=repo.path,
                              env={**env, "ARGS": entry["args"]}, capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        got = sorted(p.name for p in (repo.path / "dist").iterdir())
        platform = entry["args"].split("--platform ")[1]
        if platform == "none":
            assert got == ["install.yaml", "krt_v0.1.7_checksums.txt"]
        else:
            archive = f"krt_v0.1.7_{platform.replace('/', '_')}." + (
                "zip" if platform.startswith("windows") else "tar.gz"
            )
            assert got == sorted([archive, "krt_v0.1.7_checksums.txt"])
        check = subprocess.run([sys.executable, "-m", "releasekit.cli", "verify.artifacts",
                                *entry["args"].split()], cwd=repo.path, env=env,
                               capture_output=True, text=True)  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
        if platform != "none":  # the archive's sha256 was checked, not skipped
            assert f"checksums {archive}: OK sha256 matches" in check.stdout
    logged = (tmp_path / "gh.log").read_text().splitlines()
    assert logged[0] == (
        "release download v0.1.7 --dir dist --repo example/krt "
        "--pattern krt_v0.1.7_linux_amd64.tar.gz --pattern krt_v0.1.7_checksums.txt"
    )
