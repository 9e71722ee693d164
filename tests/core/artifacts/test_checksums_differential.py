"""verify.sha256sum against the oracle: coreutils ``sha256sum -c`` on generated corpora.

Every corpus is a real directory of files with odd names and a checksum list mixing GNU,
binary-marker, BSD, escaped, upper-case, malformed, blank, comment, CRLF, missing and
wrong-digest lines. Both tools run on it with each flag combination; stdout must be
byte-identical, the summary diagnostics identical, and success/failure the same.
"""

from __future__ import annotations

import hashlib
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_real
from releasekit.core.artifacts.checksum_check import CheckOptions, check_checksums
from releasekit.core.artifacts.checksums import parse_checksums

NAMES = [
    "krt_v0.0.3_linux_amd64.tar.gz",
    "with space.zip",
    " leading-space",
    "trailing-space ",
    "tab\tname",
    "new\nline",
    "back\\slash",
    "both\\and\nnewline",
    "ünïcødé-名前.txt",
    "star*name",
    "(paren)",
    "a)b) = c",
    "-dash",
    "#hash",
    "cr\rname",
    "SHA256 (fake)",
    "*starts-with-star",
    "sub/dir/file.bin",
    "latin1-\udce9.txt",  # the byte 0xE9: not UTF-8
]

FLAG_SETS = [
    [],
    ["--ignore-missing"],
    ["--strict"],
    ["--quiet"],
    ["--status"],
    ["--warn"],
    ["--ignore-missing", "--quiet"],
    ["--strict", "--warn"],
    ["--ignore-missing", "--strict", "--status"],
]

SUMMARY_MARKERS = (
    "WARNING",
    "no file was verified",
    "no properly formatted",
    "improperly formatted",
)


def _escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _needs_escape(name: str) -> bool:
    return any(ch in name for ch in "\\\n\r")


def _line(rng: random.Random, name: str, digest: str) -> str:
    """One checksum line for ``name`` in a randomly chosen (valid or broken) form."""
    kind = rng.choice(
        ["gnu", "gnu", "binary", "bsd", "bsd-tight", "upper", "lead-ws", "reversed", "raw", "bad"]
    )
    esc = "\\" if _needs_escape(name) else ""
    shown = _escape(name) if esc else name
    if kind == "gnu":
        return f"{esc}{digest}  {shown}"
    if kind == "binary":
        return f"{esc}{digest} *{shown}"
    if kind == "bsd":
        return f"{esc}SHA256 ({shown}) = {digest}"
    if kind == "bsd-tight":
        return f"{esc}SHA256({shown})= {digest}"
    if kind == "upper":
        return f"{esc}{digest.upper()}  {shown}"
    if kind == "lead-ws":
        pad = rng.choice([" ", "\t", "  "])
        return f"{pad}{esc}{digest}  {shown}"
    if kind == "reversed":
        return f"{esc}{digest} {shown}"
    if kind == "raw":  # unescaped, as a careless generator would write it
        return f"{digest}  {name}"
    return rng.choice(
        [
            f"{digest[:-1]}  {name}",
            f"{digest}x  {name}",
            f"sha256 ({name}) = {digest}",
            f"SHA256 ({name}) {digest}",
            f"\\{digest}  bad\\escape",
            f"\\{digest}  trailing\\",
            f"MD5 ({name}) = {digest[:32]}",
            "not a checksum line at all",
            f"{digest}\0  {name}",
            f"{digest}  nul\0{name}",
            f"{digest}",
            f"{digest} ",
        ]
    )


