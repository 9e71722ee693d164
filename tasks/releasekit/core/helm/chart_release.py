"""The chart a release ships: its version bumped (with its local dependants'), and packaged
reproducibly (``name-version.tgz``, stamped with the chart's last commit time)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common.confine import confine_tree
from ..common.errors import GitError, ReleaseError, VersionError
from ..common.git import git
from ..common.textfile import FileEdit, read_text
from ..versioning.config import VersionFile
from ..versioning.version_files import Occurrence, find_occurrences
from .charts import Chart, discover_charts, read_chart
from .engines import Engine

# --- release.bump-chart ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBump:
    """The plan for bumping one chart: edits, what each says, and charts with a Chart.lock."""

    chart: Chart
    old: str
    new: str
    edits: tuple[FileEdit, ...]
    changes: tuple[str, ...]
    notes: tuple[str, ...]
    locks: tuple[str, ...]


def plan_bump_chart(root: Path, path: str, new_version: str) -> ChartBump:
    """Set a chart's ``version`` and the version of every local dependency on it.

    Raises:
        VersionError: ``new_version`` is not SemVer or does not go up.
        UsageError: ``path`` is not a chart.
    """
    chart = read_chart(root, path)
    try:
        new = semver.Version.parse(new_version)
    except ValueError:
        raise VersionError(
            f"chart version {new_version!r} is not SemVer; use MAJOR.MINOR.PATCH without a v, e.g. 0.4.0"
        ) from None
    try:
        old = semver.Version.parse(chart.version)
    except ValueError:
        old = None
    if old is not None and new <= old:
        raise VersionError(
            f"{chart.chart_yaml}: version {new} does not go up from {old}; "
            "published chart versions are immutable — pick a higher version"
        )
    targets: list[tuple[VersionFile, str]] = [
        (VersionFile(chart.chart_yaml, key=("version",)), str(new))
    ]
    changes = [f"{chart.chart_yaml}: version {chart.version} -> {new}"]
    notes: list[str] = []
    locks: list[str] = []
    for parent in discover_charts(root):
        if parent.path == chart.path:
            continue
        for index, dep in enumerate(parent.dependencies):
            if dep.get("name") != chart.name or not _points_at(parent, dep, chart):
                continue
            spec = str(dep.get("version", ""))
            label = f"{parent.chart_yaml}: dependencies[{index}] {chart.name}"
            try:
                semver.Version.parse(spec)
            except ValueError:
                notes.append(
                    f"{label} asks for {spec!r} (a range); left as is — check that it admits {new}"
                )
                continue
            targets.append(
                (
                    VersionFile(parent.chart_yaml, key=("dependencies", str(index), "version")),
                    str(new),
                )
            )
            changes.append(f"{label}: version {spec} -> {new}")
            if (parent.dir / "Chart.lock").is_file():
                locks.append(parent.path)
    edits = _edits(root, targets)
    return ChartBump(
        chart, chart.version, str(new), edits, tuple(changes), tuple(notes), tuple(locks)
    )


def _points_at(parent: Chart, dep: dict[str, Any], chart: Chart) -> bool:
    repo = str(dep.get("repository") or "")
    if not repo.startswith("file://"):
        return False
    return (parent.dir / repo.removeprefix("file://")).resolve() == chart.dir.resolve()


def _edits(root: Path, targets: Sequence[tuple[VersionFile, str]]) -> tuple[FileEdit, ...]:
    """One edit per file, files in the order of ``targets``, each token replaced in place."""
    new_for = {id(target): new for target, new in targets}
    by_file: dict[Path, list[Occurrence]] = {}
    for occ in find_occurrences(root, [target for target, _ in targets]):
        by_file.setdefault(occ.real_path, []).append(occ)
    edits = []
    for real, occurrences in by_file.items():
        old = read_text(real, occurrences[0].path)
        new = old
        for occ in sorted(occurrences, key=lambda o: -o.start):
            new = new[: occ.start] + new_for[id(occ.target)] + new[occ.end :]
        edits.append(FileEdit(occurrences[0].path, real, old, new))
    return tuple(edits)


# --- release.package-chart -------------------------------------------------------------------


def source_date_epoch(root: Path, path: str) -> int:
    """The timestamp stamped into a package: $SOURCE_DATE_EPOCH, else the chart's last commit."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        try:
            return int(env)
        except ValueError:
            raise ReleaseError(f"SOURCE_DATE_EPOCH={env!r} is not a number of seconds") from None
    try:
        out = git(root, "log", "-1", "--format=%ct", "--", path).strip()
    except GitError:
        out = ""
    return int(out) if out else 0


def package_chart(
    root: Path,
    engine: Engine,
    path: str,
    dest: Path,
    *,
    version: str | None = None,
    app_version: str | None = None,
) -> Path:
    """Package a chart into ``dest/name-version.tgz``, byte-for-byte reproducible.

    Helm stamps each file's modification time and mode into the archive, so the chart is
    packaged from a copy whose files all carry the same time (``source_date_epoch``) and mode.
    """
    chart = read_chart(root, path)
    if version is not None:
        try:
            semver.Version.parse(version)
        except ValueError:
            raise VersionError(f"--version {version!r} is not SemVer (e.g. 0.4.0, no v)") from None
    stamp = source_date_epoch(root, chart.path)
    with tempfile.TemporaryDirectory(prefix="releasekit-chart-") as tmp:
        copy = Path(tmp) / chart.dir.name
        confine_tree(root, chart.path, what="chart")  # the copy follows links: none may lead out
        shutil.copytree(chart.dir, copy, symlinks=False)
        for item in sorted(copy.rglob("*"), reverse=True):
            if item.is_file():
                item.chmod(0o644)
            os.utime(item, (stamp, stamp))
        os.utime(copy, (stamp, stamp))
        staging = Path(tmp) / "out"
        built = engine.package(copy, staging, version, app_version)
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / built.name
        shutil.move(str(built), target)
    return target
