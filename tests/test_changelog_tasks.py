"""changelog, changelog.release and changelog.check through the real `releasekit` Program."""

from __future__ import annotations

import json

from conftest import EXAMPLE, Repo

DEMO_CHANGELOG = (EXAMPLE / "CHANGELOG.md").read_text(encoding="utf-8")


# --- changelog.release ---------------------------------------------------------------------------


def test_release_moves_unreleased_and_updates_links(example_repo: Repo, cli) -> None:
    result = cli("changelog.release", "0.1.8", "--date", "2026-08-10", cwd=example_repo.path)
    assert (result.code, result.lines) == (0, ["CHANGELOG.md: moved Unreleased into 0.1.8"])
    expected = DEMO_CHANGELOG.replace(
        "## [Unreleased]\n\n", "## [Unreleased]\n\n## [0.1.8] - 2026-08-10\n\n"
    ).replace(
        "compare/v0.1.7...HEAD\n",
        "compare/v0.1.8...HEAD\n"
        "[0.1.8]: https://github.com/example/demo-operator/compare/v0.1.7...v0.1.8\n",
    )
    assert (example_repo.path / "CHANGELOG.md").read_text(encoding="utf-8") == expected
    check = cli("changelog.check", "--date", "2026-08-10", cwd=example_repo.path)
    assert (check.code, check.lines) == (0, ["CHANGELOG.md: OK (2 releases)"])


def test_release_dry_run_prints_the_diff_and_writes_nothing(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli(
        "changelog.release", "v0.1.8", "--date", "2026-08-10", "--dry-run", cwd=example_repo.path
    )
    assert result.code == 0
    assert "+## [0.1.8] - 2026-08-10" in result.lines
    assert result.lines[-1] == "dry run: nothing was written"
    assert example_repo.snapshot() == before


def test_release_refusal_changes_nothing(example_repo: Repo, cli) -> None:
    before = example_repo.snapshot()
    result = cli("changelog.release", "0.1.7", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: CHANGELOG.md:18: 0.1.7 already has a section; "
        "pick the next version or remove the duplicate\n"
    )
    assert example_repo.snapshot() == before


def test_second_unreleased_fails_check_and_release_changes_nothing(make_repo, cli) -> None:
    # issue 10: check said OK and release silently left "Lost." out of 0.4.0.
    repo = make_repo(
        {
            "CHANGELOG.md": "## [Unreleased]\n\n- Kept.\n\n## [0.3.0] - 2026-01-02\n\n- A.\n\n"
            "## [Unreleased]\n\n- Lost.\n"
        }
    )
    before = repo.snapshot()
    check = cli("changelog.check", "--date", "2026-08-10", cwd=repo.path)
    assert check.code == 3
    assert check.lines == [
        "CHANGELOG.md:9: second Unreleased section (first at line 1); move "
        "its entries into the first and delete this heading, or changelog.release leaves them out"
    ]
    assert check.err == "releasekit: error: 1 finding in CHANGELOG.md\n"
    release = cli("changelog.release", "0.4.0", "--date", "2026-08-10", cwd=repo.path)
    assert release.code == 1
    assert release.err == (
        "releasekit: error: CHANGELOG.md:9: second Unreleased section (first at line 1); move "
        "its entries into the first and delete this heading, or changelog.release leaves them "
        "out; nothing was released\n"
    )
    assert repo.snapshot() == before


def test_release_uses_the_configured_path(make_repo, cli) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": "changelog:\n  path: docs/CHANGES.md\n",
            "docs/CHANGES.md": "## Unreleased\n\n- X.\n",
        }
    )
    assert cli("changelog.release", "1.0.0", "--date", "2026-08-10", cwd=repo.path).code == 0
    assert (
        repo.path / "docs/CHANGES.md"
    ).read_text() == "## Unreleased\n\n## 1.0.0 - 2026-08-10\n\n- X.\n"


# --- changelog.check ------------------------------------------------------------------------------


