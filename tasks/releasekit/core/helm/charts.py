"""Helm charts in a repository: finding and reading them, the release they carry, rendering,
version rules. Bumping and packaging a chart is :mod:`.chart_release`.

Chart version rules follow chart-testing: ``version`` is SemVer, and when any file under the
chart changed since the previous release tag, ``version`` must have gone up. ``appVersion``
is the release tag in the chart's own spelling (``v0.1.8`` or ``0.1.8``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common.confine import confine
from ..common.errors import FileFormatError, ReleaseError, UsageError, VersionError
from ..common.git import git, is_shallow
from ..common.process import run
from ..common.textfile import read_text
from ..config import Config
from ..tags.schemes import parse_tag, render_tag
from .config import ChartConfig, HelmConfig
from .engines import (
    Engine,
    Manifest,
    RenderRequest,
    select_engine,
    values_paths,
)
from .yamldocs import load_yaml_documents


def helm_config(cfg: Config) -> HelmConfig:
    return cfg.helm if cfg.helm is not None else HelmConfig()


def chart_engine(cfg: Config, requested: str = "") -> Engine:
    """The Helm engine a task uses: its ``--engine`` flag, else ``helm.engine`` from config."""
    return select_engine(requested or helm_config(cfg).engine)


@dataclass(frozen=True)
class Chart:
    """A chart directory and its parsed Chart.yaml."""

    path: str  # relative to the repository root, POSIX
    root: Path
    meta: dict[str, Any]

    @property
    def dir(self) -> Path:
        return self.root / self.path

    @property
    def chart_yaml(self) -> str:
        return f"{self.path}/Chart.yaml"

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))

    @property
    def app_version(self) -> str | None:
        value = self.meta.get("appVersion")
        return None if value is None else str(value)

    @property
    def dependencies(self) -> list[dict[str, Any]]:
        deps = self.meta.get("dependencies") or []
        return [d for d in deps if isinstance(d, dict)]


def parse_chart_yaml(text: str, where: str) -> dict[str, Any]:
    docs = load_yaml_documents(text, where)
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise FileFormatError(f"{where}: a Chart.yaml must be one YAML mapping")
    return docs[0]


def read_chart(root: Path, path: str) -> Chart:
    """Read ``path/Chart.yaml`` under ``root``.

    Raises:
        UsageError: there is no chart at ``path``.
        FileFormatError: Chart.yaml is not valid YAML.
    """
    # An absolute path inside the repository works; a chart reached through a link out of the
    # work tree (or ../other) is refused: releasekit never edits another project's chart.
    real = confine(root, path, what="chart")
    rel = Path(os.path.relpath(real, os.path.realpath(root))).as_posix()
    chart_yaml = confine(root, f"{rel}/Chart.yaml", what="chart")
    if not chart_yaml.is_file():
        shown = Path(path).as_posix().rstrip("/")
        raise ReleaseError(
            f"{shown}: no Chart.yaml here; pass a chart directory such as charts/<name>"
        )
    display = f"{rel}/Chart.yaml"
    return Chart(rel, root, parse_chart_yaml(read_text(chart_yaml, display), display))


def discover_charts(root: Path) -> list[Chart]:
    """Every chart in the repository, except vendored sub-charts under another chart's charts/."""
    found = []
    for chart_yaml in sorted(root.rglob("Chart.yaml")):
        rel = chart_yaml.parent.relative_to(root)
        parts = rel.parts
        if ".git" in parts or any(
            parts[i] == "charts" and (root.joinpath(*parts[:i]) / "Chart.yaml").is_file()
            for i in range(1, len(parts))
        ):
            continue
        found.append(read_chart(root, rel.as_posix()))
    return found


def configured_charts(cfg: Config, chart: str = "") -> list[ChartConfig]:
    """The charts a task works on: ``--chart``, else the configured ones, else every chart."""
    configured = helm_config(cfg).charts
    if chart:
        wanted = Path(chart).as_posix().rstrip("/")
        for entry in configured:
            if entry.path.rstrip("/") == wanted:
                return [entry]
        read_chart(cfg.root, wanted)
        return [ChartConfig(path=wanted)]
    if configured:
        return list(configured)
    charts = [ChartConfig(path=c.path) for c in discover_charts(cfg.root)]
    if not charts:
        raise UsageError(
            f"no Chart.yaml found under {cfg.root}; pass --chart or configure helm.charts"
        )
    return charts


