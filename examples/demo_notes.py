"""Release notes in the SOP outlines, checked for placeholders, published to a forge (seeds 000, 001).

Called by examples/demo.py after the tag steps (v0.1.8 exists, v0.1.7 before it). The notes are
rendered to the terminal in both built-in outlines; a file with a placeholder left fails the
check; the finished notes are published to a local stand-in for the GitHub REST API (the tests'
own, tests/forge_stand_in.py: no forge can run here), first as a dry run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def run(repo: Path, sh: Callable[..., int]) -> None:
    _step("Seed 000 Step 8: the notes of v0.1.8 in the highlights outline (previous: v0.1.7)")
    sh("release.notes", "--tag", "v0.1.8", "--offline")
    _step("Seed 001: the changelog-driven outline, written from CHANGELOG.md's 0.1.8 section")
    sh("release.notes", "--tag", "v0.1.8", "--template", "changelog-driven", "--offline")
    _step("Written to a file, the placeholders fail the check until someone writes them")
    notes = repo / "release-notes" / "v0.1.8.md"
    notes.parent.mkdir(exist_ok=True)
    sh("release.notes", "--tag", "v0.1.8", "--offline", "--output", "release-notes/v0.1.8.md")
    sh("release.notes", "--check", "release-notes/v0.1.8.md", expect=3)
    text = notes.read_text().replace(
        "<!-- releasekit:placeholder --> _1-2 sentences: the most important changes in this release._",
        "Agent sessions now survive a controller restart.",
    )
    notes.write_text(text)
    sh("release.notes", "--check", "release-notes/v0.1.8.md")
    sys.path.insert(0, str(HERE.parent / "tests"))
    from forge_stand_in import ForgeStandIn

    config = repo / "releasekit.yaml"
    original = config.read_text()
    token = "ghp_" + "demo0token0never0printed0000"
    os.environ["GITHUB_TOKEN"] = token
    with ForgeStandIn("github", token) as forge:
        forge.state.repo = "demo-operator"
        config.write_text(original + f"forge:\n  api_url: {forge.api_url}\n  owner: example\n"
                          "  repo: demo-operator\n  assets: []\n")  # fmt: skip
        try:
            _step("release.publish --dry-run: the requests it would send, the token masked")
            sh(
                "release.publish",
                "--tag",
                "v0.1.8",
                "--notes",
                "release-notes/v0.1.8.md",
                "--dry-run",
            )
            _step("Published: a draft first, re-checked, then published; a re-run sends nothing")
            sh("release.publish", "--tag", "v0.1.8", "--notes", "release-notes/v0.1.8.md")
            sh("release.publish", "--tag", "v0.1.8", "--notes", "release-notes/v0.1.8.md")
            writes = [f"{m} {p.split('?')[0]}" for m, p, _ in forge.writes()]
            print("the forge stand-in received:", ", ".join(writes))
        finally:
            config.write_text(original)
            del os.environ["GITHUB_TOKEN"]
