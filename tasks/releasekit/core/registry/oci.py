"""OCI registries over the distribution API: remote references, credentials, manifest lookups.

A remote is ``oci://[user:password@]host[:port]/path``. Credentials in the URL are taken out
of the reference at once (the reference that is pushed, printed and stored has none) and
registered for redaction; without them the registry's entry in Helm's registry config
(``helm registry login``) or Docker's config.json is used — the tools' own stores.

Lookups are HEAD requests (idempotent: retried within the network deadline, see :mod:`.http`)
answering the OCI challenge: ``Basic`` with the credentials, or ``Bearer`` with a token from
the realm the registry names (anonymous when there are no credentials).
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..common import http
from ..common.errors import CommandError, UsageError
from ..common.network import Network
from ..common.redact import register, register_login

if TYPE_CHECKING:
    import requests

MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


@dataclass(frozen=True)
class Login:
    """A registry user and password (or token); the password is never printed."""

    username: str
    password: str
    source: str  # "the URL", "Helm's registry config", ...

    def __repr__(self) -> str:
        return f"Login({self.username!r}, ***, from {self.source})"


@dataclass(frozen=True)
class OciRemote:
    """``oci://host/path`` without credentials, plus the login the URL carried."""

    host: str
    path: str
    login: Login | None = None

    @property
    def url(self) -> str:
        return f"oci://{self.host}/{self.path}".rstrip("/")

    def ref(self, name: str) -> str:
        return f"{self.url}/{name}"

    def repository(self, name: str) -> str:
        return f"{self.path}/{name}".strip("/")


def parse_remote(remote: str) -> OciRemote:
    """Split ``oci://[user:password@]host/path``; register a password for redaction first.

    Raises:
        UsageError: not an ``oci://`` reference, or credentials without a password.
    """
    if not remote.startswith("oci://"):
        raise UsageError(
            f"{remote!r} is not an OCI reference; use oci://host/path (e.g. oci://ghcr.io/org/charts)"
        )
    parts = urllib.parse.urlsplit(remote)
    login = None
    authority = parts.netloc
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        user, sep, password = userinfo.partition(":")
        user, password = urllib.parse.unquote(user), urllib.parse.unquote(password)
        register_login(user, password)
        register(userinfo)
        if not sep or not user or not password:
            raise UsageError(
                f"oci://***@{authority}: credentials in the URL need user:password; or log in "
                f"once with `helm registry login {authority}`"
            )
        login = Login(user, password, "the URL")
    if not authority or parts.query or parts.fragment:
        raise UsageError(f"{remote!r} is not an OCI reference; use oci://host/path")
    return OciRemote(authority, parts.path.strip("/"), login)


def stored_login(host: str) -> Login | None:
    """The registry's entry in Helm's registry config, else in Docker's config.json."""
    helm_config = os.environ.get("HELM_REGISTRY_CONFIG") or str(
        Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        / "helm/registry/config.json"
    )
    docker_dir = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
    for path, source in (
        (Path(helm_config), "Helm's registry config"),
        (Path(docker_dir) / "config.json", "Docker's config.json"),
    ):
        login = _login_from(path, host, source)
        if login is not None:
            return login
    return None


def _login_from(path: Path, host: str, source: str) -> Login | None:
    try:
        auths = json.loads(path.read_text(encoding="utf-8")).get("auths", {})
    except (OSError, ValueError, AttributeError):
        return None
    entry = auths.get(host) or auths.get(f"https://{host}") or auths.get(f"http://{host}")
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("auth"), str):
        register(entry["auth"])
        try:
            user, _, password = base64.b64decode(entry["auth"]).decode("utf-8").partition(":")
        except ValueError:
            return None
    else:
        user, password = str(entry.get("username", "")), str(entry.get("password", ""))
    if not user or not password:
        return None
    register_login(user, password)
    return Login(user, password, source)


def manifest_digest(
    remote: OciRemote, name: str, tag: str, *, plain_http: bool, net: Network
) -> str | None:
    """The digest of ``name:tag`` in the registry, or None when it does not exist.

    Raises:
        CommandError: the registry cannot be reached, refused access, or answered oddly.
        NetworkTimeout: it did not answer in time.
    """
    import requests

    scheme = "http" if plain_http else "https"
    repository = remote.repository(name)
    url = f"{scheme}://{remote.host}/v2/{repository}/manifests/{urllib.parse.quote(tag)}"
    what = f"registry {remote.host}"
    headers = {"Accept": ", ".join(MANIFEST_TYPES)}
    login = remote.login or stored_login(remote.host)
    with requests.Session() as session:
        response = http.request("HEAD", url, net=net, what=what, headers=headers, session=session)
        if response.status_code == 401:
            challenge = response.headers.get("WWW-Authenticate", "")
            headers |= _authorize(challenge, login, repository, net, what, session)
            response = http.request(
                "HEAD", url, net=net, what=what, headers=headers, session=session
            )
    if response.status_code == 404:
        return None
    if response.status_code in (401, 403):
        who = (
            f"the credentials of {login.username} from {login.source}"
            if login
            else "anonymous access"
        )
        raise CommandError(
            f"{what} refused {who} for {repository} (HTTP {response.status_code}); log in with "
            f"`helm registry login {remote.host}` or put user:password in the oci:// URL"
        )
    if response.status_code != 200:
        raise CommandError(
            f"{what} answered HTTP {response.status_code} for {repository}:{tag}; "
            "check the registry's status and retry"
        )
    digest = response.headers.get("Docker-Content-Digest", "")
    return digest if re.fullmatch(r"sha256:[0-9a-f]{64}", digest) else "(digest not reported)"


def _authorize(
    challenge: str,
    login: Login | None,
    repository: str,
    net: Network,
    what: str,
    session: requests.Session,
) -> dict[str, str]:
    """The Authorization header answering a 401's ``WWW-Authenticate`` challenge."""
    scheme, _, rest = challenge.partition(" ")
    params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
    if scheme.lower() == "basic":
        if login is None:
            return {}  # the HEAD is refused again, with the advice to log in
        token = base64.b64encode(f"{login.username}:{login.password}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if scheme.lower() != "bearer" or "realm" not in params:
        raise CommandError(
            f"{what} asked for an authentication releasekit does not speak: {scheme}"
        )
    query = {
        "service": params.get("service", ""),
        "scope": params.get("scope") or f"repository:{repository}:pull",
    }
    realm = f"{params['realm']}?{urllib.parse.urlencode(query)}"
    auth = (login.username, login.password) if login else None
    response = http.request("GET", realm, net=net, what=what, auth=auth, session=session)
    if response.status_code != 200:
        return {}
    try:
        body = response.json()
        token = str(body.get("token") or body.get("access_token") or "")
    except (ValueError, AttributeError):
        token = ""
    register(token)
    return {"Authorization": f"Bearer {token}"} if token else {}
