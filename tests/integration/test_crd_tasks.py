"""verify.chart-sync, verify.crd-changes and docs.crd-history on real CRD YAML and git tags."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import CliResult, Repo

AGENTS = "config/crd/bases/demo.example.com_agents.yaml"
SESSIONS = "config/crd/bases/demo.example.com_sessions.yaml"
CHART_AGENTS = "charts/demo-operator/crds/demo.example.com_agents.yaml"


def edit(repo: Repo, path: str, old: str, new: str) -> None:
    file = repo.path / path
    text = file.read_text()
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new, 1))


def add_max_retries(repo: Repo) -> None:
    edit(
        repo,
        AGENTS,
        "              timeout:\n",
        "              maxRetries:\n                description: MaxRetries bounds retries.\n"
        "                format: int32\n                type: integer\n              timeout:\n",
    )


def test_chart_crds_in_sync_despite_injected_annotation_and_layout(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    # The chart copies carry helm.sh/resource-policy: keep and no leading '---'.
    assert "helm.sh/resource-policy: keep" in (example_repo.path / CHART_AGENTS).read_text()
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines == ["charts/demo-operator/crds vs config/crd/bases: in sync"]


def test_chart_sync_drift_prints_a_diff_and_the_fix(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    add_max_retries(example_repo)
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[:4] == [
        "charts/demo-operator/crds vs config/crd/bases: 1 CRDs differ",
        "  agents.demo.example.com: differs",
        f"--- a/{CHART_AGENTS}",
        f"+++ b/{AGENTS}",
    ]
    assert (
        "+              maxRetries:\n+                description: MaxRetries bounds retries.\n"
        in result.out
    )
    assert (
        "charts/demo-operator/crds is out of sync with config/crd/bases; run `make helm-sync`"
        in result.err
    )


def test_chart_sync_missing_and_extra_crds(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    (example_repo.path / SESSIONS).rename(example_repo.path / "sessions.yaml.bak")
    (example_repo.path / "config/crd/bases/demo.example.com_pools.yaml").write_text(
        (example_repo.path / AGENTS).read_text().replace("agents", "pools").replace("Agent", "Pool")
    )
    result = cli("verify.chart-sync", "--json", cwd=example_repo.path)
    assert result.code == 3
    drift = json.loads(result.out)["results"]
    assert [(d["status"], d["crd"], d["problem"]) for d in drift] == [
        ("missing", "pools.demo.example.com", "missing-in-chart"),
        ("mismatch", "sessions.demo.example.com", "extra-in-chart"),
    ]
    assert {d["chart"] for d in drift} == {"charts/demo-operator/crds"}


def test_chart_sync_without_the_ignore_key_sees_the_annotation(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    edit(
        example_repo, "releasekit.yaml", "      ignore_annotations: [helm.sh/resource-policy]\n", ""
    )
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 3
    assert "-    helm.sh/resource-policy: keep" in result.out


def test_chart_sync_unconfigured_is_a_config_error_exit_1(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo()
    result = cli("verify.chart-sync", cwd=repo.path)
    assert result.code == 1  # a configuration error (it exited 2, usage, before)
    assert "no CRD pairs configured; add helm.crds (generated, chart)" in result.err


def test_chart_sync_broken_yaml_names_file_and_line(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    edit(example_repo, CHART_AGENTS, "  scope: Namespaced\n", "  scope: [Namespaced\n")
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 1
    assert re.search(rf"{re.escape(CHART_AGENTS)}:\d+: not valid YAML", result.err)


def test_crd_changes_since_the_previous_release(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    add_max_retries(example_repo)
    edit(
        example_repo,
        AGENTS,
        "            required:\n            - image\n",
        "            required:\n            - image\n            - model\n",
    )
    edit(example_repo, AGENTS, "Timeout bounds one task, e.g. 30m.", "Timeout bounds one task.")
    edit(example_repo, AGENTS, "              phase:\n                type: string\n", "")
    edit(
        example_repo,
        AGENTS,
        "    served: true\n    storage: true\n    subresources:",
        "    served: true\n    storage: true\n    deprecated: true\n    subresources:",
    )
    (example_repo.path / SESSIONS).unlink()
    (example_repo.path / "config/crd/bases/demo.example.com_pools.yaml").write_text(
        (example_repo.path / AGENTS).read_text().replace("agents", "pools").replace("Agent", "Pool")
    )
    result = cli("verify.crd-changes", cwd=example_repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        "CRD changes in config/crd/bases from v0.1.7 to the working tree: 7",
        "  agents.demo.example.com v1alpha1: version changed (deprecated: None -> True)",
        "  agents.demo.example.com v1alpha1: field added spec.maxRetries (integer)",
        "  agents.demo.example.com v1alpha1: field changed spec.model (required: None -> True)",
        "  agents.demo.example.com v1alpha1: field changed spec.timeout (description)",
        "  agents.demo.example.com v1alpha1: field removed status.phase (string)",
        "  pools.demo.example.com: crd added (versions v1alpha1)",
        "  sessions.demo.example.com: crd removed",
    ]
    assert "helm upgrade does not update CRDs" in result.err


def test_crd_changes_schema_only_json_between_tags(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    edit(example_repo, AGENTS, "Timeout bounds one task, e.g. 30m.", "Timeout bounds one task.")
    example_repo.commit("docs: reword")
    example_repo.git("tag", "v0.1.8")
    add_max_retries(example_repo)
    example_repo.commit("feat: retries")
    example_repo.git("tag", "v0.1.9")
    wording = cli(
        "verify.crd-changes",
        "--since",
        "v0.1.7",
        "--until",
        "v0.1.8",
        "--schema-only",
        "--json",
        cwd=example_repo.path,
    )
    assert wording.code == 0
    data = json.loads(wording.out)
    assert data["outputs"] == {
        "crd_changes": False, "since": "v0.1.7", "until": "v0.1.8", "path": "config/crd/bases",
    }  # fmt: skip
    assert data["results"] == []
    # HEAD is the v0.1.9 tag (CI on a tag push): compare with the release before it.
    default = cli("verify.crd-changes", "--json", cwd=example_repo.path)
    data = json.loads(default.out)["outputs"]
    assert (data["since"], data["crd_changes"]) == ("v0.1.8", True)
    example_repo.commit("chore: after the release", {"README.md": "next\n"})
    after = json.loads(cli("verify.crd-changes", "--json", cwd=example_repo.path).out)["outputs"]
    assert (after["since"], after["crd_changes"]) == ("v0.1.9", False)
    feature = cli(
        "verify.crd-changes",
        "--since",
        "v0.1.8",
        "--until",
        "v0.1.9",
        "--json",
        cwd=example_repo.path,
    )
    assert json.loads(feature.out)["results"] == [
        {
            "status": "changed",
            "path": "config/crd/bases",
            "line": None,
            "message": "agents.demo.example.com v1alpha1: field added spec.maxRetries (integer)",
            "crd": "agents.demo.example.com",
            "version": "v1alpha1",
            "change": "field-added",
            "field": "spec.maxRetries",
            "detail": "integer",
        }
    ]


def test_crd_changes_sets_a_github_output(
    example_repo: Repo, cli: Callable[..., CliResult], env_ci: dict[str, Path]
) -> None:
    add_max_retries(example_repo)
    assert cli("verify.crd-changes", cwd=example_repo.path).code == 0
    assert env_ci["output"].read_text() == (
        "ok=true\ncrd_changes=true\nsince=v0.1.7\npath=config/crd/bases\n"
    )


def test_crd_changes_without_a_release_tag_asks_for_since(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo({"crds/a.yaml": "kind: CustomResourceDefinition\nmetadata: {name: a.x.io}\n"})
    result = cli("verify.crd-changes", "--path", "crds", cwd=repo.path)
    assert result.code == 1  # a failed precondition (it exited 2, usage, before)
    assert "no release tag to compare with; pass --since <ref>" in result.err


# --- docs.crd-history ------------------------------------------------------------------------

TABLE_ROWS = (
    "| Version | CRD Changes | Notes                                  |\n"
    "|---------|-------------|----------------------------------------|\n"
)


def release_with_crd_change(repo: Repo, tag: str) -> None:
    add_max_retries(repo)
    repo.commit("feat: retries")
    repo.git("tag", tag)


def test_crd_history_add_inserts_a_padded_row_newest_first(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    add_max_retries(example_repo)
    doc = example_repo.path / "docs/upgrading.md"
    before = doc.read_text()
    result = cli(
        "docs.crd-history",
        "--add",
        "v0.1.8",
        "--description",
        "Added `spec.maxRetries` to Agent",
        cwd=example_repo.path,
    )
    assert result.code == 0, result.err
    assert result.lines == ["added v0.1.8 (CRD changes: Yes) to docs/upgrading.md"]
    row = "| v0.1.8  | Yes         | Added `spec.maxRetries` to Agent       |\n"
    assert doc.read_text() == before.replace(TABLE_ROWS, TABLE_ROWS + row)


def test_crd_history_add_computes_no_and_refuses_duplicates(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    result = cli(
        "docs.crd-history",
        "--add",
        "v0.1.8",
        "--description",
        "Bug fixes only",
        "--dry-run",
        cwd=example_repo.path,
    )
    assert result.code == 0
    assert "+| v0.1.8  | No          | Bug fixes only                         |" in result.out
    assert result.lines[-1] == "would add v0.1.8 (CRD changes: No) to docs/upgrading.md"
    before = example_repo.snapshot()
    dup = cli("docs.crd-history", "--add", "v0.1.7", "--crd-changes", "yes", cwd=example_repo.path)
    assert dup.code == 1  # a failed precondition
    assert "docs/upgrading.md:15: v0.1.7 already has a row; edit it by hand" in dup.err
    assert example_repo.snapshot() == before


def test_crd_history_audit_finds_missing_and_wrong_rows(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    release_with_crd_change(example_repo, "v0.1.8")
    example_repo.commit("fix: nothing in CRDs", {"README.md": "fixed\n"})
    example_repo.git("tag", "v0.1.9")
    result = cli("docs.crd-history", cwd=example_repo.path)
    assert result.code == 3
    assert result.lines[0].startswith(
        "MISMATCH docs/upgrading.md: v0.1.8 changed CRDs (since v0.1.7) but has no row; run releasekit docs.crd-history --add v0.1.8"
    )
    assert result.lines[1:] == [
        "OK       v0.1.9: no CRD changes since v0.1.8, no row needed",
        "docs/upgrading.md: audited 2 releases, 1 mismatches",
    ]
    cli(
        "docs.crd-history",
        "--add",
        "v0.1.8",
        "--crd-changes",
        "no",
        "--description",
        "oops",
        cwd=example_repo.path,
    )
    wrong = cli("docs.crd-history", cwd=example_repo.path)
    assert wrong.code == 3
    assert (
        wrong.lines[0]
        == "MISMATCH docs/upgrading.md:15: v0.1.8 row says No but CRDs changed since v0.1.7"
    )


def test_crd_history_audit_passes_when_rows_match(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    release_with_crd_change(example_repo, "v0.1.8")
    added = cli(
        "docs.crd-history",
        "--add",
        "v0.1.8",
        "--description",
        "Added spec.maxRetries",
        cwd=example_repo.path,
    )
    assert added.lines == ["added v0.1.8 (CRD changes: Yes) to docs/upgrading.md"]
    result = cli("docs.crd-history", cwd=example_repo.path)
    assert result.code == 0, result.out
    assert result.lines == [
        "OK       docs/upgrading.md:15: v0.1.8 row matches (Yes)",
        "docs/upgrading.md: audited 1 releases, 0 mismatches",
    ]


def test_crd_history_without_the_table_says_how_to_fix(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {"docs/upgrading.md": "# Upgrading\n\nNothing yet.\n", "crds/a.yaml": "kind: x\n"}
    )
    result = cli("docs.crd-history", "--path", "crds", cwd=repo.path)
    assert result.code == 1
    assert "docs/upgrading.md: no heading 'Version History with CRD Changes'" in result.err


def test_chart_sync_with_no_crds_on_either_side_is_an_error_not_in_sync(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    for directory in ("config/crd/bases", "charts/demo-operator/crds"):
        for crd in (example_repo.path / directory).glob("*.yaml"):
            crd.unlink()
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 1, result.out
    assert "in sync" not in result.out
    assert "no CustomResourceDefinition in either, so nothing was compared" in result.err
    assert "run `make helm-sync`" in result.err


def test_crd_history_audit_covers_releases_from_before_the_project_had_crds(
    make_repo: Callable[..., Repo], example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    table = (
        "# Upgrading\n\n## Version History with CRD Changes\n\n"
        "| Version | CRD Changes | Notes |\n|---|---|---|\n| v0.2.0 | Yes | First CRD |\n"
    )
    repo = make_repo({"docs/upgrading.md": table, "main.go": "package main\n"})
    repo.git("tag", "v0.0.1")
    repo.commit("fix: no CRDs yet", {"main.go": "package main // 2\n"})
    repo.git("tag", "v0.1.0")
    repo.commit(
        "feat: the Agent CRD", {"crds/agents.yaml": (example_repo.path / AGENTS).read_text()}
    )
    repo.git("tag", "v0.2.0")
    result = cli("docs.crd-history", "--path", "crds", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == [
        "OK       v0.1.0: no CRD changes since v0.0.1, no row needed",
        "OK       docs/upgrading.md:7: v0.2.0 row matches (Yes)",
        "docs/upgrading.md: audited 2 releases, 0 mismatches",
    ]
    typo = cli("docs.crd-history", "--path", "crdz", cwd=repo.path)
    assert typo.code == 1  # a configuration error (it exited 2, usage, before)
    assert "crdz: no such CRD directory; fix helm.crds or --path" in typo.err


def test_crd_history_audit_refuses_a_shallow_clone(
    example_repo: Repo, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    release_with_crd_change(example_repo, "v0.1.8")
    example_repo.commit("fix: after the release", {"README.md": "x\n"})
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{example_repo.path}", str(clone)],
        check=True,
    )
    full = cli("docs.crd-history", cwd=example_repo.path)
    assert full.code == 3  # v0.1.8 changed CRDs and has no row
    result = cli("docs.crd-history", cwd=clone)
    assert result.code == 1, result.out
    assert "docs/upgrading.md: cannot audit in a shallow clone" in result.err
    assert "fetch-depth: 0" in result.err


# --- issue 10: .json CRDs count, and an injected annotation may not go missing ---------------


def _as_json(repo: Repo, yaml_path: str, json_path: str) -> None:
    from ruamel.yaml import YAML

    source = repo.path / yaml_path
    data = YAML(typ="safe", pure=True).load(source.read_text())
    source.unlink()
    (repo.path / json_path).write_text(json.dumps(data, indent=2) + "\n")


CHART_SESSIONS = "charts/demo-operator/crds/demo.example.com_sessions.yaml"


def test_chart_sync_compares_json_crds_too(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    # Helm installs crds/*.json as well as *.yaml: a JSON copy is compared like a YAML one.
    _as_json(example_repo, CHART_SESSIONS, CHART_SESSIONS.replace(".yaml", ".json"))
    in_sync = cli("verify.chart-sync", cwd=example_repo.path)
    assert in_sync.code == 0, in_sync.out
    edit(example_repo, CHART_SESSIONS.replace(".yaml", ".json"), '"Namespaced"', '"Cluster"')
    drift = cli("verify.chart-sync", cwd=example_repo.path)
    assert drift.code == 3
    assert drift.lines[:4] == [
        "charts/demo-operator/crds vs config/crd/bases: 1 CRDs differ",
        "  sessions.demo.example.com: differs",
        "--- a/charts/demo-operator/crds/demo.example.com_sessions.json",
        f"+++ b/{SESSIONS}",
    ]


def test_chart_sync_sees_an_extra_crd_that_only_a_json_file_defines(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    extra = example_repo.path / "charts/demo-operator/crds/pools.json"
    text = (example_repo.path / CHART_AGENTS).read_text().replace("agents", "pools")
    from ruamel.yaml import YAML

    extra.write_text(json.dumps(YAML(typ="safe", pure=True).load(text)))
    result = cli("verify.chart-sync", "--json", cwd=example_repo.path)
    assert result.code == 3
    drift = json.loads(result.out)["results"]
    assert [(d["crd"], d["problem"]) for d in drift] == [
        ("pools.demo.example.com", "extra-in-chart")
    ]


def test_chart_sync_a_chart_crd_that_lost_the_injected_annotation_is_drift(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    edit(example_repo, CHART_AGENTS, "    helm.sh/resource-policy: keep\n", "")
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 3, result.out
    assert result.lines[:2] == [
        "charts/demo-operator/crds vs config/crd/bases: 1 CRDs differ",
        "  agents.demo.example.com: differs",
    ]
    assert (
        "+    helm.sh/resource-policy: (any value; ignore_annotations says the chart adds it)"
        in result.lines
    )


def test_chart_sync_compares_a_listed_annotation_that_the_generated_crd_has(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    # Listed, but generated too: then it is generated content, and the chart must keep its value.
    edit(
        example_repo,
        AGENTS,
        "    controller-gen.kubebuilder.io/version: v0.16.4\n",
        "    controller-gen.kubebuilder.io/version: v0.16.4\n    helm.sh/resource-policy: delete\n",
    )
    result = cli("verify.chart-sync", cwd=example_repo.path)
    assert result.code == 3
    assert "-    helm.sh/resource-policy: keep" in result.lines
    assert "+    helm.sh/resource-policy: delete" in result.lines


# --- issue 10: one meaning of "CRD change" in verify.crd-changes and docs.crd-history --------


def release_with_description_change(repo: Repo, tag: str) -> None:
    edit(
        repo,
        AGENTS,
        "description: Timeout bounds one task, e.g. 30m.",
        "description: Timeout bounds one task, e.g. 30m or 1h.",
    )
    repo.commit("docs: clarify the timeout")
    repo.git("tag", tag)


def test_a_description_only_release_is_a_crd_change_in_both_tasks(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    release_with_description_change(example_repo, "v0.1.8")
    changes = cli(
        "verify.crd-changes", "--since", "v0.1.7", "--until", "v0.1.8", cwd=example_repo.path
    )
    assert changes.lines == [
        "CRD changes in config/crd/bases from v0.1.7 to v0.1.8: 1",
        "  agents.demo.example.com v1alpha1: field changed spec.timeout (description)",
    ]
    audit = cli("docs.crd-history", cwd=example_repo.path)
    assert audit.code == 3, audit.out
    assert audit.lines[0].startswith(
        "MISMATCH docs/upgrading.md: v0.1.8 changed CRDs (since v0.1.7) but has no row"
    )
    added = cli("docs.crd-history", "--add", "v0.1.8", "--dry-run", cwd=example_repo.path)
    assert added.lines[-1] == "would add v0.1.8 (CRD changes: Yes) to docs/upgrading.md"


def test_schema_only_is_the_same_explicit_option_on_both_tasks(
    example_repo: Repo, cli: Callable[..., CliResult]
) -> None:
    release_with_description_change(example_repo, "v0.1.8")
    changes = cli(
        "verify.crd-changes", "--since", "v0.1.7", "--until", "v0.1.8", "--schema-only",
        cwd=example_repo.path,
    )  # fmt: skip
    assert changes.lines == ["CRD changes in config/crd/bases from v0.1.7 to v0.1.8: none"]
    audit = cli("docs.crd-history", "--schema-only", cwd=example_repo.path)
    assert audit.code == 0, audit.out
    assert audit.lines == [
        "OK       v0.1.8: no CRD changes since v0.1.7, no row needed",
        "docs/upgrading.md: audited 1 releases, 0 mismatches",
    ]
    assert "--schema-only: description changes do not count" in audit.err
    added = cli(
        "docs.crd-history", "--add", "v0.1.8", "--schema-only", "--dry-run", cwd=example_repo.path
    )
    assert added.lines[-1] == "would add v0.1.8 (CRD changes: No) to docs/upgrading.md"
