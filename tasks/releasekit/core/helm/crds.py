"""CustomResourceDefinitions: reading them from a directory or a git ref.

CRDs are read from every file Helm installs from a chart's ``crds/`` (``.yaml``, ``.yml`` and
``.json``), so the chart sync (:mod:`.crd_sync`) and the change reports (:mod:`.crd_changes`)
see the same CRDs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.confine import confine_tree
from ..common.errors import ConfigError, FileFormatError
from ..common.git import git
from ..common.gitbatch import read_objects
from ..common.textfile import read_text
from .yamldocs import load_yaml_documents

# What Helm installs from a chart's crds/ (hasManifestExtension: case-insensitive).
_SUFFIXES = (".yaml", ".yml", ".json")


def _is_manifest(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES)


@dataclass(frozen=True)
class Crd:
    """One CRD document and the file it came from."""

    name: str
    source: str
    doc: dict[str, Any]


def _documents(text: str, source: str) -> list[Any]:
    if source.lower().endswith(".json"):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError:
            pass  # Helm reads .json with its YAML decoder; so does the fallback, naming the line
    return load_yaml_documents(text, source)


def _crds_in(text: str, source: str) -> Iterator[Crd]:
    for doc in _documents(text, source):
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
            meta = doc.get("metadata") or {}
            yield Crd(str(meta.get("name", "")), source, doc)


def _index(crds: Iterable[Crd]) -> dict[str, Crd]:
    out: dict[str, Crd] = {}
    for crd in crds:
        if crd.name in out:
            raise FileFormatError(
                f"{crd.source}: CRD {crd.name} is also defined in {out[crd.name].source}; keep one"
            )
        out[crd.name] = crd
    return out


def read_crd_dir(root: Path, directory: str) -> dict[str, Crd]:
    """Every CRD in the YAML and JSON files under ``root/directory`` (recursively), by name.

    Raises:
        ConfigError: the directory does not exist.
        FileFormatError: two files define the same CRD.
    """
    base = confine_tree(root, directory, what="CRD directory")
    if not base.is_dir():
        raise ConfigError(
            f"{directory}: no such directory; fix the CRD path in releasekit.yaml or --path"
        )
    files = sorted(p for p in base.rglob("*") if p.is_file() and _is_manifest(p.name))
    crds: list[Crd] = []
    for path in files:
        display = Path(os.path.relpath(path, root)).as_posix()
        crds.extend(_crds_in(read_text(path, display), display))
    return _index(crds)


def read_crd_dir_at(root: Path, ref: str, directory: str) -> dict[str, Crd]:
    """The CRDs under ``directory`` as they were at git ``ref`` (empty if it did not exist)."""
    blobs = _manifest_blobs(root, ref, directory)
    contents = read_objects(root, blobs.values())  # one git cat-file for every file
    crds: list[Crd] = []
    for name in sorted(blobs):
        text = contents[blobs[name]].decode("utf-8", errors="replace")
        crds.extend(_crds_in(text, f"{ref}:{name}"))
    return _index(crds)


def _manifest_blobs(root: Path, ref: str, directory: str) -> dict[str, str]:
    listing = git(root, "ls-tree", "-r", "-z", ref, "--", directory.rstrip("/") + "/")
    blobs = {}
    for entry in listing.split("\0"):
        meta, _, name = entry.partition("\t")
        if _is_manifest(name) and meta.split()[1:2] == ["blob"]:
            blobs[name] = meta.split()[2]
    return blobs