def _corpus(rng: random.Random, root: Path) -> bytes:
    lines: list[str] = []
    present = rng.sample(NAMES, k=rng.randint(0, len(NAMES)))
    for name in NAMES:
        content = f"{name}:{rng.random()}".encode("utf-8", "surrogateescape")
        digest = hashlib.sha256(content).hexdigest()
        if name in present:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        roll = rng.random()
        if roll < 0.15:
            digest = hashlib.sha256(b"other" + content).hexdigest()  # FAILED
        if roll < 0.9:
            lines.append(_line(rng, name, digest))
    (root / "adir").mkdir()
    if rng.random() < 0.3:
        lines.append(f"{'0' * 64}  adir")
    for _ in range(rng.randint(0, 3)):
        lines.insert(rng.randint(0, len(lines)), rng.choice(["", "# a comment", "   ", "\t"]))
    eol = rng.choice(["\n", "\n", "\r\n"])
    text = eol.join(lines) + (eol if rng.random() < 0.8 else "")
    return text.encode("utf-8", "surrogateescape")


def _summary(lines: list[str]) -> list[str]:
    return [ln for ln in lines if any(m in ln for m in SUMMARY_MARKERS)]


def _assert_same_as_coreutils(tool: str, root: Path, data: bytes, flags: list[str]) -> None:
    """Run both on ``root``/list.txt (holding ``data``): same stdout, summary and verdict."""
    gnu = subprocess.run(
        ["sha256sum", "-c", *flags, "list.txt"], executable=tool, cwd=root, capture_output=True
    )
    options = CheckOptions(
        ignore_missing="--ignore-missing" in flags,
        strict="--strict" in flags,
        quiet="--quiet" in flags,
        status="--status" in flags,
        warn="--warn" in flags,
    )
    report = check_checksums(parse_checksums(data, "list.txt"), root, options)
    ours = b"".join(line.encode("utf-8", "surrogateescape") + b"\n" for line in report.stdout)
    context = f"flags={flags} list={data!r}"
    assert ours == gnu.stdout, context
    assert report.ok == (gnu.returncode == 0), context
    gnu_err = [
        ln.removeprefix("sha256sum: ")
        for ln in gnu.stderr.decode("utf-8", "surrogateescape").splitlines()
    ]
    assert _summary(list(report.stderr)) == _summary(gnu_err), context


@pytest.mark.parametrize("seed", range(150))
def test_verdicts_match_coreutils_sha256sum_check(seed: int, tmp_path: Path) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    rng = random.Random(seed)
    root = tmp_path / "dist"
    root.mkdir()
    data = _corpus(rng, root)
    (root / "list.txt").write_bytes(data)
    for flags in FLAG_SETS:
        _assert_same_as_coreutils(tool, root, data, flags)


@pytest.mark.parametrize(
    ("content", "flags"),
    [
        (b"", []),
        (b"\n\n# only comments\n", []),
        (b"garbage\n", ["--strict"]),
        (f"{'a' * 64}  missing\n".encode(), ["--ignore-missing"]),
        (f"{'a' * 64}  missing\n".encode(), []),
        (f"{'a' * 64} missing\n{'a' * 64}  missing\n".encode(), []),
    ],
    ids=["empty", "comments", "strict-garbage", "ignore-missing-none", "missing", "mixed-reversed"],
)
def test_edge_lists_match_coreutils(content: bytes, flags: list[str], tmp_path: Path) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    (tmp_path / "list.txt").write_bytes(content)
    _assert_same_as_coreutils(tool, tmp_path, content, flags)


_H_OK = hashlib.sha256(b"ok").hexdigest()
_PIECES = [_H_OK, _H_OK.upper(), "0" * 64, " ", "  ", " *", "\t", "\\", "\\n", "\\\\", "\\r",
           "SHA256", " (", "(", ")", " = ", "=", "ok.txt", "sub/ok.txt", "missing", "#", "\r",
           "é", "*", "x"]  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=7).map("".join), max_size=6),
       st.sampled_from(FLAG_SETS))  # fmt: skip
def test_hypothesis_lines_match_coreutils(
    tmp_path: Path, lines: list[str], flags: list[str]
) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    root = tmp_path / "h"
    (root / "sub").mkdir(parents=True, exist_ok=True)
    (root / "ok.txt").write_bytes(b"ok")
    (root / "sub" / "ok.txt").write_bytes(b"ok")
    data = ("\n".join(lines) + "\n").encode()
    (root / "list.txt").write_bytes(data)
    _assert_same_as_coreutils(tool, root, data, flags)
