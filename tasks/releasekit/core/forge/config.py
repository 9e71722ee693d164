"""The ``forge:`` section of releasekit.yaml as declared models (msgspec).

Where releases and pull requests are made: GitHub (github.com or GitHub Enterprise) or
Gitea/Forgejo, the repository, which files a release carries, and whether it is drafted first
and published only once every asset is uploaded and re-checked. Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated, Literal

import msgspec

from ..common.section import Section

GITHUB_API = "https://api.github.com"
TOKEN_VARIABLES = {
    "github": ("GITHUB_TOKEN", "GH_TOKEN"),
    # Gitea and Forgejo Actions hand the job's token over as GITHUB_TOKEN too.
    "gitea": ("GITEA_TOKEN", "FORGEJO_TOKEN", "GITHUB_TOKEN"),
}
_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class ForgeConfig(Section, frozen=True, kw_only=True):
    """The ``forge:`` section: the forge's kind and API, the repository, the release assets."""

    kind: Annotated[
        Literal["github", "gitea"],
        msgspec.Meta(description="github (also GitHub Enterprise) or gitea (also Forgejo)"),
    ] = "github"
    api_url: Annotated[
        str | None,
        msgspec.Meta(
            description="REST API root: https://api.github.com (the default for github), "
            "https://ghe.example.com/api/v3, or https://gitea.example.com/api/v1 (required "
            "for gitea)"
        ),
    ] = None
    web_url: Annotated[
        str | None,
        msgspec.Meta(
            description="the forge's web root for links (default: github.com for the public "
            "API, else api_url without /api/v3 or /api/v1)"
        ),
    ] = None
    owner: Annotated[
        str,
        msgspec.Meta(examples=["example"], description="the repository's owner or organisation"),
    ]
    repo: Annotated[
        str, msgspec.Meta(examples=["demo-operator"], description="the repository's name")
    ]
    assets: Annotated[
        tuple[str, ...] | None,
        msgspec.Meta(
            description="files the release carries, names or globs in artifacts.dir with "
            "{tag} and {version} (default: every asset verify.assets expects)"
        ),
    ] = None
    draft_first: Annotated[
        bool,
        msgspec.Meta(
            description="create the release as a draft and publish it only after every asset "
            "is uploaded and its sha256 re-checked"
        ),
    ] = True
    token_env: Annotated[
        tuple[str, ...] | None,
        msgspec.Meta(
            description="environment variables holding the token, first set wins (default: "
            "GITHUB_TOKEN, GH_TOKEN; for gitea GITEA_TOKEN, FORGEJO_TOKEN, GITHUB_TOKEN)"
        ),
    ] = None

    def __post_init__(self) -> None:
        for what, value in (("owner", self.owner), ("repo", self.repo)):
            if not _NAME.fullmatch(value):
                raise ValueError(f"{what} {value!r} must be a plain name (letters, digits, - _ .)")
        for what, url in (("api_url", self.api_url), ("web_url", self.web_url)):
            if url is not None and not re.fullmatch(r"https?://[^\s/@]+(/\S*)?", url):
                raise ValueError(f"{what} {url!r} must be an http(s) URL without credentials")
        if self.kind == "gitea" and self.api_url is None:
            raise ValueError("a gitea forge needs api_url, e.g. https://gitea.example.com/api/v1")
        if self.token_env is not None and not self.token_env:
            raise ValueError("token_env must name at least one environment variable")

    @property
    def api(self) -> str:
        return (self.api_url or GITHUB_API).rstrip("/")

    @property
    def web(self) -> str:
        """The web root: https://github.com, or the API root without its API path."""
        if self.web_url is not None:
            return self.web_url.rstrip("/")
        if self.api == GITHUB_API:
            return "https://github.com"
        return re.sub(r"/api(?:/v\d+)?$", "", self.api)

    @property
    def token_variables(self) -> tuple[str, ...]:
        return self.token_env if self.token_env is not None else TOKEN_VARIABLES[self.kind]

    def repository_url(self) -> str:
        return f"{self.web}/{self.owner}/{self.repo}"
