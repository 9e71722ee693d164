"""Where a release is published and what it carries: the ``forge:`` section from the remote,
the ``notes:`` outline from a release document, the ``artifacts:`` section from goreleaser's
config or the release workflows' ``sha256sum`` and ``cosign sign-blob`` steps."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from ..common.excerpt import clip
from ..common.process import run
from .layout import Finding, Layout, load_data, read_tracked

WORKFLOW_DIRS = (".github/workflows", ".gitea/workflows", ".forgejo/workflows")
_GITEA_DIRS = (".gitea/", ".forgejo/")
# https://host/owner/repo(.git), ssh://git@host:22/owner/repo.git, git@host:owner/repo.git
_REMOTE = re.compile(
    # userinfo up to the last @ before the path: a password may hold an unencoded @
    r"(?:(?:https?|ssh|git)://(?:[^/]*@)?(?P<host>[^/:@]+)(?::\d+)?/"
    r"|(?:[^@/]+@)?(?P<scp>[^/:]+):)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?"
)


def forge(root: Path, files: list[str], layout: Layout, remote: str = "origin") -> None:
    """github for a github.com remote; gitea for another host when the repository has
    .gitea/ or .forgejo/ workflows (Gitea and Forgejo read both); else nothing."""
    result = run(["git", "-C", str(root), "remote", "get-url", remote], check=False)
    url = result.stdout.strip() if result.returncode == 0 else ""
    match = _REMOTE.fullmatch(url)
    if match is None:
        why = (
            f"remote {remote} is not set" if not url else f"remote {remote} is not host/owner/repo"
        )
        layout.findings.append(Finding("forge", f"{why}, so no forge: section", kept=False))
        return
    host = (match["host"] or match["scp"]).lower()
    owner, repo = match["owner"], match["repo"]
    shown = f"{host}/{owner}/{repo}"  # never the URL: it may hold a token
    if host == "github.com":
        section: dict[str, Any] = {"kind": "github", "owner": owner, "repo": repo}
        why = f"remote {remote} is {shown}"
    elif any(p.startswith(_GITEA_DIRS) for p in files):
        section = {"kind": "gitea", "api_url": f"https://{host}/api/v1", "owner": owner,
                   "repo": repo}  # fmt: skip
        why = f"remote {remote} is {shown} and .gitea/workflows run there (Gitea/Forgejo)"
    else:
        layout.findings.append(Finding(
            "forge", f"remote {remote} is {shown}: neither github.com nor a Gitea/Forgejo host "
            "(.gitea/workflows), so no forge: section", kept=False,
        ))  # fmt: skip
        return
    layout.settings["forge"] = section
    layout.notes[("forge",)] = why
    layout.findings.append(Finding("forge", why))


# --- notes: the outline a release document asks for -------------------------------------------

# The headings that tell the built-in outlines apart (seed 000: Highlights; seed 001: Summary
# and Upgrade Notes), each set in the order the outline writes them.
_OUTLINES = {
    "highlights": ("Highlights", "Breaking Changes", "New Features"),
    "changelog-driven": ("Summary", "Breaking Changes", "Upgrade Notes"),
}


def notes(root: Path, files: list[str], layout: Layout) -> None:
    """``notes.outline`` from a document that spells one of the built-in outlines' headings;
    else the default, written commented out."""
    for path in files:
        name = PurePosixPath(path).name.lower()
        if not name.endswith(".md") or not re.search(r"releas|notes|(?:^|[_-])sop\b", name):
            continue
        text = read_tracked(root, path) or ""
        heads = re.findall(r"^[ \t]*##[ \t]+(.+?)[ \t]*$", text, re.M)
        for outline, wanted in _OUTLINES.items():
            if all(w in heads for w in wanted):
                line = text[: text.find(f"## {wanted[0]}")].count("\n") + 1
                why = f"{path}:{line}: the release notes outline ({', '.join(wanted)}, ...)"
                layout.settings["notes"] = {"outline": outline}
                layout.notes[("notes",)] = why
                layout.findings.append(Finding("notes", why, path, line))
                return
    layout.commented["notes"] = {"outline": "highlights"}
    layout.notes[("notes",)] = (
        "no release document spells an outline; the default, commented out — uncomment it to "
        "choose, or set notes.template to your own"
    )
    said = "no release notes outline in the docs (notes: written commented out)"
    layout.findings.append(Finding("notes", said, kept=False))


# --- artifacts: goreleaser, or the workflows' checksum and signing steps -----------------------

_GORELEASER = (".goreleaser.yaml", ".goreleaser.yml", "goreleaser.yaml", "goreleaser.yml")
# goreleaser template fields -> releasekit's placeholders (its .Version has no v, .Tag has it).
_GO_TEMPLATE = {"ProjectName": None, "Version": "{version}", "Tag": "{tag}", "Os": "{os}",
                "Arch": "{arch}"}  # fmt: skip
_GO_DEFAULT_ARCHIVE = "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"
_GO_DEFAULT_CHECKSUMS = "{{ .ProjectName }}_{{ .Version }}_checksums.txt"
# Shell and Actions spellings of the release in a workflow's file names.
_SHELL_TAG = r"\$\{\{\s*github\.ref_name\s*\}\}|\$\{?(?:TAG|RELEASE_TAG|GITHUB_REF_NAME)\}?"
_SHELL_VERSION = r"\$\{\{\s*(?:inputs|env|steps\.[\w-]+\.outputs)\.version\s*\}\}|\$\{?VERSION\}?"


def artifacts(root: Path, files: list[str], layout: Layout) -> None:
    """From a goreleaser config (archives per platform, checksums, cosign signs); else the
    checksum and signing steps of the release workflows and Makefiles, written commented
    out because their file names are read from shell lines."""
    config = next((p for p in _GORELEASER if p in files), None)
    if config is not None and _goreleaser(root, config, layout):
        return
    scripts = [p for p in files if (p.startswith(WORKFLOW_DIRS) and p.endswith((".yml", ".yaml")))
               or PurePosixPath(p).name == "Makefile"]  # fmt: skip
    section: dict[str, Any] = {}
    found: list[str] = []
    for path in scripts:
        text = read_tracked(root, path) or ""
        for match in re.finditer(r"sha256sum\b[^\n>|]*>\s*([^\s;&|]+)", text):
            name = _release_name(match[1])
            if name and "checksums" not in section:
                section["checksums"] = name
                found.append(f"{path}:{_line(text, match)}: {clip(match[0].strip(), 60)}")
        for match in re.finditer(r"cosign\s+sign-blob\b[^\n]*", text):
            found.append(f"{path}:{_line(text, match)}: {clip(match[0].strip(), 60)}")
            if "signing" not in section:
                section["signing"] = _sign_blob(match[0], section.get("checksums"))
    if not found:
        layout.findings.append(Finding(
            "artifacts", "no goreleaser config, sha256sum or cosign sign-blob in the release "
            "workflows, so no artifacts: section", kept=False,
        ))  # fmt: skip
        return
    if section.get("signing") is None:
        section.pop("signing", None)
    _signer(root, section, layout)
    layout.commented["artifacts"] = section
    layout.notes[("artifacts",)] = (
        "; ".join(found) + " — file names read from shell lines, commented out: check them "
        "and uncomment"
    )
    for said in found:
        layout.findings.append(Finding("artifacts", said, said.split(":")[0], kept=False))


def _signer(root: Path, section: dict[str, Any], layout: Layout) -> None:
    """The signing identity's owner, repo and workflow: the forge's repository and the
    tag-triggered workflow that runs goreleaser or cosign (else the first that runs on the
    tag); without both the signing entry is left out, saying so."""
    if "signing" not in section:
        return
    ran = [f.path for f in layout.findings if f.kind == "workflow" and f.kept and f.path]
    signer = next((p for p in ran if re.search(r"goreleaser|cosign", read_tracked(root, p) or "")),
                  ran[0] if ran else None)  # fmt: skip
    found = layout.settings.get("forge")
    if signer is None or found is None:
        del section["signing"]
        layout.findings.append(Finding(
            "artifacts", "cosign signs the checksums, but no forge and tag workflow name the "
            "signing identity: add artifacts.signing by hand", kept=False,
        ))  # fmt: skip
        return
    section["signing"] = {"owner": found["owner"], "repo": found["repo"],
                          "workflow": PurePosixPath(signer).name, **section["signing"]}  # fmt: skip


def _sign_blob(command: str, checksums: str | None) -> dict[str, Any] | None:
    """``signing`` from a ``cosign sign-blob --bundle B FILE`` line: the blob (its last word)
    and the bundle as a {file} template; None without a --bundle (releasekit verifies
    bundles) or a file name it cannot spell."""
    bundle = re.search(r"--bundle[= ](\S+)", command)
    blob = _release_name(command.split()[-1]) or checksums
    named = _release_name(bundle[1]) if bundle else None
    if blob is None or named is None or blob not in named:
        return None
    template = named.replace(blob, "{file}", 1)
    return {"blobs": [blob]} | ({} if template == "{file}.sigstore.json" else {"bundle": template})


def _line(text: str, match: re.Match[str]) -> int:
    return text.count("\n", 0, match.start()) + 1


def _release_name(word: str) -> str | None:
    """A file name from a shell word, the release spelled {tag}/{version}; None when it holds
    another variable (or a path: the assets are names in artifacts.dir)."""
    name = re.sub(_SHELL_TAG, "{tag}", word.strip("\"'"))
    name = re.sub(_SHELL_VERSION, "{version}", name)
    name = PurePosixPath(name).name
    return None if "$" in name or not name else name


def _goreleaser(root: Path, path: str, layout: Layout) -> bool:
    data = load_data(root, path, yaml=True)
    if not isinstance(data, dict):
        return False
    project = data.get("project_name")
    if not (isinstance(project, str) and re.fullmatch(r"[\w.-]+", project)):
        project = root.name  # goreleaser's default: the directory's name
    builds = [b for b in _items(data.get("builds")) if isinstance(b, dict)] or [{}]
    # goreleaser's defaults: goos darwin, linux, windows; goarch 386, amd64, arm64; the pairs
    # Go cannot build (darwin/386) dropped.
    oses = sorted(
        {o for b in builds for o in _words(b.get("goos"), ("darwin", "linux", "windows"))}
    )
    arches = sorted({a for b in builds for a in _words(b.get("goarch"), ("386", "amd64", "arm64"))})
    skip = {f"{i.get('goos')}/{i.get('goarch')}" for b in builds for i in _items(b.get("ignore"))
            if isinstance(i, dict)} | {"darwin/386"}  # fmt: skip
    platforms = [f"{o}/{a}" for o in oses for a in arches if f"{o}/{a}" not in skip]
    archive = next((a for a in _items(data.get("archives")) if isinstance(a, dict)), {})
    name = _go_template(str(archive.get("name_template") or _GO_DEFAULT_ARCHIVE), project)
    checksum = data.get("checksum")
    checksum = checksum if isinstance(checksum, dict) else {}
    sums = _go_template(str(checksum.get("name_template") or _GO_DEFAULT_CHECKSUMS), project)
    if name is None or sums is None or not platforms:
        layout.findings.append(Finding(
            "artifacts", f"{path}: name templates releasekit cannot spell (only .ProjectName "
            ".Version .Tag .Os .Arch) or no platforms, so no artifacts: section", path,
            kept=False,
        ))  # fmt: skip
        return True
    matrix = {"name": f"{name}.{{ext}}", "platforms": platforms, "ext": _go_formats(archive)}
    section: dict[str, Any] = {"matrix": matrix, "checksums": sums}
    signs = [s for s in _items(data.get("signs")) if isinstance(s, dict)]
    cosign = next((s for s in signs if "cosign" in str(s.get("cmd", "cosign"))), None)
    # goreleaser's default signature is a detached ${artifact}.sig; releasekit verifies bundles.
    bundle = str((cosign or {}).get("signature", "${artifact}.sig")).replace(
        "${artifact}", "{file}"
    )
    if cosign is not None and bundle.endswith((".json", ".bundle")) and "{file}" in bundle:
        section["signing"] = {"blobs": [sums]}
        if bundle != "{file}.sigstore.json":
            section["signing"]["bundle"] = bundle
        _signer(root, section, layout)
    elif cosign is not None:
        layout.findings.append(Finding(
            "artifacts", f"{path}: cosign signs write {clip(bundle)}, not a Sigstore bundle "
            "(--bundle): add artifacts.signing by hand", path, kept=False,
        ))  # fmt: skip
    layout.settings["artifacts"] = section
    layout.notes[("artifacts",)] = f"{path}: goreleaser's archives, checksums" + (
        " and cosign signs" if "signing" in section else ""
    )
    layout.findings.append(Finding("artifacts", f"{path}: goreleaser release artifacts", path))
    return True


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _words(value: Any, default: tuple[str, ...]) -> list[str]:
    """A goreleaser list of names (goos, goarch): the list's scalars, else the default."""
    found = [
        str(v) for v in _items(value) if isinstance(v, str | int) and re.fullmatch(r"\w+", str(v))
    ]
    return found or list(default)


def _go_template(text: str, project: str) -> str | None:
    """A goreleaser name template in releasekit placeholders; None for anything else in it
    (conditionals, other fields)."""

    def field(match: re.Match[str]) -> str:
        value = _GO_TEMPLATE.get(match[1], "$")
        return project if value is None else value

    out = re.sub(r"\{\{-?\s*\.(\w+)\s*-?\}\}", field, text)
    return None if "$" in out or "{{" in out else out


def _go_formats(archive: dict[str, Any]) -> Any:
    """goreleaser's archive format (tar.gz by default), with its per-OS overrides."""

    def first(value: Any) -> str | None:
        value = value[0] if isinstance(value, list) and value else value
        return value if isinstance(value, str) and re.fullmatch(r"[\w.]+", value) else None

    base = first(archive.get("formats")) or first(archive.get("format")) or "tar.gz"
    overrides = {}
    for item in _items(archive.get("format_overrides")):
        if isinstance(item, dict) and isinstance(item.get("goos"), str):
            value = first(item.get("formats")) or first(item.get("format"))
            if value:
                overrides[item["goos"]] = value
    return {"default": base, **overrides} if overrides else base