def test_check_exits_3_with_file_line_findings(make_repo, cli) -> None:
    repo = make_repo(
        {"CHANGELOG.md": "## [0.2.0] - 2026-01-02\n\n### Misc\n\n- X.\n\n## [Unreleased]\n"}
    )
    result = cli("changelog.check", "--date", "2026-08-10", cwd=repo.path)
    assert result.code == 3
    # Findings are results (stdout), each once; stderr holds the verdict.
    assert result.lines == [
        "CHANGELOG.md:3: unknown sub-heading '### Misc'; use one of "
        "Breaking Changes, Added, Changed, Deprecated, Removed, Fixed, Security, Dependencies",
        "CHANGELOG.md:7: Unreleased must be the first section (now after line 1)",
    ]
    assert result.err == "releasekit: error: 2 findings in CHANGELOG.md\n"


def test_check_json_and_github_annotations(make_repo, cli, env_ci) -> None:
    repo = make_repo({"CHANGELOG.md": "## [Unreleased]\n\n## [0.2.0] - 2099-01-02\n\n- X.\n"})
    result = cli("changelog.check", "--json", "--date", "2026-08-10", cwd=repo.path)
    assert result.code == 3
    # stdout holds only the envelope; with --json the annotations go to stderr.
    assert json.loads(result.out) == {
        "task": "changelog.check",
        "ok": False,
        "exit_code": 3,
        "dry_run": False,
        "summary": "1 finding in CHANGELOG.md",
        "outputs": {"path": "CHANGELOG.md"},
        "results": [
            {
                "status": "mismatch",
                "path": "CHANGELOG.md",
                "line": 3,
                "message": "date 2099-01-02 is in the future (today is 2026-08-10)",
            }
        ],
        "errors": ["1 finding in CHANGELOG.md"],
    }
    assert result.err.splitlines() == [
        "::error file=CHANGELOG.md,line=3::date 2099-01-02 is in the future (today is 2026-08-10)",
        "releasekit: error: 1 finding in CHANGELOG.md",
    ]
    assert env_ci["summary"].read_text() == (
        "### ❌ changelog.check: 1 finding in CHANGELOG.md\n\n1 mismatch\n\n"
        "| status | where | detail |\n|---|---|---|\n"
        "| mismatch | `CHANGELOG.md:3` | date 2099-01-02 is in the future (today is 2026-08-10) |\n"
    )


def test_check_names_a_missing_file(make_repo, cli) -> None:
    result = cli("changelog.check", cwd=make_repo().path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: CHANGELOG.md: file not found; create it (`releasekit changelog "
        "--output CHANGELOG.md` writes one from the commits) or set changelog.path in "
        "releasekit.yaml\n"
    )
    release = cli("changelog.release", "1.0.0", cwd=make_repo().path)
    assert release.code == 1
    assert "or set changelog.path in releasekit.yaml" in release.err


# --- changelog (generation) ---------------------------------------------------------------------


def _with_history(repo: Repo) -> None:
    repo.commit("feat(api): add the Session kind (#42)")
    repo.commit("fix: keep status updates (#45)")
    repo.commit("chore: tidy")


def test_generate_prints_unreleased_since_the_last_tag(example_repo: Repo, cli) -> None:
    _with_history(example_repo)
    result = cli("changelog", cwd=example_repo.path)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "## [Unreleased]\n\n### Added\n\n- **api**: Add the Session kind (#42)\n\n"
        "### Fixed\n\n- Keep status updates (#45)\n"
    )


def test_generate_json_is_the_template_context(example_repo: Repo, cli) -> None:
    _with_history(example_repo)
    result = cli("changelog", "--json", cwd=example_repo.path)
    data = json.loads(result.out)
    (unreleased,) = data["results"][0]["releases"]
    assert (unreleased["label"], unreleased["previous_tag"], unreleased["commit_count"]) == (
        "Unreleased",
        "v0.1.7",
        3,
    )
    added = unreleased["sections"][0]
    assert added["title"] == "Added"
    (commit,) = added["commits"]
    sha = example_repo.git("rev-parse", "HEAD~2").strip()
    assert commit == {
        "sha": sha,
        "short": sha[:7],
        "type": "feat",
        "scope": "api",
        "description": "add the Session kind (#42)",
        "subject": "feat(api): add the Session kind (#42)",
        "body": "",
        "breaking": False,
        "breaking_description": None,
        "prs": [42],
        "trailers": [],
        "date": "2026-01-02",
        "author": "Release Bot",
        "conventional": True,
    }


