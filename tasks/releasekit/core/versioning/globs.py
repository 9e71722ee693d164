"""The files a glob target names: ``Path.glob`` semantics, on strings, and what git sees.

:func:`glob_paths` yields what ``Path(root).glob(pattern)`` yields on Python 3.11 (the oldest
Python releasekit supports), in the same order: ``*``, ``?`` and ``[...]`` match within one
component, hidden names included; ``**`` is any depth of directories, the start included,
without entering symlinked directories, while a wildcard component does enter them; a
trailing ``/`` names directories only; ``**`` must be a whole component. It is that
implementation (pathlib's ``_Selector`` classes) ported from ``Path`` objects to strings: a
``Path`` per directory entry, its hash and its parts cost more than reading a small file, and
a docs glob meets tens of thousands of them. Each result comes with the ``os.DirEntry`` that
named it (when a wildcard did), so the caller knows a regular file from a symlink without a
system call. tests/core/versioning/test_globs.py holds it to ``Path.glob`` on random trees.
Later Pythons changed ``Path.glob`` (3.13: a trailing ``**`` also yields files); the port
keeps one behaviour on every Python.

POSIX paths (the rest of the version-file code slices on ``/`` too).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

# Errors pathlib treats as "not there" (pathlib._IGNORED_ERRNOS).
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)

Found = tuple[str, "os.DirEntry[str] | None"]
# A selector: (path, the DirEntry that named it) -> what the rest of the pattern finds below.
Next = Callable[[str, "os.DirEntry[str] | None"], Iterator[Found]]


class GlobMatch(NamedTuple):
    """A file a glob target edits."""

    path: str  # as Path.glob spells it: the root, then the matched components
    rel: str  # below the root, POSIX separators
    is_link: bool | None  # None: not known without an lstat


def glob_paths(root: Path, pattern: str) -> Iterator[Found]:
    """``Path(root).glob(pattern)`` as (path string, the ``DirEntry`` that named it or None).

    Raises:
        ValueError: an empty pattern, or ``**`` inside a component.
        NotImplementedError: an absolute pattern.
    """
    if not pattern:
        raise ValueError(f"Unacceptable pattern: {pattern!r}")
    if pattern.startswith("/"):
        raise NotImplementedError("Non-relative patterns are unsupported")
    parts = tuple(part for part in pattern.split("/") if part and part != ".")
    if pattern.endswith("/"):
        parts += ("",)
    select = _selector(parts)
    start = str(root)
    if not _is_dir(start):
        return iter(())
    return select(start, None)


def glob_files(root: Path, pattern: str, shown: frozenset[str] | None) -> list[GlobMatch]:
    """The files of a glob target, sorted as ``Path`` sorts them: what :func:`glob_paths`
    yields that is a file (a symlink to one included), is not in a ``.git`` directory, and is
    seen by git (``shown``, from :func:`visible_files`; None outside a work tree)."""
    if ".git" in root.parts:
        return []
    base = str(root).rstrip("/")
    prefix = 0 if base == "." else len(base) + 1
    files = []
    isfile = os.path.isfile
    for path, entry in glob_paths(root, pattern):
        rel = path[prefix:]
        if ".git" in rel and ".git" in rel.split("/"):
            continue
        is_link = None
        if entry is not None:
            try:
                is_link = entry.is_symlink()
                # d_type, no system call; a symlink's target takes a stat, as in isfile
                is_file = isfile(path) if is_link else entry.is_file(follow_symlinks=False)
            except OSError:
                is_link, is_file = None, isfile(path)
        else:
            is_file = isfile(path)
        if is_file and (shown is None or rel in shown or seen_by_git(rel, shown)):
            files.append(GlobMatch(path, rel, is_link))
    # The order of Path's comparison (component by component): the string order with "/"
    # below every character a name can hold (a name cannot hold NUL), without a list per path.
    files.sort(key=lambda match: match.path.replace("/", "\0"))
    return files


def visible_files(root: Path) -> frozenset[str] | None:
    """Files git sees (tracked, or untracked and not ignored); None outside a work tree.

    A glob such as ``**/*.md`` must not edit ``node_modules/`` or a build's ``dist/``: what
    .gitignore hides is not part of the release.
    """
    from ..common.process import run

    result = run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=False,
    )
    if result.returncode != 0:
        return None
    return frozenset(name for name in result.stdout.split("\0") if name)


def seen_by_git(rel: str, shown: frozenset[str] | None) -> bool:
    """Whether a glob match (``rel``: its POSIX path below the root) is a file git sees. Below
    a symlinked directory that git tracks, git sees only the link: such a match counts, so
    that confinement refuses a link out."""
    if shown is None or rel in shown:
        return True
    parts = rel.split("/")
    return any("/".join(parts[:n]) in shown for n in range(1, len(parts)))


# --- pathlib's selectors (Python 3.11 Lib/pathlib.py), on strings ---------------------------


def _child_prefix(parent: str) -> str:
    """What precedes a child's name, as ``Path._make_child_relpath`` spells it: nothing below
    ``.``, and no doubled ``/`` below the root."""
    if parent == ".":
        return ""
    return parent if parent.endswith("/") else parent + "/"


def _ignored(exc: OSError) -> bool:
    return exc.errno in _IGNORED_ERRNOS


def _stat_mode(path: str) -> int | None:
    """The mode ``os.stat`` gives, None for what is not there (as ``Path.exists`` and
    ``Path.is_dir`` answer False), other errors raised."""
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        if not _ignored(exc):
            raise
        return None
    except ValueError:
        return None


def _is_dir(path: str) -> bool:
    """``Path.is_dir``."""
    mode = _stat_mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def _exists(path: str) -> bool:
    """``Path.exists``."""
    return _stat_mode(path) is not None


def _selector(parts: tuple[str, ...]) -> Next:
    """``pathlib._make_selector``: one selector per pattern component, each calling the next."""
    pat = parts[0]
    rest = parts[1:]
    if not pat:
        return _terminating
    dironly = bool(rest)
    successor = _selector(rest) if rest else _terminating
    if pat == "**":
        return _recursive(successor)
    if "**" in pat:
        raise ValueError("Invalid pattern: '**' can only be an entire path component")
    if "*" in pat or "?" in pat or "[" in pat:
        return _wildcard(re.compile(fnmatch.translate(pat)).fullmatch, dironly, successor)
    return _precise(pat, dironly, successor)


def _terminating(path: str, entry: os.DirEntry[str] | None) -> Iterator[Found]:
    yield path, entry


def _precise(name: str, dironly: bool, successor: Next) -> Next:
    def select(parent: str, _entry: os.DirEntry[str] | None) -> Iterator[Found]:
        try:
            path = _child_prefix(parent) + name
            if (_is_dir if dironly else _exists)(path):
                yield from successor(path, None)
        except PermissionError:
            return

    return select


def _wildcard(match: Callable[[str], object], dironly: bool, successor: Next) -> Next:
    def select(parent: str, _entry: os.DirEntry[str] | None) -> Iterator[Found]:
        try:
            with os.scandir(parent) as scan:
                entries = list(scan)
            prefix = _child_prefix(parent)
            if successor is _terminating and not dironly:  # the last component: yield matches
                for entry in entries:
                    if match(entry.name):
                        yield prefix + entry.name, entry
                return
            for entry in entries:
                if dironly:
                    try:
                        if not entry.is_dir():
                            continue
                    except OSError as exc:
                        if not _ignored(exc):
                            raise
                        continue
                name = entry.name
                if match(name):
                    yield from successor(prefix + name, entry)
        except PermissionError:
            return

    return select


def _recursive(successor: Next) -> Next:
    def directories(parent: str) -> Iterator[str]:
        yield parent
        try:
            with os.scandir(parent) as scan:
                entries = list(scan)
            prefix = _child_prefix(parent)
            for entry in entries:
                is_dir = False
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError as exc:
                    if not _ignored(exc):
                        raise
                if is_dir:
                    yield from directories(prefix + entry.name)
        except PermissionError:
            return

    def select(parent: str, _entry: os.DirEntry[str] | None) -> Iterator[Found]:
        try:
            yielded: set[str] = set()
            for start in directories(parent):
                for found in successor(start, None):
                    if found[0] not in yielded:
                        yield found
                        yielded.add(found[0])
        except PermissionError:
            return

    return select
