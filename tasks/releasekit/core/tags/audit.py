"""verify.tags: an audit of release tags across the root module and Go submodules.

Reports module tags on a different commit from the root tag of the same release, module tags
without a root tag, root tags missing a module's tag (only for modules whose go.mod existed at
that commit), and release tags on commits not reachable from the main branch (unless a hotfix
branch named by ``tags.hotfix_branch``, contains them: hotfixes reach main by cherry-pick).

The modules are those committed at each tagged commit, not the work tree's: a module removed
since (or moved) still has its published tags, and they are audited like any other.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import semver

from ..common import git
from ..common.errors import FileFormatError, GitError
from ..common.gitbatch import read_objects
from ..config import Config
from .config import tags_config
from .gomodules import GoModule, parse_gomod
from .schemes import LTS_MONTH, CalVer
from .tagging import release_scheme

_MODULE_TAG = re.compile(r".+/v\d+\.\d+\.\d+\S*")

FindingKind = Literal[
    "different-commit", "no-root-tag", "missing-module-tag", "unreachable", "lts-not-april"
]


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    tag: str
    message: str


def _module_version(module: GoModule, tag: str) -> str | None:
    prefix = module.tag_prefix + "/v"
    if not tag.startswith(prefix):
        return None
    text = tag[len(prefix) :]
    try:
        semver.Version.parse(text)
    except ValueError:
        return None
    return "v" + text


def _on_hotfix_branch(config: Config, commit: str, pattern: str) -> bool:
    """Whether a local or remote-tracking branch matching ``pattern`` contains ``commit``."""
    out = git.git(config.root, "branch", "-a", "--contains", commit, "--format=%(refname)")
    names = [
        ref.removeprefix("refs/heads/") for ref in out.split() if ref.startswith("refs/heads/")
    ]
    names += [
        ref.removeprefix("refs/remotes/").split("/", 1)[-1]
        for ref in out.split()
        if ref.startswith("refs/remotes/")
    ]
    return any(fnmatch.fnmatchcase(name, pattern) for name in names)


def modules_at(
    root: Path, commits: Iterable[str], include: Sequence[str], exclude: Sequence[str]
) -> dict[str, list[GoModule]]:
    """The Go submodules committed at each commit (``find_modules`` rules), by commit.

    One ``git ls-tree`` per commit finds the go.mod files; one ``git cat-file --batch`` reads
    every distinct go.mod blob of all the commits.
    """
    listed: dict[str, list[tuple[str, str, str]]] = {}  # commit -> (dir, path, blob)
    for commit in dict.fromkeys(commits):
        entries = listed[commit] = []
        for entry in git.git(root, "ls-tree", "-r", "-z", "--full-tree", commit).split("\0"):
            meta, _, path = entry.partition("\t")
            if PurePosixPath(path).name != "go.mod" or len(meta.split()) != 3:
                continue
            _, kind, blob = meta.split()
            directory = PurePosixPath(path).parent.as_posix()
            if kind != "blob" or directory == ".":
                continue
            if any(fnmatch.fnmatchcase(directory, g) for g in include) and not any(
                fnmatch.fnmatchcase(directory, g) for g in exclude
            ):
                entries.append((directory, path, blob))
    blobs = read_objects(root, (blob for entries in listed.values() for _, _, blob in entries))
    parsed: dict[tuple[str, str], GoModule] = {}
    out: dict[str, list[GoModule]] = {}
    for commit, entries in listed.items():
        out[commit] = []
        for directory, path, blob in entries:
            if (blob, directory) not in parsed:
                try:
                    text = blobs[blob].decode("utf-8")
                except UnicodeDecodeError:
                    raise FileFormatError(f"{commit[:12]}:{path}: not UTF-8 text") from None
                parsed[blob, directory] = parse_gomod(text, directory, f"{commit[:12]}:{path}")
            out[commit].append(parsed[blob, directory])
    return out


def audit_tags(config: Config) -> tuple[list[Finding], int]:
    """Audit every release and module tag.

    Returns:
        The findings (empty when all is consistent) and how many tags were audited.

    Raises:
        GitError: the main branch does not exist locally.
    """
    root = config.root
    if not git.branch_exists(root, config.main_branch):
        raise GitError(
            f"there is no local branch {config.main_branch} (main_branch); fetch it first"
        )
    refs = {r.name: r.commit for r in git.tag_refs(root)}
    scheme = release_scheme(config)
    settings = tags_config(config)
    releases = {p.tag: p for p in scheme.releases(refs)}
    head = git.resolve_commit(root, config.main_branch)
    # Only commits whose tags are releases or could be module tags (dir/vX.Y.Z) are listed.
    tagged = [refs[t] for t in sorted(refs) if t in releases or _MODULE_TAG.fullmatch(t)]
    at = modules_at(root, [head, *tagged], settings.go_include, settings.go_exclude)
    # Every module directory any of those commits has: a tag of it is a module tag even on a
    # commit where the module is gone or not yet there.
    known = {m.dir: m for commit in at for m in at[commit]}
    findings: list[Finding] = []
    module_tags: dict[str, dict[str, str]] = {}  # version -> {module dir: tag}
    for tag in sorted(refs):
        for m in known.values():
            version = _module_version(m, tag)
            if version is not None:
                module_tags.setdefault(version, {})[m.dir] = tag
    root_by_version = {
        f"v{p.version}": tag for tag, p in releases.items() if isinstance(p.version, semver.Version)
    }
    for version, tags in sorted(module_tags.items()):
        root_tag = root_by_version.get(version)
        for tag in tags.values():
            if root_tag is None:
                findings.append(
                    Finding("no-root-tag", tag, f"{tag} has no root release tag for {version}")
                )
            elif refs[tag] != refs[root_tag]:
                findings.append(
                    Finding(
                        "different-commit",
                        tag,
                        f"{tag} is on {refs[tag][:12]} but {root_tag} is on {refs[root_tag][:12]}",
                    )
                )
    for version, root_tag in sorted(root_by_version.items()):
        have = module_tags.get(version, {})
        for m in at[refs[root_tag]]:
            if m.dir not in have:
                findings.append(
                    Finding(
                        "missing-module-tag",
                        root_tag,
                        f"{root_tag} has no tag {m.tag(version)} for module {m.path} ({m.gomod})",
                    )
                )
    for tag, parsed in sorted(releases.items()):
        if parsed.channel == "lts" and not (
            isinstance(parsed.version, CalVer) and parsed.version.month == LTS_MONTH
        ):
            findings.append(
                Finding(
                    "lts-not-april",
                    tag,
                    f"{tag} is an lts release, but LTS is only for April (YYYY.04)",
                )
            )
    audited = set(releases) | {t for tags in module_tags.values() for t in tags.values()}
    hotfix_glob = re.sub(r"\{(version|tag)\}", "*", settings.hotfix_branch)
    for tag in sorted(audited & git.tags_not_merged(root, config.main_branch)):
        if _on_hotfix_branch(config, refs[tag], hotfix_glob):
            continue  # a hotfix release: its fix reaches main by cherry-pick, not by merge
        findings.append(
            Finding(
                "unreachable",
                tag,
                f"{tag} is on {refs[tag][:12]}, which is not reachable from {config.main_branch}",
            )
        )
    return findings, len(audited)
