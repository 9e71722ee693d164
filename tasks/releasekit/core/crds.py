"""CustomResourceDefinitions: reading them from a directory or a git ref, sync and schema diffs.

Two directories holding "the same" CRDs (controller-gen's output and the chart's ``crds/``)
are compared after normalising: parsed YAML, keys in any order, configured injected
annotations such as ``helm.sh/resource-policy: keep`` removed. Schema changes between two
refs are reported per CRD, per version and per field path (``spec.template.image``).
"""

from __future__ import annotations

import copy
import difflib
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .config import Config, CrdSync
from .confine import confine_tree
from .errors import FileFormatError, UsageError
from .git import git, resolve_commit
from .helm import load_yaml_documents
from .process import run
from .textfile import read_text

_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Crd:
    """One CRD document and the file it came from."""

    name: str
    source: str
    doc: dict[str, Any]


def _crds_in(text: str, source: str) -> Iterator[Crd]:
    for doc in load_yaml_documents(text, source):
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
            meta = doc.get("metadata") or {}
            yield Crd(str(meta.get("name", "")), source, doc)


def _index(crds: Iterable[Crd]) -> dict[str, Crd]:
    out: dict[str, Crd] = {}
    for crd in crds:
        if crd.name in out:
            raise UsageError(
                f"{crd.source}: CRD {crd.name} is also defined in {out[crd.name].source}; keep one"
            )
        out[crd.name] = crd
    return out


def read_crd_dir(root: Path, directory: str) -> dict[str, Crd]:
    """Every CRD in the YAML files under ``root/directory`` (recursively), by name.

    Raises:
        UsageError: the directory does not exist, or two files define the same CRD.
    """
    base = confine_tree(root, directory, what="CRD directory")
    if not base.is_dir():
        raise UsageError(
            f"{directory}: no such directory; fix the CRD path in releasekit.yaml or --path"
        )
    files = sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
    crds: list[Crd] = []
    for path in files:
        display = Path(os.path.relpath(path, root)).as_posix()
        crds.extend(_crds_in(read_text(path, display), display))
    return _index(crds)


def read_crd_dir_at(root: Path, ref: str, directory: str) -> dict[str, Crd]:
    """The CRDs under ``directory`` as they were at git ``ref`` (empty if it did not exist)."""
    listing = git(root, "ls-tree", "-r", "--name-only", ref, "--", directory.rstrip("/") + "/")
    crds: list[Crd] = []
    for name in sorted(listing.splitlines()):
        if not name.endswith(_SUFFIXES):
            continue
        text = run(["git", "-C", str(root), "show", f"{ref}:{name}"]).stdout
        crds.extend(_crds_in(text, f"{ref}:{name}"))
    return _index(crds)


def normalise(doc: Mapping[str, Any], ignore_annotations: Iterable[str] = ()) -> dict[str, Any]:
    """A CRD without the parts that do not define it: ignored annotations and ``status``."""
    out = copy.deepcopy(dict(doc))
    out.pop("status", None)
    meta = out.get("metadata")
    if isinstance(meta, dict):
        meta.pop("creationTimestamp", None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for key in ignore_annotations:
                annotations.pop(key, None)
            if not annotations:
                meta.pop("annotations")
    return out


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
    stream = io.StringIO()
    yaml.dump(sort(data), stream)
    return stream.getvalue()


# --- verify.chart-sync -----------------------------------------------------------------------


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
        want = dump_sorted(normalise(generated[name].doc, pair.ignore_annotations))
        have = dump_sorted(normalise(chart[name].doc, pair.ignore_annotations))
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


# --- verify.crd-changes ----------------------------------------------------------------------

ChangeKind = Literal[
    "crd-added",
    "crd-removed",
    "version-added",
    "version-removed",
    "version-changed",
    "field-added",
    "field-removed",
    "field-changed",
]


@dataclass(frozen=True)
class CrdChange:
    """One difference between the CRDs of two refs."""

    crd: str
    version: str | None
    kind: ChangeKind
    field: str | None
    detail: str

    def describe(self) -> str:
        head = self.crd + (f" {self.version}" if self.version else "")
        what = self.kind.replace("-", " ")
        tail = f" {self.field}" if self.field else ""
        return f"{head}: {what}{tail}" + (f" ({self.detail})" if self.detail else "")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "crd": self.crd,
            "version": self.version,
            "change": self.kind,
            "field": self.field,
            "detail": self.detail,
        }


_NESTED = ("properties", "items", "additionalProperties")


def schema_fields(schema: Mapping[str, Any], *, schema_only: bool) -> dict[str, dict[str, Any]]:
    """Flatten an openAPIV3Schema to ``{field path: its own attributes}``.

    Arrays add ``[]`` to the path and maps ``{}``; a field listed in its parent's ``required``
    gets ``required: true``. With ``schema_only`` descriptions are left out.
    """
    fields: dict[str, dict[str, Any]] = {}

    def walk(node: Mapping[str, Any], path: str, required: bool) -> None:
        attrs = {k: v for k, v in node.items() if k not in (*_NESTED, "required")}
        if schema_only:
            attrs.pop("description", None)
        if required:
            attrs["required"] = True
        if path:
            fields[path] = attrs
        needed = set(node.get("required") or [])
        for name, child in (node.get("properties") or {}).items():
            if isinstance(child, Mapping):
                walk(child, f"{path}.{name}" if path else str(name), name in needed)
        items = node.get("items")
        if isinstance(items, Mapping):
            walk(items, f"{path}[]", False)
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            walk(extra, f"{path}{{}}", False)

    walk(schema, "", False)
    return fields


