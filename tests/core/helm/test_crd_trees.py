"""CrdTrees (the history audit's reader) answers "did CRDs change" exactly as changes_between
does for every pair of tags, reading each file once."""

from __future__ import annotations

import itertools

import pytest

from conftest import Repo
from releasekit.core.common.errors import ReleaseError
from releasekit.core.helm.crd_changes import CrdTrees, changes_between

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {name}.demo.example.com
spec:
  group: demo.example.com
  names: {{kind: {kind}, plural: {name}}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: {description}
          properties:
{fields}
"""


def crd(name: str, fields: list[str], description: str = "A thing.") -> str:
    props = "".join(f"            {f}:\n              type: string\n" for f in fields)
    return CRD.format(name=name, kind=name.title(), description=description, fields=props)


@pytest.fixture
def history(make_repo) -> Repo:  # type: ignore[no-untyped-def]
    repo = make_repo({"README.md": "no CRDs yet\n"})
    repo.git("tag", "v0.1.0")
    steps: list[dict[str, str | bytes]] = [
        {"crds/a.yaml": crd("agents", ["x"])},  # CRDs appear
        {"README.md": "docs only\n"},  # nothing changes
        {"crds/a.yaml": crd("agents", ["x"], "Reworded.")},  # description only
        {"crds/b.yml": crd("sessions", ["y"])},  # a CRD added
        {"crds/a.yaml": crd("agents", ["x", "z"])},  # a field added
        {"crds/notes.txt": "not a manifest\n"},  # not a manifest
        {"crds/a.yaml": crd("agents", ["x"], "Reworded.")},  # back to an earlier blob
    ]
    for n, files in enumerate(steps, start=2):
        repo.commit(f"step {n}", files)
        repo.git("tag", f"v0.{n}.0")
    return repo


@pytest.mark.parametrize("schema_only", [False, True])
def test_same_answers_as_changes_between(history: Repo, schema_only: bool) -> None:
    tags = [f"v0.{n}.0" for n in range(1, 9)]
    trees = CrdTrees(history.path, "crds")
    for old, new in [*itertools.pairwise(tags), ("v0.1.0", "v0.8.0"), ("v0.4.0", "v0.8.0")]:
        expected = bool(
            changes_between(
                history.path, "crds", old, new, schema_only=schema_only, allow_empty=True
            )
        )
        assert trees.changed(old, new, schema_only=schema_only) == expected, (old, new)


def test_errors_are_the_same(history: Repo) -> None:
    history.commit("dup", {"crds/c.yaml": crd("agents", ["q"])})  # a second agents CRD
    history.git("tag", "v0.9.0")
    with pytest.raises(ReleaseError) as slow:
        changes_between(history.path, "crds", "v0.8.0", "v0.9.0", schema_only=False)
    with pytest.raises(ReleaseError) as fast:
        CrdTrees(history.path, "crds").changed("v0.8.0", "v0.9.0", schema_only=False)
    assert str(fast.value) == str(slow.value)
    with pytest.raises(ReleaseError) as slow:
        changes_between(history.path, "crds", "v0.8.0", "nope", schema_only=False)
    with pytest.raises(ReleaseError) as fast:
        CrdTrees(history.path, "crds").changed("v0.8.0", "nope", schema_only=False)
    assert str(fast.value) == str(slow.value)
