"""The ways users get releasekit: console script, vendored copy, templates, own tasks.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import releasekit
from conftest import REPO_ROOT, Repo

LIST_LINES = [
    "Subcommands:",
    "",
    "  init                                                Write a commented releasekit.yaml for this repository.",
    "  changelog.check                                     Lint the changelog; exit 3 on findings.",
    "  changelog.generate (changelog)                      Generate the changelog from Conventional Commits.",
    "  changelog.release                                   Move the Unreleased entries into a version section.",
    "  docs.crd-history                                    Audit or extend the Version History with CRD Changes.",
    "  plan.checks (plan)                                  List the release's checks, one slice per CI job.",
    "  plan.merge                                          Merge the slices' --json results into one.",
    "  plan.run                                            Run every check of the plan here, one after another.",
    "  release.bump                                        Set the release version in every configured file.",
    "  release.bump-chart                                  Set a chart's version and its local dependants'.",
    "  release.checksums                                   Write a sorted GNU sha256sum checksums file.",
    "  release.citation                                    Write version, date-released and commit to CITATION.cff.",
    "  release.get                                         Print a key's value as the file spells it.",
    "  release.go-get                                      Run go get and go mod tidy in Go module directories.",
    "  release.go-tag                                      Tag every Go module in dependency order.",
    "  release.hotfix                                      Cut a hotfix branch from a release tag.",
    "  release.image-tags                                  List an image's release tags, newest first, with digests.",
    "  release.manifest                                    Write the suite release manifest with digests and sha256s.",
    "  release.notes                                       Write a release's notes in its outline.",
    "  release.package-chart                               Package charts into reproducible name-version.tgz.",
    "  release.pin                                         Pin the tested value into every pin target.",
    "  release.preflight                                   Run the preflight checks, then the clean-tree check.",
    "  release.prepare                                     Create the release branch with the bump in one commit.",
    "  release.promote                                     Promote a tested build to the release tags by digest.",
    "  release.publish                                     Create or update the forge release, upload assets, publish.",
    "  release.push-chart                                  Push a chart to OCI once and pull it back to verify.",
    "  release.recover                                     Restore what an interrupted releasekit command left.",
    "  release.run                                         Run the release steps that are still to do.",
    "  release.set                                         Set keys of a YAML, JSON or TOML file, one token each.",
    "  release.status                                      Show each release step's state and why.",
    "  release.supersede                                   Mark a bad release as superseded by a newer one.",
    "  release.tag                                         Create an annotated release tag on one commit.",
    "  release.tags                                        List release tags, newest first.",
    "  release.unpin                                       Put every pin target's development value back.",
    "  release.untag                                       Delete a local tag that no remote has.",
    "  verify.artifacts                                    Run every configured artifact check; print one report.",
    "  verify.assets                                       Check release assets against the configured matrix.",
    "  verify.attestation                                  Verify an artifact's signed provenance attestation.",
    "  verify.chart                                        Check appVersion, chart version and the bump rule.",
    "  verify.chart-published                              Pull the published chart, check and render it for the tag.",
    "  verify.chart-sync                                   Check that chart CRDs match the generated CRDs.",
    "  verify.citation                                     Check CITATION.cff's commit is its release tag's commit.",
    "  verify.cosign (verify.cosign-verify)                Verify a blob's Sigstore signature or an image's.",
    "  verify.crd-changes                                  List CRD changes since the previous release.",
    "  verify.docs                                         Check docs: stale versions, rules, compatibility tables.",
    "  verify.helm-template (verify.helm-template-check)   Render charts and check every image against the tag.",
    "  verify.images                                       Check published images by digest, platform and labels.",
    "  verify.manifest                                     Check a release manifest against the registry and files.",
    "  verify.sha256sum (verify.sha256sum-check)           Check files against a checksum list like sha256sum -c.",
    "  verify.tags                                         Audit release and Go module tags for consistency.",
    "  verify.versions                                     Check every version file against the release tag.",
    "",
]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(extra)
    return env


def _fresh_python(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a new interpreter importing releasekit from the source tree.

    A fresh process: invoke consumes a task's help texts the first time it builds its
    arguments, and import side effects are only visible from a clean start.
    """
    return subprocess.run(
        [sys.executable, "-c", script],
        env=_clean_env(PYTHONPATH=str(REPO_ROOT / "tasks")),
        capture_output=True,
        text=True,
        check=True,
    )


def test_list_shows_every_task_with_one_line_help(tmp_path: Path, cli) -> None:
    result = cli("--list", cwd=tmp_path)
    assert (result.code, result.lines) == (0, LIST_LINES)


