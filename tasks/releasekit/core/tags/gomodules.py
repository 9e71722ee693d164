"""Go modules of a repository and their release tags, in dependency order (seed 004).

Modules come from the go.mod files git tracks, never from directory names. A submodule's tag
is ``<dir>/<version>`` (``src/cloud-providers/v0.8.0``) and the root module's is the plain
version, as the Go module reference requires; a module is tagged after the local modules it
requires or replaces with a local path, so ``go get`` of any tag resolves its dependencies.
"""

from __future__ import annotations

import fnmatch
import graphlib
import heapq
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import semver

from ..common import git, http
from ..common.errors import CommandError, FileFormatError, GitError, VersionError
from ..common.excerpt import clip
from ..common.gitbatch import git_text, read_objects
from ..common.network import Network, settings
from ..config import Config
from .config import tags_config
from .gomodfile import parse_string, statements
from .tagging import RemoteState, read_remote, refuse_taken

BANNER = """\
*****************************IMPORTANT********************************************
After a tag has been set, it cannot be moved!
The Go module proxy caches the hash of the first tag and will refuse any update.
If you mess up, you need to restart the tagging with the next patch version.
**********************************************************************************"""

# Short enough for int(): a 4,300-digit "major version" is no Go major version.
_MAJOR_SUFFIX = re.compile(r"/v([2-9]|[1-9]\d{1,8})$")


@dataclass(frozen=True)
class GoModule:
    """One go.mod: where it is, its module path and its local dependencies' hints."""

    dir: str  # "." for the root module
    path: str
    line: int
    requires: tuple[str, ...] = ()
    local_replaces: tuple[str, ...] = ()  # repository-relative directories

    @property
    def gomod(self) -> str:
        return "go.mod" if self.dir == "." else f"{self.dir}/go.mod"

    @property
    def tag_prefix(self) -> str:
        """The tag prefix: the directory, without a major-version subdirectory (``x/v2``)."""
        if self.dir == ".":
            return ""
        match = _MAJOR_SUFFIX.search(self.dir)
        if match and self.path.endswith(match.group(0)):
            return self.dir[: match.start()]
        return self.dir

    def tag(self, version: str) -> str:
        return f"{self.tag_prefix}/{version}" if self.tag_prefix else version


def parse_gomod(text: str, directory: str, display: str) -> GoModule:
    """Read the module, require and replace directives of one go.mod.

    Hand-written because no maintained Python library parses go.mod; the lexical syntax is
    Go's own (:mod:`.gomodfile`), and only these three directives matter here, in both their
    one-line and block forms.

    Raises:
        FileFormatError: there is no module directive, or go would refuse the file.
    """
    module: tuple[str, int] | None = None
    requires: list[str] = []
    replaces: list[str] = []
    for number, (verb, *args) in statements(text, display):
        where = f"{display}:{number}"
        if verb == "module" and args:
            module = (parse_string(args[0], where), number)
        elif verb == "require" and args:
            requires.append(parse_string(args[0], where))
        elif verb == "replace" and "=>" in args:
            target = args[args.index("=>") + 1 :]
            path = parse_string(target[0], where) if target else ""
            if path.startswith(("./", "../")):
                joined = os.path.normpath(PurePosixPath(directory, path).as_posix())
                replaces.append(joined)
    if module is None:
        raise FileFormatError(f"{display}: no module directive; add `module <path>` as Go requires")
    return GoModule(directory, module[0], module[1], tuple(requires), tuple(replaces))


def find_modules(
    root: Path,
    include: Sequence[str] = ("*",),
    exclude: Sequence[str] = (),
    *,
    commit: str | None = None,
) -> list[GoModule]:
    """The Go modules of the repository, from the go.mod files git tracks, sorted by directory.

    ``include``/``exclude`` are fnmatch globs on the module directory (``.`` is the root);
    ``*`` also matches ``/``. Exclusion wins. With ``commit``, the go.mod files are those
    committed there (what a tag on that commit publishes), not the work tree's.
    """
    modules = []
    gomods = (
        git.tracked_files(root, "go.mod")
        if commit is None
        else git.files_at(root, commit, "go.mod")
    )
    selected = [
        gomod
        for gomod in gomods
        if any(fnmatch.fnmatchcase(PurePosixPath(gomod).parent.as_posix(), g) for g in include)
        and not any(fnmatch.fnmatchcase(PurePosixPath(gomod).parent.as_posix(), g) for g in exclude)
    ]
    # All committed go.mod files in one git cat-file --batch, not one process per module.
    blobs = (
        read_objects(root, (f"{commit}:{gomod}" for gomod in selected))
        if commit is not None
        else {}
    )
    for gomod in selected:
        directory = PurePosixPath(gomod).parent.as_posix()
        if commit is not None:
            text = git_text(blobs[f"{commit}:{gomod}"])
        else:
            try:
                text = (root / gomod).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise FileFormatError(f"{gomod}: cannot read: {exc}") from None
        modules.append(parse_gomod(text, directory, gomod))
    return sorted(modules, key=lambda m: m.dir)


