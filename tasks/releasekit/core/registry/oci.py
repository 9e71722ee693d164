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

import urllib.parse
from dataclasses import dataclass

from ..common.errors import CommandError, UsageError
from ..common.network import Network
from ..common.redact import register, register_login
from .auth import Login, stored_login

__all__ = ["Login", "OciRemote", "manifest_digest", "parse_remote", "stored_login"]


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


def manifest_digest(
    remote: OciRemote, name: str, tag: str, *, plain_http: bool, net: Network
) -> str | None:
    """The digest of ``name:tag`` in the registry, or None when it does not exist.

    Raises:
        CommandError: the registry cannot be reached, refused access, or answered oddly.
        NetworkTimeout: it did not answer in time.
    """
    from .client import AccessRefused, Registries

    repository = remote.repository(name)
    what = f"registry {remote.host}"
    logins = {remote.host: remote.login} if remote.login else {}
    with Registries(net, all_plain_http=plain_http, logins=logins, workers=1) as registries:
        client = registries.client(remote.host)
        try:
            return client.manifest_digest(repository, tag)
        except AccessRefused as exc:
            login = client.login
            who = (
                f"the credentials of {login.username} from {login.source}"
                if login
                else "anonymous access"
            )
            raise CommandError(
                f"{what} refused {who} for {repository} (HTTP {exc.status}); log in with "
                f"`helm registry login {remote.host}` or put user:password in the oci:// URL"
            ) from None
