"""The helm: section of releasekit.yaml: every key, and errors naming key, file and line."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import EXAMPLE, REPO_ROOT, Repo
from releasekit.core.common.errors import ConfigError
from releasekit.core.config import ChartConfig, CrdSync, load_config


def test_example_config_parses() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.helm is not None
    [chart] = cfg.helm.charts
    assert chart == ChartConfig(
        path="charts/demo-operator",
        release_name="demo-operator",
        namespace="demo-system",
        images=(
            "ghcr.io/example/demo-operator:{tag}",
            "ghcr.io/example/demo-agent:{tag}",
            "ghcr.io/example/demo-daemon:{tag}",
            "quay.io/brancz/kube-rbac-proxy@sha256:e6a323504999b2a4d2a6bf94f8580a050378eba0900fd31335cf9df5787d9a9b",
        ),
        image_patterns=(r"--agent-image=(\S+)", r"--default-daemon-image=(\S+)"),
    )
    assert cfg.helm.crds == (
        CrdSync(
            "config/crd/bases",
            "charts/demo-operator/crds",
            ("helm.sh/resource-policy",),
            "make helm-sync",
        ),
    )
    assert cfg.helm.crd_history == "docs/upgrading.md"


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "helm:\n  engine: docker\n",
            "releasekit.yaml:2: helm.engine must be one of auto, helm, sdk, got 'docker'",
        ),
        (
            "helm:\n  charts:\n    - values: [a.yaml]\n",
            "releasekit.yaml:3: helm.charts[0] needs a path",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      images: [ghcr.io/x/app:latest]\n",
            "releasekit.yaml:4: helm.charts[0].images[0] must contain {tag} or {version}",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      images: ['ghcr.io/x/app@sha256:abc']\n",
            "releasekit.yaml:4: helm.charts[0].images[0] pins a malformed digest: sha256 needs 64",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      digests: trust\n",
            "releasekit.yaml:4: helm.charts[0].digests must be unverified or accept, got 'trust'",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      image_patterns: ['--image=\\S+']\n",
            "releasekit.yaml:4: helm.charts[0].image_patterns[0] needs exactly one (group)",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      image_patterns: ['(']\n",
            "releasekit.yaml:4: helm.charts[0].image_patterns[0] is not a regular expression",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      app_version: latest\n",
            "releasekit.yaml:4: helm.charts[0].app_version must contain {tag} or {version} once",
        ),
        ("helm:\n  crds:\n    - generated: a\n", "releasekit.yaml:3: helm.crds[0] needs chart"),
        (
            "helm:\n  crd_history: ../x.md\n",
            "releasekit.yaml:2: helm.crd_history must be a path inside the repository",
        ),
        (
            "helm:\n  charts:\n    - path: c\n      values: [ci/a.yaml, /etc/passwd]\n",
            "releasekit.yaml:4: helm.charts[0].values[1] must be a path inside the repository",
        ),
        ("helm:\n  chart: x\n", "releasekit.yaml:2: unknown key 'helm.chart'"),
    ],
)
def test_bad_helm_config_names_key_and_line(
    make_repo: Callable[..., Repo], yaml: str, message: str
) -> None:
    repo = make_repo({"releasekit.yaml": yaml})
    with pytest.raises(ConfigError) as info:
        load_config(repo.path)
    assert str(info.value).startswith(message)


def test_template_helm_section_is_valid(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"releasekit.yaml": (REPO_ROOT / "templates" / "releasekit.yaml").read_text()})
    cfg = load_config(repo.path)
    assert cfg.helm is not None
    assert cfg.helm.engine == "auto"
    assert cfg.helm.charts[0].allow == ("ghcr.io/example/demo-agent:latest",)
    assert cfg.helm.charts[0].image_patterns == (r"--agent-image=(\S+)",)
    assert cfg.helm.crds[0].fix == "make helm-sync"
    assert cfg.helm.plain_http is False
