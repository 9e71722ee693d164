"""A template that fails part way through the streamed ``changelog --all`` leaves no git process
behind: the walk's ``git log`` is stopped and reaped when the render ends, not whenever the
cyclic collector next finds the failed render's frames (never, in the ``releasekit`` command,
which freezes them)."""

from __future__ import annotations

import gc
import os
import subprocess
from pathlib import Path

import pytest

from releasekit.core.changelog.config import ChangelogConfig
from releasekit.core.changelog.generate import generate
from releasekit.core.common.errors import ConfigError

PREPARE = "chore: prepare {tag} release"
# Fails at the second release, while the walk is suspended part way through the history.
FAILING = "{% for r in releases %}{% if not loop.first %}{{ 1 / 0 }}{% endif %}{{ r.label }}\n{% endfor %}"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _children() -> set[tuple[str, str]]:
    """This process's child processes (zombies included) as (pid, command), from /proc: not
    the whole stat line, whose CPU times move for a child that runs on (a fixture's registry)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == os.getpid():  # fields: state, ppid, ...
            found.add((entry, stat.partition("(")[2].rpartition(")")[0]))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("cache", [False, True])
def test_a_template_failing_mid_walk_leaves_no_git_process(tmp_path: Path, cache: bool) -> None:
    _git(tmp_path, "init", "-q", "-b", "main")
    for n in range(6):
        _git(tmp_path, "-c", "user.name=A", "-c", "user.email=a@x.invalid", "commit", "-q",
             "--allow-empty", "-m", f"feat: change {n}")  # fmt: skip
        _git(tmp_path, "tag", f"v0.{n}.0")
    (tmp_path / "log.md.j2").write_text(FAILING)
    before = _children()
    was = gc.isenabled()
    gc.disable()  # what the collector would find later is not the point: nothing left now
    try:
        with pytest.raises(ConfigError, match="template error"):
            generate(tmp_path, ChangelogConfig(template="log.md.j2"), tag_format="v{version}",
                     commit_message=PREPARE, everything=True, cache=cache)  # fmt: skip
        assert _children() - before == set()  # no new child, running or a zombie
    finally:
        if was:
            gc.enable()
