"""Real parts for the registry tests: OCI layouts built here, pushed with skopeo, registries.

- :func:`build_layout` writes a multi-arch OCI image layout (small gzip layers, one config per
  platform with labels, an index) — the tests' own images, nothing downloaded;
- :func:`push` copies it with ``skopeo copy --all --preserve-digests``, :func:`skopeo_raw`
  reads a manifest back with ``skopeo inspect --raw`` (the independent oracle);
- :class:`RegistryProcess` runs Debian's docker-registry, stoppable and restartable on its
  port, with the access log (every request line) in its log file;
- :class:`TokenServer` issues real ES256 JWTs (x5c header, a self-signed certificate the
  registry trusts) and grants only the scopes its ACL allows;
- :class:`FaultProxy` sits between a client and a registry on 127.0.0.1 and injects 5xx,
  slow answers, corrupted manifest bytes, or stops the registry on a given request.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import http.client
import http.server
import io
import json
import os
import socket
import subprocess
import tarfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from http_parts import StandInServer

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _blob(layout: Path, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def _layer(text: str) -> tuple[bytes, str]:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        data = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), f"sha256:{hashlib.sha256(tar_bytes).hexdigest()}"


@dataclass(frozen=True)
class Layout:
    path: Path
    tag: str
    index: str  # the index digest
    children: dict[str, str]  # platform -> manifest digest
    layers: int  # layer blob bytes in total


def build_layout(
    path: Path,
    tag: str,
    *,
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
    labels: dict[str, str] | None = None,
    seed: str = "",
    layer_bytes: int = 0,
) -> Layout:
    """An OCI layout with one index at ``tag`` over one image per platform."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    descriptors, children, total = [], {}, 0
    for platform in platforms:
        os_name, arch, *variant = platform.split("/")
        filler = os.urandom(layer_bytes // 2).hex() if layer_bytes else ""
        layer, diff_id = _layer(f"{seed} {platform} {tag}\n{filler}")
        layer_desc = {
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            **_blob(path, layer),
        }
        total += len(layer)
        config = {"architecture": arch, "os": os_name, "config": {"Labels": dict(labels or {})},
                  "rootfs": {"type": "layers", "diff_ids": [diff_id]}}  # fmt: skip
        if variant:
            config["variant"] = variant[0]
        config_desc = {"mediaType": "application/vnd.oci.image.config.v1+json",
                       **_blob(path, json.dumps(config).encode())}  # fmt: skip
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_desc,
                    "layers": [layer_desc]}  # fmt: skip
        desc = {"mediaType": OCI_MANIFEST, **_blob(path, json.dumps(manifest, indent=1).encode())}
        plat = {"architecture": arch, "os": os_name, **({"variant": variant[0]} if variant else {})}
        descriptors.append({**desc, "platform": plat})
        children[platform] = str(desc["digest"])
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descriptors}
    index_desc = {"mediaType": OCI_INDEX, **_blob(path, json.dumps(index, indent=2).encode())}
    top = {"schemaVersion": 2, "manifests": [
        {**index_desc, "annotations": {"org.opencontainers.image.ref.name": tag}}]}  # fmt: skip
    (path / "index.json").write_text(json.dumps(top))
    return Layout(path, tag, str(index_desc["digest"]), children, total)


def skopeo(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["skopeo", *args], capture_output=True, check=True, timeout=120)


def push(layout: Layout, dest: str, *, creds: str | None = None) -> None:
    """``skopeo copy --all --preserve-digests oci:DIR:TAG docker://HOST/REPO:TAG``."""
    auth = ["--dest-creds", creds] if creds else []
    skopeo("copy", "--all", "--preserve-digests", "--dest-tls-verify=false", *auth,
           f"oci:{layout.path}:{layout.tag}", f"docker://{dest}")  # fmt: skip


def skopeo_raw(ref: str, *, creds: str | None = None) -> bytes:
    auth = ["--creds", creds] if creds else []
    return skopeo("inspect", "--raw", "--tls-verify=false", *auth, f"docker://{ref}").stdout


def skopeo_digest(ref: str, *, creds: str | None = None) -> str:
    return f"sha256:{hashlib.sha256(skopeo_raw(ref, creds=creds)).hexdigest()}"