def test_a_commit_body_cannot_inject_a_commit_into_the_changelog(example_repo: Repo, cli) -> None:
    # issue 10: git log records were split on \x1e/\x1f, which a commit message may contain.
    fake = "f" * 40
    message = (
        "fix: keep status updates\n\nlooks harmless\x1e"
        f"{fake}\x1f\x1f2026-01-01\x1fMallory\x1f\x1ffeat!: injected entry\n"
    )
    (example_repo.path / "msg.txt").write_text(message)
    example_repo.git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "msg.txt")
    (example_repo.path / "msg.txt").unlink()
    sha = example_repo.git("rev-parse", "HEAD").strip()
    assert "\x1e" in example_repo.git("log", "-1", "--format=%B")
    result = cli("changelog", cwd=example_repo.path)
    assert (result.code, result.err) == (0, "")
    assert result.out == "## [Unreleased]\n\n### Fixed\n\n- Keep status updates\n"
    data = json.loads(cli("changelog", "--json", cwd=example_repo.path).out)
    (unreleased,) = data["results"][0]["releases"]
    assert unreleased["commit_count"] == 1
    assert [(s["title"], [c["sha"] for c in s["commits"]]) for s in unreleased["sections"]] == [
        ("Fixed", [sha])
    ]
    (commit,) = unreleased["sections"][0]["commits"]
    assert commit["breaking"] is False
    assert fake not in json.dumps(unreleased["sections"][0]["scopes"])
    assert commit["body"].startswith("looks harmless\x1e" + fake)


def test_generate_output_refuses_to_drop_hand_written_unreleased_entries(
    example_repo: Repo, cli
) -> None:
    """The demo's Unreleased is written by hand: regenerating it names the lines it would
    drop and both ways on, and writes nothing (dry run or not)."""
    _with_history(example_repo)
    before = example_repo.snapshot()
    for extra in ((), ("--dry-run",)):
        result = cli("changelog", "--output", "CHANGELOG.md", *extra, cwd=example_repo.path)
        assert (result.code, result.out) == (1, "")
        assert result.err == (
            "releasekit: error: CHANGELOG.md: Unreleased has 2 hand-written entries (lines 12, "
            "16) the commits do not produce; regenerating would drop them, so nothing was "
            "written:\n"
            "  CHANGELOG.md:12: - Agent sessions can be resumed after a controller restart "
            "(#42).\n"
            "  CHANGELOG.md:16: - The controller no longer drops status updates when two pods "
            "finish at once (#45).\n"
            "to keep them, release them first (changelog.release X.Y.Z) or say them in "
            "Conventional Commits (git commit --allow-empty -m 'fix: ...') so the generated "
            "Unreleased lists them; to replace them with the generated entries, add "
            "--replace-unreleased\n"
        )
        assert example_repo.snapshot() == before


def test_generate_output_keeps_entries_it_generated_itself(make_repo, cli) -> None:
    """A generated Unreleased, regenerated after more commits, is not hand-written."""
    repo = make_repo({"CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n"})
    repo.commit("feat: first")
    assert cli("changelog", "--output", "CHANGELOG.md", cwd=repo.path).code == 0
    repo.commit("fix: second")
    result = cli("changelog", "--output", "CHANGELOG.md", cwd=repo.path)
    assert (result.code, result.out) == (0, "updated CHANGELOG.md\n")
    assert (repo.path / "CHANGELOG.md").read_text() == (
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- First\n\n### Fixed\n\n- Second\n"
    )


