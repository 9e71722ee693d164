"""Shared fixtures: isolated git identity and HOME, real repositories, the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE. "ci" (the default, what `./dev tests` runs
# on every submission) is derandomized: the same examples every run, so CI never fails on an
# example nobody changed code for. "fuzz" (`nox -s fuzz`) explores randomly with at least
# 10,000 examples per fuzz test (tests/fuzz; FUZZ_EXAMPLES=N for a shorter exploration).
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "examples" / "demo-operator"
FIXTURES = REPO_ROOT / "tests" / "fixtures"

# Pinned so commits (and therefore shas in golden output) are reproducible.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Release Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.invalid",
    "GIT_COMMITTER_NAME": "Release Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05+00:00",
}


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's HOME, git config or CI environment."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Release Bot\n\temail = bot@example.invalid\n"
        "[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
        '[protocol "file"]\n\tallow = always\n'
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("CI", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "INVOKE_RUN_DRY"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` for test setup; return stdout."""
    return subprocess.run(
        ["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True
    ).stdout


@dataclass
class Repo:
    """A real git repository in tmp_path."""

    path: Path

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_bytes(content.encode("utf-8"))

    def commit(
        self, message: str = "commit", files: Mapping[str, str | bytes] | None = None
    ) -> str:
        if files:
            self.write(files)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def snapshot(self) -> dict[str, bytes]:
        """Every file's bytes (outside .git), to assert that nothing changed."""
        return {
            p.relative_to(self.path).as_posix(): (
                b"symlink -> " + os.readlink(p).encode() if p.is_symlink() else p.read_bytes()
            )
            for p in sorted(self.path.rglob("*"))
            if (p.is_file() or p.is_symlink()) and ".git" not in p.relative_to(self.path).parts
        }


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Repo]:
    """Factory: ``make_repo({"Makefile": "..."})`` -> a repo with one commit on main."""
    counter = iter(range(1000))

    def factory(files: Mapping[str, str | bytes] | None = None, name: str | None = None) -> Repo:
        path = tmp_path / (name or f"repo{next(counter)}")
        path.mkdir()
        git(path, "init", "-q", "-b", "main")
        repo = Repo(path)
        repo.commit("initial", files or {"README.md": "demo\n"})
        return repo

    return factory


@pytest.fixture
def bare_remote(tmp_path: Path) -> Callable[[Repo, str], Path]:
    """Factory: give ``repo`` a real bare repository as remote ``name`` and push main to it."""

    def factory(repo: Repo, name: str = "origin") -> Path:
        bare = tmp_path / f"{repo.path.name}-{name}.git"
        git(tmp_path, "init", "-q", "--bare", str(bare))
        repo.git("remote", "add", name, str(bare))
        repo.git("push", "-q", name, "main")
        return bare

    return factory


