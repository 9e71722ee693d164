"""``changelog --all`` rendered while git is still writing the history (issue 16).

The plain pipeline reads the whole walk, sorts the releases by SemVer, builds the context and
only then renders: 0.15-0.2 s of a 100k-commit history after git has finished. Here the
template takes each release as soon as the walk has left it (Jinja2 renders from an
iterator), so grouping, context and rendering run beside git's walk, on the other core.

That is the same text as the plain pipeline when two things hold, and the plain render is used
whenever one does not:

- the template takes the releases one at a time in one loop and a release's part depends on
  nothing but that release and ``loop.first`` (:func:`sections.separable`, the rule the
  section cache relies on): it cannot look ahead, count or iterate twice;
- the walk meets the releases in the order the changelog shows them (Unreleased, then highest
  SemVer first), with each one's previous tag the next one the walk meets. That is the usual
  history: tags rise along it. A history whose tags do not (a hotfix tag on a commit older than
  a higher release) is rendered again, whole, from the same walk: correct, only not faster.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from ..common.process import Started
from ..common.templating import LoadedTemplate
from .commits import Commit, read_log
from .config import ChangelogConfig
from .context import Grouping, Style, build_context, render, shown
from .conventional import (
    Group,
    Release,
    ReleaseTag,
    every_release_tag,
    release_of,
    releases_of,
    walk_groups,
)
from .sections import separable


class Walk:
    """One read of the whole history (``git log`` of HEAD), handed out release by release as
    the walk leaves each one: :meth:`releases` is what a template loops over."""

    def __init__(
        self,
        root: Path,
        tags: Sequence[ReleaseTag],
        grouping: Grouping,
        *,
        note: bool = False,
        log: Started | None = None,
    ) -> None:
        self.root = root
        self.log = log  # commits.start_log(root), if the caller started it
        self.note = note
        self.tags = tags
        self.grouping = grouping
        self.groups: list[Group] = []
        self.walked: list[Release] = []  # previous tags as the walk met them
        self.contexts: list[dict[str, Any]] = []
        self.shas: list[str] = []  # with ``note``, every commit, in walk order
        self.failure: Exception | None = None
        self.finished = False

    def releases(self) -> Generator[dict[str, Any], None, None]:
        """Each release's context (as shown) once the walk has left it. An error of the walk is
        kept for :meth:`raise_failure`: raised in here, Jinja2's caller would report it as the
        template's."""
        try:
            groups = self.groups
            commits = self._noted() if self.note else read_log(self.root, "HEAD", started=self.log)
            for group in walk_groups(commits, self.tags, keep=self.grouping.keeps):
                if groups:
                    yield self._taken(groups[-1], group[0])
                groups.append(group)
            yield self._taken(groups[-1], None)
            self.finished = True
        except Exception as exc:
            self.failure = exc

    def _noted(self) -> Iterator[Commit]:
        note = self.shas.append
        for commit in read_log(self.root, "HEAD", started=self.log):
            note(commit.sha)
            yield commit

    def _taken(self, group: Group, older: ReleaseTag | None) -> dict[str, Any]:
        release = release_of(group, older)
        self.walked.append(release)
        context = build_context([release], self.grouping)[0]
        self.contexts.append(context)
        return shown([context], Style())[0]

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def ordered(self) -> list[Release]:
        """The releases as the changelog shows them (:func:`conventional.group_releases`)."""
        return releases_of(self.groups)

    def in_order(self) -> bool:
        """Whether the walk met the releases in the changelog's order, with the same previous
        tags: then what was rendered along the walk is the changelog."""
        return self.finished and self.ordered() == self.walked


def render_all(
    root: Path,
    template: LoadedTemplate,
    cfg: ChangelogConfig,
    grouping: Grouping,
    tag_format: str,
    log: Started | None = None,
) -> tuple[list[dict[str, Any]], str] | None:
    """The context and text of every release (``changelog --all`` to stdout), rendered while
    the history is read; None when the template is not separable (the caller renders whole).
    ``log``: the history's git log, already started (commits.start_log).

    Raises:
        GitError: as :func:`conventional.read_releases` (no commits, a shallow clone, git).
        ConfigError: the template failed.
    """
    if not separable(template):
        return None
    walk = Walk(root, every_release_tag(root, tag_format), grouping, log=log)
    # Closed however the render ends: a template failing part way leaves the walk's git log
    # suspended, reaped only when the collector finds the failed render's frames (never, in
    # the command, which freezes them: gcpause).
    with closing(walk.releases()) as releases:
        text = template.render(
            releases=releases, header=True, bracketed=True, group_by_scope=cfg.group_by_scope
        )
    walk.raise_failure()
    if not walk.finished:  # never for a separable template (it loops over all): render whole
        return None
    if walk.in_order():
        return walk.contexts, text
    context = build_context(walk.ordered(), grouping)
    return context, render(template, context, Style(), header=True, cfg=cfg)


def render_all_parts(walk: Walk, template: LoadedTemplate, cfg: ChangelogConfig) -> list[str]:
    """:meth:`LoadedTemplate.render_parts` over the walk's releases as it reads them: the text
    before the first release, one part per release in walk order, the text after the last.
    The parts are the changelog's when ``walk.in_order()``.

    Raises:
        GitError, CommandError: the walk failed.
        ConfigError: the template failed.
        ValueError: the template did not take the releases one by one to the end.
    """
    try:
        with closing(walk.releases()) as releases:  # as in render_all
            parts = template.render_parts(
                "releases", releases, header=True, bracketed=True,
                group_by_scope=cfg.group_by_scope,
            )  # fmt: skip
    finally:
        walk.raise_failure()
    return parts
