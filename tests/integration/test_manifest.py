"""release.manifest and verify.manifest against Debian's real docker-registry, seeded by skopeo
with the tests' own multi-arch layouts; skopeo inspect --raw is the oracle for every digest."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CliResult, OciRegistry, Repo
from registry_parts import build_layout, push, skopeo_digest

Cli = Callable[..., CliResult]


def chart_package(path: Path, name: str, version: str) -> None:
    data = f"apiVersion: v2\nname: {name}\nversion: {version}\n".encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(f"{name}/Chart.yaml")
        info.size, info.mtime = len(data), 0
        archive.addfile(info, io.BytesIO(data))


@pytest.fixture
def suite(make_repo: Callable[..., Repo], oci_registry: OciRegistry, unique_repo: str, tmp_path: Path,
          skopeo_bin: str) -> tuple[Repo, dict[str, str]]:  # fmt: skip
    host = oci_registry.host
    config = (
        'tag_format: "suite-{version}[-{codename}][-{channel}]"\n'
        "tags:\n  versioning: calver\n"
        f"registry:\n  plain_http: ['{host}']\n"
        "artifacts:\n  dir: dist\n  matrix:\n    name: 'stella_{version}_{os}_{arch}.tar.gz'\n"
        "    platforms: [linux/amd64, darwin/arm64]\n  checksums: 'SHA256SUMS-{version}.txt'\n"
        f"manifest:\n  image: '{host}/{unique_repo}/{{module}}:{{version}}'\n"
        "  modules:\n    - name: authority\n    - name: scanner\n      version: 0.4.0\n"
        "  charts: ['stellaops-{version}.tgz']\n"
    )
    repo = make_repo({"releasekit.yaml": config})
    repo.git("tag", "module-authority-v1.2.2")
    repo.commit("feat(authority): tokens")
    repo.git("tag", "module-authority-v1.2.3")
    repo.git("tag", "module-authority-v1.3.0-rc.1")
    repo.git("tag", "-a", "suite-2026.04-nova-stable", "-m", "Suite 2026.04")
    repo.commit("feat(authority): after the suite")
    repo.git("tag", "module-authority-v1.4.0")  # not in the suite's history
    digests = {}
    for module, version in (("authority", "1.2.3"), ("scanner", "0.4.0")):
        layout = build_layout(tmp_path / module, version, seed=module)
        push(layout, f"{host}/{unique_repo}/{module}:{version}")
        digests[module] = layout.index
        digests.update({f"{module} {p}": d for p, d in layout.children.items()})
    dist = repo.path / "dist"
    dist.mkdir()
    for name in ("stella_2026.04_linux_amd64.tar.gz", "stella_2026.04_darwin_arm64.tar.gz"):
        (dist / name).write_bytes(name.encode() * 100)
    chart_package(dist / "stellaops-2026.04.tgz", "stellaops", "2026.4.0")
    (dist / "SHA256SUMS-2026.04.txt").write_text("abc  x\n")
    return repo, digests


def test_manifest_round_trip_and_verify_against_the_real_registry(
    cli: Cli, suite: tuple[Repo, dict[str, str]], oci_registry: OciRegistry, unique_repo: str
) -> None:
    repo, digests = suite
    result = cli("release.manifest", "--version", "2026.04", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.out == "wrote dist/suite-2026.04.yaml: 2 modules, 1 charts, 2 CLI archives\n"
    from releasekit.core.manifest.serialize import dump, load

    text = (repo.path / "dist" / "suite-2026.04.yaml").read_text()
    data = load(text, "manifest")
    assert dump(data) == text  # one serializer: what it reads back it writes identically
    assert data["suite"] | {"commit": ""} == {"version": "2026.04", "tag": "suite-2026.04-nova-stable",
                                               "codename": "nova", "channel": "stable", "commit": ""}  # fmt: skip
    authority = data["modules"]["authority"]
    assert authority["version"] == "1.2.3"  # newest stable module tag in the suite's history
    ref = f"{oci_registry.host}/{unique_repo}/authority:1.2.3"
    assert authority["image"] == {"reference": ref, "digest": skopeo_digest(ref),
                                  "platforms": {"linux/amd64": digests["authority linux/amd64"],
                                                "linux/arm64": digests["authority linux/arm64"]}}  # fmt: skip
    assert data["modules"]["scanner"]["image"]["digest"] == digests["scanner"]
    dist = repo.path / "dist"
    assert data["charts"] == [{"file": "stellaops-2026.04.tgz", "name": "stellaops", "version": "2026.4.0",
                               "sha256": hashlib.sha256((dist / "stellaops-2026.04.tgz").read_bytes()).hexdigest()}]  # fmt: skip
    assert [(c["file"], c["platform"]) for c in data["cli"]] == [
        ("stella_2026.04_linux_amd64.tar.gz", "linux/amd64"), ("stella_2026.04_darwin_arm64.tar.gz", "darwin/arm64")]  # fmt: skip
    assert data["checksums"]["sha256"] == hashlib.sha256(b"abc  x\n").hexdigest()
    again = cli("release.manifest", "--version", "2026.04", cwd=repo.path)
    assert again.out.startswith("unchanged dist/suite-2026.04.yaml")
    checked = cli("verify.manifest", "dist/suite-2026.04.yaml", cwd=repo.path)
    assert checked.code == 0, checked.err
    assert checked.out.splitlines()[-1] == "all 10 entries of dist/suite-2026.04.yaml match"
    assert all(line.startswith("OK") for line in checked.lines[:-1])


def test_verify_manifest_finds_a_moved_tag_and_a_changed_file_against_the_real_registry(
    cli: Cli,
    suite: tuple[Repo, dict[str, str]],
    oci_registry: OciRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    repo, _ = suite
    assert cli("release.manifest", "--version", "2026.04", cwd=repo.path).code == 0
    other = build_layout(
        tmp_path / "other", "0.4.0", seed="someone else", platforms=("linux/amd64",)
    )
    push(other, f"{oci_registry.host}/{unique_repo}/scanner:0.4.0")
    (repo.path / "dist" / "stella_2026.04_linux_amd64.tar.gz").write_bytes(b"tampered")
    result = cli("verify.manifest", "dist/suite-2026.04.yaml", cwd=repo.path)
    assert result.code == 3
    bad = [line for line in result.lines if line.startswith("MISMATCH")]
    assert bad[0].startswith(
        f"MISMATCH module scanner {oci_registry.host}/{unique_repo}/scanner:0.4.0: {other.index}"
    )
    assert bad[1].startswith(
        f"MISMATCH module scanner linux/amd64: {other.children['linux/amd64']} (manifest says "
    )
    assert bad[2].startswith(
        "MISMATCH module scanner linux/arm64: missing from the index (manifest says sha256:"
    )
    assert bad[-1].startswith(
        "MISMATCH stella_2026.04_linux_amd64.tar.gz: sha256 "
        + hashlib.sha256(b"tampered").hexdigest()
    )
    assert "manifest entries do not match dist/suite-2026.04.yaml" in result.err
    refused = cli("release.manifest", "--version", "2026.04", cwd=repo.path)
    assert refused.code == 1 and "a published manifest must not change" in refused.err


def test_a_missing_image_or_module_tag_is_an_error_naming_it(
    cli: Cli, suite: tuple[Repo, dict[str, str]], unique_repo: str
) -> None:
    repo, _ = suite
    config = repo.path / "releasekit.yaml"
    config.write_text(
        config.read_text().replace(
            "    - name: scanner\n",
            "    - name: ghost\n      version: 9.9.9\n    - name: scanner\n",
        )
    )
    result = cli("release.manifest", "--version", "2026.04", "--dry-run", cwd=repo.path)
    assert result.code == 1
    assert (
        f"/{unique_repo}/ghost:9.9.9 is not in the registry; push module ghost 9.9.9 first"
        in result.err
    )
    config.write_text(
        config.read_text().replace(
            "    - name: ghost\n      version: 9.9.9\n", "    - name: ghost\n"
        )
    )
    result = cli("release.manifest", "--version", "2026.04", "--json", cwd=repo.path)
    assert "module ghost has no release tag (module-ghost-v{version})" in result.err
    assert not (repo.path / "dist" / "suite-2026.04.yaml").exists()


scalars = st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.text(max_size=30)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=12), values, max_size=5))
def test_the_serializer_round_trips_any_data(data: dict[str, object]) -> None:
    from releasekit.core.manifest.serialize import dump, load

    text = dump(data)
    assert load(text, "m") == data
    assert dump(json.loads(json.dumps(data))) == text  # key order never matters
