"""CITATION.cff for a release: release.citation writes ``version``, ``date-released`` and
``commit`` (the tag's commit, ``vX^{commit}``) and nothing else; verify.citation checks that
the commit is the commit of the tag whose version the file names.

Seed 004 published a CITATION.cff whose ``commit`` was the previous release's: the sha was
copied before the tag existed. Here the tag must exist, and the sha is read from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..common import git
from ..common.errors import GitError, TargetError, VersionError
from ..common.process import run
from ..common.textfile import FileEdit, line_of, read_text
from ..config import Config
from ..tags.schemes import TagScheme, Version, parse_any_version
from ..tags.tagging import list_releases, release_scheme
from ..versioning.locate import KeyNotFound, key_value, locate_key
from .keys import Change, build_edits, get_value
from .locate import read_repo_file

KEYS = ("version", "date-released", "commit")


def citation_path(config: Config, path: str = "") -> str:
    """The CITATION.cff to use: ``path``, else ``citation.path``, else CITATION.cff."""
    if path:
        return path
    return config.citation.path if config.citation is not None else "CITATION.cff"


def tag_commit(config: Config, tag: str) -> str:
    """The commit ``tag`` names; the tag must exist (the file must name the release's commit).

    Raises:
        GitError: there is no such tag.
    """
    if not git.local_tag_exists(config.root, tag):
        raise GitError(
            f"tag {tag} does not exist here; create it first (releasekit release.tag) — the "
            "citation's commit is read from the tag, never from HEAD"
        )
    return git.resolve_commit(config.root, tag)


@dataclass(frozen=True)
class CitationPlan:
    path: str
    tag: str
    commit: str
    changes: tuple[Change, ...]
    added: tuple[str, ...]  # "key: value" lines inserted (the file lacked the key)
    edits: tuple[FileEdit, ...]

    def lines(self) -> list[str]:
        out = [c.line() for c in self.changes if not c.is_noop]
        return out + [f"{self.path}: added {line}" for line in self.added]


def plan_citation(config: Config, tag: str, today: dt.date, path: str = "") -> CitationPlan:
    """The edit that makes ``path`` cite the release ``tag``.

    Raises:
        VersionError: the tag does not follow the scheme.
        GitError: the tag does not exist.
        TargetError, FileFormatError: the file is missing or not valid YAML.
    """
    parsed = release_scheme(config).require(tag)
    commit = tag_commit(config, tag)
    display, real, text = read_repo_file(config.root, citation_path(config, path))
    wanted = {"version": str(parsed.version), "date-released": today.isoformat(), "commit": commit}
    changes, missing = [], []
    for key in KEYS:
        try:
            key_value(text, display, (key,))
        except KeyNotFound:  # only a missing key is added; one that is there but not a
            missing.append(key)  # plain value is get_value's error at its line
            continue
        spot = get_value(config.root, display, (key,))
        new = wanted[key]
        if key == "version" and spot.found.startswith("v"):  # the file's spelling stays
            new = "v" + new
        changes.append(Change(spot, key, new, (key,)))
    edits = build_edits(changes)
    new_text = edits[0].new if edits else text
    added = [f"{key}: {wanted[key]}" for key in missing]
    if added:
        new_text = _insert_after(new_text, display, [k for k in KEYS if k not in missing], added)
        edits = (FileEdit(display, real, read_text(real, display), new_text),)
    return CitationPlan(display, tag, commit, tuple(changes), tuple(added), edits)


def _insert_after(text: str, display: str, present: list[str], lines: list[str]) -> str:
    """``lines`` after the line of the last present key (else at the end), in the file's
    newline style."""
    newline = "\r\n" if "\r\n" in text else "\n"
    block = "".join(line + newline for line in lines)
    ends = []
    for key in present:
        start, _ = locate_key(text, display, (key,))
        end = text.find("\n", start)
        ends.append(len(text) if end < 0 else end + 1)
    at = max(ends, default=len(text))
    if at == len(text) and text and not text.endswith("\n"):
        block = newline + block
    new = text[:at] + block + text[at:]
    for line in lines:  # each reads back as written: a plain top-level key of the file
        key, _, value = line.partition(": ")
        start, end = locate_key(new, display, (key,))
        if new[start:end] != value:
            raise TargetError(f"{display}:{line_of(new, start)}: could not add {line!r} exactly")
    return new


@dataclass(frozen=True)
class CitationCheck:
    path: str
    line: int  # of commit (or version when it is missing)
    version: str
    tag: str
    found: str | None
    expected: str | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def lines(self) -> list[str]:
        if self.ok:
            return [f"{self.path}:{self.line} commit: {self.found} is the commit of {self.tag} OK"]
        return [f"{self.path}:{self.line} {self.problem}"]

    def as_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "version": self.version, "tag": self.tag,
                "commit": self.found, "expected": self.expected, "ok": self.ok,
                "problem": self.problem}  # fmt: skip


def check_citation(config: Config, tag: str = "", path: str = "") -> CitationCheck:
    """Whether the file's commit is the commit of the tag for the version it names.

    Raises:
        TargetError: the file has no version.
    """
    display = citation_path(config, path)
    scheme = release_scheme(config)
    version = get_value(config.root, display, ("version",))
    named = scheme.render(_release_version(scheme, version.found, version.location))
    try:
        commit = get_value(config.root, display, ("commit",))
    except TargetError:
        return CitationCheck(display, version.line, version.found, named, None, None,
                             f"has no commit; run releasekit release.citation --tag {named}")  # fmt: skip
    found = commit.found
    if tag and tag != named:
        return CitationCheck(display, version.line, version.found, named, found, None,
                             f"version: {version.found} names {named}, not {tag}; run "
                             f"releasekit release.citation --tag {tag}")  # fmt: skip
    if not git.local_tag_exists(config.root, named):
        return CitationCheck(display, version.line, version.found, named, found, None,
                             f"version: {version.found} names {named}, which is not a tag here")  # fmt: skip
    expected = git.resolve_commit(config.root, named)
    if found == expected:
        return CitationCheck(display, commit.line, version.found, named, found, expected, None)
    return CitationCheck(display, commit.line, version.found, named, found, expected,
                         f"commit: {found} {_whose(config, found, named)}, not of {named} "
                         f"({expected}); run releasekit release.citation --tag {named}")  # fmt: skip


def _release_version(scheme: TagScheme, text: str, where: str) -> Version:
    try:
        return parse_any_version(scheme.versioning, text.removeprefix("v"))
    except VersionError:
        raise TargetError(f"{where}: version {text!r} is not a release version") from None


def _whose(config: Config, sha: str, named: str) -> str:
    """Which release a wrong sha belongs to, for the message."""
    listed = list_releases(config)  # newest first
    releases = [r.parsed.tag for r in listed]
    owners = [r.parsed.tag for r in listed if r.commit == sha]
    if owners:
        after = releases.index(named) + 1 if named in releases else None
        previous = after is not None and after < len(releases) and releases[after] in owners
        return f"is the commit of {', '.join(owners)}" + (
            " (the previous release)" if previous else ""
        )
    probe = run(["git", "-C", str(config.root), "cat-file", "-e", f"{sha}^{{commit}}"], check=False)
    return "is not the commit of any release" if probe.returncode == 0 else "is not a commit here"
