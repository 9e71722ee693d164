"""verify.sha256sum's confinement without a stat per file, against the code it replaced.

The check used to ``lstat`` every name and ``realpath`` every name with a directory; it now
resolves each directory once and sees a name that is itself a symlink when it opens it
(``O_NOFOLLOW``). On a tree of files, directories and symlinks (into the base, out of it,
dangling, looping, out and back in) every generated name must be refused exactly when the
old resolution refused it (kept below, verbatim, as the oracle), and what is not refused must
read as coreutils ``sha256sum -c`` reads it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_real
from releasekit.core.artifacts.checksum_check import CheckOptions, check_checksums
from releasekit.core.artifacts.checksums import parse_checksums

CONTENT = b"content\n"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


def old_resolve_entry(base: Path, name: bytes) -> Path | None:
    """resolve_entry of 13aab81 (allow_outside=False): the oracle for what is refused."""
    text = os.fsdecode(name)
    if text.startswith("/") or ".." in text.split("/"):
        return None
    real_base = os.path.realpath(base)
    target = real_base.rstrip("/") + "/" + text
    if "/" not in text:
        try:
            info = os.lstat(target)
            if not stat.S_ISLNK(info.st_mode):
                return base / text
        except OSError:
            return base / text
    real = os.path.realpath(target)
    if real != real_base and not real.startswith(real_base.rstrip("/") + "/"):
        return None
    return base / text


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base/ with files, directories and every kind of symlink; out/ beside it."""
    top = tmp_path_factory.mktemp("confine")
    base, out = top / "base", top / "out"
    for directory in (base / "d" / "e", out / "od"):
        directory.mkdir(parents=True)
    for file in (base / "f", base / "d" / "f", base / "d" / "e" / "f", out / "f", out / "od" / "f"):
        file.write_bytes(CONTENT)
    links = {
        "base/lf": "f",  # a file inside
        "base/d/lup": "../f",  # up, still inside
        "base/ld": "d",  # a directory inside
        "base/lout": "../out/f",  # a file outside
        "base/ldout": "../out",  # a directory outside
        "base/labs": str(out / "f"),  # absolute, outside
        "base/lbase": ".",  # the base itself
        "base/lparent": "..",  # the base's parent
        "base/dang": "nowhere",  # dangling
        "base/loop": "loop",  # a loop
        "base/d/lroot": "/",
        "out/back": str(base / "f"),  # out and back in: base/ldout/back
        "out/backdir": str(base / "d"),  # base/ldout/backdir/f
    }
    for link, target in links.items():
        (top / link).symlink_to(target)
    return base


COMPONENTS = ["f", "d", "e", "lf", "lup", "ld", "lout", "ldout", "labs", "lbase", "lparent",
              "dang", "loop", "lroot", "back", "backdir", "od", "base", "missing", ".", ""]  # fmt: skip
NAMES = (
    st.lists(st.sampled_from(COMPONENTS), min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda name: name.strip("/") != "")
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(NAMES, min_size=1, max_size=6))
def test_refuses_exactly_what_the_old_resolution_refused(tree: Path, names: list[str]) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    data = "".join(f"{DIGEST}  {name}\n" for name in names).encode()
    report = check_checksums(parse_checksums(data), tree, CheckOptions(jobs=2))
    allowed = []
    for name, outcome in zip(names, report.outcomes, strict=True):
        old = old_resolve_entry(tree, name.encode())
        assert (outcome.status == "REFUSED") == (old is None), name
        if old is not None:
            allowed.append((name, outcome.printed))
    if not allowed:
        return
    listing = "".join(f"{DIGEST}  {name}\n" for name, _ in allowed).encode()
    gnu = subprocess.run(
        [tool, "-c", "-"], input=listing, cwd=tree, capture_output=True, check=False
    )
    assert gnu.stdout.decode().splitlines() == [printed for _, printed in allowed]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("f", "OK"),
        ("lf", "OK"),
        ("ld/e/f", "OK"),
        ("d/lup", "OK"),
        ("ldout/back", "OK"),  # out and back in: the link's target counts
        ("ldout/backdir/f", "OK"),  # through a directory outside, but the real path is inside
        ("lout", "REFUSED"),
        ("labs", "REFUSED"),
        ("ldout/f", "REFUSED"),
        ("lparent/base/f", "OK"),  # up and back down: inside
        ("lparent/out/f", "REFUSED"),
        ("d/lroot/etc", "REFUSED"),
        ("loop", "UNREADABLE"),
        ("dang", "MISSING"),
        ("f/", "UNREADABLE"),  # as sha256sum reads it: "Not a directory"
        ("lbase/f", "OK"),
    ],
)
def test_symlink_verdicts(tree: Path, name: str, status: str) -> None:
    report = check_checksums(parse_checksums(f"{DIGEST}  {name}\n".encode()), tree)
    assert [o.status for o in report.outcomes] == [status]
