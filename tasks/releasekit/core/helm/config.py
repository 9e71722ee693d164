"""The ``helm:`` section of releasekit.yaml: charts to render and the images they may use,
CRD pairs, the CRD history table."""

# Annotations are objects here, not strings: see common/section.py.

from typing import Annotated, Literal

from msgspec import Meta

from ..common.excerpt import excerpt
from ..common.section import FieldError, Section, Text, each_inside_repo, inside_repo, regex

HELM_ENGINES = ("auto", "helm", "sdk")


class ChartConfig(Section, frozen=True):
    """One chart to render and check: where it is, how to render it, which images it may use."""

    path: Annotated[
        Text,
        Meta(
            description="The chart directory.",
            examples=["charts/demo"],
            extra={"needs": "a path (the chart directory, e.g. charts/demo)"},
        ),
    ]
    release_name: Annotated[
        Text, Meta(description="helm template's release name.", examples=["demo"])
    ] = "release-name"
    namespace: Annotated[
        Text, Meta(description="helm template's namespace.", examples=["demo-system"])
    ] = "default"
    values: Annotated[
        tuple[Text, ...],
        Meta(
            description="Values files, in order, as with helm -f.",
            examples=[["charts/demo/ci/values.yaml"]],
        ),
    ] = ()
    images: Annotated[
        tuple[Text, ...],
        Meta(
            description="The images the rendered chart must use: {tag} is the release tag "
            "(v0.1.8), {version} the bare version (0.1.8); an entry with @sha256:... must match "
            "that digest. With this list, an image from any other repository is a mismatch and "
            "each entry must be rendered. Without it, every image must carry the release tag or "
            "version, or a digest.",
            examples=[["ghcr.io/example/demo-operator:{tag}"]],
        ),
    ] = ()
    registries: Annotated[
        tuple[Text, ...],
        Meta(
            description="Without images: the repository prefixes accepted (whole path segments: "
            "ghcr.io/org covers ghcr.io/org/app, not ghcr.io/org-x/app).",
            examples=[["ghcr.io/example/"]],
        ),
    ] = ()
    allow: Annotated[
        tuple[Text, ...],
        Meta(
            description="Intentional exceptions, accepted as they are: a full image or a repository.",
            examples=[["ghcr.io/example/demo-agent:latest"]],
        ),
    ] = ()
    image_patterns: Annotated[
        tuple[Text, ...],
        Meta(
            description="Images hidden in strings (arguments, env values): regular expressions "
            "with one (group) around the image.",
            examples=[["--agent-image=(\\S+)"]],
        ),
    ] = ()
    app_version: Annotated[
        Text,
        Meta(
            description='How appVersion spells the release: "{tag}" (v0.1.8) or "{version}" (0.1.8).'
        ),
    ] = "{tag}"
    digests: Annotated[
        Literal["unverified", "accept"],
        Meta(
            description="An image from images rendered by digest (repo@sha256:...) cannot be "
            "shown offline to be the {tag} build: unverified fails with exit 3, accept takes any "
            "well-formed digest pin. A malformed or all-zero digest always fails."
        ),
    ] = "unverified"

    def __post_init__(self) -> None:
        inside_repo("path", self.path)
        each_inside_repo("values", self.values)  # read on every render: inside, like the chart
        for index, image in enumerate(self.images):
            _check_image(f"images[{index}]", image)
        for index, pattern in enumerate(self.image_patterns):
            if regex(f"image_patterns[{index}]", pattern) != 1:
                raise FieldError(
                    f"image_patterns[{index}]",
                    f"needs exactly one (group) around the image, got {excerpt(pattern)}",
                )
        if self.app_version.count("{tag}") + self.app_version.count("{version}") != 1:
            raise FieldError(
                "app_version",
                f"must contain {{tag}} or {{version}} once, got {excerpt(self.app_version)}",
            )


