"""Engine-independent pieces: helm template output splitting and Helm's values merge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.helm.engines import Manifest, deep_merge, split_helm_output
from releasekit.core.helm.images import parse_image

# The shape `helm template` prints: "---" then "# Source: <chart>/templates/<file>" per document.
HELM_TEMPLATE_OUTPUT = """\
---
# Source: demo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: demo
---
# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
---
# Source: demo/templates/deployment.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: second-doc-same-file
"""


def test_split_helm_output_groups_documents_by_source() -> None:
    manifests = split_helm_output(HELM_TEMPLATE_OUTPUT)
    assert [m.source for m in manifests] == [
        "demo/templates/deployment.yaml",
        "demo/templates/service.yaml",
    ]
    deployment = manifests[0]
    assert isinstance(deployment, Manifest)
    assert deployment.text.count("---\n") == 2
    assert "second-doc-same-file" in deployment.text


def test_deep_merge_merges_maps_and_replaces_the_rest() -> None:
    base = {"image": {"repository": "a", "tag": ""}, "args": ["x"], "n": 1}
    merged = deep_merge(base, {"image": {"tag": "v1"}, "args": ["y"], "extra": {"k": 1}})
    assert merged == {
        "image": {"repository": "a", "tag": "v1"},
        "args": ["y"],
        "n": 1,
        "extra": {"k": 1},
    }
    assert base["image"] == {"repository": "a", "tag": ""}


_name = st.from_regex(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", fullmatch=True)
_tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
_digest = st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)


@given(
    registry=st.one_of(
        st.none(), st.sampled_from(["ghcr.io", "localhost:5000", "quay.io", "10.0.0.1:443"])
    ),
    path=st.lists(_name, min_size=1, max_size=3),
    tag=st.one_of(st.none(), _tag),
    digest=st.one_of(st.none(), _digest),
)
def test_parse_image_round_trips(
    registry: str | None, path: list[str], tag: str | None, digest: str | None
) -> None:
    repository = "/".join(([registry] if registry else []) + path)
    text = repository + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
    ref = parse_image(text)
    assert (ref.repository, ref.tag, ref.digest) == (repository, tag, digest)
