"""Registry credentials from the tools' own stores, and answers to ``WWW-Authenticate``.

Logins, in order: Helm's registry config (``helm registry login``), then Docker's
config.json — its ``credHelpers`` entry for the host, its ``auths`` entry (Docker Hub's is
filed under the legacy key ``https://index.docker.io/v1/``), then its ``credsStore`` — each
helper asked with ``docker-credential-<name> get``. Every secret found is registered for
redaction before it is used.

Challenges: ``Basic`` is answered with the login; ``Bearer`` with a token from the realm for
the service and *every* scope the request needs — the challenge's own scopes (a blob mount's
names pull on the source too) united with the ones releasekit asked before — anonymous when
there is no login, or through an identity token (``"<token>"`` user) as an OAuth2 refresh.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..common import http, process
from ..common.errors import CommandError
from ..common.network import Network
from ..common.redact import register, register_login
from .refs import credential_keys

if TYPE_CHECKING:
    import requests

IDENTITY_TOKEN_USER = "<token>"


@dataclass(frozen=True)
class Login:
    """A registry user and password (or token); the password is never printed."""

    username: str
    password: str
    source: str  # "the URL", "Helm's registry config", ...

    def __repr__(self) -> str:
        return f"Login({self.username!r}, ***, from {self.source})"


def stored_login(host: str, net: Network | None = None) -> Login | None:
    """The registry's login from Helm's registry config, else from Docker's config.json."""
    helm_config = os.environ.get("HELM_REGISTRY_CONFIG") or str(
        Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        / "helm/registry/config.json"
    )
    docker_dir = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")
    for path, source in (
        (Path(helm_config), "Helm's registry config"),
        (Path(docker_dir) / "config.json", "Docker's config.json"),
    ):
        login = _login_from(path, host, source, net or Network())
        if login is not None:
            return login
    return None


def _login_from(path: Path, host: str, source: str, net: Network) -> Login | None:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict):
        return None
    keys = credential_keys(host)
    helpers = config.get("credHelpers") or {}
    for key in keys:
        if isinstance(helpers, dict) and isinstance(helpers.get(key), str):
            return _from_helper(helpers[key], key, net)
    auths = config.get("auths") or {}
    entry = next((auths[k] for k in keys if isinstance(auths, dict) and k in auths), None)
    if isinstance(entry, dict):
        login = _from_entry(entry, source)
        if login is not None:
            return login
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return _from_helper(store, keys[0], net)
    return None


def _from_entry(entry: dict[str, object], source: str) -> Login | None:
    user, password = str(entry.get("username") or ""), str(entry.get("password") or "")
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        register(str(entry["auth"]))
        try:
            decoded = base64.b64decode(str(entry["auth"])).decode("utf-8")
        except ValueError:
            return None
        user, _, password = decoded.partition(":")
    if isinstance(entry.get("identitytoken"), str) and entry["identitytoken"]:
        register(str(entry["identitytoken"]))
        return Login(IDENTITY_TOKEN_USER, str(entry["identitytoken"]), source)
    if not user or not password:
        return None
    register_login(user, password)
    return Login(user, password, source)


def _from_helper(name: str, server: str, net: Network) -> Login | None:
    """``docker-credential-<name> get`` (server URL on stdin, JSON on stdout)."""
    argv = [f"docker-credential-{name}", "get"]
    try:
        result = process.run(argv, input_text=server, check=False, timeout=net.timeout)
    except process.Timeout:
        raise CommandError(
            f"credential helper docker-credential-{name} did not answer within "
            f"{net.timeout:g} s; check it works: echo {server} | docker-credential-{name} get"
        ) from None
    except CommandError:
        raise CommandError(
            f"Docker's config.json names the credential helper {name!r}, but "
            f"docker-credential-{name} is not on PATH; install it or remove it from config.json"
        ) from None
    if result.returncode != 0:
        return None  # "credentials not found in native keychain": anonymous, as docker does
    try:
        answer = json.loads(result.stdout)
        user, secret = str(answer.get("Username") or ""), str(answer.get("Secret") or "")
    except (ValueError, AttributeError):
        raise CommandError(f"docker-credential-{name} get printed no JSON for {server}") from None
    if not secret:
        return None
    register_login(user, secret)
    register(secret)
    return Login(user or IDENTITY_TOKEN_USER, secret, f"docker-credential-{name}")


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="...",service="...",scope="a b"`` -> (``bearer``, params)."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


Scopes = frozenset[tuple[str, str]]  # (resource, action): ("repository:org/app", "push")


