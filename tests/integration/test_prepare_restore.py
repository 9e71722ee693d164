"""release.prepare puts back the original branch and tree whenever it fails after switching
branches, and says exactly what it restored."""

from __future__ import annotations

from collections.abc import Callable

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]
CONFIG = (
    'version_files:\n  - path: Makefile\n    pattern: "VERSION ?= {version}"\n'
    '  - path: "docs/*.md"\n    pattern: "DEMO_VERSION={version}"\n'
)


def _state(repo: Repo) -> tuple[str, str, str, dict[str, bytes]]:
    return (
        repo.git("rev-parse", "HEAD"),
        repo.git("branch", "--list"),
        repo.git("status", "--porcelain", "--untracked-files=all"),
        repo.snapshot(),
    )


def _project(make_repo: Callable[..., Repo]) -> Repo:
    return make_repo(
        {
            "releasekit.yaml": CONFIG,
            "Makefile": "VERSION ?= 0.1.7\n",
            "docs/a.md": "DEMO_VERSION=0.1.7\n",
            "docs/b.md": "DEMO_VERSION=0.1.7\n",
            "main.go": "package main\n",
        }
    )


def test_a_formatter_hook_that_rewrites_files_and_fails_is_undone(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    """The usual formatter hook: it rewrites staged files (and another one), then exits 1."""
    repo = _project(make_repo)
    hook = repo.path / ".git/hooks/pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        "printf '# formatted\\n' >> Makefile\n"
        "printf '// formatted\\n' >> main.go\n"
        "echo 'files were modified by this hook' >&2\n"
        "exit 1\n"
    )
    hook.chmod(0o755)
    before = _state(repo)
    result = cli("release.prepare", "0.1.8", "--offline", cwd=repo.path)
    assert (result.code, result.out) == (1, "")
    lines = result.err.splitlines()
    assert lines[1].startswith(f"releasekit: error: git -C {repo.path} commit -q -s -F - failed")
    assert lines[1].endswith("files were modified by this hook")
    assert lines[2:] == [
        "rolled back: restored Makefile, docs/a.md, docs/b.md to their original content; "
        "restored main.go (changed by the commit hook); switched back to main; "
        "deleted branch release/v0.1.8"
    ]
    assert _state(repo) == before


def test_a_commit_that_fails_without_a_hook_is_undone(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = _project(make_repo)
    repo.git("config", "commit.gpgsign", "true")
    repo.git("config", "gpg.program", "/nonexistent/gpg")
    before = _state(repo)
    result = cli("release.prepare", "0.1.8", "--offline", cwd=repo.path)
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "rolled back: restored Makefile, docs/a.md, docs/b.md to their original content; "
        "switched back to main; deleted branch release/v0.1.8"
    )
    assert _state(repo) == before


def test_a_hook_that_creates_a_file_is_named_not_deleted(
    make_repo: Callable[..., Repo], cli: Cli
) -> None:
    repo = _project(make_repo)
    hook = repo.path / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho report > hook-report.txt\nexit 1\n")
    hook.chmod(0o755)
    result = cli("release.prepare", "0.1.8", "--offline", cwd=repo.path)
    assert result.code == 1
    assert result.err.splitlines()[-1].endswith(
        "deleted branch release/v0.1.8; left hook-report.txt (untracked, created during the commit)"
    )
    assert (repo.path / "hook-report.txt").read_text() == "report\n"
    assert repo.git("status", "--porcelain") == "?? hook-report.txt\n"
