"""The ``notes:`` section of releasekit.yaml as declared models (msgspec).

Which outline ``release.notes`` writes, where its entries come from, and the facts of a
release that no history holds: how to install and upgrade the charts, where the upgrade guide
and the installation docs are, the support level. Field names are the YAML keys.
"""

# Annotations are objects here, not strings: see common/section.py.

import re
from typing import Annotated, Literal

import msgspec

from ..common.regex import BadRegex, compile_regex
from ..common.section import Section

OUTLINES = ("highlights", "changelog-driven")
DEFAULT_GROUPS = {
    "feat": "New Features",
    "fix": "Bug Fixes",
    "revert": "Bug Fixes",
    "refactor": "Refactoring",
    "perf": "Refactoring",
    "deps": "Dependencies",
}
DEFAULT_UNSTABLE_API = (
    "This is a v0.x release: its v1alpha1 APIs are experimental and may change in later minor "
    "releases."
)
_PLACEHOLDERS = ("{tag}", "{version}", "{previous}")


def _check_template(text: str, what: str, allowed: tuple[str, ...] = _PLACEHOLDERS) -> None:
    unknown = [p for p in re.findall(r"\{[^{}]*\}", text) if p not in allowed]
    if unknown:
        raise ValueError(
            f"{what} {text!r} has unknown placeholder {unknown[0]}; use {', '.join(allowed)}"
        )


class Chart(Section, frozen=True, kw_only=True):
    """A chart the notes tell users to install and upgrade (seed 000's Installation)."""

    reference: Annotated[
        str,
        msgspec.Meta(
            examples=["oci://quay.io/kubeopencode/helm-charts/kubeopencode"],
            description="the chart's OCI reference with its name, "
            "e.g. oci://quay.io/kubeopencode/helm-charts/kubeopencode",
        ),
    ]
    release: Annotated[
        str,
        msgspec.Meta(
            examples=["kubeopencode"],
            description="the Helm release name in the commands, e.g. kubeopencode",
        ),
    ]
    namespace: Annotated[
        str, msgspec.Meta(description="namespace of the install and upgrade commands")
    ] = "default"
    version: Annotated[
        str,
        msgspec.Meta(description="chart version in the commands ({version}, {tag}, or literal)"),
    ] = "{version}"

    def __post_init__(self) -> None:
        if not self.reference.startswith("oci://") or "@" in self.reference:
            raise ValueError(
                f"reference {self.reference!r} must be oci://host/path/chart without credentials"
            )
        _check_template(self.version, "version", ("{tag}", "{version}"))


class NotesConfig(Section, frozen=True, kw_only=True):
    """The ``notes:`` section: outline, sources and the facts the notes state."""

    outline: Annotated[
        Literal["highlights", "changelog-driven"],
        msgspec.Meta(
            description="highlights (Highlights, Breaking Changes, New Features, ..., "
            "Installation, All Changes) or changelog-driven (Summary, Breaking Changes, Upgrade "
            "Notes, Images, Verification, Known Limitations, Changelog)"
        ),
    ] = "highlights"
    template: Annotated[
        str | None,
        msgspec.Meta(
            description="your own Jinja2 outline (a path in the repository); it gets the "
            "context `release.notes --json` prints"
        ),
    ] = None
    source: Annotated[
        Literal["auto", "commits", "changelog"],
        msgspec.Meta(
            description="where the changelog-driven outline's entries come from: the version's "
            "section of the Keep a Changelog file, the commits, or auto (the file when it has "
            "the section)"
        ),
    ] = "auto"
    groups: Annotated[
        dict[str, str],
        msgspec.Meta(
            description="commit type -> section; the scope deps (chore(deps): ...) goes to "
            "the deps entry's section; other types appear under All Changes only"
        ),
    ] = msgspec.field(default_factory=lambda: dict(DEFAULT_GROUPS))
    exclude: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="regexes on the subject of commits the notes leave out"),
    ] = ()
    charts: Annotated[
        tuple[Chart, ...],
        msgspec.Meta(
            examples=[
                [
                    {
                        "reference": "oci://quay.io/kubeopencode/helm-charts/kubeopencode",
                        "release": "kubeopencode",
                        "namespace": "kubeopencode-system",
                    }
                ]
            ],
            description="charts to install and upgrade (default: registry.charts with the "
            "release name and namespace of their helm.charts entry)",
        ),
    ] = ()
    compare_url: Annotated[
        str | None,
        msgspec.Meta(
            description="the Full Changelog link, e.g. https://github.com/o/r/compare/"
            "{previous}...{tag} (default: from the forge: section)"
        ),
    ] = None
    upgrade_guide: Annotated[
        str | None,
        msgspec.Meta(description="link to the upgrade guide, named with every CRD change"),
    ] = None
    install_docs: Annotated[
        str | None, msgspec.Meta(description="link to the installation documentation")
    ] = None
    changelog_url: Annotated[
        str | None,
        msgspec.Meta(
            description="link to the changelog, e.g. https://github.com/o/r/blob/{tag}/CHANGELOG.md"
        ),
    ] = None
    support: Annotated[
        str | None,
        msgspec.Meta(description="support level stated in the Summary, e.g. 'community support'"),
    ] = None
    unstable_api: Annotated[
        str | None,
        msgspec.Meta(description="the sentence every 0.x release states (null: none)"),
    ] = DEFAULT_UNSTABLE_API
    known_limitations: Annotated[
        str | None,
        msgspec.Meta(
            description="text of Known Limitations (null: a placeholder that "
            "release.notes --check refuses until someone writes it)"
        ),
    ] = None

    def __post_init__(self) -> None:
        for pattern in self.exclude:
            try:
                compile_regex(pattern)
            except BadRegex as exc:
                raise ValueError(
                    f"exclude {pattern!r} is not a regular expression: {exc}"
                ) from None
        for name in ("compare_url", "changelog_url", "upgrade_guide", "install_docs"):
            value = getattr(self, name)
            if value is not None:
                _check_template(value, name)
        if self.compare_url is not None and "{tag}" not in self.compare_url:
            raise ValueError(f"compare_url {self.compare_url!r} must contain {{tag}}")
        if self.template is not None and (
            self.template.startswith("/") or ".." in self.template.split("/")
        ):
            raise ValueError(f"template {self.template!r} must be a path inside the repository")
        for kind, title in self.groups.items():
            if not title.strip():
                raise ValueError(f"groups.{kind} must name a section, got {title!r}")
