"""release.manifest from its flags: the suite release, the data, the bytes, the file edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..common.confine import confine
from ..common.errors import ReleaseError
from ..common.textfile import FileEdit, read_text
from ..config import Config
from .build import build, manifest_path, suite_release
from .serialize import dump


@dataclass(frozen=True)
class ManifestPlan:
    path: str
    data: dict[str, Any]
    text: str
    edit: FileEdit | None  # None: the file already holds exactly this


def plan_manifest(cfg: Config, version: str, codename: str = "", channel: str = "", output: str = "",
                  *, plain_http: bool = False, force: bool = False) -> ManifestPlan:  # fmt: skip
    """Build the manifest and the edit that writes it; a different existing file is refused.

    Raises:
        ReleaseError: the manifest file exists with other content and ``force`` is off.
    """
    suite = suite_release(cfg, version, codename, channel)
    shown = output or manifest_path(cfg, suite)
    real = confine(cfg.root, shown, what="manifest path")
    data = build(cfg, suite, real, plain_http=plain_http)
    text = dump(data)
    if not real.exists():
        if not real.parent.is_dir():
            raise ReleaseError(f"{shown}: directory {real.parent} does not exist; create it first")
        return ManifestPlan(shown, data, text, FileEdit(shown, real, "", text, created=True))
    old = read_text(real, shown)
    if old == text:
        return ManifestPlan(shown, data, text, None)
    if not force:
        raise ReleaseError(
            f"{shown} exists with other content; a published manifest must not change — check "
            "it with verify.manifest, or pass --force to replace a manifest not published yet"
        )
    return ManifestPlan(shown, data, text, FileEdit(shown, real, old, text))
