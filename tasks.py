"""releasekit releases itself with its own tasks (dogfood): `inv --list`.

The package is imported from tasks/ (the same way a vendored copy would be), so this works
in a fresh clone without installing anything but releasekit's dependencies.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tasks"))

import releasekit

ns = releasekit.ns