def _check_image(key: str, text: str) -> None:
    if "{tag}" not in text and "{version}" not in text and "@" not in text:
        raise FieldError(
            key, f"must contain {{tag}} or {{version}} (or pin a digest), got {excerpt(text)}"
        )
    if "@" in text:
        from ..registry.digests import digest_problem

        problem = digest_problem(text.partition("@")[2])
        if problem is not None:
            raise FieldError(key, f"pins a malformed digest: {problem}")


class CrdSync(Section, frozen=True, kw_only=False):
    """A pair of CRD directories that must hold the same CRDs (generated source, chart copy)."""

    generated: Annotated[
        Text,
        Meta(
            description="controller-gen's output directory.",
            examples=["config/crd/bases"],
            extra={"needs": "generated (a directory of CRD YAML files)"},
        ),
    ]
    chart: Annotated[
        Text,
        Meta(
            description="The chart's copy.",
            examples=["charts/demo/crds"],
            extra={"needs": "chart (a directory of CRD YAML files)"},
        ),
    ]
    ignore_annotations: Annotated[
        tuple[Text, ...],
        Meta(
            description="Annotations the chart copy adds on purpose: each must be on every chart "
            "CRD (a copy that lost it is drift); its value is not compared unless the generated "
            "CRD has it too.",
            examples=[["helm.sh/resource-policy"]],
        ),
    ] = ()
    fix: Annotated[
        str, Meta(description="The command printed when they drift.", examples=["make helm-sync"])
    ] = ""

    def __post_init__(self) -> None:
        inside_repo("generated", self.generated)
        inside_repo("chart", self.chart)


CHARTS_EXAMPLE = [
    {
        "path": "charts/demo",
        "release_name": "demo",
        "namespace": "demo-system",
        "values": ["charts/demo/ci/values.yaml"],
        "images": ["ghcr.io/example/demo-operator:{tag}"],
        "registries": ["ghcr.io/example/"],
        "allow": ["ghcr.io/example/demo-agent:latest"],
        "image_patterns": ["--agent-image=(\\S+)"],
        "app_version": "{tag}",
        "digests": "unverified",
    }
]
CRDS_EXAMPLE = [
    {
        "generated": "config/crd/bases",
        "chart": "charts/demo/crds",
        "ignore_annotations": ["helm.sh/resource-policy"],
        "fix": "make helm-sync",
    }
]


class HelmConfig(Section, frozen=True):
    """Helm charts and CRDs (verify.helm-template, verify.chart, verify.chart-sync,
    verify.crd-changes, docs.crd-history, release.bump-chart/package-chart/push-chart)."""

    engine: Annotated[
        Literal["auto", "helm", "sdk"],
        Meta(
            description="Which Helm renders and packages: the helm binary, helm-python-sdk "
            "(pip install 'releasekit[helm]'), or auto (the binary when on PATH, else the SDK).",
            extra={"expected": "one of auto, helm, sdk"},
        ),
    ] = "auto"
    charts: Annotated[
        tuple[ChartConfig, ...],
        Meta(
            description="The charts to check. Without this list, every Chart.yaml in the "
            "repository is checked with the defaults.",
            examples=[CHARTS_EXAMPLE],
        ),
    ] = ()
    crds: Annotated[
        tuple[CrdSync, ...],
        Meta(
            description="CRD directories that must hold the same CRDs (verify.chart-sync); the "
            "first generated directory is also where verify.crd-changes and docs.crd-history "
            "read CRDs.",
            examples=[CRDS_EXAMPLE],
        ),
    ] = ()
    crd_history: Annotated[
        Text,
        Meta(description='The Markdown file with the "Version History with CRD Changes" table.'),
    ] = "docs/upgrading.md"
    plain_http: Annotated[
        bool,
        Meta(
            description="Talk HTTP instead of HTTPS to registries (release.push-chart); for local registries only."
        ),
    ] = False

    def __post_init__(self) -> None:
        inside_repo("crd_history", self.crd_history)
