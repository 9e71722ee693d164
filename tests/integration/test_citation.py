"""release.citation and verify.citation against a real repository with annotated tags: the
commit written is the tag's (peeled), and a sha of the previous release is caught by name."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]

CFF = """\
cff-version: 1.2.0
message: "If you use this software, please cite it as below."
title: "cloud-api-adaptor"
authors:
  - family-names: Maintainers
    given-names: Peer Pods
version: 0.1.7
date-released: 2026-01-02
commit: {commit}
repository-code: "https://github.com/example/cloud-api-adaptor"
license: Apache-2.0
"""


@pytest.fixture
def released(make_repo: Callable[..., Repo]) -> tuple[Repo, str, str]:
    """Two annotated releases: v0.1.7 (cited) and v0.1.8 (the new one)."""
    repo = make_repo({"README.md": "peer pods\n"})
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    old = repo.git("rev-parse", "v0.1.7^{commit}").strip()
    new = repo.commit("feat: more", {"CITATION.cff": CFF.format(commit=old)})
    repo.git("tag", "-a", "v0.1.8", "-m", "Release v0.1.8")
    return repo, old, new


def test_citation_sets_version_date_and_the_tags_commit_only(
    released: tuple[Repo, str, str], cli: Cli
) -> None:
    repo, old, new = released
    tag_object = repo.git("rev-parse", "v0.1.8").strip()
    assert tag_object != new  # annotated: the tag's own sha is not the commit
    result = cli("release.citation", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert result.code == 0, result.err
    assert (repo.path / "CITATION.cff").read_text() == CFF.format(commit=new).replace(
        "version: 0.1.7\ndate-released: 2026-01-02", "version: 0.1.8\ndate-released: 2026-11-21"
    )
    assert result.lines == [
        "CITATION.cff:7 version: 0.1.7 -> 0.1.8",
        "CITATION.cff:8 date-released: 2026-01-02 -> 2026-11-21",
        f"CITATION.cff:9 commit: {old} -> {new}",
        "CITATION.cff cites v0.1.8",
    ]
    again = cli("release.citation", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert again.lines == [f"CITATION.cff already cites v0.1.8 ({new}); nothing to change"]
    ok = cli("verify.citation", cwd=repo.path)
    assert (ok.code, ok.lines) == (0, [f"CITATION.cff:9 commit: {new} is the commit of v0.1.8 OK"])


def test_verify_names_the_release_a_wrong_sha_belongs_to(
    released: tuple[Repo, str, str], cli: Cli
) -> None:
    repo, old, new = released
    (repo.path / "CITATION.cff").write_text(
        CFF.format(commit=old).replace("version: 0.1.7", "version: 0.1.8")
    )
    result = cli("verify.citation", "--tag", "v0.1.8", cwd=repo.path)
    assert result.code == 3
    assert result.lines == [
        f"MISMATCH CITATION.cff:9 commit: {old} is the commit of v0.1.7 (the previous release), not of "
        f"v0.1.8 ({new}); run releasekit release.citation --tag v0.1.8"
    ]
    assert result.err == "releasekit: error: CITATION.cff does not cite the commit of v0.1.8\n"
    as_json = json.loads(cli("verify.citation", "--json", cwd=repo.path).out)
    assert (as_json["ok"], as_json["exit_code"]) == (False, 3)
    [item] = as_json["results"]
    assert (item["status"], item["path"], item["line"]) == ("mismatch", "CITATION.cff", 9)
    assert (item["expected"], item["commit"], item["tag"]) == (new, old, "v0.1.8")
    assert "is the commit of v0.1.7 (the previous release)" in item["message"]


def test_verify_catches_another_version_and_an_unknown_commit(
    released: tuple[Repo, str, str], cli: Cli
) -> None:
    repo, _, _ = released
    stale = cli("verify.citation", "--tag", "v0.1.8", cwd=repo.path)
    assert stale.code == 3 and stale.lines == [
        "MISMATCH CITATION.cff:7 version: 0.1.7 names v0.1.7, not v0.1.8; run releasekit "
        "release.citation --tag v0.1.8"
    ]
    assert cli("verify.citation", cwd=repo.path).code == 0  # v0.1.7's file cites v0.1.7
    (repo.path / "CITATION.cff").write_text(CFF.format(commit="f" * 40))
    unknown = cli("verify.citation", cwd=repo.path)
    assert unknown.code == 3 and f"commit: {'f' * 40} is not a commit here" in unknown.out


def test_a_missing_commit_key_is_added_after_the_others(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    text = "cff-version: 1.2.0\r\ntitle: demo\r\nversion: v0.1.7\r\ndate-released: 2026-01-02\r\nlicense: MIT"
    repo = make_repo({"CITATION.cff": text})
    repo.git("tag", "v0.2.0")
    commit = repo.git("rev-parse", "HEAD").strip()
    result = cli("release.citation", "--tag", "v0.2.0", "--date", "2026-03-04", cwd=repo.path)
    assert result.code == 0, result.err
    assert (repo.path / "CITATION.cff").read_bytes() == (
        "cff-version: 1.2.0\r\ntitle: demo\r\nversion: v0.2.0\r\ndate-released: 2026-03-04\r\n"
        f"commit: {commit}\r\nlicense: MIT"
    ).encode()
    assert result.lines[-2:] == [
        f"CITATION.cff: added commit: {commit}",
        "CITATION.cff cites v0.2.0",
    ]


def test_the_tag_must_exist_and_nothing_is_written_without_it(
    released: tuple[Repo, str, str], cli: Cli
) -> None:
    repo, _, _ = released
    before = repo.snapshot()
    result = cli("release.citation", "--tag", "v0.1.9", cwd=repo.path)
    assert (result.code, result.err) == (1, (
        "releasekit: error: tag v0.1.9 does not exist here; create it first (releasekit "
        "release.tag) — the citation's commit is read from the tag, never from HEAD\n"
    ))  # fmt: skip
    dry = cli(
        "release.citation", "--tag", "v0.1.8", "--date", "2026-11-21", "--dry-run", cwd=repo.path
    )
    assert dry.code == 0 and "+version: 0.1.8\n" in dry.out
    assert repo.snapshot() == before


def test_a_key_that_is_not_a_plain_value_is_named_not_added_again(
    released: tuple[Repo, str, str], cli: Cli
) -> None:
    """``commit: |`` (a block scalar) is there but cannot be edited as one token: the error
    says so at its line, instead of adding a second commit: and reporting a duplicate key."""
    repo, old, _ = released
    cff = (repo.path / "CITATION.cff").read_text().replace(f"commit: {old}", f"commit: |\n  {old}")
    repo.commit("docs: a block commit", {"CITATION.cff": cff})
    repo.git("tag", "-f", "-a", "v0.1.8", "-m", "Release v0.1.8")
    before = repo.snapshot()
    result = cli("release.citation", "--tag", "v0.1.8", "--date", "2026-11-21", cwd=repo.path)
    assert result.code == 1
    assert result.err.startswith("releasekit: error: CITATION.cff:9: the value is a block scalar")
    assert "duplicate" not in result.err
    assert repo.snapshot() == before