def order_modules(modules: Sequence[GoModule]) -> list[GoModule]:
    """Dependencies first; among modules that are ready at the same time, by directory.

    Raises:
        GitError: the modules require each other in a cycle.
    """
    by_path = {m.path: m for m in modules}
    by_dir = {m.dir: m for m in modules}
    deps: dict[str, set[str]] = {}
    for m in modules:
        found = {by_path[p].dir for p in m.requires if p in by_path}
        found |= {d for d in m.local_replaces if d in by_dir}
        deps[m.dir] = found - {m.dir}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter(deps)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = list(exc.args[1])
        shown = " -> ".join(by_dir[d].gomod for d in reversed(cycle))
        raise GitError(
            f"the Go modules require each other in a cycle: {shown}; there is no order in which "
            "each is tagged after its dependencies — break the cycle (or exclude a module in "
            "tags.go_modules.exclude)"
        ) from None
    ready = list(sorter.get_ready())
    heapq.heapify(ready)
    ordered = []
    while ready:
        name = heapq.heappop(ready)
        ordered.append(by_dir[name])
        sorter.done(name)
        for nxt in sorter.get_ready():
            heapq.heappush(ready, nxt)
    return ordered


def check_major(modules: Sequence[GoModule], version: semver.Version) -> None:
    """Refuse a version whose major does not match the module paths' ``/vN`` suffixes."""
    problems = []
    for m in modules:
        match = _MAJOR_SUFFIX.search(m.path)
        suffix = int(match.group(1)) if match else None
        path = clip(m.path)
        if version.major >= 2 and suffix != version.major:
            problems.append(
                f"{m.gomod}:{m.line}: module {path} must end in /v{version.major} for "
                f"v{version.major}.x tags"
            )
        elif version.major < 2 and suffix is not None:
            problems.append(
                f"{m.gomod}:{m.line}: module {path} is major {suffix}, not v{version.major}"
            )
    if problems:
        more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise VersionError(
            "Go would refuse these tags: "
            + "; ".join(problems[:5])
            + more
            + " — fix the module path or the version"
        )


@dataclass(frozen=True)
class GoTagPlan:
    """Tags for every selected module, in order, on one resolved commit."""

    version: str
    commit: str
    ref: str
    remote: RemoteState
    modules: tuple[GoModule, ...]
    kept: tuple[str, ...]  # the root release tag, already on this commit

    @property
    def tags(self) -> list[str]:
        return [m.tag(self.version) for m in self.modules if m.tag(self.version) not in self.kept]

    @property
    def unpushed_kept(self) -> list[str]:
        """Kept root tags the remote lacks (tagged by release.tag without --push)."""
        on_remote = self.remote.tags
        return [t for t in self.kept if on_remote is not None and t not in on_remote]

    @property
    def to_push(self) -> list[str]:
        """Everything the remote needs for this release, pushed as one atomic set."""
        return [*self.tags, *self.unpushed_kept]

    def commands(self) -> list[str]:
        lines = []
        for tag in self.tags:
            lines += [f"git tag {tag} {self.commit}", f"git push {self.remote.name} {tag}"]
        lines += [f"git push {self.remote.name} {tag}" for tag in self.unpushed_kept]
        return lines


