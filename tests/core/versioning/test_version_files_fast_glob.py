"""Glob targets without pathlib (the glob walked on strings, no resolve() or relative_to per
file), without a regex compiled per file or run over files that lack the pattern's text: the
same occurrences, in the same order, and the same errors as the code before (5596c5b, and
find_occurrences of 13aab81 over it), kept below verbatim as the oracle."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Repo
from releasekit.core.common.confine import confine
from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import line_of, read_text
from releasekit.core.versioning import locate
from releasekit.core.versioning import version_files as vf
from releasekit.core.versioning.config import VersionFile


def old_target_files(
    root: Path, target: VersionFile, visible: Callable[[], frozenset[str] | None]
) -> list[Path]:
    if target.is_glob:
        shown = visible()
        files = sorted(
            p
            for p in root.glob(target.path)
            if p.is_file() and ".git" not in p.parts and old_seen_by_git(root, p, shown)
        )
        if not files:
            raise vf.MissingTarget(
                target,
                None,
                f"{target.origin}: path {target.path!r} matches no file; fix the glob or remove the target",
            )
        return files
    path = root / target.path
    if not path.is_file():
        raise vf.MissingTarget(
            target,
            target.path,
            f"{target.path}: file not found (target at {target.origin}); "
            "fix the path or remove the target",
        )
    return [path]


def old_seen_by_git(root: Path, path: Path, shown: frozenset[str] | None) -> bool:
    if shown is None:
        return True
    rel = path.relative_to(root)
    if rel.as_posix() in shown:
        return True
    return any(parent.as_posix() in shown for parent in rel.parents if parent.parts)


def old_find_pattern(target: VersionFile, text: str) -> list[tuple[int, int]]:
    assert target.pattern is not None
    return [
        m.span("token") for m in locate.compile_pattern.__wrapped__(target.pattern).finditer(text)
    ]


def old_locate(
    root: Path, real_root: Path, target: VersionFile, path: Path, texts: dict[Path, str]
) -> tuple[str, Path, list[tuple[int, int]]]:
    real = confine(root, path, what="version file")
    display = Path(os.path.relpath(real, real_root)).as_posix()
    if real not in texts:
        texts[real] = read_text(real, display)
    text = texts[real]
    try:
        spans = (
            old_find_pattern(target, text)
            if target.pattern is not None
            else locate.find_key(target, text, display)
        )
    except locate.NotHere as exc:
        if target.is_glob and target.key is not None:
            return display, real, []
        raise vf.MissingTarget(target, display, exc.args[0]) from None
    if not spans and not target.is_glob:
        raise vf.MissingTarget(
            target,
            display,
            f"{display}: pattern {target.pattern!r} not found (target at {target.origin}); "
            "restore the line or fix the pattern",
        )
    return display, real, spans


FILES: dict[str, str | bytes] = {
    "docs/a-b.md": "DEMO_VERSION=0.1.0\n",
    "docs/a/b.md": "x DEMO_VERSION=0.1.0 y\n",
    "docs/a/c.md": "no version here\n",
    "docs/deep/er/x.md": "DEMO_VERSION='0.1.0'\nDEMO_VERSION=0.1.0\n",
    "docs/z.md": "DEMO_VERSION 0.1.0 (pieces apart)\n",
    "docs/ignored.md": "DEMO_VERSION=9.9.9\n",
    ".gitignore": "docs/ignored.md\n",
    "README.md": "--version 0.1.0\n",
}


def old_find_occurrences(
    root: Path, targets: list[VersionFile], missing: list[vf.MissingTarget] | None
) -> list[vf.Occurrence]:
    """find_occurrences of 13aab81 over the helpers above (Paths throughout)."""
    import functools

    texts: dict[Path, str] = {}
    found: list[vf.Occurrence] = []
    visible = functools.cache(lambda: old_visible_files(root))
    seen: set[tuple[Path, int, VersionFile]] = set()
    real_root = root.resolve()
    for target in targets:
        hits_for_target = 0
        try:
            files = old_target_files(root, target, visible)
            located = [old_locate(root, real_root, target, path, texts) for path in files]
        except vf.MissingTarget as exc:
            if missing is None:
                raise
            missing.append(exc)
            continue
        for display, real, spans in located:
            text = texts[real]
            for start, end in spans:
                if (real, start, target) in seen:
                    hits_for_target += 1
                    continue
                seen.add((real, start, target))
                occurrence = vf.Occurrence(
                    target, display, real, line_of(text, start), start, end, text[start:end]
                )
                vf._validate_token(occurrence)
                found.append(occurrence)
                hits_for_target += 1
        if target.is_glob and hits_for_target == 0:
            shortfall = vf.MissingTarget(
                target,
                None,
                f"{target.origin}: no file matching {target.path!r} contains {target.pattern or target.label!r}; "
                "fix the pattern or remove the target",
            )
            if missing is None:
                raise shortfall
            missing.append(shortfall)
    return found


def old_visible_files(root: Path) -> frozenset[str] | None:
    result = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    return frozenset(name for name in result.stdout.split("\0") if name)


def run(root: Path, targets: list[VersionFile], old: bool) -> object:
    find = old_find_occurrences if old else vf.find_occurrences
    missing: list[vf.MissingTarget] = []
    try:
        found = find(root, targets, missing)
    except ReleaseError as exc:
        return ("error", type(exc).__name__, str(exc))
    return found, [(type(e).__name__, str(e), e.path) for e in missing]


def targets() -> list[VersionFile]:
    return [
        VersionFile(path="docs/**/*.md", pattern="DEMO_VERSION={version}"),
        VersionFile(path="**/*.md", pattern="--version {version}"),
        VersionFile(path="docs/*.md", pattern="{version}"),
        VersionFile(path="nothing/**/*.md", pattern="x {version}"),
        VersionFile(path="README.md", pattern="--version {version}"),
    ]


@pytest.mark.parametrize(
    "links",
    [
        {},
        {"docs/link.md": "a/b.md", "docs/linked": "deep"},  # inside the tree: followed
        {"docs/out.md": "/etc/hostname"},  # out of the tree: refused
        {"docs/outdir": "/etc"},
    ],
)
def test_fast_glob_matches_the_old_code(
    make_repo: Callable[..., Repo], links: dict[str, str]
) -> None:
    repo = make_repo(FILES)
    for name, to in links.items():
        os.symlink(to, repo.path / name)
    repo.commit("links")
    (repo.path / "docs" / "untracked.md").write_text("DEMO_VERSION=0.1.0\n")
    new = run(repo.path, targets(), False)
    assert new == run(repo.path, targets(), True)
    if not links:
        assert isinstance(new, tuple) and [o.path for o in new[0]][:5] == [
            "docs/a/b.md",
            "docs/a-b.md",
            "docs/deep/er/x.md",
            "docs/deep/er/x.md",
            "docs/untracked.md",
        ]


def test_literal_pieces() -> None:
    assert locate.literal_pieces("DEMO_VERSION={version} at {date}.") == (
        "DEMO_VERSION=",
        " at ",
        ".",
    )
    assert locate.literal_pieces("{version}") == ()
    assert re.escape("x") == "x"
