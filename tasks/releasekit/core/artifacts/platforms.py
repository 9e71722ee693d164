"""Which release files belong to which platform, for one CI slice per platform.

A file carries ``os/arch`` when its name spells the pair between separators, the way
goreleaser and its users name archives — ``krt_v0.1.7_linux_amd64.tar.gz``,
``krt-linux-amd64``, ``krt.linux-amd64.zip``, ``krt_Darwin_x86_64.tar.gz`` — or as .NET
runtime identifiers do (``stellaops-cli-linux-x64.tar.gz``, ``osx-arm64``, ``win-x64``; seed
003). The spellings are a fixed table, not a guess: an OS or architecture outside it is an
error naming the known ones. ``none`` selects what no platform's name carries (the checksums
file and its signature, SBOMs, install manifests) and the checks of the release as a whole,
so the slices of every platform plus ``none`` cover the unsplit check exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from ..common.errors import UsageError
from ..common.excerpt import excerpt

NONE = "none"
# GOOS / GOARCH names -> the other spellings archive names use for them (lowercased).
OS_NAMES: dict[str, tuple[str, ...]] = {
    "linux": ("linux",),
    "darwin": ("darwin", "macos", "osx"),
    "windows": ("windows", "win"),
    "freebsd": ("freebsd",),
    "openbsd": ("openbsd",),
    "netbsd": ("netbsd",),
    "illumos": ("illumos",),
    "android": ("android",),
}
ARCH_NAMES: dict[str, tuple[str, ...]] = {
    "amd64": ("amd64", "x86_64", "x64"),
    "arm64": ("arm64", "aarch64"),
    "386": ("386", "i386", "x86"),
    "arm": ("arm", "armv6", "armv7"),
    "ppc64le": ("ppc64le",),
    "s390x": ("s390x",),
    "riscv64": ("riscv64",),
    "loong64": ("loong64",),
}
Selector = Callable[[str], bool]


@cache
def _pattern(platform: str) -> re.Pattern[str]:
    os_name, arch = platform.split("/")
    oses = "|".join(map(re.escape, OS_NAMES[os_name]))
    arches = "|".join(map(re.escape, sorted(ARCH_NAMES[arch], key=len, reverse=True)))
    # Between separators (or the ends): linux_arm never matches linux_arm64, and
    # x86 is 386, but x86_64 is amd64.
    return re.compile(rf"(?:^|[_.-])(?:{oses})[_.-](?:{arches})(?![a-z0-9]|_64)", re.I)


def check_platform(text: str) -> str:
    """``text`` as a known ``os/arch`` (GOOS/GOARCH spelling), or ``none``.

    Raises:
        UsageError: not os/arch, or an OS or architecture outside the table.
    """
    if text == NONE:
        return text
    os_name, _, arch = text.partition("/")
    if os_name not in OS_NAMES or arch not in ARCH_NAMES:
        raise UsageError(
            f"--platform {excerpt(text)} is not a platform releasekit can find in file names; "
            f"use os/arch with os one of {', '.join(OS_NAMES)} and arch one of "
            f"{', '.join(ARCH_NAMES)} (linux/amd64, darwin/arm64), or {NONE} for the files "
            "of no platform"
        )
    return text


def carries(name: str, platform: str) -> bool:
    """Whether the file ``name`` is the ``os/arch`` platform's (its spelling in the name)."""
    return _pattern(platform).search(name.rsplit("/", 1)[-1]) is not None


def platforms_in(names: Iterable[str], declared: Iterable[str] = ()) -> list[str]:
    """The platforms of ``declared`` (artifacts.matrix) and those the names spell, in the
    declared order, then the table's order."""
    names = list(names)
    found = [p for p in declared if p in _known()]
    found += [p for p in _known() if p not in found and any(carries(n, p) for n in names)]
    return found


@cache
def _known() -> tuple[str, ...]:
    return tuple(f"{o}/{a}" for o in OS_NAMES for a in ARCH_NAMES)


def selector(platform: str, platforms: list[str]) -> Selector:
    """The files of ``platform``; for ``none``, the files of none of ``platforms``."""
    if platform == NONE:
        return lambda name: not any(carries(name, p) for p in platforms)
    return lambda name: carries(name, platform)
