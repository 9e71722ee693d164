"""The entries of a release's notes, from its commits walked ``--first-parent``.

What lands on the main line is what users get, so each first-parent commit is one entry:

- a squash merge (``Title (#123)``) is the pull request itself;
- a merge commit of a pull request is one entry for the whole pull request, titled as
  GitHub (``Merge pull request #123 from owner/branch`` + the title on the next line) or
  Gitea/Forgejo (``Merge pull request 'Title' (#123) from branch into main``) wrote it; its
  branch commits are not listed again, but a breaking change in any of them makes the entry
  breaking, and when the title is not conventional their types classify it;
- other merges (``Merge branch 'main' into topic``) and release.prepare's commit are left out;
- a revert cancels the commit it reverts when both are in the range; a revert of an older
  release's change is a fix.

The history is read with one ``git log`` (commits.read_log: NUL-separated records).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..changelog.commits import Commit, parse_message, read_log
from ..changelog.conventional import prepare_pattern

_GITHUB_MERGE = re.compile(r"Merge pull request #(\d+) from (\S+)")
_GITEA_MERGE = re.compile(r"Merge pull request '(.+)' \(#(\d+)\) from (\S+)(?: into (\S+))?")
_TRAILING_PRS = re.compile(r"(?:\s*\(#\d+\))+\s*$")
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{7,40})")
_REVERT_SUBJECT = re.compile(r'Revert "(.+)"')
_TRAILER = re.compile(r"[\w-]+: |[\w-]+ #")
# Ranking of types when a merge's own title says nothing: the most important change wins.
_RANK = ("feat", "fix", "perf", "refactor", "deps")


@dataclass(frozen=True)
class Entry:
    """One change as the notes state it."""

    title: str  # the description, first letter upper case, PR numbers stripped
    type: str | None
    scope: str | None
    prs: tuple[int, ...]
    breaking: bool
    breaking_description: str | None
    description: str  # the body's first paragraph (what a squash commit's body explains)
    subject: str  # the line under All Changes: the subject, or a merge's "Title (#123)"
    sha: str
    commits: tuple[str, ...] = ()  # a merge's branch commits, folded into this entry
    details: tuple[str, ...] = ()  # nested lines (the CRD changes)

    @property
    def short(self) -> str:
        return self.sha[:7]

    @property
    def pr_refs(self) -> str:
        return ", ".join(f"#{n}" for n in self.prs)

    def as_json(self) -> dict[str, object]:
        return {
            "title": self.title, "type": self.type, "scope": self.scope, "prs": list(self.prs),
            "pr_refs": self.pr_refs, "breaking": self.breaking,
            "breaking_description": self.breaking_description, "description": self.description,
            "subject": self.subject, "sha": self.sha, "short": self.short,
            "commits": list(self.commits), "details": list(self.details),
        }  # fmt: skip


def upper_first(text: str) -> str:
    """Capitalise a title, unless it starts with code (``spec.command``, ``--watch``)."""
    first = text.split(" ", 1)[0]
    if any(ch in first for ch in "._/`(-"):
        return text
    return text[:1].upper() + text[1:]


def first_parent_chain(commits: Mapping[str, Commit], end: str) -> list[Commit]:
    """The first-parent line from ``end`` back to where the range starts, newest first."""
    chain, at = [], commits.get(end)
    while at is not None:
        chain.append(at)
        first = at.parents.split(" ")[0] if at.parents else ""
        at = commits.get(first)
    return chain


def branch_commits(commits: Mapping[str, Commit], merge: Commit, line: set[str]) -> list[Commit]:
    """The commits a merge brought in: reachable from its other parents, inside the range."""
    found: list[Commit] = []
    todo = merge.parents.split(" ")[1:]
    seen = set(line)
    while todo:
        sha = todo.pop()
        if sha in seen or sha not in commits:
            continue
        seen.add(sha)
        found.append(commits[sha])
        todo.extend(commits[sha].parents.split(" "))
    return found


def _paragraph(body: str) -> str:
    """The first paragraph of a body, unless it is a list (a squash's commit list) or trailers."""
    first = body.strip().split("\n\n", 1)[0].strip()
    if not first or first.startswith(("* ", "- ", "BREAKING")) or _TRAILER.match(first):
        return ""
    return " ".join(line.strip() for line in first.splitlines())


def _pull_request(commit: Commit) -> tuple[str, int] | None:
    """(title, number) of a pull request's merge commit, GitHub or Gitea style."""
    gitea = _GITEA_MERGE.fullmatch(commit.subject)
    if gitea:
        return gitea.group(1), int(gitea.group(2))
    github = _GITHUB_MERGE.fullmatch(commit.subject)
    if github:
        title = commit.body.strip().split("\n", 1)[0].strip()
        return title or github.group(2), int(github.group(1))
    return None


def _entry(commit: Commit, subject: str, body: str, extra_prs: tuple[int, ...] = ()) -> Entry:
    message = parse_message(subject + ("\n\n" + body if body else ""))
    prs = tuple(dict.fromkeys((*message.prs, *extra_prs)))
    title = upper_first(_TRAILING_PRS.sub("", message.description).strip())
    shown = _TRAILING_PRS.sub("", subject).strip() + (
        f" ({', '.join(f'#{n}' for n in prs)})" if prs else ""
    )
    return Entry(title, message.type, message.scope, prs, message.breaking,
                 message.breaking_description, _paragraph(message.body), shown, commit.sha)  # fmt: skip


def _merge_entry(commit: Commit, title: str, number: int, branch: Sequence[Commit]) -> Entry:
    # After GitHub's title line the body may hold a description and a BREAKING CHANGE footer;
    # Gitea puts the title in the subject, so its whole body is the description.
    body = commit.body.strip()
    if _GITHUB_MERGE.fullmatch(commit.subject):
        body = body.partition("\n")[2].strip()
    entry = _entry(commit, title, body, (number,))
    breaking = [c for c in branch if c.breaking]
    kind = entry.type
    if kind is None:  # a plain-language title: what the branch's commits are
        kinds = {c.type for c in branch if c.type}
        kind = next((k for k in _RANK if k in kinds), None)
    description = entry.breaking_description or next(
        (c.breaking_description for c in breaking if c.breaking_description), None
    )
    return Entry(entry.title, kind, entry.scope, entry.prs, entry.breaking or bool(breaking),
                 description, entry.description, entry.subject, commit.sha,
                 tuple(c.sha for c in branch))  # fmt: skip


def _reverted(commit: Commit) -> str | None:
    if not (_REVERT_SUBJECT.match(commit.subject) or commit.type == "revert"):
        return None
    found = _REVERTS.search(commit.raw_message)
    return found.group(1) if found else None


def build_entries(commits: Iterable[Commit], end: str, *, commit_message: str,
                  exclude: Sequence[str] = ()) -> list[Entry]:  # fmt: skip
    """The entries of the range's first-parent line, oldest first (the order they landed)."""
    by_sha = {c.sha: c for c in commits}
    chain = first_parent_chain(by_sha, end)
    line = {c.sha for c in chain}
    skip = re.compile("|".join([f"^(?:{prepare_pattern(commit_message).pattern})$",
                                *(f"(?:{p})" for p in exclude)]))  # fmt: skip
    entries: list[Entry] = []
    for commit in reversed(chain):
        if skip.search(commit.subject):
            continue
        if commit.is_merge:
            pr = _pull_request(commit)
            branch = branch_commits(by_sha, commit, line) if pr else []
            if pr is not None and not commit.body.strip() and len(branch) == 1:
                pr = (branch[0].subject, pr[1])  # GitHub's merge without a title: its one commit's
            if pr is not None and not skip.search(pr[0]):
                entries.append(_merge_entry(commit, *pr, branch))
            continue
        entry = _entry(commit, commit.subject, commit.body)
        target = _reverted(commit)
        if target is not None and entry.type != "revert":
            original = _REVERT_SUBJECT.match(commit.subject)
            assert original is not None
            # Only the numbers after the quoted subject are the revert's own pull request.
            prs = tuple(int(n) for n in re.findall(r"\(#(\d+)\)", commit.subject[original.end() :]))
            title = f"Revert “{_TRAILING_PRS.sub('', original.group(1))}”"
            subject = commit.subject[: original.end()] + "".join(f" (#{n})" for n in prs)
            entry = Entry(title, "revert", None, prs, False, None, "", subject, commit.sha)
        entries.append(entry)
    return _cancel_reverts(entries, by_sha)


def _cancel_reverts(entries: list[Entry], commits: Mapping[str, Commit]) -> list[Entry]:
    """Drop a revert and the change it reverts when both are in the range."""
    dropped: set[str] = set()
    for entry in entries:
        target = _reverted(commits[entry.sha]) if entry.sha in commits else None
        if target is None:
            continue
        hit = next((e for e in entries if e.sha.startswith(target) and e.sha not in dropped), None)
        if hit is not None:
            dropped |= {hit.sha, entry.sha}
    return [e for e in entries if e.sha not in dropped]


def read_entries(root: Path, revisions: str, end: str, *, commit_message: str,
                 exclude: Sequence[str] = ()) -> list[Entry]:  # fmt: skip
    """The entries of ``revisions`` (``prev..end`` or ``end``), one ``git log`` call."""
    return build_entries(read_log(root, revisions), end, commit_message=commit_message,
                         exclude=exclude)  # fmt: skip


def section_of(entry: Entry, groups: Mapping[str, str]) -> str | None:
    """The section an entry is listed in (None: All Changes only); breaking comes first."""
    if entry.breaking:
        return "Breaking Changes"
    if entry.scope and entry.scope.split("/")[0] == "deps" and "deps" in groups:
        return groups["deps"]
    return groups.get(entry.type or "")
