"""release.preflight: the checks a maintainer runs before the tag (seeds 000 and 001).

The configured commands in order, their output passed through line by line as it comes; then
the tree must be clean (``git status --short`` empty: generated files are up to date); then
the version probe (a build that prints the version it was given). Commands are argument
lists split like a shell and run without one.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..common.errors import ConfigError
from ..common.process import run, run_live
from ..config import Config
from .config import PreflightConfig, split_command

Outcome = Literal["ok", "failed", "error", "not-run"]


@dataclass(frozen=True)
class Check:
    """One preflight check and how it ended (``seconds`` None: not run)."""

    name: str
    outcome: Outcome
    seconds: float | None
    detail: str = ""


def section(cfg: Config) -> PreflightConfig:
    if cfg.preflight is None:
        raise ConfigError(
            f"{cfg.where()}: no preflight section; add one, e.g. preflight: {{commands: "
            "[make test, make lint], probe: {command: './bin/app version', expect: '{version}'}}"
        )
    return cfg.preflight


def _run(cfg: Config, argv: list[str], echo: Callable[[str], None]) -> tuple[int, str]:
    return run_live(argv, cwd=cfg.root, echo=echo)


def run_preflight(
    cfg: Config, *, version: str | None, tag: str | None, keep_going: bool,
    echo: Callable[[str], None],
) -> list[Check]:  # fmt: skip
    """Every check in order; after the first failure the rest are not run (unless
    ``keep_going``).

    Raises:
        ConfigError: no preflight section, or a probe without a version to expect.
    """
    pre = section(cfg)
    planned: list[tuple[str, Callable[[], Check]]] = []
    for command in pre.commands:
        planned.append((command, functools.partial(_command, cfg, command, echo)))
    if pre.clean:
        planned.append(("git status --short", lambda: _clean(cfg)))
    if pre.probe is not None:
        if version is None or tag is None:
            raise ConfigError(
                f"{cfg.where()}: preflight.probe needs the version to expect; pass --tag or --version"
            )
        probe = pre.probe
        fill = _filler(version, tag)
        command = fill(probe.command)
        expect = fill(probe.expect)
        planned.append(
            (command, functools.partial(_command, cfg, command, echo, "probe.command", expect))
        )
    checks: list[Check] = []
    failed = False
    for name, check in planned:
        if failed and not keep_going:
            checks.append(Check(name, "not-run", None))
            continue
        echo(f"==> {name}")
        result = check()
        checks.append(result)
        failed = failed or result.outcome != "ok"
    return checks


def _filler(version: str, tag: str) -> Callable[[str], str]:
    return lambda text: text.replace("{version}", version).replace("{tag}", tag)


def _command(
    cfg: Config, command: str, echo: Callable[[str], None], key: str = "command",
    expect: str | None = None,
) -> Check:  # fmt: skip
    """Run one command line; with ``expect``, its output must contain that text as a word."""
    start = time.monotonic()
    code, output = _run(cfg, split_command(command, key), echo)
    seconds = time.monotonic() - start
    if code == -1:
        return Check(command, "error", seconds, output)
    if code != 0:
        return Check(command, "failed", seconds, f"exit code {code}")
    if expect is None:
        return Check(command, "ok", seconds)
    if not printed(output, expect):
        whole = " as a whole word" if expect in output else ""
        return Check(command, "failed", seconds, f"its output does not contain {expect!r}{whole}")
    return Check(command, "ok", seconds, f"printed {expect!r}")


# What continues a version or a word: 0.1.8 is not proven by 0.1.80, 10.1.8 or 0.1.8-rc.1 —
# but a full stop that ends the sentence ("Version: 0.1.8.") ends it.
_BEFORE = r"(?<![A-Za-z0-9_.+-])"
_AFTER = r"(?![A-Za-z0-9_+-]|\.[A-Za-z0-9])"


def printed(output: str, expect: str) -> bool:
    """Whether ``output`` holds ``expect`` as a whole word (never inside a longer version)."""
    import re

    # `v0.1.8` proves 0.1.8 (Go binaries print their tag), `xv0.1.8` and `0.1.80` do not.
    lead = "v?" if expect[:1].isdigit() else ""
    return re.search(_BEFORE + lead + re.escape(expect) + _AFTER, output) is not None


def _clean(cfg: Config) -> Check:
    start = time.monotonic()
    out = run(["git", "-C", str(cfg.root), "status", "--short"], check=False)
    seconds = time.monotonic() - start
    if out.returncode != 0:
        return Check("git status --short", "error", seconds, out.stderr.strip())
    dirty = out.stdout.splitlines()
    if dirty:
        shown = ", ".join(line.strip() for line in dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        return Check("git status --short", "failed", seconds,
                     f"the checks left the tree dirty ({shown}); commit the generated files")  # fmt: skip
    return Check("git status --short", "ok", seconds)