# --- release identity ------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The release a check runs against: its tag, its version, and where that came from."""

    tag: str
    version: semver.Version
    source: str
    # A CalVer suite's version as its tag spells it (2026.04; ``version`` is then 2026.4.0).
    calver: str | None = None

    @property
    def spelled(self) -> str:
        """The version as the release spells it: in appVersion, image tags, the notes."""
        return self.calver or str(self.version)


def release_of_tag(cfg: Config, tag: str, source: str = "--tag") -> Release:
    """The release ``tag`` names, read as tags.versioning says (a suite tag too).

    Raises:
        VersionError: the tag does not follow tag_format.
    """
    from ..tags.config import release_scheme
    from ..versioning.versions import calver_as_semver

    version = release_scheme(cfg).require(tag).version
    if isinstance(version, semver.Version):
        return Release(tag, version, source)
    mapped = calver_as_semver(str(version))
    assert mapped is not None  # a CalVer the scheme parsed
    return Release(tag, mapped, source, str(version))


def release_from_chart(cfg: Config, entry: ChartConfig, chart: Chart) -> Release:
    """The release a chart's appVersion names, read in the chart's ``app_version`` spelling."""
    app = chart.app_version
    if app is None:
        raise UsageError(f"{chart.chart_yaml} has no appVersion; pass --tag")
    head, _, tail = (
        entry.app_version.replace("{tag}", "\0").replace("{version}", "\0").partition("\0")
    )
    inner = (
        app[len(head) : len(app) - len(tail)]
        if app.startswith(head) and app.endswith(tail)
        else app
    )
    version = parse_tag(cfg.tag_format, inner) if "{tag}" in entry.app_version else None
    if version is None:
        try:
            version = semver.Version.parse(inner.removeprefix("v"))
        except ValueError:
            raise VersionError(
                f"{chart.chart_yaml}: appVersion {app!r} is not a release version; fix it or pass --tag"
            ) from None
    return Release(render_tag(cfg.tag_format, version), version, f"{chart.chart_yaml} appVersion")


def spell_app_version(entry: ChartConfig, release: Release) -> str:
    return entry.app_version.replace("{tag}", release.tag).replace("{version}", release.spelled)


def release_tags(
    root: Path, tag_format: str, calver: bool = False
) -> list[tuple[semver.Version, str]]:
    """Release tags reachable from HEAD, oldest version first (``calver``: suite tags, their
    versions read as SemVer YYYY.M.PATCH)."""
    from ..tags.schemes import TagScheme
    from ..versioning.versions import calver_as_semver

    out = git(root, "tag", "--merged", "HEAD")
    tags = []
    if calver:
        for parsed in TagScheme(tag_format, "calver").releases(out.split()):
            mapped = calver_as_semver(str(parsed.version))
            if mapped is not None:
                tags.append((mapped, parsed.tag))
        return sorted(tags)
    for tag in out.split():
        version = parse_tag(tag_format, tag)
        if version is not None:
            tags.append((version, tag))
    return sorted(tags)


def previous_release(
    root: Path, tag_format: str, before: semver.Version | None, calver: bool = False
) -> str | None:
    """The newest release tag reachable from HEAD whose version is below ``before``."""
    older = [
        tag
        for version, tag in release_tags(root, tag_format, calver)
        if before is None or version < before
    ]
    return older[-1] if older else None


def release_before(
    root: Path, tag_format: str, until: str | None, *, path: str = "."
) -> str | None:
    """The release to compare with.

    The one before ``until`` when that is a release tag. Comparing with the working tree: when
    HEAD carries a release tag and nothing under ``path`` changed since (CI on a tag push), the
    release before that tag; otherwise the newest release tag (the next release is in progress).
    """
    current = None
    if until:
        current = parse_tag(tag_format, until)
    elif not git(root, "status", "--porcelain", "--", path).strip():
        at_head = git(root, "tag", "--points-at", "HEAD").split()
        versions = [v for v in (parse_tag(tag_format, t) for t in at_head) if v is not None]
        current = max(versions) if versions else None
    return previous_release(root, tag_format, current)


