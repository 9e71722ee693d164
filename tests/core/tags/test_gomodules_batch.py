"""find_modules at a commit reads every go.mod in one git cat-file --batch: same modules as
reading each with ``git cat-file blob`` (the code before), whatever the bytes."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Repo
from releasekit.core.common import git
from releasekit.core.tags.gomodules import find_modules, parse_gomod

GOMODS: dict[str, str | bytes] = {
    "go.mod": "module example.com/root\n\ngo 1.22\n\nrequire example.com/root/a v0.0.0\n",
    "a/go.mod": b"module example.com/root/a\r\n\r\ngo 1.22\r\n",  # CRLF
    "b/c/go.mod": b"module example.com/root/b/c // caf\xe9\n\ngo 1.22\n",  # not UTF-8
    "d/go.mod": "module example.com/root/d\rgo 1.22\r",  # lone CRs
    "skip/go.mod": "module example.com/root/skip\n",
    "docs/README.md": "not a module\n",
}


def test_one_batch_gives_what_one_process_per_file_gave(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(GOMODS)
    head = repo.git("rev-parse", "HEAD").strip()
    repo.commit("later", {"go.mod": "module example.com/changed\n"})  # the work tree moved on
    got = find_modules(repo.path, ("*",), ("skip",), commit=head)
    before = sorted(
        (
            parse_gomod(git.read_at(repo.path, head, path), path.rpartition("/")[0] or ".", path)
            for path in git.files_at(repo.path, head, "go.mod")
            if not path.startswith("skip/")
        ),
        key=lambda m: m.dir,
    )
    assert got == before
    assert [m.path for m in got] == [
        "example.com/root",
        "example.com/root/a",
        "example.com/root/b/c",
        "example.com/root/d",
    ]
