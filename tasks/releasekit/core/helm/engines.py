"""Helm engines: the user's ``helm`` binary, or helm-python-sdk (Helm v4 as a library).

Both render charts offline, package them and talk to OCI registries. releasekit never
pretends: without an engine, a task that needs one fails with the install command.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..common.errors import CommandError, ReleaseError, UsageError
from ..common.network import NetworkTimeout
from ..common.process import Timeout, run
from ..registry.oci import Login

INSTALL_HINT = (
    "install the Helm engine with `pip install 'releasekit[helm]'` (helm-python-sdk), "
    "or put the helm binary on PATH (https://helm.sh/docs/intro/install/)"
)


@dataclass(frozen=True)
class Manifest:
    """One rendered template file (it may hold several YAML documents)."""

    source: str  # e.g. demo/templates/deployment.yaml
    text: str


@dataclass(frozen=True)
class Access:
    """How a registry command reaches the registry: a login for it, and a deadline."""

    host: str
    login: Login | None
    timeout: float


@dataclass(frozen=True)
class RenderRequest:
    """What to render: the chart, release identity and the user's values."""

    chart: Path
    release_name: str
    namespace: str
    values_files: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()


class Engine(Protocol):
    """What releasekit needs from Helm."""

    name: str

    def render(self, request: RenderRequest) -> list[Manifest]: ...

    def package(
        self, chart: Path, dest: Path, version: str | None, app_version: str | None
    ) -> Path: ...

    def push(self, archive: Path, remote: str, *, plain_http: bool, access: Access) -> None: ...

    def pull(
        self, ref: str, version: str, dest: Path, *, plain_http: bool, access: Access
    ) -> Path: ...

    def dependency_update(self, chart: Path) -> None: ...


def _skip_notes(source: str) -> bool:
    # `helm template` does not print NOTES.txt; neither do we.
    return source.endswith("NOTES.txt")


def deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge values the way Helm merges ``-f`` files and ``--set`` (maps merge, the rest wins).

    Hand-written because it is Helm's own 10-line rule (pkg/cli/values mergeMaps), not a
    general-purpose merge with list or type strategies.
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


class SdkEngine:
    """helm-python-sdk: Helm v4's Go SDK through ctypes, offline for rendering."""

    name = "sdk"

    def __init__(self) -> None:
        import helm_python

        self._helm = helm_python

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except self._helm.HelmError as exc:
            raise CommandError(f"{what}: {exc}") from None

    def _values(self, request: RenderRequest) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for path in request.values_files:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ReleaseError(f"values file {path}: cannot read: {exc.strerror}") from None
            with self._errors(f"values file {path}"):
                values = deep_merge(values, self._helm.values_from_yaml(text))
        for expression in request.set_values:
            with self._errors(f"--set {expression!r}"):
                values = deep_merge(values, self._helm.parse_set_string(expression))
        return values

    def render(self, request: RenderRequest) -> list[Manifest]:
        values = self._values(request)
        with (
            self._errors(f"rendering {request.chart}"),
            self._helm.Chart.load(request.chart) as chart,
        ):
            rendered = chart.render(values, name=request.release_name, namespace=request.namespace)
        return [
            Manifest(source, text)
            for source, text in sorted(rendered.items())
            if not _skip_notes(source)
        ]

    def package(
        self, chart: Path, dest: Path, version: str | None, app_version: str | None
    ) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        with self._errors(f"packaging {chart}"):
            out = self._helm.package(
                chart, destination=dest, version=version, app_version=app_version
            )
        return Path(out)

    def push(self, archive: Path, remote: str, *, plain_http: bool, access: Access) -> None:
        what = f"pushing {archive.name} to {remote}"
        self._registry(
            what, access, plain_http, lambda c: c.push(archive, remote, plain_http=plain_http)
        )

    def pull(self, ref: str, version: str, dest: Path, *, plain_http: bool, access: Access) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        self._registry(
            f"pulling {ref}:{version}",
            access,
            plain_http,
            lambda c: c.pull(ref, version=version, destination=dest, plain_http=plain_http),
        )
        found = sorted(dest.glob("*.tgz"))
        if len(found) != 1:
            raise CommandError(f"pulling {ref}:{version} gave {len(found)} archives in {dest}")
        return found[0]

    def _registry(
        self, what: str, access: Access, plain_http: bool, call: Callable[[Any], object]
    ) -> None:
        """Run ``call(client)`` with a registry client, within ``access.timeout``.

        The SDK's Go code has no timeout and cannot be interrupted from Python, so the client
        lives in a worker thread from creation to close: on time-out releasekit stops
        waiting and reports, and the abandoned call ends (and frees its client) on its own.
        A login from the URL goes to a throwaway credentials file, never to Helm's config.
        """
        outcome: dict[str, BaseException] = {}

        def work() -> None:
            try:
                with tempfile.TemporaryDirectory(prefix="releasekit-registry-") as tmp:
                    options: dict[str, Any] = {"plain_http": plain_http}
                    if access.login is not None:
                        options["credentials_file"] = Path(tmp) / "config.json"
                    with self._helm.RegistryClient(**options) as client:
                        if access.login is not None:
                            client.login(
                                access.host,
                                access.login.username,
                                access.login.password,
                                plain_http=plain_http,
                            )
                        call(client)
            except BaseException as exc:  # handed to the waiting thread
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="releasekit-helm-registry", daemon=True)
        worker.start()
        worker.join(access.timeout)
        if worker.is_alive():
            raise NetworkTimeout(
                f"{what}: registry {access.host} did not answer within {access.timeout:g} s; "
                f"releasekit stopped waiting — {advice_for(access)}"
            )
        error = outcome.get("error")
        if isinstance(error, self._helm.HelmError):
            raise CommandError(f"{what}: {error}") from None
        if error is not None:
            raise error

    def dependency_update(self, chart: Path) -> None:
        with self._errors(f"updating the dependencies of {chart}"):
            self._helm.dependency_update(chart)


