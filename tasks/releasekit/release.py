"""release.*: the tasks that make a release — versions, tags, charts, checksums, images, pins.

Each task lives in the module of its domain (versions.py, tags.py, charts.py, checksums.py,
images.py, recovery.py, pins.py, citation.py, gomod.py, procedure.py), next to its twin in verify.*; this
module names the namespace. The tasks stay attributes here too
(``releasekit.release.prepare(c, "0.1.8")`` in a tasks.py).
"""

from __future__ import annotations

from invoke import Collection

from . import charts as chart_tasks
from . import checksums as checksum_tasks
from . import citation as citation_tasks
from . import forge as forge_tasks
from . import gomod as gomod_tasks
from . import images as image_tasks
from . import manifest as manifest_tasks
from . import notes as notes_tasks
from . import pins as pin_tasks
from . import procedure as procedure_tasks
from . import recovery as recovery_tasks
from . import tags as tag_tasks
from . import versions as version_tasks

bump, prepare = version_tasks.bump, version_tasks.prepare
tag, untag, go_tag = tag_tasks.tag, tag_tasks.untag, tag_tasks.go_tag
tags, hotfix, supersede = tag_tasks.list_tags, tag_tasks.hotfix, tag_tasks.supersede
recover = recovery_tasks.recover
bump_chart, package_chart = chart_tasks.bump_chart, chart_tasks.package_chart
push_chart, checksums = chart_tasks.push_chart, checksum_tasks.checksums
promote, image_tags = image_tasks.promote, image_tasks.image_tags
notes, publish, manifest = notes_tasks.notes, forge_tasks.publish, manifest_tasks.manifest
pin, unpin = pin_tasks.pin, pin_tasks.unpin
set_keys, get_key = pin_tasks.set_keys, pin_tasks.get_key
citation, go_get = citation_tasks.citation, gomod_tasks.go_get
status, run, preflight = procedure_tasks.status, procedure_tasks.run, procedure_tasks.preflight

ns = Collection(
    "release",
    bump,
    prepare,
    tag,
    untag,
    go_tag,
    tags,
    hotfix,
    supersede,
    recover,
    bump_chart,
    package_chart,
    push_chart,
    checksums,
    promote,
    image_tags,
    notes,
    publish,
    manifest,
    pin,
    unpin,
    set_keys,
    get_key,
    citation,
    go_get,
    status,
    run,
    preflight,
)