def test_every_task_has_short_imperative_help_and_documented_options() -> None:
    # A fresh process: invoke consumes a task's help texts the first time it builds its arguments.
    script = (
        "import releasekit\n"
        "for name in releasekit.ns.task_names:\n"
        "    task = releasekit.ns[name]\n"
        "    first = (task.__doc__ or '').strip().splitlines()[0]\n"
        "    if not (first and len(first) < 60 and first.endswith('.')):\n"
        "        print(name, 'docstring', repr(first))\n"
        "    for arg in task.get_arguments():\n"
        "        if not arg.help:\n"
        "            print(name, 'no help for', arg.name)\n"
    )
    result = _fresh_python(script)
    assert result.stdout == ""


def test_version_flag(tmp_path: Path, cli) -> None:
    result = cli("--version", cwd=tmp_path)
    assert result.lines == [f"releasekit {releasekit.__version__}"]


def test_vendored_copy_works_next_to_a_minimal_tasks_py(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "tasks" / "releasekit", tmp_path / "releasekit")
    (tmp_path / "tasks.py").write_text(
        "from invoke import task\n\nimport releasekit\n\nns = releasekit.ns\n\n\n"
        '@task\ndef where(c):\n    """Print where releasekit was imported from."""\n'
        "    print(releasekit.__file__)\n\n\nns.add_task(where)\n"
    )
    listed = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    # Not the exact line: the name column widens (and help wraps) as longer task names arrive.
    assert re.search(r"^  release\.bump +Set the release", listed.stdout, re.M)
    where = subprocess.run(
        [sys.executable, "-m", "invoke", "where"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip() == str(tmp_path / "releasekit" / "__init__.py")


def test_template_tasks_py_composes_releasekit_with_a_project_task(example_repo: Repo) -> None:
    shutil.copy(REPO_ROOT / "templates" / "tasks.py", example_repo.path / "tasks.py")
    env = _clean_env(PYTHONPATH=str(REPO_ROOT / "tasks"))
    listed = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"],
        cwd=example_repo.path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.search(r"^  prepare-release +Prepare the release", listed.stdout, re.M)
    example_repo.commit("chore: add tasks.py")
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "prepare-release", "0.1.8"],
        cwd=example_repo.path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "committed " in done.stdout and done.stdout.rstrip().endswith("OK")
    assert example_repo.git("symbolic-ref", "--short", "HEAD").strip() == "release/v0.1.8"


def _make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed; install it with: apt-get install -y make")
    # The real releasekit of this source tree, as the Makefile's $(RELEASEKIT).
    releasekit_cmd = f"{sys.executable} -m releasekit.cli"
    env = _clean_env(PYTHONPATH=str(REPO_ROOT / "tasks"))
    return subprocess.run(
        [make, "-s", "--no-print-directory", *args, f"RELEASEKIT={releasekit_cmd}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )


def test_release_mk_next_to_a_makefile_that_sets_version(make_repo) -> None:
    """Operator-scaffold Makefiles set `VERSION ?=`; release.mk reads RELEASE_VERSION, takes
    0.1.7 and v0.1.7 alike (never vv0.1.7) and leaves VERSION alone."""
    repo = make_repo(
        {
            "Makefile": "VERSION ?= v0.1.7\n\ninclude release.mk\n\n"
            "print-version:\n\t@echo VERSION=$(VERSION)\n",
            "release.mk": (REPO_ROOT / "templates" / "release.mk").read_text(),
            "releasekit.yaml": "version_files:\n  - path: Makefile\n"
            '    pattern: "VERSION ?= {version}"\n',
        }
    )
    repo.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    for spelled in ("0.1.7", "v0.1.7", " v0.1.7 "):
        done = _make(repo.path, "verify-versions", f"RELEASE_VERSION={spelled}")
        assert (done.returncode, done.stderr) == (0, ""), spelled
        assert done.stdout == "Makefile:1 VERSION: v0.1.7 (expected 0.1.7) OK\n"
    wrong = _make(repo.path, "verify-versions", "RELEASE_VERSION=0.1.8")
    assert wrong.returncode == 2  # make's own code for a failed recipe (releasekit said 3)
    assert "do not match tag (v0.1.8)\n" in wrong.stderr
    assert "verify-versions] Error 3" in wrong.stderr
    shown = _make(repo.path, "RELEASE_VERSION=0.1.8")  # the Makefile's default goal stays
    assert shown.stdout == "VERSION=v0.1.7\n"
    dry = _make(repo.path, "-n", "release-prepare", "RELEASE_VERSION=v0.1.8")
    assert dry.stdout.splitlines()[-1].endswith("-m releasekit.cli release.prepare 0.1.8")


def test_release_mk_without_release_version_fails_clearly(make_repo) -> None:
    repo = make_repo(
        {
            "Makefile": "VERSION ?= v0.1.7\ninclude release.mk\n",
            "release.mk": (REPO_ROOT / "templates" / "release.mk").read_text(),
        }
    )
    before = repo.snapshot()
    missing = _make(repo.path, "release-prepare")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == (
        "RELEASE_VERSION is required, e.g. make release-prepare RELEASE_VERSION=0.1.8"
    )
    # VERSION= on the command line is the Makefile's variable: say which one releasekit reads.
    told = _make(repo.path, "verify-versions", "VERSION=0.1.8")
    assert told.returncode == 2
    assert told.stderr.splitlines()[0] == (
        "RELEASE_VERSION is required, e.g. make verify-versions RELEASE_VERSION=0.1.8 "
        "(VERSION= is this Makefile's own variable; releasekit reads RELEASE_VERSION)"
    )
    assert repo.snapshot() == before


def test_repository_releases_itself_with_its_own_tasks(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "verify.versions", "--tag", f"v{releasekit.__version__}"],
        cwd=REPO_ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    init = (REPO_ROOT / "tasks/releasekit/__init__.py").read_text().splitlines()
    line = next(n for n, text in enumerate(init, 1) if text.startswith("__version__ = "))
    assert result.stdout.splitlines() == [
        f"pyproject.toml:7 project.version: {releasekit.__version__} (expected {releasekit.__version__}) OK",
        f"tasks/releasekit/__init__.py:{line} __version__: {releasekit.__version__} (expected {releasekit.__version__}) OK",
    ]


def test_invoke_yaml_section_is_read_by_inv_and_by_releasekit(make_repo) -> None:
    repo = make_repo(
        {
            "Makefile": "VERSION ?= 0.1.7\n",
            "invoke.yaml": 'releasekit:\n  tag_format: "{version}"\n  version_files:\n'
            '    - path: Makefile\n      pattern: "VERSION ?= {version}"\n',
            "tasks.py": "import releasekit\n\nns = releasekit.ns\n",
        }
    )
    env = _clean_env(PYTHONPATH=str(REPO_ROOT / "tasks"))

    def both_entry_points() -> list[tuple[int, str, str]]:
        runs = [
            subprocess.run(
                [sys.executable, *entry, "verify.versions", "--tag", "0.1.7"],
                cwd=repo.path,
                env=env,
                capture_output=True,
                text=True,
            )
            for entry in (["-m", "invoke"], ["-m", "releasekit.cli"])
        ]
        return [(r.returncode, r.stdout, r.stderr) for r in runs]

    ok = (0, "Makefile:1 VERSION: 0.1.7 (expected 0.1.7) OK\n", "")
    assert both_entry_points() == [ok, ok]
    (repo.path / "invoke.yaml").write_text("releasekit:\n  tag_format: 7\n")
    bad = (
        1,
        "",
        "releasekit: error: invoke config: releasekit.tag_format must be a string, got int 7\n",
    )
    assert both_entry_points() == [bad, bad]


def test_listing_tasks_imports_no_heavy_library() -> None:
    # The start-up benchmark measures time; this pins the cause: task modules import their
    # libraries (and the config parser) inside the tasks, never at import.
    script = (
        "import sys, releasekit.cli\n"
        "heavy = ['ruamel', 'semver', 'tomlkit', 'jinja2', 'markdown_it', 'rich', 'sigstore',\n"
        "         'helm_python', 'msgspec', 'pydantic', 'releasekit.core.config']\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    result = _fresh_python(script)
    assert result.stdout == "[]\n"


def test_changelog_check_imports_no_command_runner(example_repo: Repo) -> None:
    # Issue 16 (changelog.check above start-up): the config imports network settings without
    # the subprocess runner, and the journal probe reads .git entries only (gitdir.py); a plain
    # generated changelog needs no CommonMark parser. Pinned here; timed in benchmarks/.
    script = (
        "import sys\n"
        "sys.argv = ['releasekit', 'changelog.check', '--date', '2100-01-01']\n"
        "from releasekit._entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
        "avoid = ['releasekit.core.common.process', 'releasekit.core.common.journal',\n"
        "         'releasekit.core.common.recovery', 'markdown_it', 'git']\n"
        "print(sorted(m for m in sys.modules if m in avoid or m.split('.')[0] in avoid))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=example_repo.path,
        env=_clean_env(PYTHONPATH=str(REPO_ROOT / "tasks")),
        capture_output=True,
        text=True,
    )
    assert (result.stdout, result.stderr) == ("CHANGELOG.md: OK (1 release)\n[]\n", "")
