"""releasekit releases itself with its own tasks (dogfood): `inv --list`.

The package is imported from tasks/ (the same way a vendored copy would be), so this works
in a fresh clone without installing anything but releasekit's dependencies.

The release, as .github/workflows/release.yml runs it on a tag push:
    inv verify.versions --tag v0.2.0     every version file agrees with the tag
    inv dist                              sdist + wheel in dist/, twine check, SHA256SUMS
    (pypa/gh-action-pypi-publish)         trusted publishing of dist/ to PyPI
"""

import shutil
import sys
import zipfile
from pathlib import Path

from invoke import Context, Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tasks"))

import releasekit  # noqa: E402 - imported from tasks/ above, as a vendored copy would be

ns = releasekit.ns


@task(help={"outdir": "where the sdist, wheel and SHA256SUMS go (emptied first)"})
def dist(c: Context, outdir: str = "dist") -> None:
    """Build sdist and wheel, check them, write SHA256SUMS."""
    out = ROOT / outdir
    shutil.rmtree(out, ignore_errors=True)
    c.run(f"{sys.executable} -m build --sdist --wheel --outdir {out} {ROOT}")
    c.run(f"{sys.executable} -m twine check --strict {out}/*")
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    needed = {
        "releasekit/py.typed",
        "releasekit/starters/releasekit.yaml",
        "releasekit/templates/releasekit.schema.json",
    }
    if top != {"releasekit"} or not needed <= set(names):
        raise Exit(f"{wheel.name} must ship releasekit/ with {sorted(needed)}; got {sorted(top)}")
    releasekit.release.checksums(
        c, f"{outdir}/*.whl,{outdir}/*.tar.gz", output=f"{outdir}/SHA256SUMS"
    )
    print(f"{wheel.name}: {len(names)} files, top level {sorted(top)}")


ns.add_task(dist)


@task
def generate(c: Context) -> None:
    """Regenerate the JSON Schema, starter config and config tables."""
    from releasekit.core.config.reference import write_generated

    for path in write_generated(ROOT):
        print(f"wrote {path.relative_to(ROOT)}")


ns.add_task(generate)
