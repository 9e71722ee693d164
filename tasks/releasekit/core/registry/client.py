"""A small OCI distribution-spec client: manifests as exact bytes, blob mounts, tag lists.

One :class:`Registries` per run holds one keep-alive ``requests.Session`` with a bounded
connection pool, shared by every host and thread. Reads go through :func:`.http.request`
(deadline, retries on 429/5xx honouring Retry-After); writes are sent once — the callers
re-check the registry before sending one again.

Every manifest is kept as the bytes received and hashed as received, never re-serialized:
the digest is the sha256 of those bytes, checked against ``Docker-Content-Digest`` when the
registry sends one, and against the digest asked for. The Accept header always names all
four manifest types: Debian's docker-registry 2.8 answers 404 MANIFEST_UNKNOWN for an
existing index when the index type is not accepted, and that must never read as "absent".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..common import http
from ..common.errors import CommandError, VerificationFailed
from ..common.network import Network
from .auth import Authorizer, Login, scopes, stored_login

if TYPE_CHECKING:
    import requests

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_TYPES = (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
ACCEPT = ", ".join(MANIFEST_TYPES)
# distribution refuses manifests above 4 MiB; a config blob is a few KiB.
MAX_MANIFEST = 4 << 20
DEFAULT_WORKERS = 8

T = TypeVar("T")
R = TypeVar("R")


class AccessRefused(CommandError):
    """The registry answered 401/403 after the authentication challenge was answered."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class DigestMismatch(VerificationFailed):
    """The bytes a registry sent do not hash to the digest it (or the reference) names."""


@dataclass(frozen=True)
class Manifest:
    """A manifest or index exactly as received."""

    repository: str
    media_type: str
    data: bytes
    digest: str

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES

    def json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.data)
        except ValueError:
            raise CommandError(
                f"{self.repository}@{self.digest} is not JSON ({self.media_type})"
            ) from None
        if not isinstance(body, dict):
            raise CommandError(f"{self.repository}@{self.digest} is not a JSON object")
        return body

    def children(self) -> list[dict[str, Any]]:
        """An index's manifest descriptors."""
        return [m for m in self.json().get("manifests") or [] if isinstance(m, dict)]

    def blobs(self) -> list[dict[str, Any]]:
        """An image manifest's config and layers (layers with ``urls`` live elsewhere)."""
        body = self.json()
        found = [body["config"]] if isinstance(body.get("config"), dict) else []
        found += [x for x in body.get("layers") or [] if isinstance(x, dict) and not x.get("urls")]
        return found


def digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


def _errors(response: requests.Response) -> str:
    """The registry's ``errors`` body as ``CODE: message``, for messages."""
    try:
        items = response.json().get("errors") or []
        return "; ".join(
            f"{e.get('code')}: {e.get('message')}" for e in items if isinstance(e, dict)
        )
    except (ValueError, AttributeError):
        return ""


