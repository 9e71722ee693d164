"""Finding and rewriting the release version in the files a repository configures.

A target is a path (or glob) plus either literal text with a ``{version}``/``{date}``
placeholder, or a key path into a YAML, JSON or TOML document. Parsers only *locate* the
value; the edit replaces that one token in the original text, so every other byte stays.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import semver

from ..common.confine import Confiner
from ..common.errors import TargetError
from ..common.gcpause import paused_gc
from ..common.starters import STARTER_DOCS
from ..common.textfile import line_of, read_text
from .config import VersionFile
from .globs import GlobMatch, glob_files, visible_files
from .locate import DATE_PATTERN, NotHere, find_key, pattern_finder
from .versions import (
    CALVER_PATTERN,
    SPELLED_VERSION_PATTERN,
    calver_as_semver,
    is_spelled_version,
    parse_version,
)


@dataclass(frozen=True)
class Occurrence:
    """One version (or date) token found in a file for a target."""

    target: VersionFile
    path: str  # as users see it: relative to the repository root, POSIX separators
    real_path: Path  # the file actually holding the bytes (symlinks resolved)
    line: int
    start: int
    end: int
    found: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def is_date(self) -> bool:
        return self.target.is_date

    def version(self) -> semver.Version:
        """The version this token spells (for version targets)."""
        return version_in_token(self.found, self.target.format, self.location)


def version_in_token(
    token: str, fmt: str | None, where: str, calver: bool = False
) -> semver.Version:
    """Read the version out of a token, honouring a ``format`` such as ``v{version}``; with
    ``calver`` a ``2026.04`` token reads as 2026.4.0 (versions.calver_as_semver)."""
    spelled = SPELLED_VERSION_PATTERN + (f"|{CALVER_PATTERN}" if calver else "")
    if fmt is not None and "{version}" in fmt:
        head, tail = fmt.split("{version}")
        match = re.fullmatch(re.escape(head) + f"({spelled})" + re.escape(tail), token)
        if match:
            token = match.group(1)
    if is_spelled_version(token):
        return parse_version(token)
    found = calver_as_semver(token) if calver else None
    if found is not None:
        return found
    kind = "SemVer or CalVer (YYYY.MM[.PATCH])" if calver else "SemVer"
    raise TargetError(f"{where}: {token!r} is not a {kind} version; fix the file or the target")


def render_token(target: VersionFile, version: semver.Version, found: str) -> str:
    """Spell ``version`` for a target: its ``format`` if set, else the spelling found."""
    if target.format is not None:
        return target.format.replace("{version}", str(version))
    return ("v" if found.startswith("v") else "") + str(version)


def matching_files(root: Path, path: str) -> list[Path]:
    """The files a configured path names: the file itself, or a glob's matches that git sees.

    Raises:
        TargetError: a plain path is not a file, or a glob matches nothing.
    """
    visible = functools.cache(lambda: visible_files(root))
    return [Path(m.path) for m in _target_files(root, VersionFile(path, key=("",)), visible)]


# --- finding occurrences ---------------------------------------------------------------------


def _target_files(
    root: Path, target: VersionFile, visible: Callable[[], frozenset[str] | None]
) -> list[GlobMatch]:
    if target.is_glob:
        files = glob_files(root, target.path, visible())
        if not files:
            raise MissingTarget(
                target,
                None,
                f"{target.origin}: path {target.path!r} matches no file; fix the glob or remove the target",
            )
        return files
    path = root / target.path
    if not path.is_file():
        raise MissingTarget(
            target,
            target.path,
            f"{target.path}: file not found (target at {target.origin}); "
            "fix the path or remove the target",
        )
    return [GlobMatch(str(path), target.path, None)]


class MissingTarget(TargetError):
    """A target that is not there: its file, its pattern, or any file its glob names."""

    def __init__(self, target: VersionFile, path: str | None, message: str) -> None:
        super().__init__(message)
        self.target = target
        self.path = path  # the file it concerns, when there is one


def find_occurrences(
    root: Path,
    targets: Sequence[VersionFile],
    missing: list[MissingTarget] | None = None,
    calver: bool = False,
) -> list[Occurrence]:
    """Locate every configured target's token.

    With a ``missing`` list, a target that is not there is recorded in it (every target is
    looked for); without one, it is raised. With ``calver`` a token may also be a CalVer
    suite version (2026.04).

    Raises:
        MissingTarget: a plain target does not match its file, or a glob matches nothing.
        TargetError: a token cannot be edited exactly (alias, escapes, not a version).
        FileFormatError: a file is not UTF-8 or not valid YAML/JSON/TOML.
    """
    with paused_gc():  # a docs glob makes 10⁴-10⁵ small objects, none in a cycle
        return _find_occurrences(root, targets, missing, calver)


def _find_occurrences(
    root: Path, targets: Sequence[VersionFile], missing: list[MissingTarget] | None, calver: bool
) -> list[Occurrence]:
    texts: dict[str, str] = {}  # real path -> text, each file read once for all targets
    found: list[Occurrence] = []
    visible = functools.cache(lambda: visible_files(root))
    seen: set[tuple[str, int, VersionFile]] = set()
    real_root = str(root.resolve())
    confiner = Confiner(root, what="version file")
    for target in targets:
        hits_for_target = 0
        try:
            files = _target_files(root, target, visible)
            spans_in = _spans_finder(target, calver)
            located = [_locate(confiner, real_root, match, texts, spans_in) for match in files]
        except MissingTarget as exc:
            if missing is None:
                raise
            missing.append(exc)
            continue
        for display, real, spans in located:
            if not spans:  # most files of a docs glob
                continue
            text = texts[real]
            real_path = Path(real)
            for start, end in spans:
                if (real, start, target) in seen:
                    hits_for_target += 1
                    continue
                seen.add((real, start, target))
                occurrence = Occurrence(
                    target, display, real_path, line_of(text, start), start, end, text[start:end]
                )
                _validate_token(occurrence, calver)
                found.append(occurrence)
                hits_for_target += 1
        if target.is_glob and hits_for_target == 0:
            shortfall = MissingTarget(
                target,
                None,
                f"{target.origin}: no file matching {target.path!r} contains {target.pattern or target.label!r}; "
                "fix the pattern or remove the target",
            )
            if missing is None:
                raise shortfall
            missing.append(shortfall)
    return found


def _spans_finder(
    target: VersionFile, calver: bool = False
) -> Callable[[str, str], list[tuple[int, int]]]:
    """``(text, display) -> token spans`` of one target, with what it needs looked up once
    (a glob calls it for every file it matches).

    Raises (when called):
        MissingTarget: a plain target's file lacks the pattern or the key.
        TargetError, FileFormatError: as :func:`~.locate.find_key`.
    """
    is_glob = target.is_glob
    find = pattern_finder(target.pattern, calver) if target.pattern is not None else None

    def spans_in(text: str, display: str) -> list[tuple[int, int]]:
        try:
            spans = find(text) if find is not None else find_key(target, text, display)
        except NotHere as exc:
            # Only a file without the key is not this glob's; a key whose value cannot be
            # edited (alias, escapes, merge key...) is an error, never a silent skip.
            if is_glob and target.key is not None:
                return []
            raise MissingTarget(target, display, exc.args[0]) from None
        if not spans and not is_glob:
            raise MissingTarget(
                target,
                display,
                f"{display}: pattern {target.pattern!r} not found (target at {target.origin}); "
                "restore the line or fix the pattern",
            )
        return spans

    return spans_in


def _locate(
    confiner: Confiner,
    real_root: str,
    match: GlobMatch,
    texts: dict[str, str],
    spans_in: Callable[[str, str], list[tuple[int, int]]],
) -> tuple[str, str, list[tuple[int, int]]]:
    """(display path, real path, token spans) of a target in one file. Strings, not Paths:
    a docs glob runs this for every file it matches."""
    # A symlink (AGENTS.md -> CLAUDE.md) is reported and edited as the file it points to; one
    # that leads out of the work tree (docs/x.md -> /elsewhere) is an error.
    real = confiner.real(match.path, match.is_link)
    if real.startswith(real_root + "/"):  # what relpath gives, without its path algebra
        display = real[len(real_root) + 1 :]
    else:
        display = Path(os.path.relpath(real, real_root)).as_posix()
    text = texts.get(real)
    if text is None:
        text = texts[real] = read_text(real, display)
    return display, real, spans_in(text, display)


def _validate_token(occurrence: Occurrence, calver: bool = False) -> None:
    if occurrence.is_date:
        if re.fullmatch(DATE_PATTERN, occurrence.found) is None:
            raise TargetError(
                f"{occurrence.location}: {occurrence.found!r} is not an ISO date (YYYY-MM-DD)"
            )
        return
    version_in_token(occurrence.found, occurrence.target.format, occurrence.location, calver)


# --- verify ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionCheck:
    """The verdict for one version token against the expected release."""

    occurrence: Occurrence
    expected: str
    ok: bool


def check_versions(
    root: Path,
    targets: Sequence[VersionFile],
    expected: semver.Version,
    missing: list[MissingTarget] | None = None,
    calver: str | None = None,
) -> list[VersionCheck]:
    """Compare every version target with ``expected``.

    Without a ``format`` a token matches when the versions are equal ignoring a ``v``; with a
    ``format`` the spelling must match too. Targets that are not there go to ``missing`` when
    it is given (raised otherwise, as by :func:`find_occurrences`). ``calver`` is a suite's
    version as its tag spells it (2026.04, with ``expected`` its SemVer 2026.4.0): tokens may
    spell either, a ``format`` spells the CalVer.
    """
    if not targets:
        raise TargetError(
            f"no version_files are configured; add them to releasekit.yaml (every key: {STARTER_DOCS})"
        )
    checks = []
    for occ in find_occurrences(root, targets, missing, calver=calver is not None):
        if occ.is_date:
            continue
        if occ.target.format is not None:
            want = (
                occ.target.format.replace("{version}", calver)
                if calver is not None
                else render_token(occ.target, expected, occ.found)
            )
            ok = occ.found == want
        else:
            want = calver or str(expected)
            found = version_in_token(occ.found, None, occ.location, calver is not None)
            ok = found == expected
        checks.append(VersionCheck(occ, want, ok))
    return checks
