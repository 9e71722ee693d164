"""Errors raised by releasekit's core.

Every message says what failed, where (file:line when there is one) and what to do next.
The task layer turns these into ``invoke.Exit`` with :attr:`ReleaseError.exit_code`.
"""

from __future__ import annotations

# Exit codes (DESIGN.md): 0 ok, 1 error, 2 usage, 3 a verification found a mismatch.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_MISMATCH = 3


class ReleaseError(Exception):
    """Base class: bad input, bad config or a failed precondition (exit 1).

    Its text is redacted (:mod:`.redact`): a message that quotes a URL with a password, or a
    tool's stderr with a token, never shows the secret wherever it is printed.
    """

    exit_code = EXIT_ERROR

    def __str__(self) -> str:
        from .redact import redact

        return redact(super().__str__())


class ConfigError(ReleaseError):
    """releasekit.yaml (or the invoke config) is missing, malformed or has a wrong key."""


class VersionError(ReleaseError):
    """A version string is not valid for the scheme in use."""


class TargetError(ReleaseError):
    """A configured version target does not match its file."""


class FileFormatError(ReleaseError):
    """A file releasekit must read is not valid YAML, JSON, TOML or UTF-8."""


class GitError(ReleaseError):
    """A git precondition failed (dirty tree, wrong branch, existing tag or branch)."""


class CommandError(ReleaseError):
    """An external command failed or is not installed."""


class UsageError(ReleaseError):
    """The arguments given to a task contradict each other (exit 2)."""

    exit_code = EXIT_USAGE


class VerificationFailed(ReleaseError):
    """A check ran and found a mismatch (exit 3)."""

    exit_code = EXIT_MISMATCH


class ConfinementError(ReleaseError):
    """A path (or a symlink on its way) leads outside the repository's work tree."""


class JournalError(ReleaseError):
    """An interrupted edit left a journal that cannot be applied as it is."""