class RegistryClient:
    """The distribution API of one registry host."""

    def __init__(
        self, host: str, *, plain_http: bool, net: Network, login: Login | None,
        session: requests.Session,
    ) -> None:  # fmt: skip
        self.host, self.net, self.login, self.session = host, net, login, session
        self.base = f"{'http' if plain_http else 'https'}://{host}/v2"
        self.auth = Authorizer(host, login, net)
        self.what = f"registry {host}"

    def request(
        self,
        method: str,
        path: str,
        *,
        repository: str,
        actions: str = "pull",
        extra: Sequence[str] = (),
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> requests.Response:
        """One API call, answering an authentication challenge once.

        ``extra`` names scopes beyond ``repository:<repository>:<actions>`` (a mount's pull on
        its source). A 401 before the answer changed nothing on the registry, so re-sending a
        write then is no blind retry.
        """
        resource = f"repository:{repository}"
        needed = scopes(f"{resource}:{actions}", *extra)
        url = f"{self.base}/{path}"
        sent = {**(headers or {}), **self.auth.header(needed, resource)}
        response = http.request(method, url, net=self.net, what=self.what, headers=sent,
                                session=self.session, data=data)  # fmt: skip
        if response.status_code == 401 and "WWW-Authenticate" in response.headers:
            answer = self.auth.answer(response.headers["WWW-Authenticate"], needed, self.session)
            sent = {**(headers or {}), **answer}
            response.close()
            response = http.request(method, url, net=self.net, what=self.what, headers=sent,
                                    session=self.session, data=data)  # fmt: skip
        if response.status_code in (401, 403):
            who = (
                f"{self.login.username} (from {self.login.source})"
                if self.login
                else "anonymous access"
            )
            detail = _errors(response) or f"HTTP {response.status_code}"
            raise AccessRefused(
                f"{self.what} refused {who} for {method} {repository} ({detail}); log in with "
                f"`docker login {self.host}` (or `helm registry login {self.host}`) with an "
                f"account that may {actions} {repository}",
                response.status_code,
            )
        return response

    def _unexpected(self, response: requests.Response, what: str) -> CommandError:
        detail = _errors(response)
        return CommandError(
            f"{self.what} answered HTTP {response.status_code} for {what}"
            f"{f' ({detail})' if detail else ''}; check the registry's status and retry"
        )

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """The manifest at a tag or digest, exactly as sent; None when the registry has none.

        Raises:
            DigestMismatch: the bytes do not hash to the digest asked for or reported.
            CommandError: the registry cannot be asked or answered oddly.
        """
        path = f"{repository}/manifests/{urllib.parse.quote(reference, safe=':')}"
        response = self.request("GET", path, repository=repository, headers={"Accept": ACCEPT})
        where = f"{self.host}/{repository}{'@' if ':' in reference else ':'}{reference}"
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._unexpected(response, where)
        data = response.content
        if len(data) > MAX_MANIFEST:
            raise CommandError(f"{where}: a manifest of {len(data)} bytes is above 4 MiB")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if media_type not in MANIFEST_TYPES:
            with contextlib.suppress(ValueError, AttributeError):
                media_type = str(json.loads(data).get("mediaType") or media_type)
        reported = response.headers.get("Docker-Content-Digest", "")
        pinned = reference if ":" in reference else ""
        algorithm = (pinned or reported or "sha256:").partition(":")[0]
        if algorithm not in hashlib.algorithms_available:
            raise CommandError(f"{where}: unsupported digest algorithm {algorithm}")
        digest = digest_of(data, algorithm)
        for claimed, by in ((pinned, "the reference"), (reported, "Docker-Content-Digest")):
            if claimed and claimed.partition(":")[0] == algorithm and claimed != digest:
                raise DigestMismatch(
                    f"{where}: the {len(data)} bytes received hash to {digest}, but {by} says "
                    f"{claimed}; the manifest is corrupt or altered in transit — do not publish "
                    "or promote it, and re-push it from the build"
                )
        return Manifest(repository, media_type, data, digest)

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """The digest at a tag (HEAD; the registry's ``Docker-Content-Digest``), or None."""
        path = f"{repository}/manifests/{urllib.parse.quote(reference, safe=':')}"
        response = self.request("HEAD", path, repository=repository, headers={"Accept": ACCEPT})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._unexpected(response, f"{repository}:{reference}")
        reported = response.headers.get("Docker-Content-Digest", "")
        if reported:
            return reported
        found = self.manifest(repository, reference)  # some registries omit the header
        return found.digest if found else None

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """PUT manifest bytes at a tag or digest; the digest the registry stored."""
        path = f"{repository}/manifests/{urllib.parse.quote(reference, safe=':')}"
        response = self.request("PUT", path, repository=repository, actions="pull,push",
                                headers={"Content-Type": media_type}, data=data)  # fmt: skip
        if response.status_code not in (200, 201):
            raise self._unexpected(response, f"PUT {self.host}/{repository}:{reference}")
        return response.headers.get("Docker-Content-Digest", "") or digest_of(data)

    def blob(self, repository: str, digest: str) -> bytes:
        """A small blob (an image config), checked against its digest."""
        response = self.request("GET", f"{repository}/blobs/{digest}", repository=repository)
        if response.status_code != 200:
            raise self._unexpected(response, f"{self.host}/{repository}@{digest}")
        data = response.content[: MAX_MANIFEST + 1]
        if len(data) > MAX_MANIFEST or digest_of(data, digest.partition(":")[0]) != digest:
            raise DigestMismatch(
                f"{self.host}/{repository}@{digest}: the blob received does not hash to its "
                "digest; re-push the image from the build"
            )
        return data

    def has_blob(self, repository: str, digest: str) -> bool:
        response = self.request("HEAD", f"{repository}/blobs/{digest}", repository=repository)
        if response.status_code not in (200, 404):
            raise self._unexpected(response, f"HEAD {self.host}/{repository}@{digest}")
        return response.status_code == 200

    def mount(self, repository: str, digest: str, source: str) -> bool:
        """Mount a blob from ``source`` (same registry); False when the registry would not.

        A registry that cannot mount opens an upload instead (202): that upload is cancelled
        at once, since promote never transfers layer bytes.
        """
        query = urllib.parse.urlencode({"mount": digest, "from": source})
        response = self.request("POST", f"{repository}/blobs/uploads/?{query}",
                                repository=repository, actions="pull,push",
                                extra=(f"repository:{source}:pull",))  # fmt: skip
        if response.status_code == 201:
            return True
        if response.status_code == 202 and response.headers.get("Location"):
            location = urllib.parse.urljoin(self.base + "/", response.headers["Location"])
            path = location.removeprefix(self.base + "/")
            self.request("DELETE", path, repository=repository, actions="pull,push").close()
            return False
        raise self._unexpected(response, f"mounting {digest} from {source} into {repository}")

    def tags(self, repository: str) -> list[str]:
        """Every tag of a repository (following the ``Link`` pages)."""
        found: list[str] = []
        path: str | None = f"{repository}/tags/list?n=1000"
        while path is not None:
            response = self.request("GET", path, repository=repository)
            if response.status_code == 404:
                return found
            if response.status_code != 200:
                raise self._unexpected(response, f"the tags of {self.host}/{repository}")
            try:
                found += [str(t) for t in response.json().get("tags") or []]
            except (ValueError, AttributeError):
                raise self._unexpected(response, f"the tags of {self.host}/{repository}") from None
            link = response.links.get("next", {}).get("url")
            path = (
                urllib.parse.urljoin(self.base + "/", link).removeprefix(self.base + "/")
                if link
                else None
            )
        return found

    def referrers(self, repository: str, digest: str) -> list[dict[str, Any]] | None:
        """OCI referrers of a digest; None when the registry does not offer the API."""
        response = self.request("GET", f"{repository}/referrers/{digest}", repository=repository,
                                headers={"Accept": OCI_INDEX})  # fmt: skip
        if response.status_code != 200 or not response.headers.get("Content-Type", "").startswith(
            OCI_INDEX
        ):
            return None
        try:
            return [m for m in response.json().get("manifests") or [] if isinstance(m, dict)]
        except (ValueError, AttributeError):
            return None


class Registries:
    """The registry clients of one run, over one keep-alive session with a bounded pool."""

    def __init__(
        self,
        net: Network,
        plain_http: Collection[str] = (),
        *,
        all_plain_http: bool = False,
        workers: int = DEFAULT_WORKERS,
        logins: dict[str, Login] | None = None,
    ) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.net, self.workers = net, workers
        self.plain_http, self.all_plain_http = frozenset(plain_http), all_plain_http
        self.logins = dict(logins or {})
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=workers, pool_block=True)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self._clients: dict[str, RegistryClient] = {}
        self._lock = threading.Lock()

    def client(self, host: str) -> RegistryClient:
        with self._lock:
            if host not in self._clients:
                login = self.logins.get(host) or stored_login(host, self.net)
                plain = self.all_plain_http or host in self.plain_http
                self._clients[host] = RegistryClient(
                    host, plain_http=plain, net=self.net, login=login, session=self.session
                )
            return self._clients[host]

    def map(
        self, fn: Callable[[T], R], items: Iterable[T], done: Callable[[], None] | None = None
    ) -> list[R]:
        """``fn`` over ``items`` on the pool's threads, results in order; first error raised."""
        listed = list(items)
        if len(listed) <= 1:
            return [_counted(fn, done)(item) for item in listed]
        with ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="releasekit-oci"
        ) as pool:
            return list(pool.map(_counted(fn, done), listed))

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Registries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _counted(fn: Callable[[T], R], done: Callable[[], None] | None) -> Callable[[T], R]:
    if done is None:
        return fn

    def call(item: T) -> R:
        try:
            return fn(item)
        finally:
            done()

    return call


def iter_unique(items: Iterable[T]) -> Iterator[T]:
    seen: set[T] = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item
