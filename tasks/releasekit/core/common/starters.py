"""The starter files users copy into their repository (templates/ in the source tree).

The wheel ships them inside the package (``releasekit/starters/``, see pyproject.toml), so a
pip user gets them from ``releasekit --print-template NAME`` and every message can point there
instead of at a repository path they do not have.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError

STARTERS = (
    "releasekit.yaml",
    "releasekit.schema.json",
    "tasks.py",
    "release.mk",
    "github/release-verify.yaml",
    "github/release-fan-out.yaml",
)
CONFIG_HINT = "releasekit --print-template releasekit.yaml > releasekit.yaml"
STARTER_DOCS = "releasekit --print-template releasekit.yaml"

_PACKAGE = Path(__file__).resolve().parents[2]
# Installed wheel first; then the source tree's templates/ (editable installs, a checkout);
# the JSON Schema is package data (templates/ inside the package), so a vendored copy has it.
_PLACES = (_PACKAGE / "starters", _PACKAGE.parents[1] / "templates", _PACKAGE / "templates")


def read_starter(name: str) -> str:
    """Return the text of one starter file.

    Raises:
        UsageError: ``name`` is not a starter file, or this copy of releasekit has none
            (a vendored copy of tasks/releasekit alone).
    """
    if name not in STARTERS:
        raise UsageError(f"no starter file {name!r}; choose one of: {', '.join(STARTERS)}")
    for place in _PLACES:
        path = place / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise UsageError(
        f"this copy of releasekit ({_PACKAGE}) carries no starter files; "
        "install the wheel (pip install releasekit) or copy them from the releasekit repository's templates/"
    )
