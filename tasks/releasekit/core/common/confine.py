"""Confinement: every path releasekit writes, or reads as repository content, stays inside the
work tree once symlinks are followed.

A link inside the repository (``AGENTS.md -> CLAUDE.md``, ``CHANGELOG.md -> docs/CHANGELOG.md``)
is followed, and the file it points to is what gets read and edited, so the link stays a link.
A link that leads out (``docs/x.md -> /elsewhere/x.md``, a symlinked directory) is an error
naming the link and where it points: a release must never rewrite files of another project.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfinementError


def work_tree(start: Path) -> Path:
    """The work tree holding ``start``: the nearest directory upwards with a ``.git`` entry
    (a directory, or a file in linked worktrees and submodules); ``start`` itself outside git."""
    start = Path(os.path.realpath(start))
    for directory in (start, *start.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return start


def confine(root: Path, path: str | os.PathLike[str], *, what: str = "") -> Path:
    """The real path of ``path`` (relative to ``root``, or absolute), which must lie inside the
    work tree holding ``root`` after every symlink on the way is followed.

    Args:
        root: the repository (or project) root that relative paths start from.
        path: the path as configured or given on the command line.
        what: what the path is, for the message ("changelog", "chart", ...).

    Raises:
        ConfinementError: the path, or a symlink on its way, leads outside the work tree.
    """
    tree = work_tree(root)
    given = Path(path)
    full = given if given.is_absolute() else root / given
    real = Path(os.path.realpath(full))
    if real == tree or real.is_relative_to(tree):
        return real
    raise ConfinementError(_explain(tree, given, full, what))


class Confiner:
    """:func:`confine` for many paths under one root, with the work tree found once and each
    directory's real path resolved once (a glob over thousands of files would otherwise
    resolve every component of every path). Same results and errors as :func:`confine`."""

    def __init__(self, root: Path, *, what: str = "") -> None:
        self.root = root
        self.what = what
        tree = str(work_tree(root))
        self._tree, self._below = tree, tree.rstrip("/") + "/"
        self._real_dirs: dict[str, str] = {}

    def __call__(self, path: Path) -> Path:
        return Path(self.real(str(path)))

    def real(self, path: str, is_link: bool | None = None) -> str:
        """:meth:`__call__` on strings; ``is_link``: whether ``path`` is a symlink, when the
        caller knows (a directory scan's ``d_type``), sparing an ``lstat``."""
        full = path if path.startswith("/") else os.path.join(self.root, path)
        # os.path.split and os.path.join, inlined: this runs once per file of a glob
        cut = full.rfind("/") + 1
        directory, name = full[:cut], full[cut:]
        directory = directory.rstrip("/") or directory
        if (
            not name
            or name in (".", "..")
            or (os.path.islink(full) if is_link is None else is_link)
        ):
            return str(confine(self.root, path, what=self.what))
        real_dir = self._real_dirs.get(directory)
        if real_dir is None:
            real_dir = self._real_dirs[directory] = os.path.realpath(directory)
        real = real_dir + name if real_dir.endswith("/") else real_dir + "/" + name
        if real == self._tree or real.startswith(self._below):
            return real
        return str(confine(self.root, path, what=self.what))  # raises, with its explanation


def confine_tree(root: Path, directory: str | os.PathLike[str], *, what: str = "") -> Path:
    """:func:`confine` for a directory and every symlink below it (for readers that follow
    links: a chart copied for packaging, a CRD directory); returns the real directory."""
    real = confine(root, directory, what=what)
    for parent, dirs, files in os.walk(real):
        for name in (*dirs, *files):
            entry = Path(parent) / name
            if entry.is_symlink():
                confine(root, entry, what=what)
    return real


def shown(tree: Path, real: Path) -> str:
    """``real`` as users see it: relative to the work tree, POSIX separators."""
    return real.relative_to(tree).as_posix() if real.is_relative_to(tree) else str(real)


def _explain(tree: Path, given: Path, full: Path, what: str) -> str:
    label = f"{what} " if what else ""
    advice = (
        "releasekit never writes or reads repository content outside the work tree; "
        "nothing was changed"
    )
    lexical = Path(os.path.normpath(full))
    if not lexical.is_relative_to(tree):
        return (
            f"{label}{given.as_posix()} is outside the repository ({tree}); {advice} — "
            "give a path inside the repository"
        )
    current = tree
    for part in lexical.relative_to(tree).parts:
        current = current / part
        if current.is_symlink():
            dest = Path(os.path.realpath(current))
            if not dest.is_relative_to(tree):
                link = current.relative_to(tree).as_posix()
                return (
                    f"{label}{link} is a symlink to {os.readlink(current)} ({dest}), outside the "
                    f"repository ({tree}); {advice} — replace the link with the file itself, or "
                    "point it inside the repository"
                )
    return f"{label}{given.as_posix()} resolves outside the repository ({tree}); {advice}"
