"""After a SIGKILL or a power loss: put back what an interrupted releasekit command changed.

Every task looks for a journal (journal.py) before it does anything else; when one is left
by a process that is gone, each target is restored to its original bytes, created files are
removed, staged files deleted and release.prepare's branch switch undone, then the journal
goes. Nothing is applied blindly: a journal of another work tree, a damaged one, a target
outside the work tree or a file changed since (neither its original nor releasekit's new
content) stops recovery with the way to clean up by hand, and changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import atomic, interrupts
from . import journal as jn
from .confine import confine, shown
from .errors import ConfinementError, GitError, JournalError, ReleaseError
from .gitdir import find_git_dir, txn_dir

_STAGED = re.compile(r"\..+\.[0-9a-f]{8}\.releasekit")


@dataclass(frozen=True)
class Recovery:
    """What recovery did (or, with ``dry_run``, would do)."""

    journal: str  # its directory, relative to the work tree when inside it
    pid: int | None
    restored: tuple[str, ...]  # files put back to their original bytes
    removed: tuple[str, ...]  # files the interrupted edit had created
    staged: int  # staged temporary files deleted
    git: tuple[str, ...]  # release.prepare's branch steps undone
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report, one fact per line, for stderr."""
        if self.pid is None:
            verb = "would remove" if self.dry_run else "removed"
            return [
                f"found an incomplete journal {self.journal} (its command had changed nothing "
                f"yet, or had finished); {verb} it"
            ]
        restore, remove, delete = (
            ("would restore", "would remove", "would delete")
            if self.dry_run
            else ("restored", "removed", "deleted")
        )
        lines = [
            f"an interrupted releasekit command (pid {self.pid}) left the journal "
            f"{self.journal}; {'would put' if self.dry_run else 'putting'} back the state "
            "before it"
        ]
        lines += [f"{restore} {path}" for path in self.restored]
        lines += [f"{remove} {path} (it did not exist before)" for path in self.removed]
        lines += self.git
        if not (self.restored or self.removed):
            lines.append("no file had been changed yet")
        if self.staged:
            lines.append(f"{delete} {self.staged} staged temporary files")
        return lines


def recover(
    start: Path, *, dry_run: bool = False, wait_for_others: bool = False
) -> Recovery | None:
    """Restore the state before an interrupted command; None when there is nothing to do.

    Args:
        start: a directory inside the work tree.
        dry_run: say what would be restored, change nothing.
        wait_for_others: when a live releasekit command holds the lock, raise (release.recover)
            instead of returning None (every other task: that journal is not a leftover).

    Raises:
        JournalError: the journal is damaged, of another work tree, or a file changed since.
    """
    found = find_git_dir(start)
    if found is None or not txn_dir(found[1]).is_dir():
        return None
    tree, git_dir = found
    directory = txn_dir(git_dir)
    lock = jn.Lock(git_dir)
    if not lock.acquire():
        if wait_for_others:
            raise ReleaseError(
                f"another releasekit command (pid {lock.holder()}) is writing in this repository "
                f"right now ({directory} is its journal); wait for it to finish"
            )
        return None
    try:
        journal = jn.read(directory)
        if journal is None:  # never completed, or completed and half deleted: nothing to undo
            if not dry_run:
                jn.delete(directory)
            return Recovery(shown(tree, directory), None, (), (), 0, (), dry_run)
        if os.path.realpath(journal.work_tree) != os.path.realpath(tree):
            raise jn.corrupt(
                directory,
                f"it was written for the work tree {journal.work_tree}, not for {tree} (a copied "
                "or moved repository)",
            )
        plans = [_plan(journal, tree, entry) for entry in journal.entries]
        for rel in journal.dirs:
            if _inside(tree, rel) != tree / rel:
                raise jn.corrupt(directory, f"it names a directory {rel!r} outside the work tree")
        staged = [p for _, _, p, _ in plans if os.path.lexists(p)]
        if dry_run:
            restored = tuple(e.path for e, action, _, _ in plans if action == "restore")
            removed = tuple(e.path for e, action, _, _ in plans if action == "remove")
            steps = () if journal.branch is None else (f"would return to {journal.branch.branch}",)
            return Recovery(
                shown(tree, directory), journal.pid, restored, removed, len(staged), steps, True
            )
        with interrupts.deferred():
            return _apply(journal, tree, git_dir, plans, staged)
    finally:
        lock.release()


_Plan = tuple[jn.Entry, str, Path, tuple[Path, bytes | None, bytes | None]]


def _plan(journal: jn.Journal, tree: Path, entry: jn.Entry) -> _Plan:
    """(entry, "restore" | "remove" | "keep", staged path, (target, original, current))."""
    try:
        real = confine(tree, entry.target)
        staged = confine(tree, entry.staged)
    except ConfinementError as exc:
        raise jn.corrupt(
            journal.directory, f"it names a file outside the work tree ({exc})"
        ) from None
    if (
        real != tree / entry.target
        or staged.parent != real.parent
        or not _STAGED.fullmatch(staged.name)
    ):
        raise jn.corrupt(
            journal.directory, f"its entry for {entry.target} is not one releasekit writes"
        )
    original = jn.original_bytes(journal, entry)
    try:
        current = atomic.read_exact(real)
    except (atomic.Conflict, OSError) as exc:
        raise _changed(journal, entry, f"it cannot be read as a file ({exc})") from None
    if current == original:
        action = "keep"
    elif entry.deleted and current is None:
        action = "restore"
    elif not entry.deleted and current is not None and jn.matches(current, entry.new_sum):
        action = "restore" if original is not None else "remove"
    elif current is None:
        raise _changed(journal, entry, "it was deleted since")
    else:
        raise _changed(journal, entry, "it holds neither its original nor releasekit's new content")
    return entry, action, staged, (real, original, current)