def advice_for(access: Access) -> str:
    from ..common.network import Network, advice

    return advice(Network(timeout=access.timeout))


class CliEngine:
    """The ``helm`` binary on PATH (Helm 3.8+ or 4, for OCI support)."""

    name = "helm"

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def _run(self, *args: str, cwd: Path | None = None) -> str:
        return run([self.binary, *args], cwd=cwd).stdout

    def render(self, request: RenderRequest) -> list[Manifest]:
        argv = [
            "template",
            request.release_name,
            str(request.chart),
            "--namespace",
            request.namespace,
        ]
        for path in request.values_files:
            argv += ["--values", str(path)]
        for expression in request.set_values:
            argv += ["--set", expression]
        return split_helm_output(self._run(*argv))

    def package(
        self, chart: Path, dest: Path, version: str | None, app_version: str | None
    ) -> Path:
        argv = ["package", str(chart), "--destination", str(dest)]
        if version:
            argv += ["--version", version]
        if app_version:
            argv += ["--app-version", app_version]
        out = self._run(*argv)
        # "Successfully packaged chart and saved it to: /path/x-1.0.0.tgz"
        return Path(out.strip().rsplit(": ", 1)[-1])

    def push(self, archive: Path, remote: str, *, plain_http: bool, access: Access) -> None:
        self._registry(access, plain_http, "push", str(archive), remote)

    def pull(self, ref: str, version: str, dest: Path, *, plain_http: bool, access: Access) -> Path:
        dest.mkdir(parents=True, exist_ok=True)
        self._registry(
            access, plain_http, "pull", ref, "--version", version, "--destination", str(dest)
        )
        found = sorted(dest.glob("*.tgz"))
        if len(found) != 1:
            raise CommandError(f"helm pull {ref} --version {version} gave {len(found)} archives")
        return found[0]

    def _registry(self, access: Access, plain_http: bool, *args: str) -> None:
        """``helm ARGS`` within the deadline; a URL login goes to a throwaway registry config."""
        flags = ["--plain-http"] if plain_http else []
        try:
            with tempfile.TemporaryDirectory(prefix="releasekit-registry-") as tmp:
                if access.login is not None:
                    flags += ["--registry-config", str(Path(tmp) / "config.json")]
                    run(
                        [self.binary, "registry", "login", access.host, "--username",
                         access.login.username, "--password-stdin", *flags],
                        input_text=access.login.password,
                        timeout=access.timeout,
                    )  # fmt: skip
                run([self.binary, *args, *flags], timeout=access.timeout)
        except Timeout:
            raise NetworkTimeout(
                f"helm {args[0]}: registry {access.host} did not answer within "
                f"{access.timeout:g} s; releasekit stopped it — {advice_for(access)}"
            ) from None

    def dependency_update(self, chart: Path) -> None:
        self._run("dependency", "update", str(chart))


def split_helm_output(text: str) -> list[Manifest]:
    """Split ``helm template`` output into its ``# Source:`` files."""
    manifests: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines(keepends=True):
        if line.startswith("# Source: "):
            current = line[len("# Source: ") :].strip()
            manifests.setdefault(current, []).append("---\n")
            continue
        if line.rstrip() == "---":  # helm's separator; one is added per "# Source:" above
            continue
        manifests.setdefault(current, []).append(line)
    return [Manifest(src, "".join(lines)) for src, lines in sorted(manifests.items()) if src]


def select_engine(name: str = "auto") -> Engine:
    """The engine to use: ``helm`` (binary), ``sdk`` (helm-python-sdk) or ``auto``.

    ``auto`` prefers the user's own ``helm`` binary and falls back to helm-python-sdk.

    Raises:
        CommandError: the requested engine (or, for auto, any engine) is not installed.
        UsageError: ``name`` is not an engine.
    """
    if name not in ("auto", "helm", "sdk"):
        raise UsageError(f"--engine {name!r}: choose helm, sdk or auto")
    if name in ("auto", "helm"):
        binary = shutil.which("helm")
        if binary is not None:
            return CliEngine(binary)
        if name == "helm":
            raise CommandError(
                "--engine helm: the helm binary is not on PATH; install it "
                "(https://helm.sh/docs/intro/install/) or use --engine sdk"
            )
    try:
        return SdkEngine()
    except ImportError:
        raise CommandError(f"no Helm engine available; {INSTALL_HINT}") from None
    except OSError as exc:  # the SDK's native library failed to load
        raise CommandError(
            f"helm-python-sdk cannot load its native library ({exc}); {INSTALL_HINT}"
        ) from None


def values_paths(root: Path, names: Sequence[str]) -> tuple[Path, ...]:
    """Resolve values files relative to ``root``; each must exist."""
    paths = []
    for name in names:
        path = (root / name) if not Path(name).is_absolute() else Path(name)
        if not path.is_file():
            raise ReleaseError(f"values file {name} not found; pass an existing file to -f")
        paths.append(path)
    return tuple(paths)
