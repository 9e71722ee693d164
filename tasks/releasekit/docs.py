"""docs.*: keep release documentation in step with the releases.

The tasks live with their domain (docs.crd-history: crds.py); this module names the namespace.
"""

from __future__ import annotations

from invoke import Collection

from . import crds

ns = Collection("docs", crds.crd_history)