# --- rendering -------------------------------------------------------------------------------


def render(
    cfg: Config,
    engine: Engine,
    entry: ChartConfig,
    values: Sequence[str] = (),
    set_values: Sequence[str] = (),
) -> list[Manifest]:
    """Render a configured chart with its values files plus ``-f``/``--set`` from the user."""
    request = RenderRequest(
        chart=confine(cfg.root, entry.path, what="chart"),
        release_name=entry.release_name,
        namespace=entry.namespace,
        values_files=values_paths(cfg.root, [*entry.values, *values]),
        set_values=tuple(set_values),
    )
    return engine.render(request)


# --- verify.chart ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartCheck:
    """One rule checked on one chart."""

    chart: str
    rule: str  # appVersion, version, bumped
    ok: bool
    message: str


def check_chart(
    cfg: Config, entry: ChartConfig, release: Release | None
) -> tuple[Release, list[ChartCheck]]:
    """Check appVersion against the release, version as SemVer, and the bump-when-changed rule."""
    chart = read_chart(cfg.root, entry.path)
    release = release if release is not None else release_from_chart(cfg, entry, chart)
    checks: list[ChartCheck] = []
    where = chart.chart_yaml
    want_app = spell_app_version(entry, release)
    app = chart.app_version
    checks.append(
        ChartCheck(
            chart.path,
            "appVersion",
            app == want_app,
            f"{where}: appVersion {app} matches {release.tag}"
            if app == want_app
            else f"{where}: appVersion {app} does not match the release (expected {want_app})",
        )
    )
    try:
        current = semver.Version.parse(chart.version)
        checks.append(
            ChartCheck(chart.path, "version", True, f"{where}: version {chart.version} is SemVer")
        )
    except ValueError:
        current = None
        checks.append(
            ChartCheck(
                chart.path,
                "version",
                False,
                f"{where}: version {chart.version!r} is not SemVer (MAJOR.MINOR.PATCH, no v)",
            )
        )
    checks.append(_check_bumped(cfg, chart, current, release))
    return release, checks


def _check_bumped(
    cfg: Config, chart: Chart, current: semver.Version | None, release: Release
) -> ChartCheck:
    previous = previous_release(
        cfg.root, cfg.tag_format, release.version, calver=release.calver is not None
    )
    if previous is None and is_shallow(cfg.root):
        return ChartCheck(
            chart.path,
            "bumped",
            False,
            f"{chart.path}: this is a shallow clone without the release tags, so the bump rule "
            "cannot be checked; fetch them (`git fetch --tags --unshallow`, or "
            "actions/checkout with fetch-depth: 0)",
        )
    if previous is None:
        return ChartCheck(
            chart.path,
            "bumped",
            True,
            f"{chart.path}: no release before {release.tag}; nothing to compare",
        )
    changed = [
        line
        for line in git(cfg.root, "diff", "--name-only", previous, "--", chart.path).splitlines()
        if line
    ]
    if not changed:
        return ChartCheck(chart.path, "bumped", True, f"{chart.path}: unchanged since {previous}")
    old_text = run(
        ["git", "-C", str(cfg.root), "show", f"{previous}:{chart.chart_yaml}"], check=False
    )
    if old_text.returncode != 0:
        return ChartCheck(chart.path, "bumped", True, f"{chart.path}: new since {previous}")
    old_version = str(
        parse_chart_yaml(old_text.stdout, f"{previous}:{chart.chart_yaml}").get("version", "")
    )
    try:
        went_up = current is not None and current > semver.Version.parse(old_version)
    except ValueError:
        went_up = True  # the old version was not SemVer: any valid version now is progress
    if went_up:
        return ChartCheck(
            chart.path,
            "bumped",
            True,
            f"{chart.path}: version {old_version} -> {chart.version} since {previous}",
        )
    files = ", ".join(changed)
    return ChartCheck(
        chart.path,
        "bumped",
        False,
        f"{chart.chart_yaml}: version {chart.version} did not go up since {previous} "
        f"(was {old_version}) although these files changed: {files}; "
        f"run releasekit release.bump-chart {chart.path} <new version>",
    )
