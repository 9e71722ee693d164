"""A local stand-in for the forges' REST APIs (no GitHub or Gitea server can run here).

It implements the documented release, asset and pull-request endpoints of GitHub
(``/repos/{o}/{r}/releases``, ``uploads`` with ``?name=``, ``make_latest``, assets with a
``digest``) and Gitea/Forgejo (``/api/v1/repos/{o}/{r}/releases``, multipart ``attachment``
uploads, assets without a digest, downloads from ``browser_download_url``), with their
behaviours that matter to an idempotent client:

- drafts are listed but never returned by get-by-tag;
- a second release for a tag is refused (GitHub 422 ``already_exists``; Gitea 409);
- a second asset of one name is refused (GitHub 422; Gitea 409... not enforced by Gitea, but
  refused here too so a duplicate would show);
- requests need the token (``Bearer`` for GitHub, ``token`` for Gitea).

``fail`` injects a fault into the n-th request matching (method, path substring): ``"drop"``
does the work and closes the connection without an answer (a lost response), ``"error"``
answers 502 without doing anything.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from http_parts import StandInServer


@dataclass
class Fault:
    method: str
    path: str  # substring of the request path
    nth: int = 1
    kind: str = "drop"  # drop | error
    seen: int = 0


@dataclass
class ForgeState:
    kind: str  # github | gitea
    token: str
    owner: str = "example"
    repo: str = "demo"
    releases: list[dict[str, Any]] = field(default_factory=list)
    blobs: dict[int, bytes] = field(default_factory=dict)  # asset id -> bytes
    pulls: list[dict[str, Any]] = field(default_factory=list)
    log: list[tuple[str, str, int]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id


class ForgeStandIn:
    """``with ForgeStandIn("github", token) as forge: forge.api_url ...``"""

    def __init__(self, kind: str, token: str) -> None:
        self.state = ForgeState(kind, token)
        self.server = StandInServer(_handler(self.state))
        self.port = self.server.port

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.root + ("/api/v1" if self.state.kind == "gitea" else "/api/v3")

    def fail(self, method: str, path: str, nth: int = 1, kind: str = "drop") -> None:
        self.state.faults.append(Fault(method, path, nth, kind))

    def writes(self) -> list[tuple[str, str, int]]:
        return [entry for entry in self.state.log if entry[0] != "GET"]

    def __enter__(self) -> ForgeStandIn:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def _handler(state: ForgeState) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: Any = None, raw: bytes | None = None) -> None:
            data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
            self.send_response(status)
            self.send_header(
                "Content-Type",
                "application/octet-stream" if raw is not None else "application/json",
            )
            self.send_header("Content-Length", str(len(data)))
            # Logged before the answer goes out: a client that has its answer sees the entry.
            state.log.append((self.command, self.path, status))
            self.end_headers()
            self.wfile.write(data)

        def _fault(self) -> Fault | None:
            for fault in state.faults:
                if fault.method == self.command and fault.path in self.path:
                    fault.seen += 1
                    if fault.seen == fault.nth:
                        return fault
            return None

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            scheme = "Bearer" if state.kind == "github" else "token"
            download = "/download/" in self.path
            if not download and self.headers.get("Authorization") != f"{scheme} {state.token}":
                self._reply(401, {"message": "Bad credentials"})
                return
            fault = self._fault()
            if fault is not None and fault.kind == "error":
                self._reply(502, {"message": "Bad Gateway"})
                return
            status, answer, raw = _route(state, self.command, self.path, body, self.headers)
            if fault is not None:  # the work is done; the answer is lost
                state.log.append((self.command, self.path, -1))
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._reply(status, answer, raw)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return Handler


def _asset_json(state: ForgeState, asset: dict[str, Any], root: str) -> dict[str, Any]:
    out = {"id": asset["id"], "name": asset["name"], "size": asset["size"],
           "browser_download_url": f"{root}/download/{asset['id']}/{asset['name']}"}  # fmt: skip
    if state.kind == "github":
        out["digest"] = asset["digest"]
        out["url"] = f"{root}/api/v3/repos/{state.owner}/{state.repo}/releases/assets/{asset['id']}"
    return out


def _release_json(state: ForgeState, release: dict[str, Any], root: str) -> dict[str, Any]:
    out = {k: v for k, v in release.items() if k != "assets"}
    out["assets"] = [_asset_json(state, a, root) for a in release["assets"]]
    out["html_url"] = f"{root}/{state.owner}/{state.repo}/releases/tag/{release['tag_name']}"
    if state.kind == "github":
        out["upload_url"] = (
            f"{root}/uploads/repos/{state.owner}/{state.repo}/releases/{release['id']}/assets{{?name,label}}"
        )
    return out


def _multipart_file(body: bytes, content_type: str) -> bytes:
    boundary = content_type.split("boundary=", 1)[1].encode()
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if b'name="attachment"' in head:
            return data.removesuffix(b"\r\n")
    raise ValueError("no attachment part")


def _route(
    state: ForgeState, method: str, path: str, body: bytes, headers: Any
) -> tuple[int, Any, bytes | None]:
    url = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(url.query)
    root = f"http://{headers.get('Host')}"
    prefix = "/api/v3" if state.kind == "github" else "/api/v1"
    repo = f"/repos/{state.owner}/{state.repo}"
    p = url.path
    if p.startswith("/download/"):
        asset_id = int(p.split("/")[2])
        return (
            (200, None, state.blobs[asset_id])
            if asset_id in state.blobs
            else (404, {"message": "Not Found"}, None)
        )
    if p.startswith("/uploads" + repo):  # GitHub's uploads host
        match = re.fullmatch(rf"/uploads{repo}/releases/(\d+)/assets", p)
        return _upload(state, int(match.group(1)) if match else 0, query["name"][0], body, root)
    if not p.startswith(prefix + repo):
        return 404, {"message": "Not Found"}, None
    p = p[len(prefix + repo) :]
    releases = state.releases
    if p == "/releases" and method == "GET":
        page = int(query.get("page", ["1"])[0])
        size = int(query.get("per_page" if state.kind == "github" else "limit", ["30"])[0])
        chunk = releases[(page - 1) * size : page * size]
        return 200, [_release_json(state, r, root) for r in chunk], None
    if p == "/releases" and method == "POST":
        data = json.loads(body)
        if any(r["tag_name"] == data["tag_name"] for r in releases):
            if state.kind == "github":
                return (
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {"resource": "Release", "code": "already_exists", "field": "tag_name"}
                        ],
                    },
                    None,
                )
            return 409, {"message": "Release is already exist"}, None
        release = {"id": state.new_id(), "tag_name": data["tag_name"], "name": data.get("name", ""),
                   "body": data.get("body", ""), "draft": bool(data.get("draft")),
                   "prerelease": bool(data.get("prerelease")), "make_latest": data.get("make_latest"),
                   "assets": []}  # fmt: skip
        releases.append(release)
        return 201, _release_json(state, release, root), None
    if m := re.fullmatch(r"/releases/tags/(.+)", p):
        found = [r for r in releases if r["tag_name"] == m.group(1) and not r["draft"]]
        return (
            (200, _release_json(state, found[0], root), None)
            if found
            else (404, {"message": "Not Found"}, None)
        )
    if m := re.fullmatch(r"/releases/(\d+)", p):
        found = [r for r in releases if r["id"] == int(m.group(1))]
        if not found:
            return 404, {"message": "Not Found"}, None
        if method == "PATCH":
            found[0].update(
                {
                    k: v
                    for k, v in json.loads(body).items()
                    if k in ("name", "body", "draft", "prerelease", "make_latest")
                }
            )
        return 200, _release_json(state, found[0], root), None
    if m := re.fullmatch(r"/releases/(\d+)/assets", p):
        found = [r for r in releases if r["id"] == int(m.group(1))]
        if not found:
            return 404, {"message": "Not Found"}, None
        if method == "POST":  # Gitea's upload
            return _upload(
                state,
                int(m.group(1)),
                query["name"][0],
                _multipart_file(body, headers["Content-Type"]),
                root,
            )
        return 200, [_asset_json(state, a, root) for a in found[0]["assets"]], None
    if m := re.fullmatch(r"/releases/assets/(\d+)", p) or re.fullmatch(
        r"/releases/\d+/assets/(\d+)", p
    ):
        asset_id = int(m.group(1))
        if method == "DELETE":
            for r in releases:
                r["assets"] = [a for a in r["assets"] if a["id"] != asset_id]
            state.blobs.pop(asset_id, None)
            return 204, None, None
        return 200, None, state.blobs[asset_id]
    if p == "/pulls" and method == "POST":
        data = json.loads(body)
        if any(pr["head"]["ref"] == data["head"] for pr in state.pulls):
            return (
                (
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [{"code": "custom", "message": "A pull request already exists"}],
                    },
                    None,
                )
                if state.kind == "github"
                else (409, {"message": "pull request already exists"}, None)
            )
        number = len(state.pulls) + 1
        pr = {"number": number, "title": data["title"], "body": data.get("body", ""),
              "head": {"ref": data["head"]}, "base": {"ref": data["base"]},
              "html_url": f"{root}/{state.owner}/{state.repo}/pull/{number}"}  # fmt: skip
        state.pulls.append(pr)
        return 201, pr, None
    if p == "/pulls" and method == "GET":
        head = query.get("head", [""])[0].partition(":")[2]
        return 200, [pr for pr in state.pulls if not head or pr["head"]["ref"] == head], None
    return 404, {"message": "Not Found"}, None


def _upload(
    state: ForgeState, release_id: int, name: str, data: bytes, root: str
) -> tuple[int, Any, bytes | None]:
    found = [r for r in state.releases if r["id"] == release_id]
    if not found:
        return 404, {"message": "Not Found"}, None
    if any(a["name"] == name for a in found[0]["assets"]):
        return (
            (422 if state.kind == "github" else 409),
            {
                "message": "Validation Failed",
                "errors": [{"resource": "ReleaseAsset", "code": "already_exists", "field": "name"}],
            },
            None,
        )
    asset = {"id": state.new_id(), "name": name, "size": len(data),
             "digest": f"sha256:{hashlib.sha256(data).hexdigest()}"}  # fmt: skip
    state.blobs[asset["id"]] = data
    found[0]["assets"].append(asset)
    return 201, _asset_json(state, asset, root), None
