"""The template context of a changelog: commits mapped to sections by the ``changelog:`` config,
as plain JSON-able data (also what ``changelog --json`` prints), and its rendering."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..common.templating import LoadedTemplate
from .commits import Commit
from .config import ChangelogConfig
from .conventional import Release, prepare_pattern

COMMIT_FIELDS = (
    "sha",
    "short",
    "type",
    "scope",
    "description",
    "subject",
    "body",
    "breaking",
    "breaking_description",
    "prs",
    "trailers",
    "date",
    "author",
    "conventional",
)


def commit_data(commit: Commit) -> dict[str, Any]:
    """A commit as JSON: the attributes a template reads, by the same names."""
    data = {name: getattr(commit, name) for name in COMMIT_FIELDS}
    data["prs"] = list(commit.prs)
    data["trailers"] = [list(pair) for pair in commit.trailers]
    return data


def context_json(releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The template context with commits as plain dicts (``changelog --json``)."""

    def section(s: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": s["title"],
            "commits": [commit_data(c) for c in s["commits"]],
            "scopes": [
                {"scope": g["scope"], "shas": [c.sha for c in g["commits"]]} for g in s["scopes"]
            ],
        }

    return [{**r, "sections": [section(s) for s in r["sections"]]} for r in releases]


@dataclass(frozen=True)
class Grouping:
    """How commits map to sections, from the ``changelog:`` config."""

    groups: dict[str, str]
    order: tuple[str, ...]
    breaking: str
    other: str | None
    skip: re.Pattern[str]

    @classmethod
    def from_config(cls, cfg: ChangelogConfig, commit_message: str) -> Grouping:
        groups = dict(cfg.groups)
        order = [cfg.breaking_section, *cfg.sections, *groups.values()]
        if cfg.other_section:
            order.append(cfg.other_section)
        # release.prepare's subject matches whole; user patterns anywhere (re.search).
        patterns = [f"^(?:{prepare_pattern(commit_message).pattern})$", *cfg.exclude]
        skip = re.compile("|".join(f"(?:{p})" for p in patterns))
        return cls(
            groups, tuple(dict.fromkeys(order)), cfg.breaking_section, cfg.other_section, skip
        )

    # Titles found by :meth:`keeps`, by sha, so build_context does not match each shown commit
    # a second time (0.2 s of a 100k-commit history). Not part of the value: compare=False.
    _titles: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def keeps(self, commit: Commit) -> bool:
        """Whether ``commit`` is shown (remembering its section for :meth:`title_of`)."""
        title = self.section_of(commit)
        if title is None:
            return False
        self._titles[commit.sha] = title
        return True

    def title_of(self, commit: Commit) -> str | None:
        """:meth:`section_of`, from what :meth:`keeps` found when it saw the commit."""
        title = self._titles.get(commit.sha)
        return title if title is not None else self.section_of(commit)

    def section_of(self, commit: Commit) -> str | None:
        """The section a commit goes to, or None when it is left out."""
        if commit.is_merge or self.skip.search(commit.subject):
            return None
        if commit.breaking:
            return self.breaking
        if commit.type is None:
            return self.other
        return self.groups.get(commit.type)


def build_context(releases: Sequence[Release], grouping: Grouping) -> list[dict[str, Any]]:
    """The template context's ``releases``: sections in configured order, breaking first."""
    data = []
    for release in releases:
        buckets: dict[str, list[Commit]] = {}
        for commit in release.commits:
            title = grouping.title_of(commit)
            if title is not None:
                buckets.setdefault(title, []).append(commit)
        sections = [
            {"title": title, "commits": buckets[title], "scopes": _by_scope(buckets[title])}
            for title in grouping.order
            if title in buckets
        ]
        data.append(
            {
                "label": "Unreleased" if release.version is None else str(release.version),
                "version": None if release.version is None else str(release.version),
                "tag": release.tag,
                "date": release.date,
                "previous_tag": release.previous_tag,
                "sections": sections,
                "commit_count": release.total,
            }
        )
    return data


def _by_scope(commits: list[Commit]) -> list[dict[str, Any]]:
    scopes: dict[str | None, list[Commit]] = {}
    for commit in commits:
        scopes.setdefault(commit.scope, []).append(commit)
    named = sorted((s for s in scopes if s is not None), key=str.casefold)
    tail = [None] if None in scopes else []
    return [{"scope": s, "commits": scopes[s]} for s in [*named, *tail]]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


FILTERS = {"upper_first": _upper_first}


@dataclass(frozen=True)
class Style:
    """How headings are spelled: ``## [0.2.0]`` or ``## 0.2.0``, ``v`` or not."""

    bracketed: bool = True
    v_prefix: bool = False


def shown(releases: list[dict[str, Any]], style: Style) -> list[dict[str, Any]]:
    return [
        {**r, "label": ("v" + r["label"]) if style.v_prefix and r["version"] else r["label"]}
        for r in releases
    ]


def render(
    template: LoadedTemplate,
    releases: list[dict[str, Any]],
    style: Style,
    *,
    header: bool,
    cfg: ChangelogConfig,
) -> str:
    """Render ``releases`` (context dicts) to Markdown.

    Raises:
        ConfigError: the template failed (named with its file and line).
    """
    return template.render(
        releases=shown(releases, style),
        header=header,
        bracketed=style.bracketed,
        group_by_scope=cfg.group_by_scope,
    )
