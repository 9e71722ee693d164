"""docs.crd-history audit over many release tags (issue 16: "≤ 2 s for 36 tags").

No kubeopencode checkout here, so a stand-in built the same way every run: the example
project (examples/demo-operator) plus 8 more CRDs of ~1,200 lines each in its generated CRD
directory (10 files), 36 release tags, one CRD changing every third tag (a field added). Timed
in interleaved rounds, medians: ``releasekit docs.crd-history`` (the audit), ``releasekit
--list`` (start-up) and the floor: one ``git for-each-ref`` plus one ``git cat-file --batch``
reading every CRD blob of every tag (what the audit must read at the least). ``--before=DIR``
also times a source tree from before the change on the same repository.

    python benchmarks/bench_crd_history.py [--runs=5] [--tags=36] [--before=/tmp/rk-base]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "demo-operator"
CRDS = "config/crd/bases"
TARGET_SECONDS = 2.0
IDENT = ["-c", "user.name=b", "-c", "user.email=b@x.invalid", "-c", "commit.gpgsign=false"]


def crd(kind: str, fields: int, extra: int = 0) -> str:
    """A controller-gen-shaped CRD of about ``12 * fields`` lines (``extra`` more fields)."""
    plural = kind.lower() + "s"
    props = []
    for n in range(fields + extra):
        props.append(
            f"              field{n:03d}:\n"
            f"                description: |-\n"
            f"                  Field{n:03d} configures part {n} of the {kind}. It is a\n"
            f"                  multi-line description, as controller-gen writes them.\n"
            f"                properties:\n"
            f"                  name:\n"
            f"                    description: Name of part {n}.\n"
            f"                    type: string\n"
            f"                  replicas:\n"
            f"                    format: int32\n"
            f"                    type: integer\n"
            f"                type: object\n"
        )
    return (
        "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  annotations:\n    controller-gen.kubebuilder.io/version: v0.16.4\n"
        f"  name: {plural}.demo.example.com\nspec:\n  group: demo.example.com\n  names:\n"
        f"    kind: {kind}\n    listKind: {kind}List\n    plural: {plural}\n"
        f"    singular: {kind.lower()}\n  scope: Namespaced\n  versions:\n  - name: v1alpha1\n"
        "    schema:\n      openAPIV3Schema:\n        properties:\n          spec:\n"
        "            properties:\n" + "".join(props) + "            type: object\n"
        "        type: object\n    served: true\n    storage: true\n"
    )


def build(root: Path, tags: int) -> Path:
    """The stand-in repository: the example, 8 more CRDs, ``tags`` release tags."""
    repo = root / "crd-history"
    shutil.copytree(EXAMPLE, repo)
    kinds = [f"Extra{n}" for n in range(8)]
    grown = dict.fromkeys(kinds, 0)
    for kind in kinds:
        (repo / CRDS / f"demo.example.com_{kind.lower()}s.yaml").write_text(crd(kind, 100))
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)

    def commit_and_tag(tag: str) -> None:
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        subprocess.run(
            ["git", "-C", str(repo), *IDENT, "commit", "-qm", f"release {tag}"], check=True
        )
        subprocess.run(["git", "-C", str(repo), *IDENT, "tag", tag], check=True)

    for n in range(tags):
        if n and n % 3 == 0:  # a CRD changes every third tag
            kind = kinds[(n // 3) % len(kinds)]
            grown[kind] += 1
            (repo / CRDS / f"demo.example.com_{kind.lower()}s.yaml").write_text(
                crd(kind, 100, grown[kind])
            )
        else:
            (repo / "docs" / "notes.md").write_text(f"release {n}\n")
        commit_and_tag(f"v1.{n // 10}.{n % 10}")
    return repo


FLOOR = """
import subprocess, sys
tags = subprocess.run(["git", "for-each-ref", "--format=%(refname)", "refs/tags"],
                      capture_output=True, text=True, check=True).stdout.split()
names = "".join(f"{t}:{sys.argv[1]}/{f}\\n" for t in tags for f in sys.argv[2:])
out = subprocess.run(["git", "cat-file", "--batch"], input=names.encode(), capture_output=True,
                     check=True).stdout
print(len(out))
"""


def _env(tree: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(tree / "tasks"), "PYTHONPYCACHEPREFIX": str(cache)}


def _timer(argv: list[str], cwd: Path, env: dict[str, str]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
        took = time.perf_counter() - start
        if proc.returncode not in (0, 3):  # 3: the audit found rows that do not match
            raise RuntimeError(f"{argv} failed: {proc.stderr.decode()[-800:]}")
        return took

    return run


def main(argv: list[str]) -> int:
    runs, tags = 5, 36
    trees = {"releasekit": HERE.parent}
    for arg in argv:
        if arg.startswith("--runs="):
            runs = int(arg.split("=", 1)[1])
        elif arg.startswith("--tags="):
            tags = int(arg.split("=", 1)[1])
        elif arg.startswith("--before="):
            trees["before"] = Path(arg.split("=", 1)[1]).resolve()
    print(f"cpus: {os.cpu_count()}  load average {os.getloadavg()[0]:.2f}  medians of {runs}")
    with tempfile.TemporaryDirectory(prefix="bench-crd-history-") as name:
        tmp = Path(name)
        cache = tmp / "pycache"
        repo = build(tmp, tags)
        files = sorted(p.name for p in (repo / CRDS).glob("*.yaml"))
        env = _env(trees["releasekit"], cache)
        rk = [sys.executable, "-m", "releasekit.cli"]
        timers = {
            "floor: for-each-ref + one cat-file --batch": _timer(
                [sys.executable, "-c", FLOOR, CRDS, *files], repo, env
            ),
            "releasekit --list (start-up)": _timer([*rk, "--list"], repo, env),
        }
        for label, tree in trees.items():
            timers[f"{label} docs.crd-history"] = _timer(
                [*rk, "docs.crd-history"], repo, _env(tree, cache)
            )
        outputs = {
            label: subprocess.run(
                [*rk, "docs.crd-history"], cwd=repo, env=_env(tree, cache), capture_output=True
            ).stdout
            for label, tree in trees.items()
        }
        for timer in timers.values():
            timer()  # warm-up: page cache, bytecode cache
        samples: dict[str, list[float]] = {label: [] for label in timers}
        for _ in range(runs):
            for label, timer in timers.items():
                samples[label].append(timer())
        times = {label: statistics.median(s) for label, s in samples.items()}
        floor = times["floor: for-each-ref + one cat-file --batch"]
        start = times["releasekit --list (start-up)"]
        print(f"-- docs.crd-history: {tags} tags, {len(files)} CRD files")
        for label, t in times.items():
            print(f"   {label:44} {t * 1000:9.1f} ms  {t / floor:6.2f}x floor")
        ours = times["releasekit docs.crd-history"]
        print(
            f"   releasekit above start-up: {(ours - start) * 1000:.1f} ms; "
            f"target <= {TARGET_SECONDS:.0f} s: {'met' if ours <= TARGET_SECONDS else 'MISSED'}"
        )
        if len(set(outputs.values())) > 1:
            print("   OUTPUTS DIFFER between trees")
            return 1
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
