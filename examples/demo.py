"""The releasekit demo: release the example operator project end to end in a temp repository.

Run with `./dev demo` (or `nox -s demo`). It copies examples/demo-operator to a temporary
directory, gives it a git history with a previous release tag (v0.1.7) and a bare remote,
then runs releasekit's tasks the way a maintainer would, printing each command and its output.
Capabilities add their steps as examples/demo_<area>.py modules with `run(repo, sh)`.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The demo never reads the calendar: the release date is injected with --date and every git
# commit and tag carries a pinned date, so its output is the same on any day (CI runs it under
# faketime a year ahead and a year behind to prove that).
RELEASE_DATE = "2026-11-21"
GIT_DATE = "2026-11-20T12:00:00+00:00"
GIT_ENV = {
    "GIT_AUTHOR_DATE": GIT_DATE,
    "GIT_COMMITTER_DATE": GIT_DATE,
    "GIT_AUTHOR_NAME": "Demo Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.invalid",
    "GIT_COMMITTER_NAME": "Demo Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _banner(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def make_shell(repo: Path) -> Callable[..., int]:
    """`sh("release.bump", "0.1.8")` runs releasekit in the demo repo and prints everything."""

    def sh(*argv: str, expect: int = 0) -> int:
        print(f"$ releasekit {shlex.join(argv)}", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "releasekit.cli", *argv],
            cwd=repo,
            env={**os.environ, **GIT_ENV},
            capture_output=True,
            text=True,
        )
        sys.stdout.write(proc.stdout + proc.stderr)
        print(f"(exit {proc.returncode})", flush=True)
        if proc.returncode != expect:
            raise SystemExit(f"demo: expected exit {expect}, got {proc.returncode}")
        return proc.returncode

    return sh


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout


def build_repo(workdir: Path) -> Path:
    repo = workdir / "demo-operator"
    remote = workdir / "demo-operator.git"
    shutil.copytree(HERE / "demo-operator", repo, symlinks=True)
    git(workdir, "init", "-q", "--bare", str(remote))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feat: first public release")
    git(repo, "tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    (repo / "README.md").write_text("# demo-operator\n\nResumable agent sessions.\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "feat(controller): resume agent sessions after restart (#42)")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main", "v0.1.7")
    return repo


def foundation(repo: Path, sh: Callable[..., int]) -> None:
    _banner("What would a 0.1.8 bump change? (dry run: diffs, nothing written)")
    sh("release.bump", "0.1.8", "--dry-run", "--date", RELEASE_DATE)
    _banner("The release workflow's check before the bump: every file still says 0.1.7")
    sh("verify.versions", "--tag", "v0.1.8", expect=3)
    _banner("Seed 000 steps 2 and 4: release branch, bump, signed-off commit")
    sh("release.prepare", "0.1.8", "--date", RELEASE_DATE)
    print(git(repo, "log", "--stat", "--format=%h %s%n%n%b", "-1"))
    _banner("The same check after the bump")
    sh("verify.versions", "--tag", "v0.1.8")


# The order a release happens in; a new demo module not listed here runs last.
ORDER = ("demo_init", "demo_changelog", "demo_helm", "demo_tags", "demo_notes", "demo_artifacts",
         "demo_pins", "demo_registry", "demo_procedure")  # fmt: skip


def _release_order(path: Path) -> tuple[int, str]:
    return (ORDER.index(path.stem) if path.stem in ORDER else len(ORDER), path.stem)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="releasekit-demo-") as tmp:
        repo = build_repo(Path(tmp))
        sh = make_shell(repo)
        _banner(f"Example project in {repo} (tag v0.1.7 pushed to a bare remote)")
        sh("--list")
        foundation(repo, sh)
        for path in sorted(HERE.glob("demo_*.py"), key=_release_order):
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            _banner(f"{path.stem}: {(module.__doc__ or '').strip().splitlines()[0]}")
            module.run(repo, sh)
        _banner("Done: every step above ran against a real git repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
