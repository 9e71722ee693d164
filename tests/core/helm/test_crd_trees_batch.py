"""CrdTrees.prefetch (every tag's CRD files from one ``git cat-file --batch``) lists what
``git ls-tree -r`` lists, and the audit answers and errors stay those of changes_between, on
random histories: files added, edited, deleted, moved into subdirectories, symlinked, a
submodule entry, non-manifests, a CRD moving between files, a duplicate CRD, broken YAML."""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Repo
from releasekit.core.common.errors import ReleaseError
from releasekit.core.helm.crd_changes import CrdTrees, changes_between
from releasekit.core.helm.crds import _manifest_blobs


def crd(name: str, fields: list[str], description: str) -> str:
    props = "".join(f"            {f}: {{type: string}}\n" for f in fields)
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata: {{name: {name}.demo.example.com}}\nspec:\n  group: demo.example.com\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n"
        "      schema:\n        openAPIV3Schema:\n          type: object\n"
        f"          description: {description}\n          properties:\n{props}"
    )


NAMES = ["agents", "sessions", "tools", "runs", "pools", "keys"]
FILES = ["a.yaml", "b.yml", "sub/c.yaml", "sub/deeper/d.YAML", "e.json.yaml", "é ü.yaml"]


def random_history(repo: Repo, rng: random.Random, tags: int, broken: bool) -> list[str]:
    made = []
    for n in range(tags):
        files: dict[str, str | bytes] = {}
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            name = rng.choice(FILES)
            if roll < 0.55:
                fields = rng.sample(["x", "y", "z", "w"], k=rng.randint(1, 3))
                # mostly one CRD per file; sometimes one moves to (or doubles in) another
                kind = NAMES[FILES.index(name)] if rng.random() < 0.9 else rng.choice(NAMES)
                text = crd(kind, fields, rng.choice(["A thing.", "Reworded."]))
                files[f"crds/{name}"] = text
            elif roll < 0.65:
                files["crds/notes.txt"] = f"not a manifest {n}\n"
            elif roll < 0.72 and broken:
                files[f"crds/{name}"] = "a: [unclosed\n"
            elif roll < 0.85 and (repo.path / "crds" / name).exists():
                (repo.path / "crds" / name).unlink()
            else:
                files["README.md"] = f"docs {n}\n"
        repo.commit(f"step {n}", files)
        tag = f"v1.{n}.0"
        repo.git("tag", tag)
        made.append(tag)
    return made


def verdict(run: Callable[..., object], *args: object, **kwargs: object) -> object:
    try:
        result = run(*args, **kwargs)
    except ReleaseError as exc:
        return ("error", str(exc))
    return bool(result)


@pytest.mark.parametrize("seed", range(12))
def test_prefetch_lists_what_ls_tree_lists_and_answers_the_same(
    make_repo: Callable[..., Repo], seed: int
) -> None:
    rng = random.Random(seed)
    repo = make_repo({"README.md": "start\n"})
    repo.git("tag", "v1.0.0-pre")  # not a release tag: before any CRD
    tags = ["v1.0.0-pre", *random_history(repo, rng, 8, broken=seed % 4 == 1)]
    if seed % 3 == 0:  # a symlinked manifest and a submodule entry in the directory
        (repo.path / "crds").mkdir(exist_ok=True)
        os.symlink("a.yaml", repo.path / "crds" / "link.yaml")
        repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},crds/mod.yaml")
        repo.commit("links", {"README.md": "links\n"})
        repo.git("tag", "v2.0.0")
        tags.append("v2.0.0")
    for schema_only in (False, True):
        fetched = CrdTrees(repo.path, "crds")
        fetched.prefetch(tags)
        plain = CrdTrees(repo.path, "crds")
        for tag in tags:
            assert fetched.blobs(tag) == _manifest_blobs(repo.path, tag, "crds"), tag
        for old, new in [*itertools.pairwise(tags), (tags[0], tags[-1])]:
            expected = verdict(
                changes_between, repo.path, "crds", old, new, schema_only=schema_only,
                allow_empty=True,
            )  # fmt: skip
            got = verdict(fetched.changed, old, new, schema_only=schema_only)
            assert got == expected, (seed, old, new)
            assert verdict(plain.changed, old, new, schema_only=schema_only) == got


def test_prefetch_from_a_subdirectory_and_of_a_missing_ref(make_repo: Callable[..., Repo]) -> None:
    """Paths are relative to the root, as ls-tree run there gives them; a ref that is not a
    commit is left to blobs(), which raises as before."""
    repo = make_repo({"app/crds/a.yaml": crd("agents", ["x"], "A."),
                      "app/crds/sub/b.yaml": crd("sessions", ["y"], "B.")})  # fmt: skip
    repo.git("tag", "v1.0.0")
    root = repo.path / "app"
    trees = CrdTrees(root, "crds")
    trees.prefetch(["v1.0.0", "nope"])
    assert trees.blobs("v1.0.0") == _manifest_blobs(root, "v1.0.0", "crds")
    assert sorted(trees.blobs("v1.0.0")) == ["crds/a.yaml", "crds/sub/b.yaml"]
    with pytest.raises(ReleaseError, match="'nope' does not name a commit"):
        trees.blobs("nope")
    assert _manifest_blobs(root, "v1.0.0", "crds") == CrdTrees(root, "crds/").blobs("v1.0.0")
    assert isinstance(Path(root), Path)
