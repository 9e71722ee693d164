"""What a step is, what its check finds, and the facts checks read (never a stored journal).

Every state is derived afresh from git, the remote, the registry, the forge and the files:
:class:`Facts` reads each of those at most once per check round and forgets them after a
step acts, so the re-check sees the world as it now is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..common import git
from ..common.errors import CommandError, ReleaseError
from ..common.network import run_git, settings
from ..common.process import run

if TYPE_CHECKING:
    from ..config import Config
    from ..forge.client import Forge

Kind = Literal["done", "skipped", "conflict", "todo", "waiting", "unknown"]
KINDS: tuple[Kind, ...] = ("done", "skipped", "conflict", "todo", "waiting", "unknown")


@dataclass(frozen=True)
class State:
    """What a step's check found.

    ``done``: as the release needs it (identical). ``skipped``: nothing to check here (the
    section the step reads is not configured) — never reported as done. ``conflict``: done, but different (a tag on
    another commit, an asset with another sha256) — published things are immutable, so a
    human decides. ``todo``: not done; ``plan`` says what apply would do. ``waiting``: a human
    or a workflow must act; ``watch`` is the URL or command to follow it. ``unknown``: could
    not be asked (a remote unreachable).
    """

    kind: Kind
    reason: str
    plan: tuple[str, ...] = ()
    watch: str = ""


@dataclass(frozen=True)
class Step:
    """One step of a procedure: its check, and what it does when the check says todo
    (``apply`` None: nobody here can do it — a human merges, a workflow builds)."""

    name: str
    summary: str
    check: Callable[[Facts], State]
    apply: Callable[[Facts], list[str]] | None = None


class Unreachable(ReleaseError):
    """A remote, registry or forge could not be asked: the step's state is unknown."""


@dataclass
class Facts:
    """The release being made and what the world says about it, read lazily and cached until
    :meth:`forget`."""

    cfg: Config
    tag: str
    version: str
    today: dt.date
    plain_http: bool = False
    steps: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict)

    def forget(self) -> None:
        self._cache.clear()

    def once(self, key: str, read: Callable[[], Any]) -> Any:
        """``read()``, asked once per check round (until :meth:`forget`)."""
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    # --- names ---------------------------------------------------------------------------

    @property
    def branch(self) -> str:
        return self.cfg.release_branch.replace("{tag}", self.tag).replace("{version}", self.version)

    @property
    def prepare_subject(self) -> str:
        message = self.cfg.commit_message.replace("{tag}", self.tag)
        return message.replace("{version}", self.version).splitlines()[0]

    @property
    def remote(self) -> str:
        return self.cfg.remote

    # --- git and the remote --------------------------------------------------------------

    def remote_tags(self) -> dict[str, str]:
        """Every tag on the remote with its commit (one ``git ls-remote``)."""

        def read() -> dict[str, str]:
            self._need_remote()
            try:
                return git.remote_tag_commits(self.cfg.root, self.remote, net=settings(self.cfg))
            except CommandError as exc:
                raise Unreachable(f"cannot ask {self.remote} for its tags ({exc})") from None

        found: dict[str, str] = self.once("remote_tags", read)
        return found

    def local_tag(self, name: str) -> str | None:
        """The commit a local tag points at, or None."""
        refs = self.once(
            "local_tags", lambda: {r.name: r.commit for r in git.tag_refs(self.cfg.root)}
        )
        found: str | None = refs.get(name)
        return found

    def remote_main(self) -> str:
        """The remote's main branch after fetching it (refs/remotes/<remote>/<main>)."""

        def read() -> str:
            self._need_remote()
            main, remote = self.cfg.main_branch, self.remote
            spec = f"+refs/heads/{main}:refs/remotes/{remote}/{main}"
            result = run_git(self.cfg.root, ["fetch", "--quiet", "--no-tags", remote, spec],
                             net=settings(self.cfg), remote=remote, read=True)  # fmt: skip
            if result.returncode != 0:
                raise Unreachable(f"cannot fetch {main} from {remote}: {result.stderr.strip()}")
            return git.resolve_commit(self.cfg.root, f"refs/remotes/{remote}/{main}")

        sha: str = self.once("remote_main", read)
        return sha

    def branch_tip(self) -> str | None:
        """The release branch's commit here, else on the remote (as fetched), or None."""
        for ref in (f"refs/heads/{self.branch}", f"refs/remotes/{self.remote}/{self.branch}"):
            found = run(["git", "-C", str(self.cfg.root), "rev-parse", "-q", "--verify",
                         f"{ref}^{{commit}}"], check=False)  # fmt: skip
            if found.returncode == 0:
                return found.stdout.strip()
        return None

    def carries_prepare(self, commit: str) -> bool:
        """Whether ``commit`` holds the prepare commit: the release branch merged into it, or
        a commit with the prepare subject (a squash merge adds `` (#12)``)."""
        tip = self.branch_tip()
        root = str(self.cfg.root)
        if tip is not None and _is_ancestor(root, tip, commit):
            return True
        out = run(["git", "-C", root, "log", "-n", "500", "--format=%s", "--fixed-strings",
                   f"--grep={self.prepare_subject}", commit, "--"], check=False).stdout  # fmt: skip
        subject = self.prepare_subject
        return any(s == subject or s.startswith(f"{subject} (#") for s in out.splitlines())

    def merged(self) -> str | None:
        """The remote main commit when it carries the prepare commit, else None."""
        main = self.remote_main()
        return main if self.carries_prepare(main) else None

    def _need_remote(self) -> None:
        if self.remote not in git.remotes(self.cfg.root):
            raise Unreachable(
                f"no remote named {self.remote} here; add it (git remote add {self.remote} URL) "
                "or set remote: in releasekit.yaml"
            )

    # --- the forge -----------------------------------------------------------------------

    def forge(self) -> Forge:
        from ..forge.run import forge_for

        made: Forge = self.once("forge", lambda: forge_for(self.cfg))
        return made

    def watch_workflow(self) -> str:
        """Where to follow the release workflow the tag starts."""
        proc = self.cfg.procedure
        if proc is not None and proc.workflow:
            return proc.workflow
        if self.cfg.forge is not None:
            return f"{self.cfg.forge.repository_url()}/actions"
        return f"the release workflow of {self.tag} on your CI"


def _is_ancestor(root: str, older: str, newer: str) -> bool:
    argv = ["git", "-C", root, "merge-base", "--is-ancestor", older, newer]
    return run(argv, check=False).returncode == 0