def test_replace_unreleased_needs_output(example_repo: Repo, cli) -> None:
    result = cli("changelog", "--replace-unreleased", cwd=example_repo.path)
    assert (result.code, result.err) == (
        2,
        "releasekit: error: --replace-unreleased only means something with --output FILE\n",
    )


def test_generate_output_is_co_owned_and_idempotent(example_repo: Repo, cli) -> None:
    """Only Unreleased is regenerated; a second run adds no second Unreleased (git-cliff #544)."""
    _with_history(example_repo)
    first = cli(
        "changelog", "--output", "CHANGELOG.md", "--replace-unreleased", cwd=example_repo.path
    )
    assert (first.code, first.out, first.err) == (0, "updated CHANGELOG.md\n", "")
    text = (example_repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    old_unreleased = DEMO_CHANGELOG[
        DEMO_CHANGELOG.index("### Added") : DEMO_CHANGELOG.index("## [0.1.7]")
    ]
    assert text == DEMO_CHANGELOG.replace(
        old_unreleased,
        "### Added\n\n- **api**: Add the Session kind (#42)\n\n"
        "### Fixed\n\n- Keep status updates (#45)\n\n",
    )
    second = cli("changelog", "--all", "--output", "CHANGELOG.md", cwd=example_repo.path)
    assert (second.code, second.out) == (0, "CHANGELOG.md is up to date\n")
    assert (example_repo.path / "CHANGELOG.md").read_text(encoding="utf-8") == text
    assert text.count("## [Unreleased]") == 1


def test_generate_output_creates_a_missing_file(make_repo, cli) -> None:
    repo = make_repo()
    repo.commit("feat: first feature")
    result = cli("changelog", "--output", "CHANGELOG.md", cwd=repo.path)
    assert (result.code, result.out, result.err) == (0, "created CHANGELOG.md\n", "")
    text = (repo.path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n\nAll notable changes")
    assert text.endswith("## [Unreleased]\n\n### Added\n\n- First feature\n")
    missing = cli("changelog", "--output", "docs/CHANGELOG.md", cwd=repo.path)
    assert missing.code == 1
    assert missing.err.startswith("releasekit: error: docs/CHANGELOG.md: directory ")
    assert missing.err.endswith("/docs does not exist; create it first\n")


def test_generate_output_dry_run_writes_nothing(example_repo: Repo, cli) -> None:
    _with_history(example_repo)
    before = example_repo.snapshot()
    result = cli(
        "changelog", "--output", "CHANGELOG.md", "--replace-unreleased", "--dry-run",
        cwd=example_repo.path,
    )  # fmt: skip
    assert result.code == 0
    assert "+- **api**: Add the Session kind (#42)" in result.lines
    assert result.lines[-1] == "dry run: nothing was written"
    assert example_repo.snapshot() == before


def test_generate_in_a_repo_without_commits_is_a_clear_error(tmp_path, cli) -> None:
    from conftest import git

    git(tmp_path, "init", "-q", "-b", "main")
    for argv in (("changelog",), ("changelog", "--all"), ("changelog", "--all", "--no-cache")):
        result = cli(*argv, cwd=tmp_path)
        assert result.code == 1
        assert result.err == (
            f"releasekit: error: {tmp_path} has no commits yet; commit something before "
            "generating a changelog\n"
        )


def test_config_errors_name_the_key_and_line(make_repo, cli) -> None:
    repo = make_repo(
        {"releasekit.yaml": "tag_format: 'v{version}'\nchangelog:\n  groups: [feat]\n"}
    )
    result = cli("changelog", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: releasekit.yaml:3: changelog.groups must map commit types to sections "
        "(feat: Added), not ['feat']\n"
    )


# --- release.prepare runs changelog.release -------------------------------------------------------


def test_prepare_releases_the_configured_changelog(example_repo: Repo, cli) -> None:
    result = cli(
        "release.prepare", "0.1.8", "--date", "2026-11-21", "--offline", cwd=example_repo.path
    )
    assert result.code == 0, result.err
    assert "updated CHANGELOG.md" in result.lines
    committed = example_repo.git("show", "HEAD:CHANGELOG.md")
    assert "## [Unreleased]\n\n## [0.1.8] - 2026-11-21\n\n### Added\n" in committed
    assert example_repo.git("status", "--porcelain") == ""


def test_prepare_refuses_an_empty_unreleased_and_changes_nothing(example_repo: Repo, cli) -> None:
    text = DEMO_CHANGELOG
    empty = text[: text.index("### Added")] + text[text.index("## [0.1.7]") :]
    example_repo.commit("chore: empty changelog", {"CHANGELOG.md": empty})
    before = (example_repo.snapshot(), example_repo.git("branch", "--list"))
    result = cli("release.prepare", "0.1.8", "--offline", cwd=example_repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: CHANGELOG.md:8: Unreleased section is empty; "
        "add the changes of 0.1.8 under it first\n"
    )
    assert (example_repo.snapshot(), example_repo.git("branch", "--list")) == before


def test_generate_all_output_adds_missing_releases_and_keeps_hand_written_text(
    make_repo, cli
) -> None:
    hand_written = (
        "# Changes\n\nOur own intro.\n\n## Unreleased\n\n- stale\n\n"
        "## 0.1.0 - 2026-01-02\n\nWritten by hand; generation must not touch it.\n"
    )
    repo = make_repo({"CHANGELOG.md": hand_written})
    repo.commit("feat: first")
    repo.git("tag", "v0.1.0")
    repo.commit("fix(api): second (#2)")
    repo.git("tag", "v0.2.0")
    repo.commit("perf: third")
    refused = cli("changelog", "--all", "--output", "CHANGELOG.md", cwd=repo.path)
    assert refused.code == 1
    assert "  CHANGELOG.md:7: - stale\n" in refused.err
    result = cli(
        "changelog", "--all", "--output", "CHANGELOG.md", "--replace-unreleased", cwd=repo.path
    )
    assert (result.code, result.out) == (0, "updated CHANGELOG.md\n")
    assert (repo.path / "CHANGELOG.md").read_text() == (
        "# Changes\n\nOur own intro.\n\n## Unreleased\n\n### Changed\n\n- Third\n\n"
        "## 0.2.0 - 2026-01-02\n\n### Fixed\n\n- **api**: Second (#2)\n\n"
        "## 0.1.0 - 2026-01-02\n\nWritten by hand; generation must not touch it.\n"
    )


def test_generate_output_refuses_two_unreleased_sections(make_repo, cli) -> None:
    repo = make_repo({"CHANGELOG.md": "## [Unreleased]\n\n- a\n\n## Unreleased\n\n- b\n"})
    before = repo.snapshot()
    result = cli("changelog", "--output", "CHANGELOG.md", cwd=repo.path)
    assert (result.code, result.err) == (
        1,
        "releasekit: error: CHANGELOG.md: more than one Unreleased section (lines 1, 5); "
        "keep one\n",
    )
    assert repo.snapshot() == before


def test_prepare_changelog_spelled_without_brackets_or_v(make_repo, cli) -> None:
    repo = make_repo(
        {
            "releasekit.yaml": (
                "version_files:\n  - path: VERSION\n    pattern: '{version}'\n"
                "changelog:\n  path: CHANGELOG.md\n"
            ),
            "VERSION": "0.9.0\n",
            "CHANGELOG.md": "## Unreleased\n\n- First.\n\n## 0.9.0 - 2026-01-02\n\n- Zero.\n",
        }
    )
    result = cli("release.prepare", "v1.0.0", "--date", "2026-08-10", "--offline", cwd=repo.path)
    assert result.code == 0, result.err
    assert repo.git("show", "--format=", "--name-only", "HEAD").split() == [
        "CHANGELOG.md",
        "VERSION",
    ]
    assert (repo.path / "CHANGELOG.md").read_text() == (
        "## Unreleased\n\n## 1.0.0 - 2026-08-10\n\n- First.\n\n## 0.9.0 - 2026-01-02\n\n- Zero.\n"
    )


def test_prepare_refuses_a_changelog_that_is_also_a_version_file(make_repo, cli) -> None:
    # Both edits were computed from the same bytes: writing both silently dropped the bump's.
    repo = make_repo(
        {
            "releasekit.yaml": (
                "version_files:\n  - path: VERSION\n    pattern: '{version}'\n"
                "  - path: CHANGELOG.md\n    pattern: 'Current version: {version}'\n"
                "changelog:\n  path: CHANGELOG.md\n"
            ),
            "VERSION": "0.9.0\n",
            "CHANGELOG.md": "Current version: 0.9.0\n\n## Unreleased\n\n- First.\n\n"
            "## 0.9.0 - 2026-01-02\n\n- Zero.\n",
        }
    )
    before = repo.snapshot()
    result = cli("release.prepare", "1.0.0", "--date", "2026-08-10", "--offline", cwd=repo.path)
    assert result.code == 1
    assert result.err == (
        "releasekit: error: CHANGELOG.md is both a version_files target and rewritten by the "
        "changelog release; remove its version_files entry from releasekit.yaml (the changelog "
        "release writes the new version there), or keep the version in another file\n"
    )
    assert repo.snapshot() == before
    assert repo.git("branch", "--list", "release/*") == ""


def test_generate_in_a_shallow_clone_without_the_last_tag_is_an_error(
    example_repo: Repo, cli, tmp_path
) -> None:
    """actions/checkout's default depth 1: the changelog would list only the newest commit."""
    import subprocess

    _with_history(example_repo)
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{example_repo.path}", str(clone)],
        check=True,
    )
    for argv in (("changelog",), ("changelog", "--all")):
        result = cli(*argv, cwd=clone)
        assert result.code == 1, result.out
        assert "is a shallow clone and" in result.err
        assert "fetch-depth: 0" in result.err
        assert result.out == ""


def test_generate_in_a_shallow_clone_that_holds_the_last_tag_works(
    make_repo, cli, tmp_path
) -> None:
    import subprocess

    repo = make_repo({"a.txt": "1\n"})
    repo.commit("feat: before the release", {"a.txt": "2\n"})
    repo.git("tag", "-a", "v1.0.0", "-m", "v1.0.0")
    repo.commit("fix: after the release", {"a.txt": "3\n"})
    clone = tmp_path / "depth2"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone)], check=True
    )
    assert (clone / ".git" / "shallow").is_file()
    result = cli("changelog", cwd=clone)
    assert (result.code, result.err) == (0, "")
    assert result.out == cli("changelog", cwd=repo.path).out
    assert "After the release" in result.out and "Before the release" not in result.out


