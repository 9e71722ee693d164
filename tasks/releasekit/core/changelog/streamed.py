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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..common.templating import LoadedTemplate
from .config import ChangelogConfig
from .context import Grouping, Style, build_context, render, shown
from .conventional import (
    Group,
    Release,
    ReleaseTag,
    every_release_tag,
    read_log,
    release_of,
    releases_of,
    walk_groups,
)
from .sections import separable


def render_all(
    root: Path,
    template: LoadedTemplate,
    cfg: ChangelogConfig,
    grouping: Grouping,
    tag_format: str,
) -> tuple[list[dict[str, Any]], str] | None:
    """The context and text of every release (``changelog --all`` to stdout), rendered while
    the history is read; None when the template is not separable (the caller renders whole).

    Raises:
        GitError: as :func:`conventional.read_releases` (no commits, a shallow clone, git).
        ConfigError: the template failed.
    """
    if not separable(template):
        return None
    tags = every_release_tag(root, tag_format)
    groups: list[Group] = []
    walked: list[Release] = []
    contexts: list[dict[str, Any]] = []
    failure: list[BaseException] = []
    finished: list[bool] = []

    def releases() -> Iterator[dict[str, Any]]:
        # An error of the walk is kept and raised after the render: raised in here, Jinja2's
        # caller would report it as the template's.
        try:
            for group in walk_groups(read_log(root, "HEAD"), tags, keep=grouping.keeps):
                if groups:
                    yield _taken(groups[-1], group[0])
                groups.append(group)
            yield _taken(groups[-1], None)
            finished.append(True)
        except Exception as exc:
            failure.append(exc)

    def _taken(group: Group, older: ReleaseTag | None) -> dict[str, Any]:
        release = release_of(group, older)
        walked.append(release)
        context = build_context([release], grouping)[0]
        contexts.append(context)
        return shown([context], Style())[0]

    text = template.render(
        releases=releases(), header=True, bracketed=True, group_by_scope=cfg.group_by_scope
    )
    if failure:
        raise failure[0]
    if not finished:  # never for a separable template (it loops over all); None: render whole
        return None
    ordered = releases_of(groups)
    if ordered == walked:
        return contexts, text
    context = build_context(ordered, grouping)
    return context, render(template, context, Style(), header=True, cfg=cfg)
