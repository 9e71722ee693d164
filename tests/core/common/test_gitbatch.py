"""One git cat-file --batch for many objects, on a real repository."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import Repo
from releasekit.core.common.errors import GitError
from releasekit.core.common.gitbatch import read_objects


def test_read_objects_keeps_bytes_exact_across_objects(make_repo: Callable[..., Repo]) -> None:
    # Sizes are bytes: multi-byte text, a stray non-UTF-8 byte and line feeds inside a blob
    # must not shift the objects after it.
    files = {"a.txt": "ünïcödé\n\nx\n".encode(), "b.bin": b"\xff\n\x00\n", "c.txt": b""}
    repo = make_repo(files)
    names = [f"HEAD:{name}" for name in files]
    assert read_objects(repo.path, [*names, names[0]]) == {
        f"HEAD:{name}": content for name, content in files.items()
    }
    assert read_objects(repo.path, []) == {}


def test_read_objects_names_a_missing_object(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    with pytest.raises(GitError, match="HEAD:nope: no such git object here"):
        read_objects(repo.path, ["HEAD:README.md", "HEAD:nope"])