def test_a_release_tag_on_another_tag_sections_at_its_commit(make_repo, cli) -> None:
    """`git tag -a v1.0.0 build-7` (git's "nested tag"): %(*objectname) peels one level, to the
    inner tag object, so the release once sectioned nowhere; it names its commit, exactly as the
    same release tagged on the commit does, cached or not."""

    def history(nested: bool) -> Repo:
        repo = make_repo({"a.txt": "1\n"})
        repo.commit("feat: in the first release", {"a.txt": "2\n"})
        if nested:
            repo.git("tag", "-a", "build-7", "-m", "CI build 7")
            repo.git("tag", "-a", "v1.0.0", "-m", "Release v1.0.0", "build-7")
        else:
            repo.git("tag", "-a", "v1.0.0", "-m", "Release v1.0.0")
        repo.commit("fix: after the release", {"a.txt": "3\n"})
        return repo

    plain, nested = history(False), history(True)
    inner = nested.git("for-each-ref", "--format=%(*objecttype)", "refs/tags/v1.0.0")
    assert inner.strip() == "tag"  # really a tag of a tag
    want = cli("changelog", "--all", "--no-cache", cwd=plain.path).out
    assert "## [1.0.0]" in want and "In the first release" in want
    for argv in (["--no-cache"], [], []):  # uncached, then a cold and a warm cache
        got = cli("changelog", "--all", *argv, cwd=nested.path)
        assert (got.code, got.out) == (0, want), got.err
