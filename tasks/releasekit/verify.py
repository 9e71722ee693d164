"""verify.*: the checks CI runs; exit 3 when something does not match the release.

Each task lives in the module of its domain (versions.py, tags.py, charts.py, crds.py,
checksums.py, artifacts.py, images.py, citation.py, docrules.py); this module names the namespace. The tasks stay
attributes here too (``releasekit.verify.versions(c, version="0.1.8")`` in a tasks.py).
"""

from __future__ import annotations

from invoke import Collection

from . import artifacts as artifact_tasks
from . import charts as chart_tasks
from . import checksums as checksum_tasks
from . import citation as citation_tasks
from . import crds as crd_tasks
from . import docrules as docs_tasks
from . import images as image_tasks
from . import manifest as manifest_tasks
from . import tags as tag_tasks
from . import versions as version_tasks

versions, tags = version_tasks.versions, tag_tasks.verify_tags
helm_template, chart = chart_tasks.helm_template, chart_tasks.chart
chart_sync, crd_changes = crd_tasks.chart_sync, crd_tasks.crd_changes
sha256sum, assets = checksum_tasks.sha256sum, artifact_tasks.assets
cosign, attestation = artifact_tasks.cosign, artifact_tasks.attestation
artifacts = artifact_tasks.artifacts
images, chart_published = image_tasks.verify_images, image_tasks.chart_published
manifest = manifest_tasks.verify_manifest
citation, docs = citation_tasks.verify_citation, docs_tasks.verify_docs

ns = Collection(
    "verify",
    versions,
    tags,
    helm_template,
    chart,
    chart_sync,
    crd_changes,
    sha256sum,
    assets,
    cosign,
    attestation,
    artifacts,
    images,
    chart_published,
    manifest,
    citation,
    docs,
)
