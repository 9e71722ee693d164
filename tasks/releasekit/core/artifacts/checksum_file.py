"""The checksums file a release ships: sorted, deterministic GNU ``sha256sum`` lines."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..common.errors import ReleaseError, UsageError
from .checksums import escape_name
from .hashing import Progress, hash_files


def format_line(digest: str, name: bytes) -> bytes:
    """A GNU ``sha256sum`` line (text mode); names with ``\\``, newline or CR are escaped."""
    if any(ch in name for ch in (b"\\", b"\n", b"\r")):
        return b"\\" + digest.encode() + b"  " + escape_name(name) + b"\n"
    return digest.encode() + b"  " + name + b"\n"


def render_checksums(files: Iterable[tuple[bytes, str]]) -> bytes:
    """GNU format, sorted by name bytes, one line per file: deterministic for the same inputs."""
    return b"".join(format_line(digest, name) for name, digest in sorted(files))


def collect_files(base: Path, patterns: Sequence[str], exclude: Sequence[Path] = ()) -> list[Path]:
    """The regular files matching ``patterns`` (globs relative to ``base``), sorted, unique."""
    excluded = {p.resolve() for p in exclude}
    found: dict[Path, None] = {}
    for pattern in patterns:
        pure = Path(pattern)
        if pure.is_absolute() or ".." in pure.parts:
            raise UsageError(f"{pattern!r}: give a pattern relative to {base} without '..'")
        matches = sorted(p for p in base.glob(pattern) if p.is_file())
        if not matches:
            raise ReleaseError(
                f"{pattern!r} matches no file under {base}; build the artifacts first"
            )
        for path in matches:
            if path.resolve() not in excluded:
                found[path] = None
    return sorted(found, key=lambda p: os.fsencode(p.relative_to(base).as_posix()))


@dataclass(frozen=True)
class ChecksumsPlan:
    """What release.checksums would write."""

    output: Path | None
    content: bytes
    existing: bytes | None
    entries: tuple[tuple[str, str], ...] = ()  # (name, sha256) in the order of the lines

    @property
    def unchanged(self) -> bool:
        return self.existing == self.content


def plan_checksums(
    root: Path,
    patterns: Sequence[str],
    output: Path | None,
    *,
    base: Path | None = None,
    jobs: int | None = None,
    progress_factory: Callable[[int], Progress] | None = None,
) -> ChecksumsPlan:
    """Hash the files matching ``patterns`` (globs under ``root``) and render the list.

    Names are written relative to ``base`` (default: the output file's directory, else
    ``root``) so that ``sha256sum -c`` run there finds them.
    """
    if output is not None:
        _output_target(output)  # before anything is read through it
    if base is None:
        base = output.parent if output is not None else root
    files = collect_files(root, patterns, exclude=[output] if output is not None else [])
    # Directories are resolved, file names are not: a symlinked file is listed under its own
    # name in the release, not under its target's.
    real_base = base.resolve()
    rows: list[tuple[bytes, str]] = []
    names: dict[Path, bytes] = {}
    for path in files:
        real = path.parent.resolve() / path.name
        if real_base not in real.parents:
            raise UsageError(
                f"{path} is not inside {base}; checksum names are relative to the directory of "
                "the checksums file — put the output next to the files"
            )
        names[path] = os.fsencode(real.relative_to(real_base).as_posix())
    progress = None
    if progress_factory is not None:
        progress = progress_factory(sum(p.stat().st_size for p in files))
    digests = hash_files(files, jobs=jobs, progress=progress)
    for path in files:
        result = digests[path]
        if isinstance(result, OSError):
            raise ReleaseError(f"{path}: cannot read: {result.strerror}")
        rows.append((names[path], result))
    existing = None
    if output is not None and output.exists():
        existing = output.read_bytes()
    entries = tuple((os.fsdecode(name), digest) for name, digest in sorted(rows))
    return ChecksumsPlan(output, render_checksums(rows), existing, entries)


def write_checksums(plan: ChecksumsPlan, *, force: bool = False) -> bool:
    """Write the planned list atomically; False when the file already holds exactly that.

    Raises:
        ReleaseError: a different checksums file exists and ``force`` is false.
    """
    if plan.output is None:
        raise UsageError("no output file given")
    if plan.unchanged:
        return False
    if plan.existing is not None and not force:
        raise ReleaseError(
            f"{plan.output} exists with different checksums; a published checksums file must not "
            "change — remove it or pass --force if it was never published"
        )
    from ..common.textfile import FileEdit, write_all

    tree, real = _output_target(plan.output)
    text = plan.content.decode("utf-8", errors="surrogateescape")
    old = "" if plan.existing is None else plan.existing.decode("utf-8", errors="surrogateescape")
    edit = FileEdit(str(plan.output), real, old, text, created=plan.existing is None)
    write_all([edit], tree)
    return True


def _output_target(output: Path) -> tuple[Path, Path]:
    """(work tree, real path) of the checksums file. Written through the edit transaction like
    every file: inside a work tree it must stay inside it (a link out is refused) and a crash
    is recovered; outside git it is written where given, still staged and renamed atomically."""
    from ..common.confine import confine, work_tree

    given = Path(os.path.abspath(output))
    # The work tree is looked for along the path as given: out/ -> /elsewhere is inside it.
    tree = next((d for d in given.parents if os.path.lexists(d / ".git")), None)
    if tree is None:
        real = given.resolve()
        return real.parent, real
    return work_tree(tree), confine(tree, given, what="--output")