def scopes(*texts: str) -> Scopes:
    """``repository:org/app:pull,push`` (space-separated, as challenges spell them) as pairs."""
    pairs = set()
    for text in texts:
        for scope in text.split():
            resource, _, actions = scope.rpartition(":")
            pairs |= {(resource, action) for action in actions.split(",") if action}
    return frozenset(pairs)


def _spell(pairs: Scopes) -> list[str]:
    grouped: dict[str, set[str]] = {}
    for resource, action in pairs:
        grouped.setdefault(resource, set()).add(action)
    return [f"{r}:{','.join(sorted(a))}" for r, a in sorted(grouped.items())]


class Authorizer:
    """The Authorization header for one registry host; tokens kept per set of scopes.

    Thread-safe: concurrent requests share what was learnt (the challenge, the tokens).
    """

    def __init__(self, host: str, login: Login | None, net: Network) -> None:
        self.host, self.login, self.net = host, login, net
        self._lock = threading.Lock()
        self._basic = False
        self._tokens: dict[Scopes, str] = {}
        self.token_requests: list[tuple[str, ...]] = []  # the scopes asked, for tests

    def header(self, needed: Scopes, resource: str) -> dict[str, str]:
        """The best header known before asking: a token holding every scope needed, else the
        one holding most of ``resource``'s (it may be enough; a 401 says when not), else none."""
        with self._lock:
            if self._basic and self.login is not None:
                return {"Authorization": _basic(self.login)}
            own = {pair for pair in needed if pair[0] == resource}
            token = next((t for s, t in self._tokens.items() if needed <= s), None)
            if token is None and own:
                overlap = max(self._tokens.items(), key=lambda st: len(own & st[0]), default=None)
                token = overlap[1] if overlap is not None and own & overlap[0] else None
        return {"Authorization": f"Bearer {token}"} if token else {}

    def answer(self, challenge: str, needed: Scopes, session: requests.Session) -> dict[str, str]:
        """The header answering a 401's challenge: a fresh token for the challenge's scopes
        and every scope needed, when it is Bearer.

        Raises:
            CommandError: an authentication scheme releasekit does not speak, or a token
                server that refuses or cannot be reached.
        """
        scheme, params = parse_challenge(challenge)
        what = f"registry {self.host}"
        if scheme == "basic":
            with self._lock:
                self._basic = True
            return {"Authorization": _basic(self.login)} if self.login else {}
        if scheme != "bearer" or "realm" not in params:
            raise CommandError(
                f"{what} asked for an authentication releasekit does not speak: {scheme or 'none'}"
            )
        asked = scopes(params.get("scope", "")) | needed
        token = self._fetch(params, asked, session, what)
        with self._lock:
            self._tokens[asked] = token
        return {"Authorization": f"Bearer {token}"}

    def _fetch(
        self,
        params: dict[str, str],
        asked: Scopes,
        session: requests.Session,
        what: str,
    ) -> str:
        spelled = _spell(asked)
        self.token_requests.append(tuple(spelled))
        query = [("service", params.get("service", "")), *(("scope", s) for s in spelled)]
        login = self.login
        if login is not None and login.username == IDENTITY_TOKEN_USER:
            form = {"grant_type": "refresh_token", "refresh_token": login.password,
                    "service": params.get("service", ""), "scope": " ".join(spelled),
                    "client_id": "releasekit"}  # fmt: skip
            response = http.request("POST", params["realm"], net=self.net, what=what,
                                    data=urllib.parse.urlencode(form).encode(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                                    session=session)  # fmt: skip
        else:
            url = f"{params['realm']}?{urllib.parse.urlencode(query)}"
            auth = (login.username, login.password) if login else None
            response = http.request("GET", url, net=self.net, what=what, auth=auth, session=session)
        if response.status_code in (401, 403):
            who = f"{login.username} (from {login.source})" if login else "anonymous access"
            raise CommandError(
                f"the token server of {what} refused {who} (HTTP {response.status_code}); "
                f"log in with `docker login {self.host}` or `helm registry login {self.host}`"
            )
        try:
            body = response.json()
            token = str(body.get("token") or body.get("access_token") or "")
        except (ValueError, AttributeError):
            token = ""
        if response.status_code != 200 or not token:
            raise CommandError(
                f"the token server of {what} answered HTTP {response.status_code} without a "
                "token; check the registry's status and retry"
            )
        register(token)
        return token


def _basic(login: Login | None) -> str:
    assert login is not None
    return "Basic " + base64.b64encode(f"{login.username}:{login.password}".encode()).decode()
