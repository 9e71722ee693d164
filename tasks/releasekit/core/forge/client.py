"""REST clients for releases and pull requests on GitHub and on Gitea/Forgejo.

The endpoints are the documented ones (GitHub REST "Releases", "Release assets", "Pulls";
Gitea's /api/v1 swagger, which Forgejo keeps). Every request goes through
:func:`.common.http.request` (a deadline, reads retried); writes are never retried: the
publish flow re-reads and converges instead. With ``dry_run`` the reads are sent and every
write is recorded as the request it would be (token masked) instead of being sent.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..common import http
from ..common.errors import CommandError, ConfigError
from ..common.network import Network
from ..common.redact import MASK, register
from .config import ForgeConfig

PAGE = 50  # Gitea's default maximum page size; GitHub allows 100


class AlreadyExists(CommandError):
    """The forge refused a create: a release for the tag (or an asset, a pull request) exists."""


@dataclass(frozen=True)
class Asset:
    id: int
    name: str
    size: int
    digest: str | None  # "sha256:<hex>" where the forge reports it (GitHub), else None
    url: str  # where its bytes are downloaded from

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "size": self.size, "digest": self.digest}


@dataclass(frozen=True)
class Release:
    id: int
    tag: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    url: str
    upload_url: str = ""
    assets: tuple[Asset, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "tag": self.tag, "name": self.name, "draft": self.draft,
                "prerelease": self.prerelease, "url": self.url,
                "assets": [a.as_json() for a in self.assets]}  # fmt: skip


@dataclass(frozen=True)
class PullRequest:
    number: int
    url: str
    head: str


@dataclass
class Forge:
    """One forge repository; ``sent`` lists every write, ``planned`` the dry run's."""

    cfg: ForgeConfig
    net: Network
    token: str
    dry_run: bool = False
    planned: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    @property
    def github(self) -> bool:
        return self.cfg.kind == "github"

    @property
    def repo_path(self) -> str:
        """Both APIs name a repository so under their root (Gitea's root ends in /api/v1)."""
        return f"/repos/{self.cfg.owner}/{self.cfg.repo}"

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        scheme = "Bearer" if self.github else "token"
        headers = {"Authorization": f"{scheme} {self.token}", "Accept": "application/json",
                   "User-Agent": "releasekit"}  # fmt: skip
        if self.github:
            headers |= {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        return headers | dict(extra or {})

    def call(self, method: str, url: str, *, payload: Any = None, data: bytes | None = None,
             headers: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> Any:  # fmt: skip
        """Send one request (or record it in a dry run); the JSON answer, or None."""
        full = url if url.startswith("http") else f"{self.cfg.api}{url}"
        sent_headers = self._headers(headers)
        body = data
        if payload is not None:
            body = json.dumps(payload, sort_keys=True).encode()
            sent_headers["Content-Type"] = "application/json"
        if method != "GET":
            line = describe(method, full, sent_headers, payload, data)
            if self.dry_run:
                self.planned.append(line)
                return None
            self.sent.append(line)
        response = http.request(method, full, net=self.net, what=f"{self.cfg.kind} {self.cfg.api}",
                                headers=sent_headers, data=body)  # fmt: skip
        if response.status_code in ok:
            return (
                response.json()
                if response.content and "json" in response.headers.get("Content-Type", "")
                else response.content
            )
        message = _message(response)
        if response.status_code in (409, 422) and "exist" in message.lower():
            raise AlreadyExists(f"{method} {full}: {message}")
        hint = (
            "check the token's permissions (contents: write)"
            if response.status_code in (401, 403, 404)
            else "try again later"
        )
        raise CommandError(
            f"{self.cfg.kind} answered {response.status_code} to {method} {full}: {message}; {hint}"
        )

    # --- releases ------------------------------------------------------------------------

    def list_releases(self) -> list[Release]:
        """Every release, drafts too (get-by-tag never returns a draft), all pages."""
        found: list[Release] = []
        for page in range(1, 1000):
            query = f"per_page=100&page={page}" if self.github else f"limit={PAGE}&page={page}"
            items = self.call("GET", f"{self.repo_path}/releases?{query}")
            if not isinstance(items, list):
                raise CommandError(f"{self.cfg.kind} sent no release list for {self.repo_path}")
            found += [self._release(item) for item in items]
            if len(items) < (100 if self.github else PAGE):
                break
        return found

    def create_release(self, fields: Mapping[str, Any]) -> Release | None:
        item = self.call("POST", f"{self.repo_path}/releases", payload=dict(fields), ok=(201,))
        return None if item is None else self._release(item)

    def update_release(self, release: Release, fields: Mapping[str, Any]) -> Release | None:
        item = self.call("PATCH", f"{self.repo_path}/releases/{release.id}", payload=dict(fields))
        return None if item is None else self._release(item)

    def list_assets(self, release: Release) -> list[Asset]:
        items = self.call("GET", f"{self.repo_path}/releases/{release.id}/assets")
        return [self._asset(item) for item in items or []]

    def upload_asset(self, release: Release, name: str, data: bytes) -> None:
        quoted = urllib.parse.quote(name)
        if self.github:
            base = (
                release.upload_url.split("{", 1)[0]
                or f"{self.cfg.api}{self.repo_path}/releases/{release.id}/assets"
            )
            self.call("POST", f"{base}?name={quoted}", data=data, ok=(201,),
                      headers={"Content-Type": "application/octet-stream"})  # fmt: skip
            return
        boundary = secrets.token_hex(16)
        form = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        form += data + f"\r\n--{boundary}--\r\n".encode()
        self.call("POST", f"{self.repo_path}/releases/{release.id}/assets?name={quoted}", data=form,
                  ok=(201,), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip

    def delete_asset(self, release: Release, asset: Asset) -> None:
        path = (f"{self.repo_path}/releases/assets/{asset.id}" if self.github
                else f"{self.repo_path}/releases/{release.id}/assets/{asset.id}")  # fmt: skip
        self.call("DELETE", path, ok=(204,))

    def download(self, asset: Asset) -> bytes:
        data = self.call("GET", asset.url, headers={"Accept": "application/octet-stream"})
        if not isinstance(data, bytes):
            raise CommandError(f"{self.cfg.kind} sent JSON instead of the bytes of {asset.name}")
        return data

    # --- pull requests -------------------------------------------------------------------

    def open_pull(self, head: str, base: str, title: str, body: str) -> PullRequest | None:
        item = self.call("POST", f"{self.repo_path}/pulls", ok=(201,),
                         payload={"title": title, "head": head, "base": base, "body": body})  # fmt: skip
        return (
            None
            if item is None
            else PullRequest(int(item["number"]), str(item.get("html_url", "")), head)
        )

    def find_pull(self, head: str, base: str) -> PullRequest | None:
        query = (f"state=open&head={self.cfg.owner}:{head}&base={base}" if self.github
                 else f"state=open&limit={PAGE}")  # fmt: skip
        for item in self.call("GET", f"{self.repo_path}/pulls?{query}") or []:
            ref = (item.get("head") or {}).get("ref")
            if ref == head and (item.get("base") or {}).get("ref", base) == base:
                return PullRequest(int(item["number"]), str(item.get("html_url", "")), head)
        return None

    # --- JSON ------------------------------------------------------------------------------

    def _release(self, item: Mapping[str, Any]) -> Release:
        assets = tuple(self._asset(a) for a in item.get("assets") or [])
        return Release(int(item["id"]), str(item.get("tag_name", "")), str(item.get("name") or ""),
                       str(item.get("body") or ""), bool(item.get("draft")), bool(item.get("prerelease")),
                       str(item.get("html_url", "")), str(item.get("upload_url", "")), assets)  # fmt: skip

    def _asset(self, item: Mapping[str, Any]) -> Asset:
        # GitHub downloads an asset's bytes from its API url with Accept: octet-stream.
        url = str(
            item.get("url")
            if self.github and item.get("url")
            else item.get("browser_download_url", "")
        )
        digest = item.get("digest")
        return Asset(int(item["id"]), str(item["name"]), int(item.get("size", 0)),
                     str(digest) if digest else None, url)  # fmt: skip


def describe(
    method: str, url: str, headers: Mapping[str, str], payload: Any, data: bytes | None
) -> str:
    """A request as the dry run prints it: method, URL, headers (token masked), body."""
    lines = [f"{method} {url}"]
    for key, value in headers.items():
        shown = f"{value.split(' ', 1)[0]} {MASK}" if key == "Authorization" else value
        lines.append(f"  {key}: {shown}")
    if payload is not None:
        fields = dict(payload)
        if (
            len(str(fields.get("body", ""))) > 60
        ):  # the notes themselves: their size, not their text
            fields["body"] = f"<{len(fields['body'])} characters of release notes>"
        lines.append("  " + json.dumps(fields, sort_keys=True))
    elif data is not None:
        lines.append(f"  <{len(data)} bytes>")
    return "\n".join(lines)


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:200] or response.reason or "no details"
    if isinstance(body, dict):
        errors = body.get("errors") or []
        codes = [e.get("code", "") for e in errors if isinstance(e, dict)]
        text = str(body.get("message") or body)
        return f"{text} ({', '.join(c for c in codes if c)})" if any(codes) else text
    return str(body)[:200]


def token_for(cfg: ForgeConfig) -> str:
    """The first token set among ``forge.token_env`` (masked in every output from now on).

    Raises:
        ConfigError: none of the variables is set.
    """
    for name in cfg.token_variables:
        value = os.environ.get(name, "")
        if value:
            register(value)
            return value
    raise ConfigError(
        f"no token for {cfg.kind}: set {' or '.join(cfg.token_variables)} (a token that may "
        "write releases and pull requests of " + f"{cfg.owner}/{cfg.repo})"
    )
