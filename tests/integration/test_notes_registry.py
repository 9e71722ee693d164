"""release.notes states image digests the real docker-registry serves (skopeo pushed them);
a registry that cannot be asked leaves them out and says so, never a made-up digest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, OciRegistry, Repo
from registry_parts import build_layout, push

Cli = Callable[..., CliResult]
pytestmark = pytest.mark.usefixtures("skopeo_bin")


def test_notes_list_image_digests_and_platforms_from_the_real_registry(
    cli: Cli,
    make_repo: Callable[..., Repo],
    oci_registry: OciRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    image = f"{oci_registry.host}/{unique_repo}"
    config = (f"registry:\n  plain_http: ['{oci_registry.host}']\n  images:\n"
              f"    - repository: {image}\n      tags: ['{{tag}}', latest]\nnotes:\n  outline: changelog-driven\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config})
    repo.git("tag", "-a", "v0.1.7", "-m", "r")
    repo.commit("feat: multi-arch images (#8)")
    repo.git("tag", "-a", "v0.1.8", "-m", "r")
    layout = build_layout(tmp_path / "layout", "v0.1.8", seed="notes")
    push(layout, f"{image}:v0.1.8")
    result = cli("release.notes", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 0, result.err
    assert f"- `{image}:v0.1.8` `{layout.index}` (linux/amd64, linux/arm64)" in result.lines
    offline = cli("release.notes", "--tag", "v0.1.8", "--offline", cwd=repo.path)
    assert f"- `{image}:v0.1.8`" in offline.lines


def test_an_unreachable_registry_leaves_digests_out_and_says_so(
    cli: Cli, make_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import free_port

    monkeypatch.setenv("RELEASEKIT_NETWORK_TIMEOUT", "5")
    host = f"127.0.0.1:{free_port()}"  # nothing listens there
    config = (f"registry:\n  plain_http: ['{host}']\n  images:\n    - repository: {host}/demo\n"
              "notes:\n  outline: changelog-driven\n")  # fmt: skip
    repo = make_repo({"releasekit.yaml": config})
    repo.git("tag", "-a", "v0.1.8", "-m", "r")
    result = cli("release.notes", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 0
    assert f"- `{host}/demo:v0.1.8`" in result.lines
    assert "releasekit: image digests left out of the notes: cannot reach registry" in result.err
