"""Where a repository's git directory and releasekit's state in it are, from ``.git`` entries
alone: no git process and nothing else imported, because every task looks for an interrupted
command's journal (:mod:`.journal`) before it does anything else."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def state_dir(git_dir: Path) -> Path:
    return git_dir / "releasekit"


def txn_dir(git_dir: Path) -> Path:
    return state_dir(git_dir) / "txn"


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(work tree, git directory) above ``start`` from ``.git`` entries alone, no git process:
    cheap enough for every task to look for a journal before it does anything else."""
    env = os.environ.get("GIT_DIR")
    if env:
        return Path(os.environ.get("GIT_WORK_TREE") or start).resolve(), Path(env).resolve()
    start = Path(os.path.realpath(start))
    for directory in (start, *start.parents):
        dot = directory / ".git"
        if dot.is_dir():
            return directory, dot
        if dot.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                head = dot.read_text(encoding="utf-8").strip()
                if head.startswith("gitdir:"):
                    return directory, (directory / head.removeprefix("gitdir:").strip()).resolve()
            return None
    return None


def pending_journal(start: Path) -> Path | None:
    """The journal directory above ``start`` if there is one (no git process: every task asks)."""
    found = find_git_dir(start)
    if found is None:
        return None
    directory = txn_dir(found[1])
    return directory if directory.is_dir() else None
