"""Property tests: bump-and-back restores bytes; bad input raises ReleaseError and changes nothing."""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from pathlib import Path

import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all
from releasekit.core.config import VersionFile
from releasekit.core.versioning.bump import plan_bump

TODAY = dt.date(2026, 11, 21)

versions = st.builds(
    lambda major, minor, patch, pre: semver.Version(major, minor, patch, prerelease=pre),
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 300),
    st.sampled_from([None, "rc.1", "alpha.2", "beta"]),
)
# Lines that never contain the pattern's anchor text, with odd characters around.
filler = st.lists(
    st.text(
        alphabet=string.ascii_letters + string.digits + " \t#:=.-_\"'{}[]é€", max_size=40
    ).filter(lambda line: "VERSION" not in line),
    max_size=6,
)


def _write(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).write_bytes(data)


def _read(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def _bump(root: Path, targets: list[VersionFile], version: str) -> None:
    write_all(plan_bump(root, targets, version, today=TODAY, allow_downgrade=True).edits)


@settings(max_examples=60, deadline=None)
@given(
    old=versions,
    new=versions,
    v_prefix=st.booleans(),
    quote=st.sampled_from(["", '"', "'"]),
    before=filler,
    after=filler,
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    bom=st.booleans(),
)
def test_bump_then_bump_back_restores_every_byte(
    old: semver.Version,
    new: semver.Version,
    v_prefix: bool,
    quote: str,
    before: list[str],
    after: list[str],
    newline: str,
    final_newline: bool,
    bom: bool,
) -> None:
    spelled = ("v" if v_prefix else "") + str(old)
    make_lines = [*before, f"VERSION ?= {quote}{spelled}{quote}", *after]
    chart_lines = [
        "apiVersion: v2",
        "# a comment",
        f"version: {quote}{spelled}{quote}  # keep",
        "name: x",
    ]
    files = {
        "Makefile": newline.join(make_lines) + (newline if final_newline else ""),
        "Chart.yaml": newline.join(chart_lines) + (newline if final_newline else ""),
    }
    encoded = {
        name: (b"\xef\xbb\xbf" if bom else b"") + text.encode() for name, text in files.items()
    }
    targets = [
        VersionFile("Makefile", pattern="VERSION ?= {version}"),
        VersionFile("Chart.yaml", key=("version",)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, encoded)
        _bump(root, targets, str(new))
        bumped = _read(root)
        if new != old:
            assert bumped != encoded
        _bump(root, targets, str(old))
        assert _read(root) == encoded


yaml_garbage = st.text(alphabet=string.printable + "é\u2028", max_size=120)


@settings(max_examples=150, deadline=None)
@given(
    chart=yaml_garbage,
    requested=st.one_of(
        st.text(max_size=12),
        st.sampled_from(["major", "minor", "patch", "prerelease", "0.1.8", "v9.9.9"]),
    ),
    key=st.lists(
        st.text(alphabet=string.ascii_letters + ".", min_size=1, max_size=8), min_size=1, max_size=3
    ),
)
def test_any_input_either_bumps_or_raises_release_error_without_changing_files(
    chart: str, requested: str, key: list[str]
) -> None:
    files = {"Chart.yaml": ("version: 0.1.7\n" + chart).encode(), "Makefile": b"VERSION ?= 0.1.7\n"}
    targets = [
        VersionFile("Makefile", pattern="VERSION ?= {version}"),
        VersionFile("Chart.yaml", key=tuple(key)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write(root, files)
        try:
            plan = plan_bump(root, targets, requested, today=TODAY, allow_downgrade=True)
        except ReleaseError:
            assert _read(root) == files
            return
        write_all(plan.edits)
        # A successful bump changes only version tokens: the text outside them is the same.
        for edit in plan.edits:
            assert len(edit.new.splitlines()) == len(edit.old.splitlines())
