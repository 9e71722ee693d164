"""verify.helm-template: real rendering (helm-python-sdk, or the helm binary) of real charts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO_ROOT, CliResult, Repo

GOLDEN = REPO_ROOT / "tests" / "fixtures" / "helm"

pytestmark = pytest.mark.usefixtures("helm_sdk")


def test_example_chart_report_matches_golden(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("verify.helm-template", "--engine", "sdk", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.out == (GOLDEN / "helm-template-v0.1.7.txt").read_text()


def test_wrong_tag_reports_every_image_and_exits_3(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli(
        "verify.helm-template", "--engine", "sdk", "--tag", "v0.1.8", cwd=example_repo.path
    )
    assert result.code == 3
    assert result.out == (GOLDEN / "helm-template-v0.1.8-mismatch.txt").read_text()
    assert "5 image(s) do not match the release" in result.err


def test_alias_helm_template_check_runs_the_same_task(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("verify.helm-template-check", "--engine", "sdk", cwd=example_repo.path)
    assert result.code == 0
    assert result.out == (GOLDEN / "helm-template-v0.1.7.txt").read_text()


def test_values_file_and_set_override_through_helpers(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    # -f sets the CronJob's image to :latest; --set gives the agent an explicit tag; both
    # reach the rendered output through `include` and `tag | default .Chart.AppVersion`.
    result = cli(
        "verify.helm-template", "--engine", "sdk",
        "-f", "charts/demo-operator/ci/latest-values.yaml",
        "--set", "agent.image.tag=v0.1.7",
        "--set", "initImage.digest=sha256:" + "a" * 64,
        cwd=example_repo.path,
    )  # fmt: skip
    assert result.code == 3
    assert result.lines[1] == (
        "  MISMATCH CronJob/demo-operator-session-cleanup container cleanup: "
        "ghcr.io/example/demo-operator:latest (expected ghcr.io/example/demo-operator:v0.1.7)"
    )
    # A digest of an image expected at {tag} cannot be confirmed offline (issue 10; it was PINNED).
    assert result.lines[2].startswith(
        "  UNVERIFIED Deployment/demo-operator-controller initContainer wait-for-webhook-certs: "
        "ghcr.io/example/demo-operator@sha256:" + "a" * 64 + " is pinned by digest"
    )
    assert result.lines[-1] == "  6 images, 2 mismatches"


def test_allow_list_accepts_an_intentional_latest(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    config = example_repo.path / "releasekit.yaml"
    text = config.read_text()
    config.write_text(
        text.replace(
            '      app_version: "{tag}"\n',
            '      app_version: "{tag}"\n      allow: ["ghcr.io/example/demo-operator:latest"]\n',
        )
    )
    result = cli(
        "verify.helm-template", "--engine", "sdk", "-f", "charts/demo-operator/ci/latest-values.yaml",
        cwd=example_repo.path,
    )  # fmt: skip
    assert result.code == 0, result.out
    assert result.lines[1] == (
        "  ALLOWED  CronJob/demo-operator-session-cleanup container cleanup: ghcr.io/example/demo-operator:latest"
    )


def test_json_report_lists_every_image(example_repo: Repo, cli: Callable[..., CliResult]) -> None:
    result = cli("verify.helm-template", "--engine", "sdk", "--json", cwd=example_repo.path)
    assert result.code == 0
    data = json.loads(result.out)
    assert json.loads((GOLDEN / "helm-template-v0.1.7.json").read_text()) == data


def test_without_configuration_every_image_must_carry_the_tag(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {
            "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: 1.2.0\n",
            "charts/web/values.yaml": "tag: ''\n",
            "charts/web/templates/pod.yaml": (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
                "  ephemeralContainers:\n    - name: debug\n      image: busybox\n"
                "  containers:\n    - name: web\n"
                "      image: example.org/web:{{ .Values.tag | default .Chart.AppVersion }}\n"
            ),
        }
    )
    result = cli("verify.helm-template", "--engine", "sdk", "--tag", "v1.2.0", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        "charts/web: rendered with sdk, checking against v1.2.0 (from --tag)",
        "  OK       Pod/web container web: example.org/web:1.2.0",
        "  MISMATCH Pod/web ephemeralContainer debug: busybox has no tag (expected busybox:v1.2.0)",
        "  2 images, 1 mismatches",
    ]


def test_template_error_is_reported_with_the_template(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {
            "charts/bad/Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\nappVersion: v0.1.0\n",
            "charts/bad/templates/x.yaml": 'kind: Pod\nimage: {{ include "nope" . }}\n',
        }
    )
    result = cli("verify.helm-template", "--engine", "sdk", cwd=repo.path)
    assert result.code == 1
    assert "rendering" in result.err and "bad/templates/x.yaml" in result.err
    assert 'no template "nope"' in result.err


def test_missing_values_file_is_bad_input(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli(
        "verify.helm-template", "--engine", "sdk", "-f", "nope.yaml", cwd=example_repo.path
    )
    assert result.code == 1  # bad input (exit 2, usage, before the output contract)
    assert "values file nope.yaml not found" in result.err


def test_unknown_engine_is_a_usage_error(example_repo: Repo, cli: Callable[..., CliResult]) -> None:
    result = cli("verify.helm-template", "--engine", "kustomize", cwd=example_repo.path)
    assert result.code == 2
    assert "--engine 'kustomize': choose helm, sdk or auto" in result.err


def test_engine_helm_without_binary_names_the_install(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = cli("verify.helm-template", "--engine", "helm", cwd=example_repo.path)
    assert result.code == 1
    assert "the helm binary is not on PATH" in result.err
    assert "--engine sdk" in result.err


def test_no_engine_fails_with_the_install_command_and_never_passes(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Simulate a machine with neither engine: no helm on PATH, helm_python not importable.
    import sys

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setitem(sys.modules, "helm_python", None)
    result = cli("verify.helm-template", cwd=example_repo.path)
    assert result.code == 1
    assert result.out == ""
    assert (
        "no Helm engine available; install the Helm engine with `pip install 'releasekit[helm]'`"
        in result.err
    )


@pytest.mark.skipif(
    shutil.which("helm") is None,
    reason="no helm binary on PATH (https://helm.sh/docs/intro/install/)",
)
def test_helm_binary_engine_gives_the_same_report(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli("verify.helm-template", "--engine", "helm", cwd=example_repo.path)
    assert result.code == 0, result.err
    golden = (GOLDEN / "helm-template-v0.1.7.txt").read_text()
    assert result.out == golden.replace("rendered with sdk", "rendered with helm")


def test_mismatches_become_github_annotations(
    example_repo: Repo, cli: Callable[..., CliResult], env_ci: dict[str, Path]
) -> None:
    result = cli(
        "verify.helm-template", "--engine", "sdk", "--tag", "v0.1.8", cwd=example_repo.path
    )
    assert result.code == 3
    annotations = [line for line in result.lines if line.startswith("::error")]
    assert len(annotations) == 5
    # The annotation points at the template that renders the image.
    assert annotations[0] == (
        "::error file=charts/demo-operator/templates/cronjob.yaml::charts/demo-operator: MISMATCH "
        "CronJob/demo-operator-session-cleanup container cleanup: "
        "ghcr.io/example/demo-operator:v0.1.7 (expected ghcr.io/example/demo-operator:v0.1.8)"
    )


def test_two_charts_and_a_parent_with_a_local_subchart(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    # Seed 001: two charts, appVersion "vX.Y.Z" in one and "X.Y.Z" in the other. Seed 004: a parent
    # whose sub-chart (charts/<name>/charts/worker) is rendered with it.
    deployment = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: main\n"
        "          image: example.org/{name}:{{{{ .Values.tag | default .Chart.AppVersion }}}}\n"
    )
    repo = make_repo(
        {
            "releasekit.yaml": (
                "helm:\n  charts:\n"
                "    - path: charts/krt\n"
                '    - path: charts/runtimes\n      app_version: "{version}"\n'
            ),
            "charts/krt/Chart.yaml": "apiVersion: v2\nname: krt\nversion: 0.3.0\nappVersion: v2.1.0\n",
            "charts/krt/templates/d.yaml": deployment.format(name="krt"),
            "charts/krt/charts/worker/Chart.yaml": "apiVersion: v2\nname: worker\nversion: 0.1.0\nappVersion: v2.0.0\n",
            "charts/krt/charts/worker/templates/d.yaml": deployment.format(name="worker"),
            "charts/runtimes/Chart.yaml": "apiVersion: v2\nname: runtimes\nversion: 1.0.0\nappVersion: 2.1.0\n",
            "charts/runtimes/templates/d.yaml": deployment.format(name="runtimes"),
        }
    )
    result = cli("verify.helm-template", "--engine", "sdk", "--tag", "v2.1.0", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        "charts/krt: rendered with sdk, checking against v2.1.0 (from --tag)",
        "  MISMATCH Deployment/worker container main: example.org/worker:v2.0.0 (expected example.org/worker:v2.1.0)",
        "  OK       Deployment/krt container main: example.org/krt:v2.1.0",
        "  2 images, 1 mismatches",
        "charts/runtimes: rendered with sdk, checking against v2.1.0 (from --tag)",
        "  OK       Deployment/runtimes container main: example.org/runtimes:2.1.0",
        "  1 images, 0 mismatches",
    ]
    chart = cli("verify.chart", "--tag", "v2.1.0", cwd=repo.path)
    assert chart.code == 0, chart.out


# --- issue 10: a digest is a pin only when well formed, and confirms a {tag} only when told ---

INIT = "Deployment/demo-operator-controller initContainer wait-for-webhook-certs"


@pytest.mark.parametrize(
    ("digest", "line"),
    [
        (
            "sha256:" + "0" * 64,
            f"  MISMATCH {INIT}: ghcr.io/example/demo-operator@sha256:{'0' * 64} has a malformed "
            "digest (all zeros: a placeholder, not the digest of any image)",
        ),
        (
            "sha256:abc",
            f"  MISMATCH {INIT}: ghcr.io/example/demo-operator@sha256:abc has a malformed digest "
            "(sha256 needs 64 lowercase hex digits, got 3 characters)",
        ),
        (
            "sha256:" + "e6a3" * 16,
            f"  UNVERIFIED {INIT}: ghcr.io/example/demo-operator@sha256:{'e6a3' * 16} is pinned "
            "by digest; nothing offline shows it is ghcr.io/example/demo-operator:v0.1.7 (set "
            "digests: accept on the chart to accept digest pins of expected images)",
        ),
    ],
)
def test_a_rendered_digest_of_an_image_expected_at_the_tag_is_never_ok(
    example_repo: Repo, cli: Callable[..., CliResult], digest: str, line: str
) -> None:
    result = cli(
        "verify.helm-template", "--engine", "sdk", "--set", f"initImage.digest={digest}",
        cwd=example_repo.path,
    )  # fmt: skip
    assert result.code == 3, result.out
    assert result.lines[2] == line
    assert result.lines[-1] == "  6 images, 1 mismatches"
    as_json = cli(
        "verify.helm-template", "--engine", "sdk", "--json", "--set", f"initImage.digest={digest}",
        cwd=example_repo.path,
    )  # fmt: skip
    verdicts = {i["verdict"] for i in json.loads(as_json.out)["results"]}
    assert as_json.code == 3 and verdicts & {"bad-digest", "unverified"}


def test_digests_accept_takes_a_well_formed_digest_pin_but_never_zeros(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    config = example_repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text().replace(
            '      app_version: "{tag}"\n', '      app_version: "{tag}"\n      digests: accept\n'
        )
    )
    good = "sha256:" + "e6a3" * 16
    accepted = cli(
        "verify.helm-template", "--engine", "sdk", "--set", f"initImage.digest={good}",
        cwd=example_repo.path,
    )  # fmt: skip
    assert accepted.code == 0, accepted.out
    assert accepted.lines[2] == f"  PINNED   {INIT}: ghcr.io/example/demo-operator@{good}"
    zeros = cli(
        "verify.helm-template", "--engine", "sdk", "--set", f"initImage.digest=sha256:{'0' * 64}",
        cwd=example_repo.path,
    )  # fmt: skip
    assert zeros.code == 3
    assert "has a malformed digest (all zeros" in zeros.lines[2]
