"""The changelog cache's entry files (cache.py decides what goes in them).

Every entry file starts with a header naming :data:`FORMAT`, a digest of the key it was stored
under, its payload's length and SHA-256; an entry whose header, key, length or checksum does
not match (corrupt, truncated, foreign, from another version) is ignored and overwritten by the
next write, never trusted. Writes go to a temporary file in the same directory that is renamed
into place, so a concurrent run reads either the old entry or the new one, never a torn one.
The cache is best effort: a git directory that cannot be written only means no cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..common.process import run

MAGIC = b"releasekit-changelog-cache"
# Bump when an entry's layout or what a key covers changes: older entries then miss.
FORMAT = 1
KINDS = ("walk", "sections", "templates")


def digest(*parts: str | bytes) -> str:
    """SHA-256 of ``parts``, each length-prefixed (so no two part lists share a digest)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def commits_digest(shas: Sequence[str]) -> str:
    """SHA-256 of commit ids in order (hex ids of one length, newline-joined: unambiguous)."""
    return hashlib.sha256("\n".join(shas).encode()).hexdigest()


def pack(sections: dict[str, str]) -> bytes:
    """Texts by key as one payload: ``<key> <length>\\n<text>`` for each."""
    out = []
    for key, text in sections.items():
        data = text.encode("utf-8", "surrogateescape")
        out += [b"%s %d\n" % (key.encode(), len(data)), data]
    return b"".join(out)


def unpack(payload: bytes) -> dict[str, str]:
    """The texts of a :func:`pack` payload; {} when it is not one (never half of one)."""
    sections: dict[str, str] = {}
    at = 0
    while at < len(payload):
        end = payload.find(b"\n", at)
        head = payload[at:end].split(b" ") if end != -1 else []
        if len(head) != 2 or not head[1].isdigit():
            return {}
        start, at = end + 1, end + 1 + int(head[1])
        if at > len(payload):
            return {}
        try:
            sections[head[0].decode()] = payload[start:at].decode("utf-8", "surrogateescape")
        except UnicodeDecodeError:
            return {}
    return sections


class Store:
    """Entries under ``directory`` (``<git dir>/releasekit/changelog-cache``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def for_repo(cls, root: Path) -> Store | None:
        """The store of ``root``'s repository (shared by its worktrees), or None outside git."""
        out = run(["git", "-C", str(root), "rev-parse", "--git-common-dir"], check=False)
        if out.returncode != 0 or not out.stdout.strip():
            return None
        common = Path(out.stdout.strip())
        if not common.is_absolute():
            common = root / common
        return cls(common / "releasekit" / "changelog-cache")

    def _path(self, kind: str, key: str) -> Path:
        assert kind in KINDS
        return self.directory / kind / key

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry file is there (not whether it is to be trusted: :meth:`get`)."""
        return self._path(kind, key).is_file()

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under ``key``, or None when absent or not to be trusted."""
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        header, sep, payload = data.partition(b"\n\n")
        fields = header.split(b" ")
        if not sep or len(fields) != 5 or fields[0] != MAGIC or fields[1] != b"%d" % FORMAT:
            return None
        if fields[2] != key.encode() or fields[3] != b"%d" % len(payload):
            return None
        if fields[4] != hashlib.sha256(payload).hexdigest().encode():
            return None
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Store ``payload`` under ``key`` atomically (temporary file, then rename)."""
        path = self._path(kind, key)
        checksum = hashlib.sha256(payload).hexdigest().encode()
        header = b" ".join([MAGIC, b"%d" % FORMAT, key.encode(), b"%d" % len(payload), checksum])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # here: a cached run writes nothing (tempfile imports shutil, random)

            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(header + b"\n\n" + payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass  # a read-only git directory: no cache, same output


def bytecode_cache(store: Store) -> Any:
    """A ``jinja2.BytecodeCache`` keeping compiled templates in ``store`` (entries verified
    like every other; Jinja2 checks the source checksum and its own format inside)."""
    from jinja2.bccache import Bucket, BytecodeCache

    class StoreBytecodeCache(BytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            data = store.get("templates", bucket.key)
            if data is not None:
                try:
                    bucket.bytecode_from_string(data)
                except Exception:
                    bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            store.put("templates", bucket.key, bucket.bytecode_to_string())

    return StoreBytecodeCache()
