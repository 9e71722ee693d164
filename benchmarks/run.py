"""Run every benchmark (benchmarks/bench_*.py) and print its ratios against its anchor.

Each bench module has ``main(argv) -> int`` and prints a small report; anchors (bare invoke,
git log, git-cliff, coreutils sha256sum, openssl) are measured in the same run so the ratios
hold on any machine. ``nox -s bench -- startup`` runs only the benches whose name contains it;
``nox -s bench -- cost bump`` runs bench_cost's bump group (a word that names no bench is a
group for the benches selected).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    # pip compiles an installed package's bytecode; with PYTHONDONTWRITEBYTECODE=1 (set on some
    # CI images and on the development machine) every child would recompile every module of
    # releasekit and its libraries, and the benchmark would time the compiler, not the tool.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    here = Path(__file__).parent
    benches = sorted(here.glob("bench_*.py"))
    words = [a for a in argv if not a.startswith("-")]
    # A word naming a bench selects it; any other word is a group passed on to the selected
    # benches (``run.py cost bump``: bench_cost's bump group only).
    wanted = [w for w in words if any(w in path.stem for path in benches)]
    groups = [w for w in words if w not in wanted]
    status = 0
    for path in benches:
        if wanted and not any(w in path.stem for w in wanted):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        status |= module.main([*groups, *(a for a in argv if a.startswith("-"))])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
