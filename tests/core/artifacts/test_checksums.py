"""Checksum lists: parsing table, base-directory confinement, generation, hypothesis."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_real
from releasekit.core.artifacts import checksum_check, hashing
from releasekit.core.artifacts.checksum_check import CheckOptions, check_checksums
from releasekit.core.artifacts.checksum_file import format_line, plan_checksums, write_checksums
from releasekit.core.artifacts.checksums import parse_checksums
from releasekit.core.common.errors import FileFormatError, ReleaseError, VerificationFailed

H = hashlib.sha256(b"x").hexdigest()


@pytest.mark.parametrize(
    ("line", "name", "binary"),
    [
        (f"{H}  a.tar.gz", b"a.tar.gz", False),
        (f"{H} *a.tar.gz", b"a.tar.gz", True),
        (f"{H.upper()}  a", b"a", False),
        (f"SHA256 (a b) = {H}", b"a b", False),
        (f"SHA256(a)= {H}", b"a", False),
        (f"\\{H}  new\\nline", b"new\nline", False),
        (f"\\{H}  back\\\\slash", b"back\\slash", False),
        (f"\\SHA256 (cr\\rx) = {H}", b"cr\rx", False),
        (f"{H}  back\\slash", b"back\\slash", False),
        (f"\t {H}  lead", b"lead", False),
        (f"{H}   two-spaces-kept", b" two-spaces-kept", False),
        (f"SHA256 (a)b) = {H}", b"a)b", False),
    ],
)
def test_parse_accepts_gnu_and_bsd_lines(line: str, name: bytes, binary: bool) -> None:
    listing = parse_checksums(line.encode() + b"\n")
    assert listing.misformatted == ()
    (entry,) = listing.entries
    assert (entry.name, entry.binary, entry.digest) == (name, binary, H)


@pytest.mark.parametrize(
    "line",
    [
        f"{H[:-1]}  short",
        f"{H}",
        f"sha256 (a) = {H}",
        f"SHA256 (a) {H}",
        f"\\{H}  bad\\qescape",
        f"\\{H}  trailing\\",
        f"{H}\0  nul",
        "MD5 (a) = d41d8cd98f00b204e9800998ecf8427e",
    ],
)
def test_parse_counts_malformed_lines(line: str) -> None:
    listing = parse_checksums(line.encode() + b"\n")
    assert listing.entries == ()
    assert listing.misformatted == (1,)


def test_parse_skips_comments_blank_lines_and_crlf() -> None:
    listing = parse_checksums(f"# c\n\n{H}  a\r\n   \n".encode())
    assert [e.name for e in listing.entries] == [b"a"]
    assert [e.line for e in listing.entries] == [3]
    assert listing.misformatted == (4,)


def test_parse_refuses_mixing_reversed_and_gnu_lines() -> None:
    listing = parse_checksums(f"{H}  a\n{H} b\n".encode())
    assert [e.name for e in listing.entries] == [b"a"]
    assert listing.misformatted == (2,)


@pytest.fixture
def outside(tmp_path: Path) -> tuple[Path, Path]:
    """A base directory and a secret file next to it (outside)."""
    base = tmp_path / "dist"
    base.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"x")
    return base, secret


@pytest.mark.parametrize(
    "name", ["../secret.txt", "ABS", "sub/../../secret.txt", "link/secret.txt"]
)
def test_names_leaving_the_base_directory_are_refused(
    outside: tuple[Path, Path], name: str
) -> None:
    base, secret = outside
    (base / "link").symlink_to(secret.parent)
    name = str(secret) if name == "ABS" else name
    report = check_checksums(parse_checksums(f"{H}  {name}\n".encode()), base)
    assert [o.status for o in report.outcomes] == ["REFUSED"]
    assert report.stdout == (f"{name}: FAILED open or read",)
    assert "leaves the base directory" in report.stderr[0]
    with pytest.raises(VerificationFailed, match="outside the base directory"):
        report.raise_for_failure()


def test_plain_name_that_is_a_symlink_out_is_refused(outside: tuple[Path, Path]) -> None:
    base, secret = outside
    (base / "innocent.tar.gz").symlink_to(secret)
    report = check_checksums(parse_checksums(f"{H}  innocent.tar.gz\n".encode()), base)
    assert [o.status for o in report.outcomes] == ["REFUSED"]


def test_allow_outside_base_reads_them(outside: tuple[Path, Path]) -> None:
    base, secret = outside
    listing = parse_checksums(f"{H}  ../secret.txt\n{H}  {secret}\n".encode())
    report = check_checksums(listing, base, CheckOptions(allow_outside_base=True))
    assert [o.status for o in report.outcomes] == ["OK", "OK"]
    assert report.ok


def test_symlink_inside_base_is_allowed(tmp_path: Path) -> None:
    (tmp_path / "real.bin").write_bytes(b"x")
    (tmp_path / "alias.bin").symlink_to("real.bin")
    report = check_checksums(parse_checksums(f"{H}  alias.bin\n".encode()), tmp_path)
    assert report.ok and report.stdout == ("alias.bin: OK",)


# never crashes, never reads outside the base directory -------------------------------------

_line_parts = st.sampled_from(
    [H, H.upper(), "  ", " *", " ", "SHA256 (", ") = ", "\\", "\\n", "../", "/", "..", "a", "b/c",
     "\t", "#", "\r", "\0", "é", "secret.txt", "x" * 3]
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_line_parts, max_size=8).map("".join), max_size=8))
def test_hypothesis_parse_never_crashes_and_never_reads_outside(
    outside: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, lines: list[str]
) -> None:
    base, _ = outside
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    read: list[Path] = []
    real_hash = checksum_check.hash_paths

    def spy(paths: list[bytes], **kwargs: Any) -> dict[bytes, str | OSError | None]:
        results = real_hash(paths, **kwargs)
        read.extend(Path(os.fsdecode(p)) for p, result in results.items() if result is not None)
        return results

    monkeypatch.setattr(checksum_check, "hash_paths", spy)
    listing = parse_checksums(data)
    assert len(listing.entries) + len(listing.misformatted) <= len(data.split(b"\n"))
    report = check_checksums(listing, base)
    real_base = base.resolve()
    for path in read:
        resolved = path.resolve()
        assert resolved == real_base or real_base in resolved.parents
    assert not any(o.status == "OK" for o in report.outcomes if b"secret" in o.entry.name)


@given(st.binary(max_size=200))
def test_hypothesis_arbitrary_bytes_never_crash(data: bytes) -> None:
    listing = parse_checksums(data)
    for entry in listing.entries:
        assert len(entry.digest) == 64


_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\0/"), min_size=1, max_size=12
).filter(lambda n: n not in (".", ".."))


@given(_names, st.sampled_from([H, "0" * 64]))
def test_hypothesis_format_then_parse_round_trips(name: str, digest: str) -> None:
    raw = name.encode()
    (entry,) = parse_checksums(format_line(digest, raw)).entries
    assert (entry.name, entry.digest) == (raw, digest)


# generation -----------------------------------------------------------------------------------


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("krt_linux_amd64.tar.gz", "krt_darwin_arm64.tar.gz", "odd\nname.tar.gz",
                 "back\\slash.tar.gz", "ünï.tar.gz"):  # fmt: skip
        (dist / name).write_bytes(name.encode() * 100)
    return dist


def test_generated_list_is_sorted_gnu_format_and_verifies_with_coreutils(tmp_path: Path) -> None:
    tool = require_real("sha256sum", "apt-get install -y coreutils")
    dist = _dist(tmp_path)
    output = dist / "SHA256SUMS-0.0.3.txt"
    plan = plan_checksums(tmp_path, ["dist/*.tar.gz"], output)
    assert write_checksums(plan) is True
    names = sorted(os.fsencode(p.name) for p in dist.glob("*.tar.gz"))
    gnu = subprocess.run([tool, *sorted(p.name for p in dist.glob("*.tar.gz"))], cwd=dist,
                         capture_output=True, check=True)  # fmt: skip
    gnu_lines = sorted(gnu.stdout.splitlines(keepends=True), key=lambda ln: ln.lstrip(b"\\")[66:])
    assert output.read_bytes() == b"".join(gnu_lines)
    assert [e.name for e in parse_checksums(output.read_bytes()).entries] == names
    check = subprocess.run([tool, "-c", "--strict", output.name], cwd=dist, capture_output=True)
    assert check.returncode == 0, check.stderr


def test_generation_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    output = dist / "sums.txt"
    first = plan_checksums(tmp_path, ["dist/*.tar.gz"], output, jobs=4)
    second = plan_checksums(tmp_path, ["dist/*.tar.gz"], output, jobs=1)
    assert first.content == second.content
    assert write_checksums(first) is True
    assert write_checksums(plan_checksums(tmp_path, ["dist/*.tar.gz"], output)) is False


def test_refuses_to_overwrite_a_different_checksums_file(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    output = dist / "sums.txt"
    output.write_bytes(b"published\n")
    plan = plan_checksums(tmp_path, ["dist/*.tar.gz"], output)
    with pytest.raises(ReleaseError, match="exists with different checksums"):
        write_checksums(plan)
    assert output.read_bytes() == b"published\n"
    assert write_checksums(plan, force=True) is True
    assert output.read_bytes() == plan.content


def test_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="matches no file"):
        plan_checksums(tmp_path, ["dist/*.zip"], None)


def test_no_properly_formatted_lines_is_unusable_input(tmp_path: Path) -> None:
    report = check_checksums(parse_checksums(b"garbage\n", "sums.txt"), tmp_path)
    assert report.stderr == ("sums.txt: no properly formatted checksum lines found",)
    with pytest.raises(FileFormatError) as info:
        report.raise_for_failure()
    assert info.value.exit_code == 1


def test_parallel_hashing_matches_hashlib(tmp_path: Path) -> None:
    paths = []
    for i in range(12):
        path = tmp_path / f"f{i}"
        path.write_bytes(os.urandom(1000 + i * 300_000))
        paths.append(path)
    digests = hashing.hash_files(paths, jobs=4)
    assert digests == {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
