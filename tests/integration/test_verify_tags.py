"""verify.tags: the tag audit over root and Go module tags, exit 3 on findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CliResult, Repo, tag_state

Cli = Callable[..., CliResult]

FILES = {
    "go.mod": (
        "module example.com/op\n\nrequire example.com/op/lib v0.0.0\n\n"
        "replace example.com/op/lib => ./lib\n"
    ),
    "lib/go.mod": "module example.com/op/lib\n",
}


def test_consistent_tags_pass(
    cli: Cli, make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> None:
    repo = make_repo(FILES)
    bare_remote(repo, "origin")
    assert cli("release.tag", "0.1.0", cwd=repo.path).code == 0
    assert cli("release.go-tag", "v0.1.0", "--execute", cwd=repo.path).code == 0
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == ["2 tags audited, 0 findings"]


def test_go_tag_execute_refuses_a_missing_remote_before_creating_tags(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo(FILES)
    result = cli("release.go-tag", "v0.1.0", "--execute", cwd=repo.path)
    assert result.code == 1
    assert "there is no remote named 'origin'" in result.err
    assert tag_state(repo) == ("", "")


def test_every_kind_of_finding(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"go.mod": "module example.com/op\n"})
    old = repo.git("rev-parse", "HEAD").strip()
    repo.git("tag", "v0.0.9")  # lib/go.mod did not exist yet: no module tag is expected
    first = repo.commit("add lib", FILES)
    repo.git("tag", "v0.1.0")  # root tag without the module tag
    repo.git("tag", "lib/v0.2.0")  # module tag without a root tag
    second = repo.commit("more")
    repo.git("tag", "v0.3.0", first)
    repo.git("tag", "lib/v0.3.0", second)  # module tag on another commit than the root tag
    repo.git("switch", "-q", "-c", "side")
    side = repo.commit("off main")
    repo.git("tag", "v0.4.0", side)
    repo.git("tag", "lib/v0.4.0", side)
    repo.git("switch", "-q", "main")
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        "no-root-tag: lib/v0.2.0 has no root release tag for v0.2.0",
        f"different-commit: lib/v0.3.0 is on {second[:12]} but v0.3.0 is on {first[:12]}",
        "missing-module-tag: v0.1.0 has no tag lib/v0.1.0 for module example.com/op/lib"
        " (lib/go.mod)",
        f"unreachable: lib/v0.4.0 is on {side[:12]}, which is not reachable from main",
        f"unreachable: v0.4.0 is on {side[:12]}, which is not reachable from main",
        "7 tags audited, 5 findings",
    ]
    assert "5 tag findings" in result.err
    assert old  # v0.0.9 is audited and fine
    as_json = json.loads(cli("verify.tags", "--json", cwd=repo.path).out)
    assert as_json["ok"] is False
    assert as_json["outputs"] == {"audited": 7}
    assert {f["status"] for f in as_json["results"]} == {"mismatch"}
    assert [f["kind"] for f in as_json["results"]] == [
        "no-root-tag",
        "different-commit",
        "missing-module-tag",
        "unreachable",
        "unreachable",
    ]


def test_findings_become_github_annotations(
    cli: Cli, make_repo: Callable[..., Repo], env_ci: dict
) -> None:  # type: ignore[type-arg]
    repo = make_repo(FILES)
    repo.git("tag", "lib/v0.2.0")
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 3
    assert "::error::lib/v0.2.0 has no root release tag for v0.2.0" in result.lines
    assert env_ci["summary"].read_text().splitlines()[0] == (
        "### ❌ verify.tags: 1 tag findings in 1 tags audited"
    )


def test_repository_without_go_modules_checks_reachability_only(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo()
    repo.git("tag", "v1.0.0")
    repo.git("tag", "unrelated-tag")
    assert cli("verify.tags", cwd=repo.path).lines == ["1 tags audited, 0 findings"]


def test_lts_tags_outside_april_are_findings(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": (
                'tag_format: "suite-{version}[-{codename}][-{channel}]"\n'
                "tags:\n  versioning: calver\n"
            )
        }
    )
    repo.git("tag", "suite-2026.04-nova-lts")
    repo.git("tag", "suite-2026.10-orion-lts")  # made by hand; release.tag refuses this
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        "lts-not-april: suite-2026.10-orion-lts is an lts release, but LTS is only for April"
        " (YYYY.04)",
        "2 tags audited, 1 findings",
    ]


def test_hotfix_release_tags_on_a_hotfix_branch_are_not_findings(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo()
    repo.git("tag", "-a", "v1.0.0", "-m", "Release v1.0.0")
    assert cli("release.hotfix", "v1.0.0", "--execute", cwd=repo.path).code == 0
    repo.git("switch", "-q", "hotfix/1.0.1")
    repo.commit("fix: the bug")
    assert cli("release.tag", "1.0.1", "--offline", cwd=repo.path).code == 0
    repo.git("switch", "-q", "main")
    assert cli("verify.tags", cwd=repo.path).lines == ["2 tags audited, 0 findings"]
    repo.git("branch", "-q", "-D", "hotfix/1.0.1")  # the branch is gone: now it is a finding
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 3
    assert result.lines[0].startswith("unreachable: v1.0.1 is on ")


# --- issue 10: the modules of each tagged commit, not of the work tree -----------------------

CSI = {"src/csi-wrapper/go.mod": "module example.com/op/src/csi-wrapper\n"}


def _removed_module_history(repo: Repo) -> tuple[str, str, str]:
    """csi-wrapper released with the root, then tagged off its commit, then removed."""
    repo.commit("add csi-wrapper", CSI)
    repo.git("tag", "v0.20.0")
    repo.git("tag", "src/csi-wrapper/v0.20.0")
    a = repo.commit("csi fix")
    repo.git("tag", "src/csi-wrapper/v0.21.0")  # on A ...
    b = repo.commit("root fix")
    repo.git("tag", "v0.21.0")  # ... while v0.21.0 is on B
    c = repo.commit("more")
    repo.git("tag", "v0.22.0")  # csi-wrapper still there, but not tagged
    repo.git("rm", "-q", "src/csi-wrapper/go.mod")
    repo.commit("remove csi-wrapper")
    return a, b, c


def test_modules_removed_before_head_are_still_audited(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo({"go.mod": "module example.com/op\n"})
    a, b, _ = _removed_module_history(repo)
    assert not (repo.path / "src/csi-wrapper/go.mod").exists()
    result = cli("verify.tags", cwd=repo.path)
    assert result.code == 3, result.out
    assert result.lines == [
        f"different-commit: src/csi-wrapper/v0.21.0 is on {a[:12]} but v0.21.0 is on {b[:12]}",
        "missing-module-tag: v0.22.0 has no tag src/csi-wrapper/v0.22.0 for module "
        "example.com/op/src/csi-wrapper (src/csi-wrapper/go.mod)",
        "5 tags audited, 2 findings",
    ]


def test_go_mod_files_of_every_tagged_commit_are_read_in_one_cat_file(
    cli: Cli, make_repo: Callable[..., Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo({"go.mod": "module example.com/op\n"})
    _removed_module_history(repo)
    trace = tmp_path / "git-trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert cli("verify.tags", cwd=repo.path).code == 3
    commands = [line for line in trace.read_text().splitlines() if "trace: built-in: git" in line]
    assert sum("git cat-file" in line for line in commands) == 1
    assert not any(" git show " in line for line in commands)
