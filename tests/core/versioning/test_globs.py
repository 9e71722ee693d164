"""The string port of ``Path.glob`` against ``Path.glob`` itself, on random trees.

Trees hold nested and hidden directories, hidden files, names with glob characters, symlinks
to files and directories inside and outside the tree, dangling links and a link loop; patterns
are random sequences of components (``*``, ``**``, ``?``, classes, plain names, ``.``, empty
components, a trailing ``/``). The port must yield the same paths in the same order (with
pathlib's duplicates) and raise the same errors; the filtered, sorted file list must be what
the old filter over ``Path.glob`` gave.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.core.versioning import globs

pytestmark = pytest.mark.skipif(
    sys.version_info[:2] != (3, 11),
    reason="the port is of Python 3.11's Path.glob; later Pythons changed it (3.13: **)",
)

NAMES = ["a", "b.md", ".h", ".c.md", "d", "e.txt", "[x]", "a*", "sub"]
FILES = st.lists(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join), min_size=2, max_size=16
)
LINK_TARGETS = ["a", "d", "sub/b.md", "../outside", "../outside/f.md", "nowhere", "loop", "."]
LINKS = st.lists(
    st.tuples(st.sampled_from(["l1", "d/l2", ".l3", "sub/l4.md", "loop"]), st.sampled_from(LINK_TARGETS)),
    max_size=4,
)  # fmt: skip
# Weighted towards what matches: "*" and "**" several times, the invalid "a**" once.
COMPONENTS = ["*", "*", "*", "**", "**", "**", "*.md", "*.md", "?", "a", "b.md", ".*", "[ab]*",
              "d", "d", "sub", "[!a]*", "x[", "[x]", "", ".", "l1", "*l*", "a**"]  # fmt: skip
PATTERNS = (
    st.tuples(st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=4), st.booleans())
    .map(lambda t: "/".join(t[0]) + ("/" if t[1] else ""))
    .filter(lambda pattern: any(ch in pattern for ch in "*?["))  # a glob target (is_glob)
)


def build(top: Path, files: list[str], links: list[tuple[str, str]]) -> Path:
    root = top / "root"
    root.mkdir()
    (top / "outside").mkdir()
    (top / "outside" / "f.md").write_text("x")
    for name in files:
        path = root / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_text(name)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a file where a directory was wanted: keep what is there
    for name, target in links:
        path = root / name
        if path.parent.is_dir() and not os.path.lexists(path):
            path.symlink_to(target)
    return root


def outcome(run: object) -> object:
    try:
        return list(run())  # type: ignore[operator]
    except (ValueError, NotImplementedError, IndexError) as exc:
        return (type(exc).__name__, str(exc))


def old_files(root: Path, pattern: str, shown: frozenset[str] | None) -> list[str]:
    """_target_files' glob branch of 13aab81 (its filter over Path.glob), as strings."""
    base = str(root).rstrip("/")
    prefix = 0 if base == "." else len(base) + 1
    found = sorted(
        (
            p
            for p in root.glob(pattern)
            if ".git" not in root.parts
            and ".git" not in (rel := str(p)[prefix:]).split("/")
            and os.path.isfile(p)
            and globs.seen_by_git(rel, shown)
        ),
        key=lambda p: str(p).split("/"),
    )
    return [str(p) for p in found]


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(FILES, LINKS, st.lists(PATTERNS, min_size=1, max_size=4), st.booleans(), st.data())
def test_port_yields_what_path_glob_yields(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    files: list[str],
    links: list[tuple[str, str]],
    patterns: list[str],
    relative: bool,
    data: st.DataObject,
) -> None:
    root = build(tmp_path_factory.mktemp("glob"), files, links)
    with monkeypatch.context() as m:
        if relative:
            m.chdir(root)
            root = Path(".")
        everything = sorted(str(p) for p in Path(root).rglob("*") if not p.is_dir())
        shown = data.draw(
            st.none() | st.frozensets(st.sampled_from(everything or ["-"])), label="shown"
        )
        for pattern in patterns:
            ours = outcome(lambda p=pattern: (path for path, _ in globs.glob_paths(root, p)))
            theirs = outcome(lambda p=pattern: (str(path) for path in root.glob(p)))
            assert ours == theirs, pattern
            if isinstance(theirs, list):
                matches = globs.glob_files(root, pattern, shown)
                assert [match.path for match in matches] == old_files(root, pattern, shown)
                for match in matches:
                    assert match.is_link in (None, os.path.islink(match.path))


def test_a_tree_with_every_kind_of_entry(tmp_path: Path) -> None:
    """One fixed tree, read by hand: what the port is expected to find."""
    root = build(tmp_path, ["a", "d/b.md", "d/.c.md", ".h/b.md", "sub/d/b.md"],
                 [("l1", "d"), ("sub/l4.md", "../d/b.md"), ("loop", "loop")])  # fmt: skip
    found = [path[len(str(root)) + 1 :] for path, _ in globs.glob_paths(root, "**/*.md")]
    # hidden directories and files are matched; ** does not enter the symlinked l1/
    assert sorted(found) == [".h/b.md", "d/.c.md", "d/b.md", "sub/d/b.md", "sub/l4.md"]
    via_link = [path[len(str(root)) + 1 :] for path, _ in globs.glob_paths(root, "*/b.md")]
    assert sorted(via_link) == [".h/b.md", "d/b.md", "l1/b.md"]  # a wildcard does enter it