@pytest.fixture
def example_repo(make_repo: Callable[..., Repo]) -> Repo:
    """The example operator project as a real repo, with a v0.1.7 release tag."""
    repo = make_repo(name="demo-operator")
    shutil.copytree(EXAMPLE, repo.path, dirs_exist_ok=True, symlinks=True)
    repo.commit("chore: import demo operator")
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    return repo


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run the real ``releasekit`` Program in-process from ``cwd``; return code and output."""
    import releasekit
    from releasekit.cli import ReleasekitProgram

    def run(*argv: str, cwd: Path) -> CliResult:
        monkeypatch.chdir(cwd)
        program = ReleasekitProgram(
            namespace=releasekit.ns,
            name="releasekit",
            binary="releasekit",
            version=releasekit.__version__,
        )
        capsys.readouterr()
        try:
            program.run(["releasekit", *argv])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def child_processes() -> list[int]:
    """This process's child processes (running, or ended and not yet reaped), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def require_real(tool: str, install: str) -> str:
    """Path of a real external tool; skip on a laptop, fail in CI (RELEASEKIT_REQUIRE_REAL=1)."""
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed; install it with: {install}"
        if os.environ.get("RELEASEKIT_REQUIRE_REAL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def env_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Path]]:
    """Pretend to run under GitHub Actions; yields the summary and output files."""
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    yield {"summary": summary, "output": output}


# --- tags fixtures (issue 4) -----------------------------------------------------------------


# --- Helm fixtures (issue 5) -------------------------------------------------------------------


@pytest.fixture
def helm_sdk() -> object:
    """helm-python-sdk (the real Helm v4 engine); skip on a laptop without it, fail in CI."""
    try:
        import helm_python
    except (ImportError, OSError) as exc:
        message = f"helm-python-sdk is not usable ({exc}); install it with: pip install 'releasekit[helm]'"
        if os.environ.get("RELEASEKIT_REQUIRE_REAL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return helm_python


# --- OCI registry fixtures (issue 5: charts; used by issue 6 for images too) ---------------------


@dataclass(frozen=True)
class OciRegistry:
    """A real CNCF distribution registry (Debian's docker-registry) on 127.0.0.1, plain HTTP."""

    host: str  # 127.0.0.1:PORT
    storage: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def oci(self, path: str) -> str:
        """``oci://127.0.0.1:PORT/path`` for helm-style references."""
        return f"oci://{self.host}/{path.strip('/')}"

    def docker(self, path: str) -> str:
        """``docker://127.0.0.1:PORT/path`` for skopeo."""
        return f"docker://{self.host}/{path.strip('/')}"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class GitDaemon:
    """A real ``git daemon`` serving bare repositories under ``base`` on 127.0.0.1."""

    base: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def bare(self, name: str) -> Path:
        path = self.base / name
        git(self.base, "init", "-q", "--bare", str(path))
        return path

    def stop(self) -> None:
        """Kill the daemon and every child it forked (receive-pack, hooks) at once."""
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def git_daemon(tmp_path: Path) -> Iterator[GitDaemon]:
    """``git daemon --enable=receive-pack`` on a free 127.0.0.1 port, stopped after the test."""
    import socket
    import time

    require_real("git", "apt-get install -y git")
    exec_path = Path(git(tmp_path, "--exec-path").strip())
    if not (exec_path / "git-daemon").exists():
        require_real("git-daemon", "apt-get install -y git-daemon-run (or git with git-daemon)")
    base = tmp_path / "daemon"
    base.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            "--export-all",
            "--enable=receive-pack",
            "--informative-errors",
            f"--base-path={base}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    daemon = GitDaemon(base, port, process)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                daemon.stop()
                pytest.fail(f"git daemon did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
    yield daemon
    daemon.stop()


CAA = "github.com/confidential-containers/cloud-api-adaptor/src"
GO_MODULES = {
    "src/cloud-api-adaptor/go.mod": (
        f"module {CAA}/cloud-api-adaptor\n\n"
        "go 1.22\n\n"
        "require (\n"
        f"\t{CAA}/cloud-providers v0.0.0\n"
        f"\t{CAA}/peerpod-ctrl v0.0.0 // indirect\n"
        "\tgolang.org/x/sys v0.20.0\n"
        ")\n\n"
        "replace (\n"
        f"\t{CAA}/cloud-providers => ../cloud-providers\n"
        f"\t{CAA}/peerpod-ctrl => ../peerpod-ctrl\n"
        ")\n"
    ),
    "src/cloud-api-adaptor/podvm/go.mod": "module example.com/podvm\n\ngo 1.22\n",
    "src/cloud-providers/go.mod": f"module {CAA}/cloud-providers\n\ngo 1.22\n",
    # csi-wrapper reaches cloud-api-adaptor only through a local replace, no require
    "src/csi-wrapper/go.mod": (
        f"module {CAA}/csi-wrapper\n\ngo 1.22\n\n"
        f"replace {CAA}/cloud-api-adaptor => ../cloud-api-adaptor\n"
    ),
    "src/peerpod-ctrl/go.mod": (
        f"module {CAA}/peerpod-ctrl\n\ngo 1.22\n\n"
        f"require {CAA}/cloud-providers v0.0.0\n\n"
        f"replace {CAA}/cloud-providers => ../cloud-providers\n"
    ),
    "src/webhook/go.mod": f"module {CAA}/webhook\n\ngo 1.22\n",
    "releasekit.yaml": 'tags:\n  go_modules:\n    exclude: ["src/*/podvm"]\n',
}
# The order release.go-tag must tag them in: dependencies first, ties by path.
GO_MODULE_ORDER = [
    "src/cloud-providers",
    "src/peerpod-ctrl",
    "src/cloud-api-adaptor",
    "src/csi-wrapper",
    "src/webhook",
]


@pytest.fixture
def go_repo(make_repo: Callable[..., Repo]) -> Repo:
    """A cloud-api-adaptor-shaped repo: five Go modules with local replaces, one excluded,
    and an untracked go.mod that must be ignored."""
    repo = make_repo(GO_MODULES, name="caa")
    repo.write({"src/scratch/go.mod": "module example.com/scratch\n"})
    (repo.path / ".git" / "info" / "exclude").write_text("src/scratch/\n")
    return repo


def tag_state(repo: Repo, bare: Path | None = None) -> tuple[str, str]:
    """Every local tag and every tag on ``bare``: what a refusal must leave unchanged."""
    local = repo.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
    remote = (
        git(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags") if bare else ""
    )
    return local, remote


@pytest.fixture(scope="session")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciRegistry]:
    """Start ``docker-registry serve`` on a free port for the whole session.

    Tests share the server, so each should push under its own repository path (``unique_repo``).
    """
    import time
    import urllib.error
    import urllib.request

    binary = require_real("docker-registry", "apt-get install -y docker-registry")
    base = tmp_path_factory.mktemp("oci-registry")
    storage, log = base / "storage", base / "registry.log"
    for _attempt in range(3):
        host = f"127.0.0.1:{free_port()}"
        config = base / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: false\n"
            f"http:\n  addr: {host}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                [binary, "serve", str(config)], stdout=handle, stderr=handle, env=env
            )
        deadline = time.monotonic() + 15
        ready = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://{host}/v2/", timeout=1) as response:
                    ready = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
            if ready:
                break
        if ready:
            break
        proc.terminate()
        proc.wait(timeout=10)
    else:
        pytest.fail(f"docker-registry did not start; log:\n{log.read_text(errors='replace')}")
    try:
        yield OciRegistry(host, storage, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def unique_repo(request: pytest.FixtureRequest) -> str:
    """A repository path no other test uses, e.g. ``t/test-push-chart-0``."""
    import re

    return "t/" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")


# --- network fixtures (issue 10: hung remotes, retries, credentials) ----------------------------


@dataclass
class SilentServer:
    """A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte."""

    port: int
    accepted: list[object]

    def git_url(self, name: str = "repo.git") -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    """Accept and stay silent (a hung remote, a registry that never answers), until teardown."""
    import socket
    import threading

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    server = SilentServer(int(listener.getsockname()[1]), [])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            server.accepted.append(conn)  # held open, never read from or written to

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server
    stop.set()
    thread.join(timeout=5)
    for conn in server.accepted:
        conn.close()  # type: ignore[attr-defined]
    listener.close()


@dataclass(frozen=True)
class AuthRegistry(OciRegistry):
    """The real docker-registry with htpasswd (bcrypt) Basic authentication."""

    username: str = ""
    password: str = ""

    def oci_with_login(self, path: str, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"oci://{self.username}:{secret}@{self.host}/{path.strip('/')}"


REGISTRY_USER = "robot"
# Distinctive, so that a grep of every output for it cannot match anything else.
REGISTRY_PASSWORD = "Sup3r-s3cret-Pa55w0rd"


@pytest.fixture(scope="session")
def auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthRegistry]:
    """``docker-registry serve`` on a free port, every request needing robot's password."""
    import time
    import urllib.error
    import urllib.request

    binary = require_real("docker-registry", "apt-get install -y docker-registry")
    try:
        import bcrypt
    except ImportError:
        message = "bcrypt is not installed; install the test extra: pip install -e '.[test]'"
        if os.environ.get("RELEASEKIT_REQUIRE_REAL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("auth-registry")
    storage, log, htpasswd = base / "storage", base / "registry.log", base / "htpasswd"
    hashed = bcrypt.hashpw(REGISTRY_PASSWORD.encode(), bcrypt.gensalt(rounds=5)).decode()
    htpasswd.write_text(f"{REGISTRY_USER}:{hashed}\n")
    host = f"127.0.0.1:{free_port()}"
    config = base / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {storage}\n"
        f"http:\n  addr: {host}\n"
        f"auth:\n  htpasswd:\n    realm: releasekit-test\n    path: {htpasswd}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    with log.open("ab") as handle:
        proc = subprocess.Popen(
            [binary, "serve", str(config)], stdout=handle, stderr=handle, env=env
        )
    deadline = time.monotonic() + 15
    ready = False
    while not ready and time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"http://{host}/v2/", timeout=1).close()
        except urllib.error.HTTPError as exc:
            ready = exc.code == 401  # up, and asking for the password
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    if not ready:
        proc.kill()
        pytest.fail(f"docker-registry did not start; log:\n{log.read_text(errors='replace')}")
    try:
        yield AuthRegistry(host, storage, log, REGISTRY_USER, REGISTRY_PASSWORD)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- registry fixtures (issue 12: published images, promote, token auth) ---------------------


@pytest.fixture(scope="session")
def skopeo_bin() -> str:
    return require_real("skopeo", "apt-get install -y skopeo")


@dataclass(frozen=True)
class TokenRegistry:
    """docker-registry with ``auth: token`` behind a token server that enforces scopes."""

    host: str
    tokens: object  # registry_parts.TokenServer
    registry: object  # registry_parts.RegistryProcess
    username: str = "robot"
    password: str = "T0ken-Rob0t-Pa55"

    @property
    def creds(self) -> str:
        return f"{self.username}:{self.password}"


def token_acl(user: str, repository: str, action: str) -> bool:
    """robot pulls and pushes under t/ but may only push to t/locked-src (never pull it);
    anyone pulls public/."""
    if repository.startswith("public/") and action == "pull":
        return True
    if user != "robot":
        return False
    if repository.startswith("t/locked-src"):
        return action == "push"
    return repository.startswith(("t/", "public/"))


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenRegistry]:
    """A second real registry, ``auth: token``, trusting ES256 JWTs from a local token server."""
    from registry_parts import RegistryProcess, TokenServer

    require_real("docker-registry", "apt-get install -y docker-registry")
    base = tmp_path_factory.mktemp("token-registry")
    tokens = TokenServer({"robot": "T0ken-Rob0t-Pa55"}, token_acl)
    tokens.start(base)
    registry = RegistryProcess(base, tokens.registry_config(base))
    registry.start()
    try:
        yield TokenRegistry(registry.host, tokens, registry)
    finally:
        registry.stop()
        tokens.stop()


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[object]:
    """A docker-registry of this test alone (its access log counts blob uploads; stoppable)."""
    from registry_parts import RegistryProcess

    require_real("docker-registry", "apt-get install -y docker-registry")
    registry = RegistryProcess(tmp_path / "own-registry")
    registry.start()
    yield registry
    registry.stop()