class RegistryProcess:
    """Debian's docker-registry on a fixed 127.0.0.1 port; stop() and start() keep the data."""

    def __init__(self, base: Path, extra_config: str = "") -> None:
        self.base, self.port = base, free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.storage, self.log = base / "storage", base / "registry.log"
        base.mkdir(parents=True, exist_ok=True)
        self.config = base / "config.yml"
        self.config.write_text(
            "version: 0.1\nlog:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n"
            f"http:\n  addr: {self.host}\n{extra_config}"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
        with self.log.open("ab") as handle:
            self.proc = subprocess.Popen(["docker-registry", "serve", str(self.config)],
                                         stdout=handle, stderr=handle, env=env)  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(
            f"docker-registry did not start:\n{self.log.read_text(errors='replace')}"
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request in the access log (once it stops growing:
        the registry writes a line after it answered)."""
        size = -1
        while size != self.log.stat().st_size:
            size = self.log.stat().st_size
            time.sleep(0.2)
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            _, sep, rest = line.partition('"')
            if not sep or " HTTP/" not in rest:
                continue
            request, _, tail = rest.partition('"')
            parts, status = request.split(" "), tail.split()
            if len(parts) == 3 and status and status[0].isdigit():
                out.append((parts[0], parts[1], int(status[0])))
        return out


def blob_traffic(requests: list[tuple[str, str, int]]) -> dict[str, int]:
    """Blob uploads (upload sessions opened, PATCH/PUT of their bytes), mounts and downloads."""
    uploads = sum(1 for m, p, _ in requests if "/blobs/uploads/" in p and m in ("PATCH", "PUT"))
    uploads += sum(1 for m, p, s in requests if "/blobs/uploads/" in p and m == "POST" and s == 202)
    mounts = sum(1 for m, p, s in requests if m == "POST" and "mount=" in p and s == 201)
    downloads = sum(1 for m, p, _ in requests if m == "GET" and "/blobs/sha256:" in p)
    return {"uploads": uploads, "mounts": mounts, "downloads": downloads}


# --- token auth ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenServer:
    """``GET /token?service=&scope=`` with Basic auth; grants what ``acl`` allows, as ES256."""

    users: dict[str, str]
    acl: Callable[[str, str, str], bool]  # (user or "", repository, action) -> allowed
    service: str = "releasekit-test-registry"
    issuer: str = "releasekit-test-issuer"
    port: int = 0
    asked: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    cert_pem: bytes = b""

    def start(self, base: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self._key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "releasekit test token signer")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self._key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
                .sign(self._key, hashes.SHA256()))  # fmt: skip
        self._der = cert.public_bytes(serialization.Encoding.DER)
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        (base / "token.crt").write_bytes(self.cert_pem)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self._http = StandInServer(Handler).start()
        self.port = self._http.port

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def registry_config(self, base: Path) -> str:
        return (f"auth:\n  token:\n    realm: {self.realm}\n    service: {self.service}\n"
                f"    issuer: {self.issuer}\n    rootcertbundle: {base / 'token.crt'}\n")  # fmt: skip

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(handler.path).query)
        user = ""
        header = handler.headers.get("Authorization", "")
        if header.startswith("Basic "):
            name, _, password = base64.b64decode(header[6:]).decode().partition(":")
            if self.users.get(name) != password:
                handler.send_response(401)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            user = name
        scopes = tuple(" ".join(query.get("scope", [])).split())
        self.asked.append((user, scopes))
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            repo, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if self.acl(user, repo, a)]
            if granted:
                access.append({"type": kind, "name": repo, "actions": granted})
        body = json.dumps({"token": self._jwt(user, access), "expires_in": 300}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _jwt(self, user: str, access: list[dict[str, object]]) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        now = int(time.time())
        header = {"alg": "ES256", "typ": "JWT", "x5c": [base64.b64encode(self._der).decode()]}
        claims = {"iss": self.issuer, "sub": user, "aud": self.service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}  # fmt: skip
        signing = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature(self._key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def stop(self) -> None:
        self._http.stop()


# --- faults ----------------------------------------------------------------------------------

Fault = Callable[[str, str], "tuple[str, float] | None"]  # (method, path) -> action or None


class FaultProxy:
    """An HTTP proxy to ``upstream`` that asks ``fault(method, path)`` before each request.

    Actions: ("status", 503) answers that status; ("slow", seconds) waits then forwards;
    ("corrupt", 0) forwards and flips a byte of the body; ("stop", 0) calls ``on_stop`` (stop
    the registry) and then forwards, so the request meets a stopped registry.
    """

    def __init__(
        self, upstream: str, fault: Fault, on_stop: Callable[[], None] | None = None
    ) -> None:
        self.upstream, self.fault, self.on_stop = upstream, fault, on_stop
        self.seen: list[tuple[str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                proxy._handle(self)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        self._http = StandInServer(Handler).start()
        self.host = f"127.0.0.1:{self._http.port}"

    def _handle(self, h: http.server.BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        self.seen.append((h.command, h.path))
        action = self.fault(h.command, h.path)
        if action is not None and action[0] == "status":
            h.send_response(int(action[1]))
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        if action is not None and action[0] == "slow" and self._http.stopping.wait(action[1]):
            h.close_connection = True  # stopped while waiting: answer nothing, end the thread
            return
        if action is not None and action[0] == "stop" and self.on_stop is not None:
            self.on_stop()
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
        conn = http.client.HTTPConnection(self.upstream, timeout=30)
        try:
            conn.request(h.command, h.path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except OSError:  # the registry is down: hang up, as a dead server's socket would
            h.close_connection = True
            return
        finally:
            conn.close()
        if action is not None and action[0] == "corrupt" and data:
            data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
        h.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                h.send_header(name, value.replace(self.upstream, self.host))
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)

    def stop(self) -> None:
        self._http.stop()
