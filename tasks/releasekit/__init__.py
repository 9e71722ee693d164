"""releasekit: composable invoke tasks that release Kubernetes-ecosystem projects.

``from releasekit import ns`` gives the whole collection for a project's own tasks.py.
Task modules import heavy libraries inside the tasks that need them, so ``--list`` stays fast.
"""

from __future__ import annotations

from .core.common import invokeimport

invokeimport.import_invoke()  # before anything else imports it: start-up (invokeimport.py)

from invoke import Collection  # noqa: E402

from . import _adapter, changelog, docs, init, plan, release, verify  # noqa: E402
from .core.defaults import DEFAULTS  # noqa: E402

__version__ = "0.1.0"

ns = Collection(release.ns, verify.ns, changelog.ns, docs.ns, plan.ns)
ns.add_task(init.init)  # top level: `releasekit init`
ns.configure({"releasekit": DEFAULTS})
_adapter.redact_logs()  # before invoke logs anything under --debug

__all__ = ["__version__", "changelog", "docs", "ns", "release", "verify"]
