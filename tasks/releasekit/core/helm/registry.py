"""Pushing packaged charts to an OCI registry: never over an existing version, always pulled back.

The transfer itself is the Helm engine's (``helm push`` / helm-python-sdk's RegistryClient,
which speak the OCI distribution spec); this module adds releasekit's rules around it.
"""

from __future__ import annotations

import hashlib
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..common.errors import (
    CommandError,
    FileFormatError,
    ReleaseError,
    VerificationFailed,
)
from ..common.network import Network, NetworkTimeout, settings
from ..registry.oci import OciRemote, manifest_digest, parse_remote, stored_login
from .charts import parse_chart_yaml
from .engines import Access, Engine


@dataclass(frozen=True)
class ChartArchive:
    path: Path
    name: str
    version: str
    sha256: str


def read_archive(path: Path) -> ChartArchive:
    """Name and version from a packaged chart's top-level ``<name>/Chart.yaml``.

    Raises:
        ReleaseError: the file is missing (FileFormatError: it is not a chart archive).
    """
    if not path.is_file():
        raise ReleaseError(
            f"{path}: no such file; package the chart first (releasekit release.package-chart)"
        )
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = next(
                (
                    m
                    for m in tar.getmembers()
                    if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/Chart.yaml")
                ),
                None,
            )
            handle = tar.extractfile(member) if member is not None else None
            if member is None or handle is None:
                raise FileFormatError(
                    f"{path}: no <name>/Chart.yaml inside; is this a Helm chart archive?"
                )
            text = handle.read().decode("utf-8")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise FileFormatError(f"{path}: not a gzipped tar archive ({exc})") from None
    meta = parse_chart_yaml(text, f"{path.name}:{member.name}")
    return ChartArchive(
        path, str(meta.get("name", "")), str(meta.get("version", "")), sha256_file(path)
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class PushResult:
    ref: str
    version: str
    digest: str
    sha256: str
    pushed: bool  # False under a dry run


def push_chart(
    engine: Engine,
    archive_path: Path,
    remote: str,
    *,
    plain_http: bool,
    dry_run: bool = False,
    net: Network | None = None,
) -> PushResult:
    """Push a chart archive unless that version already exists; then pull it back and compare.

    ``remote`` may carry ``user:password@``: they log in for this push only and appear in no
    reference, message or output. Without them the registry's stored login is used.

    Raises:
        ReleaseError: the version already exists in the registry (published is immutable).
        VerificationFailed: the chart pulled back is not byte-identical to the archive pushed.
        CommandError: the registry cannot be reached or refused the push.
        NetworkTimeout: the registry did not answer within ``network.timeout``.
    """
    target = parse_remote(remote)  # first: it registers a URL password for redaction
    archive = read_archive(archive_path)
    net = net or settings()
    ref = target.ref(archive.name)
    login = target.login or stored_login(target.host)
    existing = _digest(target, archive, plain_http=plain_http, net=net, ref=ref)
    if existing is not None:
        raise ReleaseError(
            f"{ref}:{archive.version} already exists in the registry ({existing}); published chart "
            f"versions are immutable — bump the chart (releasekit release.bump-chart) and push the new version"
        )
    if dry_run:
        return PushResult(ref, archive.version, "", archive.sha256, pushed=False)
    access = Access(target.host, login, net.timeout)
    engine.push(archive.path, target.url, plain_http=plain_http, access=access)
    with tempfile.TemporaryDirectory(prefix="releasekit-pull-") as tmp:
        pulled = engine.pull(ref, archive.version, Path(tmp), plain_http=plain_http, access=access)
        pulled_sha = sha256_file(pulled)
    if pulled_sha != archive.sha256:
        raise VerificationFailed(
            f"{ref}:{archive.version} pulled back with sha256 {pulled_sha}, but {archive.path.name} "
            f"is {archive.sha256}; inspect the registry before announcing the release"
        )
    digest = _digest(target, archive, plain_http=plain_http, net=net, ref=ref)
    if digest is None:
        raise VerificationFailed(
            f"{ref}:{archive.version} was pushed but the registry does not list it"
        )
    return PushResult(ref, archive.version, digest, archive.sha256, pushed=True)


def _digest(
    target: OciRemote, archive: ChartArchive, *, plain_http: bool, net: Network, ref: str
) -> str | None:
    try:
        return manifest_digest(
            target, archive.name, archive.version, plain_http=plain_http, net=net
        )
    except NetworkTimeout:
        raise
    except CommandError as exc:
        raise CommandError(f"asking the registry for {ref}:{archive.version}: {exc}") from None
