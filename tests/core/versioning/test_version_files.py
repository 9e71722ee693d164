"""Golden before/after bytes for every target kind, and every refusal leaving files unchanged."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from releasekit.core.common.errors import FileFormatError, ReleaseError, TargetError, VersionError
from releasekit.core.common.textfile import write_all
from releasekit.core.config import VersionFile
from releasekit.core.versioning.bump import plan_bump
from releasekit.core.versioning.locate import compile_pattern
from releasekit.core.versioning.version_files import check_versions

TODAY = dt.date(2026, 11, 21)


def bump(root: Path, targets: list[VersionFile], version: str, **kw: object) -> None:
    plan = plan_bump(root, targets, version, today=TODAY, **kw)  # type: ignore[arg-type]
    write_all(plan.edits)


def tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


CHART_BEFORE = b"""\
apiVersion: v2
name: demo
description: >-
  A chart with a long description that a YAML dumper would fold at a different column than the author did.
# version is the chart version
version: 0.1.7   # bumped by releasekit
appVersion: "v0.1.7"
kubeVersion: '>=1.28.0-0'
dependencies:
  - name: sub
    version: 0.1.7
    repository: file://../sub
annotations:
  artifacthub.io/changes: |
    - version 0.1.7
"""
CHART_AFTER = CHART_BEFORE.replace(b"version: 0.1.7   #", b"version: 0.1.8   #").replace(
    b'appVersion: "v0.1.7"', b'appVersion: "v0.1.8"'
)

GOLDEN = [
    pytest.param(
        {
            "Makefile": b"# build\nOPENCODE_VERSION ?= 1.15.13\nVERSION ?= 0.1.7\nIMG ?= x:v$(VERSION)\n\nall:\n\techo $(VERSION)\n"
        },
        [VersionFile("Makefile", pattern="VERSION ?= {version}")],
        {
            "Makefile": b"# build\nOPENCODE_VERSION ?= 1.15.13\nVERSION ?= 0.1.8\nIMG ?= x:v$(VERSION)\n\nall:\n\techo $(VERSION)\n"
        },
        id="makefile-pattern-anchored-tabs-kept",
    ),
    pytest.param(
        {"charts/demo/Chart.yaml": CHART_BEFORE},
        [
            VersionFile("charts/demo/Chart.yaml", key=("version",)),
            VersionFile("charts/demo/Chart.yaml", key=("appVersion",)),
        ],
        {"charts/demo/Chart.yaml": CHART_AFTER},
        id="chart-yaml-top-level-keys-only",
    ),
    pytest.param(
        {"Chart.yaml": b"apiVersion: v2\r\nversion: 0.1.7\r\nappVersion: 0.1.7\r\n"},
        [VersionFile("Chart.yaml", key=("appVersion",), format="v{version}")],
        {"Chart.yaml": b"apiVersion: v2\r\nversion: 0.1.7\r\nappVersion: v0.1.8\r\n"},
        id="crlf-and-format-enforced",
    ),
    pytest.param(
        {
            "CITATION.cff": b"\xef\xbb\xbfcff-version: 1.2.0\nversion: 0.1.7\ndate-released: 2026-01-02\ntitle: x"
        },
        [
            VersionFile("CITATION.cff", key=("version",)),
            VersionFile("CITATION.cff", key=("date-released",), format="{date}"),
        ],
        {
            "CITATION.cff": b"\xef\xbb\xbfcff-version: 1.2.0\nversion: 0.1.8\ndate-released: 2026-11-21\ntitle: x"
        },
        id="bom-no-final-newline-cff-version-untouched-date",
    ),
    pytest.param(
        {
            ".release-please-manifest.json": b'{\n    ".": "0.1.7",\n    "charts/demo": "1.0.0",\n    "a": {"version": "0.1.7"}\n}\n'
        },
        [VersionFile(".release-please-manifest.json", key=(".",))],
        {
            ".release-please-manifest.json": b'{\n    ".": "0.1.8",\n    "charts/demo": "1.0.0",\n    "a": {"version": "0.1.7"}\n}\n'
        },
        id="json-dotted-key-indent-and-order-kept",
    ),
    pytest.param(
        {
            "package-lock.json": b'{\n  "name": "ui",\n  "version": "0.1.7",\n  "packages": {\n    "": {\n      "name": "ui",\n      "version": "0.1.7"\n    },\n    "node_modules/x": {\n      "version": "0.1.7"\n    }\n  }\n}\n'
        },
        [
            VersionFile("package-lock.json", key=("version",)),
            VersionFile("package-lock.json", key=("packages", "", "version")),
        ],
        {
            "package-lock.json": b'{\n  "name": "ui",\n  "version": "0.1.8",\n  "packages": {\n    "": {\n      "name": "ui",\n      "version": "0.1.8"\n    },\n    "node_modules/x": {\n      "version": "0.1.7"\n    }\n  }\n}\n'
        },
        id="package-lock-root-package-under-the-empty-key",
    ),
    pytest.param(
        {"package.json": b'{"name":"x","version":"v0.1.7","nested":{"version":"0.1.7"}}'},
        [VersionFile("package.json", key=("nested", "version"))],
        {"package.json": b'{"name":"x","version":"v0.1.7","nested":{"version":"0.1.8"}}'},
        id="json-compact-nested-key",
    ),
    pytest.param(
        {
            "pyproject.toml": b"[project]\nname = 'x'  # name\nversion = '0.1.7'  # c\n\n[tool.other]\nversion = \"0.1.7\"\n"
        },
        [VersionFile("pyproject.toml", key=("project", "version"))],
        {
            "pyproject.toml": b"[project]\nname = 'x'  # name\nversion = '0.1.8'  # c\n\n[tool.other]\nversion = \"0.1.7\"\n"
        },
        id="toml-literal-string-only-project-table",
    ),
    pytest.param(
        {
            "docs/a.md": b"Run DEMO_VERSION=v0.1.7 make\n",
            "docs/sub/b.md": b"DEMO_VERSION=0.1.7 and DEMO_VERSION=0.1.7\n",
            "docs/c.md": b"no version here\n",
        },
        [VersionFile("docs/**/*.md", pattern="DEMO_VERSION={version}")],
        {
            "docs/a.md": b"Run DEMO_VERSION=v0.1.8 make\n",
            "docs/sub/b.md": b"DEMO_VERSION=0.1.8 and DEMO_VERSION=0.1.8\n",
            "docs/c.md": b"no version here\n",
        },
        id="glob-every-occurrence-spelling-kept",
    ),
    pytest.param(
        {"values.yaml": b"image:\n  repository: ghcr.io/x/y\n  tag: 'v0.1.7' # pinned\n"},
        [VersionFile("values.yaml", key=("image", "tag"))],
        {"values.yaml": b"image:\n  repository: ghcr.io/x/y\n  tag: 'v0.1.8' # pinned\n"},
        id="yaml-nested-single-quoted",
    ),
    pytest.param(
        {"CLAUDE.md": b"- **Version**: v0.1.7\n- **Last Updated**: 2026-01-02\n"},
        [
            VersionFile("CLAUDE.md", pattern="**Version**: {version}"),
            VersionFile("CLAUDE.md", pattern="**Last Updated**: {date}"),
        ],
        {"CLAUDE.md": b"- **Version**: v0.1.8\n- **Last Updated**: 2026-11-21\n"},
        id="markdown-status-and-date",
    ),
    pytest.param(
        {
            "values.yaml": b"base: &base\n  tag: 0.1.7\n  pull: Always\nprod:\n  <<: *base\n  extra: *base\n"
        },
        [VersionFile("values.yaml", key=("base", "tag"))],
        {
            "values.yaml": b"base: &base\n  tag: 0.1.8\n  pull: Always\nprod:\n  <<: *base\n  extra: *base\n"
        },
        id="yaml-anchor-merge-and-alias-elsewhere-kept",
    ),
    pytest.param(
        {
            "values.yaml": b"image: {repository: ghcr.io/x/y,\n  tag: 0.1.7}\nlist: [\n  0.1.7,\n  1.0.0]\n"
        },
        [
            VersionFile("values.yaml", key=("image", "tag")),
            VersionFile("values.yaml", key=("list", "0")),
        ],
        {
            "values.yaml": b"image: {repository: ghcr.io/x/y,\n  tag: 0.1.8}\nlist: [\n  0.1.8,\n  1.0.0]\n"
        },
        id="yaml-flow-collections-over-several-lines",
    ),
    pytest.param(
        # ruamel counts a lone CR (here inside a quoted string) as a line break: counting only
        # LF put the edit one line down, on kubever's same-column 1.28.0
        {"Chart.yaml": b'description: "x\ry"\nversion: 0.1.7\nkubever: 1.28.0\n'},
        [VersionFile("Chart.yaml", key=("version",))],
        {"Chart.yaml": b'description: "x\ry"\nversion: 0.1.8\nkubever: 1.28.0\n'},
        id="yaml-lone-cr-before-the-key",
    ),
    pytest.param(
        {"Chart.yaml": 'm: {d: "a\ufeffb", version: 0.1.7}\n'.encode()},
        [VersionFile("Chart.yaml", key=("m", "version"))],
        {"Chart.yaml": 'm: {d: "a\ufeffb", version: 0.1.8}\n'.encode()},
        id="yaml-zero-width-no-break-space-earlier-on-the-line",
    ),
    pytest.param(
        {"Dockerfile": b'ARG VERSION="0.1.7"\n'},
        [VersionFile("Dockerfile", pattern="ARG VERSION={version}")],
        {"Dockerfile": b'ARG VERSION="0.1.8"\n'},
        id="quotes-around-placeholder-kept",
    ),
]


@pytest.mark.parametrize(("before", "targets", "after"), GOLDEN)
def test_bump_golden_bytes(
    tmp_path: Path, before: dict[str, bytes], targets: list[VersionFile], after: dict[str, bytes]
) -> None:
    root = tree(tmp_path, before)
    bump(root, targets, "0.1.8")
    assert snapshot(root) == after
    assert all(
        check.ok
        for check in check_versions(
            root, targets, plan_bump(root, targets, "0.1.8", today=TODAY).new_version
        )
    )


def test_symlinked_file_is_edited_once_through_its_target(tmp_path: Path) -> None:
    root = tree(tmp_path, {"CLAUDE.md": b"- **Version**: v0.1.7\n"})
    (root / "AGENTS.md").symlink_to("CLAUDE.md")
    targets = [VersionFile("*.md", pattern="**Version**: {version}")]
    plan = plan_bump(root, targets, "0.1.8", today=TODAY)
    assert [edit.path for edit in plan.edits] == ["CLAUDE.md"]
    assert [change.occurrence.location for change in plan.changes] == ["CLAUDE.md:1"]
    write_all(plan.edits)
    assert (root / "AGENTS.md").is_symlink() and os.readlink(root / "AGENTS.md") == "CLAUDE.md"
    assert (root / "CLAUDE.md").read_bytes() == b"- **Version**: v0.1.8\n"


def test_file_mode_is_kept(tmp_path: Path) -> None:
    root = tree(tmp_path, {"hack/version.sh": b"#!/bin/sh\nVERSION=0.1.7\n"})
    (root / "hack/version.sh").chmod(0o755)
    bump(root, [VersionFile("hack/version.sh", pattern="VERSION={version}")], "0.1.8")
    assert (root / "hack/version.sh").stat().st_mode & 0o777 == 0o755


def test_out_of_step_targets_are_reported_and_set(tmp_path: Path) -> None:
    root = tree(
        tmp_path, {"Makefile": b"VERSION ?= 0.1.7\n", "agents/Makefile": b"VERSION ?= 0.1.6\n"}
    )
    targets = [
        VersionFile("Makefile", pattern="VERSION ?= {version}"),
        VersionFile("agents/Makefile", pattern="VERSION ?= {version}"),
    ]
    plan = plan_bump(root, targets, "patch", today=TODAY)
    assert str(plan.current) == "0.1.7" and str(plan.new_version) == "0.1.8"
    assert [o.location for o in plan.out_of_step] == ["agents/Makefile:1"]
    write_all(plan.edits)
    assert (root / "agents/Makefile").read_bytes() == b"VERSION ?= 0.1.8\n"


def test_bump_to_the_present_version_is_a_noop(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"Makefile": b"VERSION ?= 0.1.8\n", "CLAUDE.md": b"**Last Updated**: 2026-01-02\n"},
    )
    targets = [
        VersionFile("Makefile", pattern="VERSION ?= {version}"),
        VersionFile("CLAUDE.md", pattern="**Last Updated**: {date}"),
    ]
    plan = plan_bump(root, targets, "v0.1.8", today=TODAY)
    assert plan.is_noop and plan.changes == ()


def test_pattern_never_matches_inside_a_longer_name_or_version() -> None:
    regex = compile_pattern("VERSION ?= {version}")
    text = "OPENCODE_VERSION ?= 1.15.13\nAGENT-VERSION ?= 2.0.0\nVERSION ?= 1.2.3.4\nVERSION ?= 1.2.3\n"
    assert [m.group("token") for m in regex.finditer(text)] == ["1.2.3"]


BAD_INPUT = [
    pytest.param(
        {"Makefile": b"VER = 0.1.7\n"},
        [VersionFile("Makefile", pattern="VERSION ?= {version}")],
        "0.1.8",
        TargetError,
        "Makefile: pattern 'VERSION ?= {version}' not found",
        id="pattern-missing",
    ),
    pytest.param(
        {"Chart.yaml": b"apiVersion: v2\nversion: 0.1.7\n"},
        [VersionFile("Chart.yaml", key=("appVersion",))],
        "0.1.8",
        TargetError,
        "Chart.yaml: key appVersion not found",
        id="key-missing",
    ),
    pytest.param(
        {},
        [VersionFile("Chart.yaml", key=("version",))],
        "0.1.8",
        TargetError,
        "Chart.yaml: file not found",
        id="file-missing",
    ),
    pytest.param(
        {"a.md": b"x\n"},
        [VersionFile("docs/*.md", pattern="V={version}")],
        "0.1.8",
        TargetError,
        "path 'docs/*.md' matches no file",
        id="glob-matches-nothing",
    ),
    pytest.param(
        {"docs/a.md": b"x\n"},
        [VersionFile("docs/*.md", pattern="V={version}")],
        "0.1.8",
        TargetError,
        "no file matching 'docs/*.md' contains 'V={version}'",
        id="glob-contains-nothing",
    ),
    pytest.param(
        {"Chart.yaml": b"version: 0.1.7\nappVersion: [oops\n"},
        [VersionFile("Chart.yaml", key=("version",))],
        "0.1.8",
        FileFormatError,
        "Chart.yaml:3: not valid YAML",
        id="broken-yaml",
    ),
    pytest.param(
        {"m.json": b'{".": "0.1.7",}'},
        [VersionFile("m.json", key=(".",))],
        "0.1.8",
        FileFormatError,
        "m.json:1: not valid JSON",
        id="broken-json",
    ),
    pytest.param(
        {"p.toml": b"[project\nversion = '1'\n"},
        [VersionFile("p.toml", key=("project", "version"))],
        "0.1.8",
        FileFormatError,
        "p.toml:1: not valid TOML",
        id="broken-toml",
    ),
    pytest.param(
        {"Chart.yaml": b"appVersion: latest\n"},
        [VersionFile("Chart.yaml", key=("appVersion",))],
        "0.1.8",
        TargetError,
        "Chart.yaml:1: 'latest' is not a SemVer version",
        id="value-not-a-version",
    ),
    pytest.param(
        {"Chart.yaml": b"version: 0.1.7\n"},
        [VersionFile("Chart.yaml", key=("version",))],
        "0.1",
        VersionError,
        "'0.1' is neither a version nor one of",
        id="bad-requested-version",
    ),
    pytest.param(
        {"Chart.yaml": b"version: 0.1.7\n"},
        [VersionFile("Chart.yaml", key=("version",))],
        "0.1.6",
        VersionError,
        "0.1.6 is lower than the current version 0.1.7 (Chart.yaml:1); pass --allow-downgrade",
        id="downgrade",
    ),
    pytest.param(
        {"Makefile": b"\xff\xfeVERSION ?= 0.1.7\n"},
        [VersionFile("Makefile", pattern="VERSION ?= {version}")],
        "0.1.8",
        FileFormatError,
        "Makefile:1: not UTF-8 text",
        id="not-utf8",
    ),
    pytest.param(
        {"x.ini": b"version=0.1.7\n"},
        [VersionFile("x.ini", key=("version",))],
        "0.1.8",
        TargetError,
        "x.ini: cannot tell the file format",
        id="unknown-key-format",
    ),
    pytest.param(
        {"Chart.yaml": b"version: |\n  0.1.7\n"},
        [VersionFile("Chart.yaml", key=("version",))],
        "0.1.8",
        TargetError,
        "Chart.yaml:1: the value is a block scalar",
        id="block-scalar",
    ),
    pytest.param(
        {"values.yaml": b"base: &base\n  tag: 0.1.7\nprod:\n  <<: *base\n  replicas: 2\n"},
        [VersionFile("values.yaml", key=("prod", "tag"))],
        "0.1.8",
        TargetError,
        "values.yaml:4: key prod.tag is inherited through a YAML merge key (<<)",
        id="key-inherited-through-merge-key",
    ),
    pytest.param(
        {"deploy.yaml": b"---\nkind: Service\n---\nkind: Deployment\nversion: 0.1.7\n"},
        [VersionFile("deploy.yaml", key=("version",))],
        "0.1.8",
        FileFormatError,
        "deploy.yaml:3: a second YAML document starts here; a key target needs a "
        "single-document file — use a pattern target for multi-document YAML",
        id="multi-document-yaml-key-target",
    ),
    pytest.param(
        {
            "charts/a/Chart.yaml": b"version: 0.1.7\n",
            "charts/b/Chart.yaml": b"version: &v 0.1.7\nappVersion: *v\n",
            "charts/c/Chart.yaml": b"name: no-version-here\n",
        },
        [VersionFile("charts/*/Chart.yaml", key=("version",))],
        "0.1.8",
        TargetError,
        "charts/b/Chart.yaml:1: the value is a block scalar, alias or tagged value",
        id="glob-key-target-never-skips-a-value-it-cannot-edit",
    ),
    pytest.param(
        {"Chart.yaml": b"image: {tag: 0.1.7}\n"},
        [VersionFile("Chart.yaml", key=("image",))],
        "0.1.8",
        TargetError,
        "Chart.yaml: image is not a scalar value",
        id="key-points-at-mapping",
    ),
    pytest.param(
        {"a.yaml": b"version: 0.1.7\n", "b.yaml": b"version: 0.1.7\n"},
        [
            VersionFile("a.yaml", key=("version",)),
            VersionFile("b.yaml", key=("version",)),
            VersionFile("c.yaml", key=("version",)),
        ],
        "0.1.8",
        TargetError,
        "c.yaml: file not found",
        id="last-of-three-missing",
    ),
]


@pytest.mark.parametrize(("files", "targets", "version", "error", "message"), BAD_INPUT)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    tmp_path: Path,
    files: dict[str, bytes],
    targets: list[VersionFile],
    version: str,
    error: type[ReleaseError],
    message: str,
) -> None:
    root = tree(tmp_path, files)
    before = snapshot(root)
    with pytest.raises(error) as info:
        bump(root, targets, version)
    assert message in str(info.value)
    assert snapshot(root) == before


def test_two_targets_disagreeing_on_one_token_is_an_error(tmp_path: Path) -> None:
    root = tree(tmp_path, {"Chart.yaml": b"appVersion: 0.1.7\n"})
    targets = [
        VersionFile("Chart.yaml", key=("appVersion",)),
        VersionFile("Chart.yaml", key=("appVersion",), format="v{version}"),
    ]
    with pytest.raises(TargetError, match=r"want '0\.1\.8' and 'v0\.1\.8' in the same place"):
        bump(root, targets, "0.1.8")
    assert (root / "Chart.yaml").read_bytes() == b"appVersion: 0.1.7\n"


def test_verify_ignores_v_without_format_and_enforces_spelling_with_format(tmp_path: Path) -> None:
    root = tree(tmp_path, {"Chart.yaml": b"version: v0.1.8\nappVersion: 0.1.8\n"})
    targets = [
        VersionFile("Chart.yaml", key=("version",)),
        VersionFile("Chart.yaml", key=("appVersion",), format="v{version}"),
    ]
    plan = plan_bump(root, targets, "0.1.8", today=TODAY)
    checks = check_versions(root, targets, plan.new_version)
    assert [(c.occurrence.location, c.occurrence.found, c.expected, c.ok) for c in checks] == [
        ("Chart.yaml:1", "v0.1.8", "0.1.8", True),
        ("Chart.yaml:2", "0.1.8", "v0.1.8", False),
    ]


def test_write_all_refuses_two_edits_of_one_file(tmp_path: Path) -> None:
    from releasekit.core.common.textfile import FileEdit

    path = tmp_path / "CHANGELOG.md"
    path.write_bytes(b"a 0.1.7\nb\n")
    edits = [
        FileEdit("CHANGELOG.md", path, "a 0.1.7\nb\n", "a 0.1.8\nb\n"),
        FileEdit("CHANGELOG.md", path, "a 0.1.7\nb\n", "a 0.1.7\nb 0.1.8\n"),
    ]
    with pytest.raises(ReleaseError, match="two edits of the same file"):
        write_all(edits)
    assert path.read_bytes() == b"a 0.1.7\nb\n"
    assert [p.name for p in tmp_path.iterdir()] == ["CHANGELOG.md"]


def test_two_targets_overlapping_on_one_token_is_an_error(tmp_path: Path) -> None:
    # The key target spans "v0.1.9", the pattern "0.1.9": applying both gave "v0.1.100".
    root = tree(tmp_path, {"values.yaml": b"image: v0.1.9\n"})
    targets = [
        VersionFile("values.yaml", key=("image",)),
        VersionFile("values.yaml", pattern="image: v{version}"),
    ]
    with pytest.raises(TargetError) as info:
        bump(root, targets, "0.1.10")
    assert str(info.value) == (
        "values.yaml:1: targets 'image' ('v0.1.9') and 'image: v' ('0.1.9') overlap on one "
        "version; keep one of them in releasekit.yaml"
    )
    assert (root / "values.yaml").read_bytes() == b"image: v0.1.9\n"


def test_file_changed_between_finding_and_editing_simulated_write_after_first_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real write lands on disk right after the first read (the race, made deterministic):
    # the offsets found in the first text must not be applied to the second.
    from releasekit.core.versioning import version_files

    root = tree(tmp_path, {"Makefile": b"VERSION ?= 0.1.7\n"})
    real_read = version_files.read_text
    calls: list[Path | str] = []

    def read_then_someone_edits(path: Path | str, display: str | None = None) -> str:
        text = real_read(path, display)
        if not calls:
            Path(path).write_bytes(b"# new first line\nVERSION ?= 0.1.7\n")
        calls.append(path)
        return text

    monkeypatch.setattr(version_files, "read_text", read_then_someone_edits)
    with pytest.raises(ReleaseError, match="Makefile changed on disk while releasekit was running"):
        plan_bump(
            root, [VersionFile("Makefile", pattern="VERSION ?= {version}")], "0.1.8", today=TODAY
        )
    assert (root / "Makefile").read_bytes() == b"# new first line\nVERSION ?= 0.1.7\n"


def test_glob_skips_files_that_git_ignores(tmp_path: Path) -> None:
    import subprocess

    root = tree(
        tmp_path,
        {
            ".gitignore": b"node_modules/\ndist/\n",
            "docs/install.md": b"DEMO_VERSION=0.1.7\n",
            "node_modules/dep/README.md": b"DEMO_VERSION=0.1.7\n",
            "dist/notes.md": b"DEMO_VERSION=0.1.7\n",
            "new-untracked.md": b"DEMO_VERSION=0.1.7\n",
        },
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", ".gitignore", "docs"], check=True)
    bump(root, [VersionFile("**/*.md", pattern="DEMO_VERSION={version}")], "0.1.8")
    after = snapshot(root)
    assert after["docs/install.md"] == b"DEMO_VERSION=0.1.8\n"
    assert after["new-untracked.md"] == b"DEMO_VERSION=0.1.8\n"
    assert after["node_modules/dep/README.md"] == b"DEMO_VERSION=0.1.7\n"
    assert after["dist/notes.md"] == b"DEMO_VERSION=0.1.7\n"
