"""One all-or-nothing edit of many files: every writer in releasekit goes through it.

1. Validate every edit: inside the work tree (symlinks followed, so a link stays a link and
   its target is what changes), a regular writable file that still holds the bytes that were
   read, or a new file whose place is free.
2. Journal under ``<gitdir>/releasekit/txn``: each target, a copy of its original bytes (or
   "did not exist"), its staged file (journal.py); fsynced.
3. Stage each new content beside its target (same directory, the target's mode), fsynced.
4. With SIGINT/SIGTERM/SIGHUP deferred, swap the staged files in one by one, each only if the
   target still holds what was read (atomic.py); a change by anyone else aborts.
5. On any failure or signal before the end, put back every file already swapped; delete the
   staged files; delete the journal last.

A SIGKILL or power loss between 2 and 5 leaves the journal, and the next releasekit command
restores the old state (recovery.py). Outside a git repository there is no journal; the rest holds.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from . import atomic, interrupts
from . import journal as jn
from .confine import confine, shown, work_tree
from .errors import JournalError, ReleaseError
from .gitdir import state_dir, txn_dir
from .interrupts import Interrupted, failpoint
from .textfile import FileEdit


@dataclass(frozen=True)
class _Target:
    edit: FileEdit
    real: Path
    old: bytes | None  # None: the file does not exist yet
    new: bytes
    mode: int | None
    owner: tuple[int, int] | None
    staged: Path  # a deletion moves the target here for a moment (atomic.remove)


def commit_edits(root: Path | None, edits: Sequence[FileEdit]) -> None:
    """Write every edit or none (see the module docstring).

    Args:
        root: the project root the edits belong to (None: the work tree of the first edit).
        edits: the new contents; ``FileEdit.created`` ones must not exist yet.

    Raises:
        ReleaseError: an edit is invalid, a target changed, or writing failed; no file changed.
        Interrupted: a signal arrived; every file is as before, or (after the last rename)
            every file is written, and the detail says which.
    """
    if not edits:
        return
    txn = Transaction(root, edits)
    try:
        with interrupts.deferred(), txn:
            txn.apply()
    except Interrupted as exc:
        if not exc.detail and txn.committed:
            exc.detail = f"it came after all {len(edits)} files were written"
        raise


class Transaction:
    """``with Transaction(root, edits) as txn: txn.apply(); ...`` — the block's end commits.

    An exception (or signal) anywhere in the block rolls every file back. ``force_rollback``
    puts the originals back whatever the files hold by then (release.prepare: a commit hook may
    have reformatted them); ``on_rollback`` runs after the files are back and returns what it
    did (release.prepare switches branches there), and ``branch`` records that for recovery.
    """

    def __init__(
        self,
        root: Path | None,
        edits: Sequence[FileEdit],
        *,
        branch: jn.BranchUndo | None = None,
        force_rollback: bool = False,
        on_rollback: Callable[[], list[str]] | None = None,
    ) -> None:
        self._root = root if root is not None else work_tree(edits[0].real_path.parent)
        self._tree = work_tree(self._root)
        self._edits = tuple(edits)
        self._branch = branch
        self._force = force_rollback
        self._on_rollback = on_rollback
        self._targets: tuple[_Target, ...] = ()
        self._dirs: list[Path] = []
        self._made: list[Path] = []
        self._staged: set[Path] = set()
        self._done: list[_Target] = []
        self._lock: jn.Lock | None = None
        self._journal: Path | None = None
        self.committed = False

    # --- 1-3: validate, journal, stage ------------------------------------------------------

    def __enter__(self) -> Transaction:
        with interrupts.raising():
            try:
                self._targets = tuple(self._validate())
                self._begin()
            except BaseException as exc:
                with interrupts.deferred():  # a second Ctrl-C must not stop the clean-up
                    self._discard()
                if isinstance(exc, Interrupted):
                    exc.detail = "nothing was changed"
                raise
        return self

    def _validate(self) -> list[_Target]:
        # secrets.token_hex(4) is os.urandom(4).hex(); secrets imports hmac and random too.
        token = os.urandom(4).hex()
        seen: dict[Path, FileEdit] = {}
        targets = []
        for edit in self._edits:
            real = confine(self._root, edit.real_path)
            if real in seen:  # two contents for one file: the later would drop the first
                raise ReleaseError(
                    f"{seen[real].path} and {edit.path} are two edits of the same file {real}; "
                    "nothing was written — merge them into one edit"
                )
            seen[real] = edit
            new = edit.new.encode("utf-8", errors="surrogateescape")
            staged = real.parent / f".{real.name[:200]}.{token}.releasekit"
            if edit.created:
                if os.path.lexists(real):
                    raise ReleaseError(
                        f"{edit.path} appeared while releasekit was running; nothing was "
                        "written — run the task again"
                    )
                self._plan_dirs(real.parent)
                targets.append(_Target(edit, real, None, new, None, None, staged))
                continue
            old = _current(edit, real)
            if edit.deleted:
                new = b""
            info = os.stat(real)
            owner = (info.st_uid, info.st_gid)
            targets.append(_Target(edit, real, old, new, stat.S_IMODE(info.st_mode), owner, staged))
        return targets

    def _plan_dirs(self, directory: Path) -> None:
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for path in reversed(missing):
            if path not in self._dirs:
                self._dirs.append(path)

    def _begin(self) -> None:
        git_dir = jn.git_dir_of(self._tree)
        if git_dir is not None:
            try:
                self._open_journal(git_dir)
            except OSError as exc:
                raise ReleaseError(
                    f"cannot write the edit journal in {state_dir(git_dir)}: {exc.strerror}; "
                    "nothing was changed — make the git directory writable"
                ) from None
        # Each path is recorded before it is made: a signal raised between the two would
        # otherwise leave it behind (the random-moment fault runs found that window).
        for directory in self._dirs:
            self._made.append(directory)
            directory.mkdir()
        for index, target in enumerate(self._targets, 1):
            if target.edit.deleted:
                continue  # nothing to stage: the target itself moves aside when it goes
            self._staged.add(target.staged)
            try:
                atomic.stage(target.staged, target.new, target.mode, target.owner)
            except OSError as exc:
                raise ReleaseError(
                    f"could not stage {target.edit.path}: {exc.strerror}; nothing was changed"
                ) from None
            failpoint(f"stage:{index}")

    def _open_journal(self, git_dir: Path) -> None:
        self._lock = jn.Lock(git_dir)
        if not self._lock.acquire():
            lock, self._lock = self._lock, None
            raise ReleaseError(
                f"another releasekit command (pid {lock.holder()}) is writing files in this "
                "repository; nothing was changed — wait for it to finish and run this again"
            )
        directory = txn_dir(git_dir)
        if directory.exists():  # under the lock, so a dead process's journal: keep it
            raise JournalError(
                f"{shown(self._tree, directory)} holds the journal of an interrupted releasekit "
                "command; nothing was changed — run `releasekit release.recover` first"
            )
        offset = 0
        entries = []
        for target in self._targets:
            original = None
            if target.old is not None:
                original = (offset, len(target.old))
                offset += len(target.old)
            entry = jn.Entry(
                target.edit.path,
                self._rel(target.real),
                self._rel(target.staged),
                original,
                None if target.old is None else jn.checksum(target.old),
                jn.checksum(target.new),
                target.mode,
                target.edit.deleted,
            )
            entries.append((entry, target.old))
        self._journal = directory  # from here on, a failure deletes what was written
        jn.write(git_dir, self._tree, entries, [self._rel(d) for d in self._dirs], self._branch)

    def _rel(self, path: Path) -> str:
        return shown(self._tree, path)

    # --- 4: swap in -------------------------------------------------------------------------

    def apply(self) -> None:
        """Swap every staged file in; the first that fails stops the edit (it rolls back)."""
        with interrupts.deferred():
            for index, target in enumerate(self._targets, 1):
                try:
                    if target.edit.deleted:
                        assert target.old is not None
                        atomic.remove(target.real, target.staged, target.old)
                    else:
                        atomic.swap_in(target.staged, target.real, target.old)
                except atomic.Conflict:
                    verb = "appeared" if target.old is None else "changed on disk"
                    raise ReleaseError(
                        f"{target.edit.path} {verb} while releasekit was writing it (another "
                        "program is editing it; what it wrote is kept) — run the task again "
                        "when nothing else writes to it"
                    ) from None
                except OSError as exc:
                    raise ReleaseError(
                        f"could not write {target.edit.path}: {exc.strerror}"
                    ) from None
                self._staged.discard(target.staged)
                self._done.append(target)
                failpoint(f"rename:{index}")
                interrupts.check()
            for directory in {t.real.parent for t in self._targets}:
                jn.fsync_dir(directory)  # the renames are durable before the journal goes

    # --- 5: commit or roll back -------------------------------------------------------------

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with interrupts.deferred():
            if exc is None:
                try:
                    failpoint("journal:delete")
                    interrupts.check()  # until the journal is gone, a signal cancels the edit
                except Interrupted as caught:
                    self._undo(caught)
                    raise
                self.committed = True  # deleting the journal is the commit point
                self._discard()
                failpoint("committed")
                return
            self._undo(exc)

    def _undo(self, exc: BaseException) -> None:
        restored, problems = self._restore_files()
        self._discard_staged()  # before on_rollback looks at the work tree
        facts = [f"restored {', '.join(restored)} to their original content"] if restored else []
        if self._on_rollback is not None and not problems:
            try:
                facts += self._on_rollback()
            except ReleaseError as failure:
                problems.append(str(failure))
        if problems:
            self._discard(keep_journal=True)
            where = f"; the journal {self._journal} keeps the originals" if self._journal else ""
            raise ReleaseError(
                f"{exc}\nthe rollback failed for {'; '.join(problems)}{where} — fix that, then "
                "run `releasekit release.recover`"
            ) from exc
        self._discard()
        summary = f"rolled back: {'; '.join(facts)}" if facts else "no file was changed"
        if isinstance(exc, Interrupted):
            exc.detail = f"{exc.detail}; {summary}" if exc.detail else summary
        elif isinstance(exc, ReleaseError):
            exc.args = (f"{exc}\n{summary}",)

    def _restore_files(self) -> tuple[list[str], list[str]]:
        restored: list[str] = []
        problems: list[str] = []
        for target in reversed(self._done):
            expect: bytes | object = atomic.ANY if self._force else target.new
            try:
                if target.old is None:
                    if not self._force and atomic.read_exact(target.real) != target.new:
                        raise atomic.Conflict(str(target.real))
                    os.unlink(target.real)
                else:
                    if target.edit.deleted:  # put the removed file back, clobbering nothing
                        expect = atomic.ANY if self._force else None
                    self._staged.add(target.staged)
                    atomic.stage(target.staged, target.old, target.mode, target.owner)
                    atomic.swap_in(target.staged, target.real, expect)
                    self._staged.discard(target.staged)
                restored.append(target.edit.path)
            except atomic.Conflict:
                problems.append(f"{target.edit.path} (another program changed it meanwhile)")
            except OSError as exc:
                problems.append(f"{target.edit.path} ({exc.strerror})")
        self._done.clear()
        return restored[::-1], problems

    def _discard(self, *, keep_journal: bool = False) -> None:
        """Delete staged files and directories the edit made, then the journal, then unlock."""
        self._discard_staged()
        if not self.committed:
            for directory in reversed(self._made):
                with contextlib.suppress(OSError):  # not empty: something else lives there now
                    directory.rmdir()
        if self._journal is not None and not keep_journal:
            jn.delete(self._journal)
            self._journal = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _discard_staged(self) -> None:
        for staged in self._staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(staged)
        self._staged.clear()


def _current(edit: FileEdit, real: Path) -> bytes:
    """The target's bytes, checked: a regular, writable file that still holds ``edit.old``."""
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise ReleaseError(
            f"{edit.path} was removed while releasekit was running; nothing was written — "
            "run the task again"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ReleaseError(f"{edit.path} is not a regular file; nothing was written")
    writable = info.st_mode & 0o222 if os.geteuid() == 0 else os.access(real, os.W_OK)
    if not writable:
        raise ReleaseError(
            f"{edit.path} is read-only (mode {stat.S_IMODE(info.st_mode):04o}); releasekit does "
            f"not replace a read-only file — make it writable (chmod u+w {edit.path}) and run "
            "again; nothing was changed"
        )
    expected = edit.old_bytes
    if expected is None:
        expected = edit.old.encode("utf-8", errors="surrogateescape")
    if not atomic.holds(real, expected):  # real: the link resolved, so none is followed
        raise ReleaseError(
            f"{edit.path} changed on disk while releasekit was running; nothing was written — "
            "run the task again"
        )
    return expected
