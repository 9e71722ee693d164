"""Image references and the image rules, on parsed data (rendering is tested in integration)."""

from __future__ import annotations

import pytest

from releasekit.core.config import ChartConfig
from releasekit.core.helm.engines import Manifest
from releasekit.core.helm.images import (
    FoundImage,
    check_images,
    describe,
    find_images,
    parse_image,
)


@pytest.mark.parametrize(
    ("text", "repository", "tag", "digest"),
    [
        ("busybox", "busybox", None, None),
        ("busybox:1.36", "busybox", "1.36", None),
        ("ghcr.io/org/app:v0.1.8", "ghcr.io/org/app", "v0.1.8", None),
        ("localhost:5000/app", "localhost:5000/app", None, None),
        ("localhost:5000/app:1.0", "localhost:5000/app", "1.0", None),
        ("quay.io/a/b@sha256:" + "0" * 64, "quay.io/a/b", None, "sha256:" + "0" * 64),
        ("quay.io/a/b:v1@sha256:" + "1" * 64, "quay.io/a/b", "v1", "sha256:" + "1" * 64),
        ("registry:443/ns/app:", "registry:443/ns/app", None, None),
    ],
)
def test_parse_image(text: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(text)
    assert (ref.repository, ref.tag, ref.digest) == (repository, tag, digest)


POD = """\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      initContainers: [{name: wait, image: "busybox:1.36"}]
      containers:
        - name: migrate
          image: ghcr.io/org/app:v1.0.0
          env:
            - {name: SIDECAR, value: "--sidecar-image=ghcr.io/org/sidecar:v0.9.0"}
---
# an empty document and a list document are skipped
---
- 1
"""


def test_find_images_in_every_container_list_and_patterns() -> None:
    found = find_images([Manifest("c/templates/job.yaml", POD)], [r"--sidecar-image=(\S+)"])
    assert [(f.where, f.image) for f in found] == [
        ("Job/migrate initContainer wait", "busybox:1.36"),
        ("Job/migrate container migrate", "ghcr.io/org/app:v1.0.0"),
        ("Job/migrate container migrate env[0].value", "ghcr.io/org/sidecar:v0.9.0"),
    ]


def _found(image: str) -> FoundImage:
    return FoundImage("t.yaml", "Deployment", "d", "container c", image)


def test_registries_allow_list_and_version_spelling() -> None:
    chart = ChartConfig(
        path="c", registries=("ghcr.io/org/",), allow=("docker.io/library/redis:7",)
    )
    checks = check_images(
        [
            _found("ghcr.io/org/app:1.0.0"),
            _found("ghcr.io/org/app:v1.0.0"),
            _found("ghcr.io/other/app:v1.0.0"),
            _found("docker.io/library/redis:7"),
            _found("ghcr.io/org/app:v0.9.0"),
        ],
        chart,
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["ok", "ok", "not-allowed", "allowed", "wrong-tag"]


def test_expected_images_require_their_spelling_digest_and_presence() -> None:
    chart = ChartConfig(
        path="c",
        images=(
            "ghcr.io/org/app:{version}",
            "ghcr.io/org/side@sha256:" + "a" * 64,
            "ghcr.io/org/never:{tag}",
        ),
    )
    checks = check_images(
        [_found("ghcr.io/org/app:v1.0.0"), _found("ghcr.io/org/side@sha256:" + "b" * 64)],
        chart,
        "v1.0.0",
        "1.0.0",
    )
    assert [(c.verdict, c.expected) for c in checks] == [
        ("wrong-tag", "ghcr.io/org/app:1.0.0"),
        ("wrong-tag", "ghcr.io/org/side@sha256:" + "a" * 64),
        ("missing", "ghcr.io/org/never:v1.0.0"),
    ]


def test_registry_prefix_without_slash_matches_whole_path_segments_only() -> None:
    chart = ChartConfig(path="c", registries=("ghcr.io/org",))
    checks = check_images(
        [_found("ghcr.io/org/app:v1.0.0"), _found("ghcr.io/org-evil/app:v1.0.0")],
        chart,
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["ok", "not-allowed"]


def test_a_digest_pin_that_also_names_an_old_tag_is_a_mismatch() -> None:
    digest = "@sha256:" + "c" * 64
    checks = check_images(
        [
            _found("ghcr.io/org/app:v0.9.0" + digest),
            _found("ghcr.io/org/app:v1.0.0" + digest),
            _found("ghcr.io/org/app" + digest),
        ],
        ChartConfig(path="c"),
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["wrong-tag", "pinned", "pinned"]
    assert describe(checks[0]).endswith("(expected ghcr.io/org/app:v1.0.0)")


# --- issue 10: a digest is only a pin when it is one, and only confirms a tag when told so ---

ZERO = "sha256:" + "0" * 64


@pytest.mark.parametrize(
    ("digest", "problem"),
    [
        ("sha256:abc", "sha256 needs 64 lowercase hex digits"),
        (ZERO, "all zeros"),
        ("sha256:" + "A" * 64, "sha256 needs 64 lowercase hex digits"),
        ("md5:" + "a" * 32, "unregistered algorithm md5"),
        ("sha256", "not a digest"),
        ("sha256:" + "g" * 64, "sha256 needs 64 lowercase hex digits"),
        ("sha512:" + "0" * 127 + "1", None),
        ("sha256:" + "e6a3" * 16, None),
    ],
)
def test_digest_problem_follows_the_oci_grammar_and_registered_algorithms(
    digest: str, problem: str | None
) -> None:
    from releasekit.core.registry.digests import digest_problem

    found = digest_problem(digest)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_a_malformed_or_all_zero_digest_is_never_pinned() -> None:
    checks = check_images(
        [
            _found("ghcr.io/org/app@" + ZERO),
            _found("ghcr.io/org/app@sha256:abc"),
            _found("ghcr.io/org/app:v1.0.0@sha256:abc"),
        ],
        ChartConfig(path="c"),
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["bad-digest", "bad-digest", "bad-digest"]
    assert not any(c.ok for c in checks)
    assert describe(checks[1]) == (
        "MISMATCH Deployment/d container c: ghcr.io/org/app@sha256:abc has a malformed digest "
        "(sha256 needs 64 lowercase hex digits, got 3 characters)"
    )


def test_a_digest_against_a_tag_expectation_is_unverified_not_pinned() -> None:
    chart = ChartConfig(path="c", images=("ghcr.io/org/app:{tag}", "ghcr.io/org/side:{tag}"))
    good = "sha256:" + "e6a3" * 16
    checks = check_images(
        [
            _found("ghcr.io/org/app@" + ZERO),
            _found("ghcr.io/org/app@sha256:abc"),
            _found("ghcr.io/org/side@" + good),
            _found("ghcr.io/org/side:v1.0.0@" + good),
        ],
        chart,
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["bad-digest", "bad-digest", "unverified", "unverified"]
    assert not any(c.ok for c in checks)
    assert describe(checks[2]) == (
        "UNVERIFIED Deployment/d container c: ghcr.io/org/side@" + good + " is pinned by digest; "
        "nothing offline shows it is ghcr.io/org/side:v1.0.0 (set digests: accept on the chart "
        "to accept digest pins of expected images)"
    )


def test_digests_accept_takes_a_well_formed_digest_pin_of_an_expected_image() -> None:
    chart = ChartConfig(path="c", images=("ghcr.io/org/app:{tag}",), digests="accept")
    good = "sha256:" + "e6a3" * 16
    checks = check_images(
        [
            _found("ghcr.io/org/app@" + good),
            _found("ghcr.io/org/app@" + ZERO),
            _found("ghcr.io/org/app:v0.9.0@" + good),
        ],
        chart,
        "v1.0.0",
        "1.0.0",
    )
    assert [c.verdict for c in checks] == ["pinned", "bad-digest", "wrong-tag"]
