"""verify.chart-published: the seeds' ``helm pull`` + ``helm install --dry-run`` of the release.

The chart is pulled from its OCI repository at the chart version (the engine's pull, through
the same credentials as release.push-chart), its Chart.yaml is checked (``version``, and
``appVersion`` in the chart's ``app_version`` spelling), and the pulled package — not the
checkout — is rendered with the chart's release name, namespace and values files, and its
images are checked against the release as verify.helm-template does.
"""

from __future__ import annotations

import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..common.errors import CommandError
from ..common.network import Network
from ..registry.oci import manifest_digest, parse_remote, stored_login
from .charts import Release, parse_chart_yaml, read_chart, spell_app_version
from .engines import Access, Engine, RenderRequest, values_paths
from .images import ImageCheck, check_images, find_images

if TYPE_CHECKING:
    from ..config import ChartConfig, Config


@dataclass(frozen=True)
class PublishedChart:
    ref: str
    version: str
    digest: str | None
    problems: tuple[str, ...]
    images: tuple[ImageCheck, ...] = ()

    engine: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and all(ch.ok for ch in self.images)

    def failures(self) -> list[str]:
        from .images import describe

        bad = [f"{self.ref}:{self.version}: {describe(ch)}" for ch in self.images if not ch.ok]
        return [*self.problems, *bad]

    def lines(self) -> list[str]:
        from .images import describe

        head = f"{'OK      ' if self.ok else 'MISMATCH'} {self.ref}:{self.version} {self.digest or '-'}"
        head += f" (pulled, rendered with {self.engine})" if self.engine else ""
        return [
            head,
            *(f"  {line}" for line in [*self.problems, *(describe(ch) for ch in self.images)]),
        ]

    def as_json(self) -> dict[str, object]:
        return {"chart": self.ref, "version": self.version, "digest": self.digest, "ok": self.ok,
                "problems": list(self.problems),
                "images": [{"image": ch.found.image if ch.found else None, "expected": ch.expected,
                            "verdict": ch.verdict} for ch in self.images]}  # fmt: skip


def verify_published_chart(
    cfg: Config,
    engine: Engine,
    entry: ChartConfig,
    repository: str,
    release: Release,
    *,
    chart_version: str = "",
    plain_http: bool,
    net: Network,
) -> PublishedChart:
    """Pull ``entry``'s chart from ``repository`` and check it against ``release``.

    Raises:
        CommandError: the registry cannot be asked or the pull failed.
    """
    remote = parse_remote(repository)
    local = read_chart(cfg.root, entry.path)
    version = chart_version or local.version
    ref = remote.ref(local.name)
    digest = manifest_digest(remote, local.name, version, plain_http=plain_http, net=net)
    if digest is None:
        return PublishedChart(
            ref, version, None, (f"{ref}:{version} is not in the registry (not pushed?)",)
        )
    access = Access(remote.host, remote.login or stored_login(remote.host), net.timeout)
    with tempfile.TemporaryDirectory(prefix="releasekit-published-") as tmp:
        archive = engine.pull(
            ref, version, Path(tmp) / "pull", plain_http=plain_http, access=access
        )
        chart_dir = _extract(archive, Path(tmp) / "chart", local.name)
        meta = parse_chart_yaml(
            (chart_dir / "Chart.yaml").read_text(encoding="utf-8"), f"{ref}:{version} Chart.yaml"
        )
        problems = []
        want_app = spell_app_version(entry, release)
        if str(meta.get("version")) != version:
            problems.append(f"{ref}:{version} Chart.yaml says version {meta.get('version')}")
        if str(meta.get("appVersion")) != want_app:
            problems.append(
                f"{ref}:{version} Chart.yaml appVersion is {meta.get('appVersion')} (expected {want_app})"
            )
        request = RenderRequest(
            chart_dir, entry.release_name, entry.namespace, values_paths(cfg.root, entry.values)
        )
        found = find_images(engine.render(request), entry.image_patterns)
        images = check_images(found, entry, release.tag, release.spelled)
    return PublishedChart(ref, version, digest, tuple(problems), tuple(images), engine.name)


def _extract(archive: Path, dest: Path, name: str) -> Path:
    """Unpack a chart package with tarfile's ``data`` filter (no links out, no devices)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise CommandError(f"{archive.name}: the pulled chart does not unpack ({exc})") from None
    chart = dest / name
    if not (chart / "Chart.yaml").is_file():
        raise CommandError(f"{archive.name}: no {name}/Chart.yaml inside the pulled chart")
    return chart


def published_charts(cfg: Config, chart: str, repository: str) -> list[tuple[ChartConfig, str]]:
    """``--chart``/``--remote``, else ``registry.charts``: (the chart's settings, its repository).

    Raises:
        UsageError: neither given nor configured.
    """
    from ..common.errors import UsageError
    from .charts import configured_charts

    configured = cfg.registry.charts if cfg.registry is not None else ()
    if repository:
        entries = configured_charts(cfg, chart) if chart else configured_charts(cfg)
        return (
            [(entries[0], repository)]
            if len(entries) == 1 or chart
            else [(e, repository) for e in entries]
        )
    pairs = [
        (configured_charts(cfg, c.path)[0], c.repository)
        for c in configured
        if not chart or c.path == chart.rstrip("/")
    ]
    if not pairs:
        raise UsageError(
            "no published chart to check: pass --remote oci://host/path (and --chart DIR), or "
            "list registry.charts (path, repository) in releasekit.yaml"
        )
    return pairs


def plain_http_for(cfg: Config, repository: str, flag: bool) -> bool:
    """The flag, ``helm.plain_http``, or the host listed in ``registry.plain_http``."""
    host = parse_remote(repository).host
    hosts = cfg.registry.plain_http if cfg.registry is not None else ()
    return flag or (cfg.helm.plain_http if cfg.helm is not None else False) or host in hosts


def verify_all(
    cfg: Config, tag: str, chart: str, remote: str, chart_version: str, plain_http: bool,
    engine: str,
) -> list[PublishedChart]:  # fmt: skip
    """verify.chart-published from its flags: every chart to check, pulled and checked."""
    from ..common.network import settings
    from .charts import chart_engine, release_of_tag

    eng = chart_engine(cfg, engine)
    release = release_of_tag(cfg, tag)
    return [
        verify_published_chart(cfg, eng, entry, repo, release, chart_version=chart_version,
                               net=settings(cfg), plain_http=plain_http_for(cfg, repo, plain_http))
        for entry, repo in published_charts(cfg, chart, remote)
    ]  # fmt: skip