def _inside(tree: Path, rel: str) -> Path | None:
    try:
        return confine(tree, rel)
    except ConfinementError:
        return None


def _changed(journal: jn.Journal, entry: jn.Entry, why: str) -> JournalError:
    return JournalError(
        f"{journal.directory}: an interrupted releasekit command (pid {journal.pid}) was editing "
        f"{entry.path}, and {why}; releasekit restored nothing, so as not to lose that change. "
        f"The original bytes of every file it names are in {journal.directory / jn.ORIGINALS} "
        f"(journal.json lists them); keep what you want (git diff, git checkout -- FILE), then "
        f"delete the journal: rm -r {journal.directory}"
    )


def _apply(
    journal: jn.Journal, tree: Path, git_dir: Path, plans: list[_Plan], staged: list[Path]
) -> Recovery:
    restored, removed = [], []
    for path in staged:  # first: a staged file may hold the original after a half-done swap
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    for entry, action, temp, (real, original, current) in plans:
        if action == "remove":
            os.unlink(real)
            removed.append(entry.path)
        elif action == "restore":
            assert original is not None
            # Staged under the journal's own name: a crash right here leaves nothing unlisted.
            atomic.stage(temp, original, entry.mode, None)
            try:
                atomic.swap_in(temp, real, current)
            except atomic.Conflict:
                raise _changed(journal, entry, "it changed during recovery") from None
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
            restored.append(entry.path)
    for rel in reversed(journal.dirs):
        with contextlib.suppress(OSError):  # only if empty: never removes anything else
            (tree / rel).rmdir()
    steps: list[str] = []
    if journal.branch is not None:
        steps += _stale_index_lock(journal, git_dir)
        steps += undo_branch(tree, journal.branch, restore_others=False)
    jn.delete(journal.directory)
    return Recovery(
        shown(tree, journal.directory),
        journal.pid,
        tuple(restored),
        tuple(removed),
        len(staged),
        tuple(steps),
    )


def _stale_index_lock(journal: jn.Journal, git_dir: Path) -> list[str]:
    """A ``git commit`` killed with its parent leaves index.lock; only one made after the
    journal, by a process tree that is gone, is removed (otherwise git's own advice stands)."""
    lock = git_dir / "index.lock"
    try:
        made = lock.stat().st_mtime
    except FileNotFoundError:
        return []
    try:
        os.kill(journal.pid, 0)
        return []  # the interrupted process is alive after all
    except ProcessLookupError:
        pass
    except PermissionError:
        return []
    if made < (journal.directory / jn.JOURNAL).stat().st_mtime:
        return []
    lock.unlink()
    return [f"removed {lock} (left by the interrupted git commit)"]


def undo_branch(tree: Path, undo: jn.BranchUndo, *, restore_others: bool) -> list[str]:
    """Return from release.prepare's branch to where it started; what was done, as facts.

    With ``restore_others`` (release.prepare itself, after a failed commit) tracked files that a
    commit hook changed are checked out again; recovery only names them, as the user may have
    edited them since.

    Raises:
        GitError: HEAD is somewhere releasekit did not put it, or git fails.
    """
    from . import git

    facts: list[str] = []
    current = git.current_branch(tree)
    if current == undo.created:
        git.git(tree, "reset", "-q", undo.head)  # index and branch back; the files stay
        changed = [p for p in git.git(tree, "diff", "--name-only", "-z").split("\0") if p]
        if changed and restore_others:
            git.git(tree, "checkout", "-q", "--", *changed)
            facts.append(f"restored {', '.join(changed)} (changed by the commit hook)")
        elif changed:
            facts.append(f"left {', '.join(changed)} as they are (changed since)")
        git.switch(tree, undo.branch)
        facts.append(f"switched back to {undo.branch}")
    elif current != undo.branch:
        raise GitError(
            f"HEAD is on {current or 'a detached commit'}, not on {undo.created} or "
            f"{undo.branch}; switch back by hand (git switch {undo.branch}) and delete "
            f"{undo.created} if it is not needed"
        )
    if git.branch_exists(tree, undo.created):
        tip = git.resolve_commit(tree, undo.created)
        try:
            parent = git.resolve_commit(tree, f"{tip}~1")
        except GitError:
            parent = None
        if undo.head in (tip, parent):
            git.delete_branch(tree, undo.created)
            facts.append(f"deleted branch {undo.created}")
        else:
            facts.append(f"kept branch {undo.created} (it has commits releasekit did not make)")
    if restore_others:
        status = git.git(tree, "status", "--porcelain=v1", "-z", "--untracked-files=normal")
        for item in (e for e in status.split("\0") if e.startswith("?? ")):
            facts.append(f"left {item[3:]} (untracked, created during the commit)")
    return facts