def _versions(crd: Crd) -> dict[str, dict[str, Any]]:
    spec = crd.doc.get("spec") or {}
    return {str(v.get("name")): v for v in spec.get("versions") or [] if isinstance(v, dict)}


def _schema(version: Mapping[str, Any]) -> Mapping[str, Any]:
    schema = (version.get("schema") or {}).get("openAPIV3Schema") or {}
    return schema if isinstance(schema, Mapping) else {}


def _summary(attrs: Mapping[str, Any]) -> str:
    kind = attrs.get("type") or (
        "object" if attrs.get("x-kubernetes-preserve-unknown-fields") else ""
    )
    return f"{kind}, required" if attrs.get("required") else str(kind)


def diff_crds(
    old: Mapping[str, Crd], new: Mapping[str, Crd], *, schema_only: bool = False
) -> list[CrdChange]:
    """What changed from ``old`` to ``new``: CRDs, versions, and fields of each version's schema."""
    changes: list[CrdChange] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            changes.append(CrdChange(name, None, "crd-removed", None, ""))
            continue
        if name not in old:
            versions = ", ".join(_versions(new[name]))
            changes.append(CrdChange(name, None, "crd-added", None, f"versions {versions}"))
            continue
        old_versions, new_versions = _versions(old[name]), _versions(new[name])
        for vname in sorted(set(old_versions) | set(new_versions)):
            if vname not in new_versions:
                changes.append(CrdChange(name, vname, "version-removed", None, ""))
                continue
            if vname not in old_versions:
                changes.append(CrdChange(name, vname, "version-added", None, ""))
                continue
            before, after = old_versions[vname], new_versions[vname]
            for flag in ("served", "storage", "deprecated"):
                if before.get(flag) != after.get(flag):
                    changes.append(
                        CrdChange(
                            name,
                            vname,
                            "version-changed",
                            None,
                            f"{flag}: {before.get(flag)} -> {after.get(flag)}",
                        )
                    )
            changes.extend(_field_changes(name, vname, before, after, schema_only))
        if not schema_only:
            old_rest = {
                k: v for k, v in (old[name].doc.get("spec") or {}).items() if k != "versions"
            }
            new_rest = {
                k: v for k, v in (new[name].doc.get("spec") or {}).items() if k != "versions"
            }
            for key in sorted(set(old_rest) | set(new_rest)):
                if old_rest.get(key) != new_rest.get(key):
                    changes.append(
                        CrdChange(name, None, "field-changed", f"(crd) spec.{key}", "changed")
                    )
    return changes


def _field_changes(
    name: str, vname: str, before: Mapping[str, Any], after: Mapping[str, Any], schema_only: bool
) -> list[CrdChange]:
    old_fields = schema_fields(_schema(before), schema_only=schema_only)
    new_fields = schema_fields(_schema(after), schema_only=schema_only)
    changes = []
    for path in sorted(set(old_fields) | set(new_fields)):
        if path not in new_fields:
            changes.append(
                CrdChange(name, vname, "field-removed", path, _summary(old_fields[path]))
            )
        elif path not in old_fields:
            changes.append(CrdChange(name, vname, "field-added", path, _summary(new_fields[path])))
        elif old_fields[path] != new_fields[path]:
            a, b = old_fields[path], new_fields[path]
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            parts = [k if k == "description" else f"{k}: {a.get(k)} -> {b.get(k)}" for k in keys]
            changes.append(CrdChange(name, vname, "field-changed", path, "; ".join(parts)))
    return changes


def crd_directory(cfg: Config, path: str = "") -> str:
    """The directory whose CRDs define a release: ``path``, else the first generated directory
    of ``helm.crds``, else the ``crds/`` of the first chart that has one."""
    from .charts import configured_charts, helm_config

    if path:
        return path.rstrip("/")
    pairs = helm_config(cfg).crds
    if pairs:
        return pairs[0].generated
    for entry in configured_charts(cfg):
        if (cfg.root / entry.path / "crds").is_dir():
            return f"{entry.path.rstrip('/')}/crds"
    raise UsageError("no CRD directory: configure helm.crds in releasekit.yaml or pass --path")


def changes_between(
    root: Path,
    directory: str,
    since: str,
    until: str | None,
    *,
    schema_only: bool,
    allow_empty: bool = False,
) -> list[CrdChange]:
    """CRD changes in ``directory`` from git ref ``since`` to ``until`` (None: the working tree).

    With ``allow_empty`` two refs without any CRD (releases from before the project had CRDs)
    simply have no changes; otherwise that is taken for a wrong directory.
    """
    for ref in (since, until):
        if ref is not None:
            resolve_commit(root, ref)  # a clear "does not name a commit" before any git show
    old = read_crd_dir_at(root, since, directory)
    if until is None:
        new = read_crd_dir(root, directory) if (root / directory).is_dir() else {}
    else:
        new = read_crd_dir_at(root, until, directory)
    if not old and not new and not allow_empty:
        where = "the working tree" if until is None else until
        raise UsageError(
            f"{directory}: no CRDs there at {since} nor in {where}; pass the CRD directory with --path"
        )
    return diff_crds(old, new, schema_only=schema_only)
