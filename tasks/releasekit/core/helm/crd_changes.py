"""What changed in CustomResourceDefinitions between refs: the history audit's reader of every
tag's CRD trees (:class:`CrdTrees`) and the per-CRD, per-version, per-field-path report of
verify.crd-changes (``spec.template.image``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..common.errors import ReleaseError, UsageError
from ..common.git import resolve_commit
from ..common.gitbatch import read_objects, read_objects_if_any, tree_entries
from ..config import Config
from .crds import (
    Crd,
    _crds_in,
    _index,
    _is_manifest,
    _manifest_blobs,
    read_crd_dir,
    read_crd_dir_at,
)


class CrdTrees:
    """CRDs at many git refs, for a history audit that compares each release with the one
    before: each ref listed once, each file (name, blob id) parsed once, and two refs whose
    CRD files have the same blob ids compared without parsing (same bytes, same CRDs).

    ``changed(old, new)`` is ``bool(changes_between(..., allow_empty=True))``, with the same
    errors: refs resolved before any file is read, a broken file failing at its first use.
    """

    def __init__(self, root: Path, directory: str) -> None:
        self.root = root
        self.directory = directory
        self._blobs: dict[str, dict[str, str]] = {}  # ref -> {path: blob id}
        self._contents: dict[str, bytes] = {}  # blob id -> bytes, read ahead by prefetch()
        self._parsed: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}

    def blobs(self, ref: str) -> dict[str, str]:
        if ref not in self._blobs:
            resolve_commit(self.root, ref)
            self._blobs[ref] = _manifest_blobs(self.root, ref, self.directory)
        return self._blobs[ref]

    def prefetch(self, refs: Sequence[str]) -> None:
        """List the CRD files of many refs at once: one ``git cat-file --batch`` reads each
        ref's commit and directory tree (and one more per level of subdirectories) instead of
        a ``rev-parse`` and an ``ls-tree`` per ref. A ref it cannot settle (not a commit, a
        name git would not take on one line) is left to :meth:`blobs`, which raises as before.
        Same listing as ``git ls-tree -r`` (tests/core/helm/test_crd_trees_batch.py)."""
        wanted = [ref for ref in dict.fromkeys(refs) if ref not in self._blobs]
        directory = self.directory.strip("/")
        if not wanted or not directory or any("\n" in ref or ":" in ref for ref in wanted):
            return
        asked = [f"{ref}^{{commit}}" for ref in wanted]
        asked += [f"{ref}:./{directory}" for ref in wanted]  # ./: from root, as ls-tree reads
        objects = read_objects_if_any(self.root, asked)
        trees: dict[str, dict[str, str]] = {}  # ref -> {path prefix: tree sha} still to read
        for ref in wanted:
            commit = objects[f"{ref}^{{commit}}"]
            if commit is None or commit[0] != "commit":
                continue
            top = objects[f"{ref}:./{directory}"]
            self._blobs[ref] = {}
            if top is not None and top[0] == "tree":
                trees[ref] = {}
                self._add_tree(ref, directory, top[1], trees[ref])
        while pending := {sha for subtrees in trees.values() for sha in subtrees.values()}:
            contents = read_objects_if_any(self.root, sorted(pending))
            for ref, subtrees in trees.items():
                todo, trees[ref] = subtrees, {}
                for prefix, sha in todo.items():
                    found = contents[sha]
                    assert found is not None and found[0] == "tree"
                    self._add_tree(ref, prefix, found[1], trees[ref])
        blobs = {sha for ref in wanted for sha in self._blobs.get(ref, {}).values()}
        self._contents.update(read_objects(self.root, sorted(blobs - set(self._contents))))

    def _add_tree(self, ref: str, prefix: str, data: bytes, subtrees: dict[str, str]) -> None:
        blobs = self._blobs[ref]
        for mode, name, sha in tree_entries(data):
            path = f"{prefix}/{name}" if prefix else name
            if mode == "40000":
                subtrees[path] = sha
            elif mode != "160000" and _is_manifest(path):  # a submodule is not a blob
                blobs[path] = sha

    def crds_at(self, ref: str) -> dict[str, Crd]:
        blobs = self.blobs(ref)
        new = [sha for name, sha in blobs.items() if (name, sha) not in self._parsed]
        unread = [sha for sha in new if sha not in self._contents]
        contents = {**self._contents, **read_objects(self.root, unread)}  # one git cat-file
        crds: list[Crd] = []
        for name in sorted(blobs):
            key = (name, blobs[name])
            if key not in self._parsed:
                text = contents[blobs[name]].decode("utf-8", errors="replace")
                self._parsed[key] = [(c.name, c.doc) for c in _crds_in(text, f"{ref}:{name}")]
            crds.extend(Crd(crd, f"{ref}:{name}", doc) for crd, doc in self._parsed[key])
        return _index(crds)

    def changed(self, old: str, new: str, *, schema_only: bool) -> bool:
        if self.blobs(old) == self.blobs(new):
            self.crds_at(old)  # parsed (once) all the same: a broken file still fails here
            return False
        before, after = self.crds_at(old), self.crds_at(new)
        # A CRD from a file both refs hold unchanged is the same parsed document in both:
        # nothing to compare (diff_crds looks at each CRD on its own).
        same = {
            name for name, crd in before.items() if name in after and after[name].doc is crd.doc
        }
        return bool(
            diff_crds(
                {name: crd for name, crd in before.items() if name not in same},
                {name: crd for name, crd in after.items() if name not in same},
                schema_only=schema_only,
            )
        )


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
        raise ReleaseError(
            f"{directory}: no CRDs there at {since} nor in {where}; pass the CRD directory with --path"
        )
    return diff_crds(old, new, schema_only=schema_only)
