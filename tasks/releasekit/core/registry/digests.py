"""Content digests (``sha256:<64 hex>``) as the OCI image spec defines them.

A reference pinned by digest is only a pin when the digest could name real content: the
grammar of the spec's descriptor section, one of its registered algorithms with that
algorithm's encoding, and not the all-zero placeholder that templates and tests write.
"""

from __future__ import annotations

import re

# descriptor.md, "Digests": algorithm ":" encoded.
_GRAMMAR = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
# descriptor.md, "Registered algorithms": lowercase hex of the hash's full length.
REGISTERED = {"sha256": 64, "sha512": 128}


def digest_problem(digest: str) -> str | None:
    """Why ``digest`` cannot pin content, or None when it is a well-formed registered digest."""
    if not _GRAMMAR.fullmatch(digest):
        return f"{digest!r} is not a digest (algorithm:encoded, e.g. sha256:<64 hex digits>)"
    algorithm, _, encoded = digest.partition(":")
    length = REGISTERED.get(algorithm)
    if length is None:
        known = ", ".join(REGISTERED)
        return f"unregistered algorithm {algorithm} (the OCI image spec registers {known})"
    if len(encoded) != length:
        return f"{algorithm} needs {length} lowercase hex digits, got {len(encoded)} characters"
    if not re.fullmatch(r"[0-9a-f]+", encoded):
        return f"{algorithm} needs {length} lowercase hex digits, got other characters"
    if not encoded.strip("0"):
        return "all zeros: a placeholder, not the digest of any image"
    return None
