"""Fuzz: sha256 checksum lists (GNU, BSD and escaped lines) checked against a real directory.

Lists are built from the line grammar (digests right and wrong, separators, escapes, names
that leave the base directory) and mutated byte-wise from real lists. Parsing never fails;
checking reports a verdict per entry and never reads a file outside the base directory; the
final verdict is OK or a ReleaseError naming the list.
"""

from __future__ import annotations

import hashlib
import os

from fuzzing import encoded, examples, mutated, scratch, verdict
from hypothesis import given
from hypothesis import strategies as st

from releasekit.core.artifacts.checksum_check import CheckOptions, check_checksums
from releasekit.core.artifacts.checksum_file import format_line, render_checksums
from releasekit.core.artifacts.checksums import parse_checksums

WORK = scratch("releasekit-fuzz-sha-")
BASE = WORK / "dist"
BASE.mkdir()
FILES = {"a.txt": b"alpha\n", "b c.bin": b"\0" * 100, "sub/d.tgz": b"d", "odd\nname": b"odd"}
for _name, _data in FILES.items():
    (BASE / _name).parent.mkdir(exist_ok=True)
    (BASE / _name).write_bytes(_data)
(WORK / "secret").write_bytes(b"secret")
(BASE / "escape").symlink_to(WORK / "secret")
DIGESTS = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
SEED = render_checksums((name.encode(), digest) for name, digest in DIGESTS.items()).decode()
SEEDS = (
    SEED,
    f"SHA256 (a.txt) = {DIGESTS['a.txt']}\nSHA256 (b c.bin) = {DIGESTS['b c.bin']}\n",
    f"{DIGESTS['a.txt']} a.txt\n{DIGESTS['a.txt']} *a.txt\r\n# comment\n\n",
    f"{'0' * 64}  ../secret\n{'0' * 64}  /etc/passwd\n{DIGESTS['a.txt']}  escape\n",
)
PARTS = (
    DIGESTS["a.txt"], DIGESTS["a.txt"].upper(), "0" * 64, "0" * 63, "  ", " *", " ", "\t",
    "SHA256 (", "SHA256(", ") = ", ")=", "\\", "\\n", "\\r", "\\\\", "../", "/", "a.txt",
    "b c.bin", "sub/d.tgz", "escape", "missing", "odd", "name", "\r", "\0", "#", "é", "\udcff",
)  # fmt: skip

lines = st.lists(st.sampled_from(PARTS), max_size=8).map("".join)
lists = st.one_of(
    st.lists(lines, max_size=8).map("\n".join),
    mutated(SEEDS),
    mutated(SEEDS),
)


@examples(ci=200)
@given(lists, st.booleans(), st.booleans())
def test_checking_a_hostile_list_never_crashes_or_reads_outside(
    text: str, strict: bool, ignore_missing: bool
) -> None:
    data = encoded(text)
    listing = parse_checksums(data, "dist/SHA256SUMS")
    assert len(listing.entries) + len(listing.misformatted) <= data.count(b"\n") + 1
    options = CheckOptions(strict=strict, ignore_missing=ignore_missing, warn=True, jobs=1)
    report = check_checksums(listing, BASE, options)
    real_base = os.path.realpath(BASE)
    for outcome in report.outcomes:
        if outcome.status == "OK":
            real = os.path.realpath(BASE / os.fsdecode(outcome.entry.name))
            assert real.startswith(real_base + os.sep), f"read outside the base: {real}"
    for line in (*report.stdout, *report.stderr):
        assert isinstance(line, str)
    verdict(report.raise_for_failure, where="dist/SHA256SUMS")


@examples(ci=100)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse(data: bytes) -> None:
    listing = parse_checksums(data)
    for entry in listing.entries:
        assert len(entry.digest) == 64 and entry.line >= 1
        assert parse_checksums(format_line(entry.digest, entry.name) if entry.name else b"")
