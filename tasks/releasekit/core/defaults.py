"""Defaults of releasekit.yaml's top-level keys.

A module of its own so that building the invoke collection (``ns.configure``) does not import
the config parser and its dataclasses: ``releasekit --list`` stays close to bare invoke.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "tag_format": "v{version}",
    "main_branch": "main",
    "remote": "origin",
    "release_branch": "release/{tag}",
    "commit_message": "chore: prepare {tag} release",
    "signoff": True,
    "prerelease_token": "rc",
    "version_files": [],
}
