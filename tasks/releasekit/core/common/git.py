"""Git operations through the git CLI.

releasekit calls ``git`` directly through :mod:`.process` rather than GitPython: every
operation here is one porcelain command whose exit code and output git documents, and the
CLI avoids GitPython's ~100 ms import on every task start.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import CommandError, GitError
from .network import Network, run_git, settings
from .process import Result, display, run


def git(root: Path, *args: str, input_text: str | None = None) -> str:
    """Run ``git -C root args`` and return its standard output."""
    return run(["git", "-C", str(root), *args], input_text=input_text).stdout


def _succeeds(root: Path, *args: str) -> bool:
    return run(["git", "-C", str(root), *args], check=False).returncode == 0


def toplevel(start: Path) -> Path:
    """The top directory of the work tree containing ``start``."""
    result = run(["git", "-C", str(start), "rev-parse", "--show-toplevel"], check=False)
    if result.returncode != 0:
        raise GitError(f"{start} is not inside a git repository; run releasekit from your project")
    return Path(result.stdout.strip())


def current_branch(root: Path) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    result = run(["git", "-C", str(root), "symbolic-ref", "--short", "-q", "HEAD"], check=False)
    return result.stdout.strip() or None


def dirty_paths(root: Path) -> list[str]:
    """Paths with staged, unstaged or untracked changes (``git status --porcelain``)."""
    out = git(root, "status", "--porcelain=v1", "-z", "--untracked-files=normal")
    return [entry[3:] for entry in out.split("\0") if entry]


def branch_exists(root: Path, name: str) -> bool:
    return _succeeds(root, "rev-parse", "--verify", "-q", f"refs/heads/{name}")


def remote_branches(root: Path, name: str) -> list[str]:
    """Remote-tracking branches called ``name`` (``origin/release/v0.1.8``), as last fetched."""
    out = git(root, "for-each-ref", "--format=%(refname:strip=2)", f"refs/remotes/*/{name}")
    return out.split()


def local_tag_exists(root: Path, tag: str) -> bool:
    return _succeeds(root, "rev-parse", "--verify", "-q", f"refs/tags/{tag}")


def remotes(root: Path) -> list[str]:
    return git(root, "remote").split()


def push_targets(root: Path, remote: str, *, fetch_url_too: bool = False) -> list[str]:
    """What to ask when the question is "does ``remote`` have this": what ``git push remote``
    pushes to (every ``pushurl``, else its ``url``), not the fetch URL, which may be a stale
    mirror. The remote's own name when it pushes where it fetches (git's usual setup), so
    its other settings still apply; ``fetch_url_too`` adds the fetch URL when it differs."""
    pushes = git(root, "remote", "get-url", "--push", "--all", remote).splitlines()
    fetch = git(root, "remote", "get-url", remote).strip()
    if pushes == [fetch]:
        return [remote]
    return [*pushes, remote] if fetch_url_too and fetch not in pushes else pushes


def pushes_elsewhere(root: Path, remote: str) -> bool:
    """Whether ``remote`` pushes to another place than it fetches from (``pushurl``)."""
    return push_targets(root, remote) != [remote]


def ls_remote(
    root: Path, remote: str, *patterns: str, kind: str = "--tags", net: Network | None = None
) -> str:
    """``git ls-remote kind remote patterns``: within the network timeout, retried.

    Raises:
        NetworkTimeout: the remote did not answer in time.
        CommandError: the remote cannot be reached (after the retries).
    """
    args = ["ls-remote", kind, remote, *patterns]
    result = run_git(root, args, net=net or settings(), remote=remote, read=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        if result.returncode == -signal.SIGPIPE and not detail:
            detail = f"{remote} closed the connection"
        argv = ["git", "-C", str(root), *args]
        raise CommandError(f"{display(argv)} failed with exit {result.returncode}: {detail}")
    return result.stdout


def remote_tags(
    root: Path, remote: str, tags: Iterable[str], *, net: Network | None = None
) -> set[str]:
    """Which of ``tags`` exist where ``remote`` pushes to (one ``git ls-remote`` per URL).

    Raises:
        CommandError: the remote cannot be reached or did not answer in time.
    """
    wanted = list(tags)
    if not wanted:
        return set()
    present = set()
    for target in push_targets(root, remote):
        out = ls_remote(root, target, *(f"refs/tags/{t}" for t in wanted), net=net)
        for line in out.splitlines():
            ref = line.split("\t", 1)[-1].removesuffix("^{}")
            present.add(ref.removeprefix("refs/tags/"))
    return present & set(wanted)


def remote_has_branch(root: Path, remote: str, name: str, *, net: Network | None = None) -> bool:
    """Whether the branch ``name`` exists where ``remote`` pushes to (asked, not as fetched).

    Raises:
        CommandError: the remote cannot be reached.
    """
    return any(
        ls_remote(root, target, f"refs/heads/{name}", kind="--heads", net=net).strip()
        for target in push_targets(root, remote)
    )


def resolve_commit(root: Path, ref: str) -> str:
    """The full commit sha ``ref`` points at."""
    result = run(
        ["git", "-C", str(root), "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], check=False
    )
    if result.returncode != 0:
        raise GitError(f"{ref!r} does not name a commit in {root}")
    return result.stdout.strip()


def create_branch(root: Path, name: str) -> None:
    git(root, "switch", "-q", "-c", name)


def switch(root: Path, name: str) -> None:
    git(root, "switch", "-q", name)


def delete_branch(root: Path, name: str) -> None:
    git(root, "branch", "-q", "-D", name)


def commit_paths(root: Path, paths: Sequence[str], message: str, *, signoff: bool) -> str:
    """Stage ``paths`` and commit them with ``message``; return the new commit sha."""
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", *(["-s"] if signoff else []), "-F", "-", input_text=message)
    return git(root, "rev-parse", "HEAD").strip()


# --- tags (issue 4) --------------------------------------------------------------------------


@dataclass(frozen=True)
class TagRef:
    """A local tag and the commit it names (peeled through an annotated tag object)."""

    name: str
    commit: str
    annotated: bool


def tag_refs(root: Path) -> list[TagRef]:
    """Every local tag with its commit, in one ``git for-each-ref`` call (and one more when
    a tag points at another tag)."""
    fmt = "%(refname:strip=2)%00%(objecttype)%00%(objectname)%00%(*objectname)%00%(*objecttype)"
    rows = [
        line.split("\0")
        for line in git(root, "for-each-ref", f"--format={fmt}", "refs/tags").splitlines()
    ]
    deeper = peel_nested(root, [name for name, _, _, _, inner in rows if inner == "tag"])
    return [TagRef(name, deeper.get(name) or peeled or obj, kind == "tag")
            for name, kind, obj, peeled, _ in rows]  # fmt: skip


def peel_nested(root: Path, names: list[str]) -> dict[str, str]:
    """The object each tag of a tag finally names: ``%(*objectname)`` peels one level, so a
    tag of an annotated tag (git's "nested tag") would name the inner tag object."""
    if not names:
        return {}
    out = git(root, "rev-parse", *(f"refs/tags/{name}^{{}}" for name in names))
    return dict(zip(names, out.split(), strict=True))


def tags_not_merged(root: Path, branch: str) -> set[str]:
    """Local tags whose commit is not reachable from ``branch`` (one call)."""
    out = git(
        root, "for-each-ref", f"--no-merged={branch}", "--format=%(refname:strip=2)", "refs/tags"
    )
    return set(out.split())


def remote_tag_commits(
    root: Path, remote: str, *, fetch_url_too: bool = False, net: Network | None = None
) -> dict[str, str]:
    """Every tag where ``remote`` pushes to (see :func:`push_targets`), with its commit.

    Raises:
        CommandError: the remote cannot be reached or did not answer in time.
    """
    found: dict[str, str] = {}
    for target in push_targets(root, remote, fetch_url_too=fetch_url_too):
        here: dict[str, str] = {}
        for line in ls_remote(root, target, net=net).splitlines():
            sha, _, ref = line.partition("\t")
            name = ref.removeprefix("refs/tags/")
            if name.endswith("^{}"):
                here[name.removesuffix("^{}")] = sha
            else:
                here.setdefault(name, sha)
        found = {**here, **found}  # the first place that has a tag says where it points
    return found


def create_tag(root: Path, tag: str, commit: str, *, message: str | None, sign: bool) -> None:
    """Create ``tag`` on ``commit``: annotated with ``message``, signed with ``sign``."""
    if message is None and not sign:
        git(root, "tag", "--", tag, commit)
        return
    args = ["tag", "-s" if sign else "-a", "-F", "-", "--", tag, commit]
    git(root, *args, input_text=message or tag)


def delete_local_tag(root: Path, tag: str) -> None:
    git(root, "tag", "-d", "--", tag)


def push_tags_atomic(
    root: Path, remote: str, tags: Sequence[str], *, net: Network | None = None
) -> Result:
    """``git push --atomic remote refs/tags/...``: the remote takes all the tags or none.

    Never retried (a write); bounded by the network timeout.

    Raises:
        NetworkTimeout: the remote did not answer in time (the push may or may not have landed).
    """
    args = ["push", "--atomic", "--porcelain", remote]
    args += [f"refs/tags/{t}:refs/tags/{t}" for t in tags]
    return run_git(root, args, net=net or settings(), remote=remote, read=False)


def tracked_files(root: Path, name: str) -> list[str]:
    """Paths tracked by git whose file name is ``name`` (e.g. every ``go.mod``)."""
    out = git(root, "ls-files", "-z", "--", name, f"**/{name}")
    return sorted({p for p in out.split("\0") if p and PurePosixPath(p).name == name})


def files_at(root: Path, commit: str, name: str) -> list[str]:
    """Paths whose file name is ``name`` in the tree of ``commit`` (one ``git ls-tree``)."""
    out = git(root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit)
    return sorted(p for p in out.split("\0") if p and PurePosixPath(p).name == name)


def read_at(root: Path, commit: str, path: str) -> str:
    """The content of ``path`` as committed in ``commit``."""
    return git(root, "cat-file", "blob", f"{commit}:{path}")


def is_shallow(root: Path) -> bool:
    """True in a shallow clone (e.g. actions/checkout's default fetch-depth 1)."""
    return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