def plan_go_tags(
    config: Config,
    version: str,
    *,
    ref: str = "HEAD",
    remote: str | None = None,
    offline: bool = False,
    push: bool = False,
) -> GoTagPlan:
    """Validate a Go multi-module release and list its tags.

    Raises:
        VersionError: no leading v, not SemVer, or a major version the module paths lack.
        GitError: no modules, a cycle, or a tag that exists locally or on the remote.
    """
    if not version.startswith("v"):
        raise VersionError(f"Go module versions start with v: use v{version}, not {version}")
    try:
        parsed = semver.Version.parse(version[1:])
    except ValueError:
        raise VersionError(
            f"{version!r} is not a Go module version; use vMAJOR.MINOR.PATCH[-PRERELEASE], "
            "e.g. v0.8.0 or v0.8.0-alpha.1"
        ) from None
    settings = tags_config(config)
    commit = git.resolve_commit(config.root, ref)
    # The modules as committed at the tagged commit: a module added or moved since (or only in
    # the work tree) must not get a tag, which could never be moved once pushed.
    modules = find_modules(config.root, settings.go_include, settings.go_exclude, commit=commit)
    if not modules:
        raise GitError(
            f"no Go modules: git tracks no go.mod at {ref} ({commit[:12]}) that "
            "tags.go_modules.include/exclude select"
        )
    ordered = order_modules(modules)
    check_major(ordered, parsed)
    state = read_remote(
        config, remote if remote is not None else config.remote, offline=offline, need=push
    )
    local = {r.name: r.commit for r in git.tag_refs(config.root)}
    kept = []
    root_tag = version if any(m.dir == "." for m in ordered) else None
    on_remote = state.tags or {}
    same_commit = (
        local.get(root_tag or "", commit) == on_remote.get(root_tag or "", commit) == commit
    )
    if root_tag and same_commit and (root_tag in local or root_tag in on_remote):
        kept.append(root_tag)  # the release tag from release.tag, on this very commit
    wanted = [m.tag(version) for m in ordered if m.tag(version) not in kept]
    following = f"v{parsed.bump_prerelease() if parsed.prerelease else parsed.bump_patch()}"
    refuse_taken(
        wanted,
        local,
        state,
        f"tag the next patch instead: releasekit release.go-tag {following}",
        commit=commit,
        push_also=[t for t in kept if state.tags is not None and t not in state.tags],
    )
    return GoTagPlan(version, commit, ref, state, tuple(ordered), tuple(kept))


# --- the Go module proxy ------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyReport:
    """What the Go module proxy said, or why it was not asked (never guessed)."""

    proxy: str | None
    known: tuple[str, ...] = ()  # module@version the proxy already has
    skipped: str = ""


def escape_module_path(path: str) -> str:
    """The proxy protocol's case encoding: each upper-case letter becomes ``!`` + lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def proxy_url() -> str | None:
    """The first proxy in ``$GOPROXY`` (default proxy.golang.org); None for off/direct."""
    setting = os.environ.get("GOPROXY", "https://proxy.golang.org,direct")
    for entry in re.split(r"[,|]", setting):
        entry = entry.strip()
        if entry.startswith(("http://", "https://", "file://")):
            return entry.rstrip("/")
        if entry == "off":
            return None
    return None


def check_proxy(
    modules: Sequence[GoModule], version: str, *, net: Network | None = None
) -> ProxyReport:
    """Ask the Go module proxy whether it already knows ``module@version`` for each module.

    An http(s) proxy is asked with GET through :mod:`.http` (network timeout, retries on
    429/5xx); a ``file://`` proxy is read from disk.
    """
    base = proxy_url()
    if base is None:
        return ProxyReport(None, skipped=f"GOPROXY={os.environ.get('GOPROXY', '')} names no proxy")
    net = net or settings()
    known = []
    for m in modules:
        # The protocol case-encodes the version like the path (v1.0.0-RC.1 -> v1.0.0-!r!c.1).
        escaped = urllib.parse.quote(escape_module_path(version))
        url = f"{base}/{escape_module_path(m.path)}/@v/{escaped}.info"
        if not url.startswith("file://"):
            try:
                status = http.request(
                    "GET", url, net=net, what=f"Go module proxy {base}"
                ).status_code
            except CommandError as exc:
                return ProxyReport(base, skipped=f"cannot reach {base} ({exc})")
            if status == 200:
                known.append(f"{m.path}@{version}")
            elif status not in (404, 410):
                return ProxyReport(base, skipped=f"{base} answered HTTP {status} for {m.path}")
            continue
        try:
            with urllib.request.urlopen(url, timeout=net.timeout) as response:
                response.read()
            known.append(f"{m.path}@{version}")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, FileNotFoundError):
                continue  # a file:// proxy without that version (urllib wraps the OSError)
            return ProxyReport(base, skipped=f"cannot reach {base} ({exc.reason})")
        except OSError as exc:
            reason = getattr(exc, "reason", exc)
            return ProxyReport(base, skipped=f"cannot reach {base} ({reason})")
    return ProxyReport(base, tuple(known))


def ensure_unknown_to_proxy(
    modules: Sequence[GoModule], version: str, *, net: Network | None = None
) -> ProxyReport:
    """:func:`check_proxy`, refusing a version the proxy already has.

    Raises:
        GitError: the proxy knows ``module@version`` for one of ``modules``.
    """
    report = check_proxy(modules, version, net=net)
    if report.known:
        raise GitError(
            f"the Go module proxy {report.proxy} already knows {', '.join(report.known)}; it "
            "caches the first hash forever, so these tags would never be used — tag the next "
            "patch instead"
        )
    return report
