"""Many git objects in one process: ``git cat-file --batch`` instead of a ``git show`` each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import GitError
from .process import run_bytes


def read_objects(root: Path, names: Iterable[str]) -> dict[str, bytes]:
    """The contents of git objects (``<sha>``, ``<commit>:<path>``) in one ``git cat-file``.

    Raises:
        GitError: a name does not resolve to an object.
    """
    found: dict[str, bytes] = {}
    for name, answer in _batch(root, names).items():
        if isinstance(answer, str):
            raise GitError(f"{name}: no such git object here ({answer})")
        found[name] = answer[1]
    return found


def read_objects_if_any(root: Path, names: Iterable[str]) -> dict[str, tuple[str, bytes] | None]:
    """:func:`read_objects` that answers None for a name that is not there (instead of
    raising), and gives each object's type with its bytes: ``{name: (type, bytes) | None}``."""
    return {
        name: None if isinstance(answer, str) else answer
        for name, answer in _batch(root, names).items()
    }


def _batch(root: Path, names: Iterable[str]) -> dict[str, tuple[str, bytes] | str]:
    """One ``git cat-file --batch`` for the names: ``(type, bytes)`` for each object, or git's
    word for a name that is not one (``missing``, ``ambiguous``)."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    if any("\n" in name for name in wanted):
        raise GitError("an object name with a line break cannot be asked of git cat-file --batch")
    out = run_bytes(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input_bytes="".join(f"{name}\n" for name in wanted).encode(),
    )
    found: dict[str, tuple[str, bytes] | str] = {}
    at = 0
    for name in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].decode("utf-8", errors="replace").split()
        if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
            found[name] = " ".join(header[1:])
            at = end + 1
            continue
        size = int(header[2])
        found[name] = (header[1], out[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the content is followed by a line feed
    return found


def tree_entries(data: bytes) -> list[tuple[str, str, str]]:
    """A tree object's entries as ``(mode, name, sha)``; ``name`` as :func:`git_text` decodes."""
    entries = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        mode = data[at:space].decode("ascii")
        entries.append((mode, git_text(data[space + 1 : nul]), data[nul + 1 : nul + 21].hex()))
        at = nul + 21
    return entries


def git_text(data: bytes) -> str:
    """An object's bytes as :func:`.process.run` decodes git's output: UTF-8 (a stray byte
    replaced) with universal newlines, so a batch read gives what ``git cat-file blob`` gave."""
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
