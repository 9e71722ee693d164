"""verify.chart-sync: the chart's CRDs against the generated ones (controller-gen's output).

The two are compared after normalising: parsed YAML or JSON, keys in any order, ``status`` and
``creationTimestamp`` dropped. ``ignore_annotations`` names annotations the chart copy adds on
purpose (``helm.sh/resource-policy: keep``, so ``helm uninstall`` keeps the CRDs and the
custom resources): such an annotation must be on the chart copy, with any value, when the
generated CRD lacks it; when the generated CRD has it, it is compared like every other field.
A chart copy that lost it is drift — it was never "ignored" in the sense of "may go missing".
"""

from __future__ import annotations

import copy
import difflib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..common.errors import FileFormatError
from .config import CrdSync
from .crds import read_crd_dir

# Shown in the diff where the chart copy lacks an annotation it is configured to add.
ADDED_BY_CHART = "(any value; ignore_annotations says the chart adds it)"


def normalise(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a CRD without the parts that do not define it (``status``, a timestamp)."""
    out = copy.deepcopy(dict(doc))
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta.pop("creationTimestamp", None)
    return out


def _annotations(doc: dict[str, Any]) -> dict[str, Any]:
    meta = doc.setdefault("metadata", {})
    if not isinstance(meta, dict):
        return {}  # not a mapping: compared as it is, nothing to add or drop
    annotations = meta.setdefault("annotations", {})
    return annotations if isinstance(annotations, dict) else {}


def _drop_empty_annotations(doc: dict[str, Any]) -> None:
    meta = doc.get("metadata")
    if isinstance(meta, dict) and meta.get("annotations") == {}:
        meta.pop("annotations")


def compared_forms(
    generated: Mapping[str, Any], chart: Mapping[str, Any], injected: Iterable[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The generated and chart CRDs as compared: the chart's own injected annotations dropped,
    and a marker on the generated side where the chart copy lost one."""
    want, have = normalise(generated), normalise(chart)
    wanted, had = _annotations(want), _annotations(have)
    for key in injected:
        if key in wanted:
            continue  # generated content: the chart must carry the same value
        if key in had:
            del had[key]
        else:
            wanted[key] = ADDED_BY_CHART
    _drop_empty_annotations(want)
    _drop_empty_annotations(have)
    return want, have


def dump_sorted(data: Any) -> str:
    """YAML with sorted keys: the form two CRDs are diffed in."""
    from ruamel.yaml import YAML

    def sort(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: sort(node[k]) for k in sorted(node, key=str)}
        if isinstance(node, list):
            return [sort(v) for v in node]
        return node

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1 << 16  # one line per value, so a diff line shows the whole value
    stream = io.StringIO()
    yaml.dump(sort(data), stream)
    return stream.getvalue()


@dataclass(frozen=True)
class SyncDrift:
    """A CRD that differs between the generated directory and the chart."""

    name: str
    problem: Literal["missing-in-chart", "extra-in-chart", "differs"]
    diff: str


def check_sync(root: Path, pair: CrdSync) -> list[SyncDrift]:
    """Compare the generated CRDs with the chart's copies; an empty list means in sync."""
    generated = read_crd_dir(root, pair.generated)
    chart = read_crd_dir(root, pair.chart)
    if not generated and not chart:
        fix = f"run `{pair.fix}`" if pair.fix else "generate them (e.g. controller-gen)"
        raise FileFormatError(
            f"{pair.generated} and {pair.chart}: no CustomResourceDefinition in either, so "
            f"nothing was compared; {fix}, or fix helm.crds in releasekit.yaml"
        )
    drifts: list[SyncDrift] = []
    for name in sorted(set(generated) | set(chart)):
        if name not in chart:
            drifts.append(
                SyncDrift(
                    name,
                    "missing-in-chart",
                    f"{generated[name].source} has no copy in {pair.chart}",
                )
            )
            continue
        if name not in generated:
            drifts.append(
                SyncDrift(
                    name,
                    "extra-in-chart",
                    f"{chart[name].source} is not generated in {pair.generated}",
                )
            )
            continue
        want_doc, have_doc = compared_forms(
            generated[name].doc, chart[name].doc, pair.ignore_annotations
        )
        want, have = dump_sorted(want_doc), dump_sorted(have_doc)
        if want != have:
            diff = "".join(
                difflib.unified_diff(
                    have.splitlines(keepends=True),
                    want.splitlines(keepends=True),
                    fromfile=f"a/{chart[name].source}",
                    tofile=f"b/{generated[name].source}",
                )
            )
            drifts.append(SyncDrift(name, "differs", diff))
    return drifts
