"""Changelog generation: releases of Conventional Commits rendered by a Jinja2 template.

The template context (also what ``changelog --json`` prints) is plain JSON-able data, so a
user's own template sees exactly what scripts see.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common.confine import confine
from ..common.errors import ConfigError, FileFormatError, ReleaseError
from ..common.gcpause import paused_gc
from ..common.process import Started
from ..common.templating import LoadedTemplate
from ..common.templating import load_template as load_template_file
from ..common.textfile import FileEdit, read_text, write_all
from .cache import (
    Cut,
    Probe,
    cut_groups,
    has_walk,
    history_of,
    probe_history,
    read_history,
    store_walk,
)
from .commits import start_log
from .config import ChangelogConfig
from .context import (
    FILTERS,
    Grouping,
    Style,
    build_context,
    render,
    shown,
)
from .conventional import read_releases
from .keepachangelog import parse_changelog
from .merge import merge_generated, refuse_dropped_entries
from .sections import separable
from .store import FORMAT, Store, bytecode_cache, commits_digest, digest, pack, unpack
from .streamed import Walk, render_all, render_all_parts

DEFAULT_TEMPLATE = "changelog.md.j2"


def template_path(root: Path, cfg: ChangelogConfig) -> tuple[Path, str, bool]:
    """The template file, its name in errors, and whether it is the shipped (trusted) one.

    Raises:
        ConfigError: ``changelog.template`` names no file.
    """
    if cfg.template is None:
        # By path, not PackageLoader("releasekit"): a vendored copy lives under another name.
        return (
            Path(__file__).resolve().parents[2] / "templates" / DEFAULT_TEMPLATE,
            DEFAULT_TEMPLATE,
            True,
        )
    path = confine(root, cfg.template, what="changelog.template")
    if not path.is_file():
        raise ConfigError(f"changelog.template {cfg.template} does not exist under {root}")
    return path, cfg.template, False


def load_template(root: Path, cfg: ChangelogConfig, store: Store | None = None) -> LoadedTemplate:
    """The configured Jinja2 template (sandboxed), else the one shipped in the package; with
    ``store``, its compiled code is kept there between runs."""
    compiled = bytecode_cache(store) if store is not None else None
    path, display, shipped = template_path(root, cfg)
    return load_template_file(
        path, display, filters=FILTERS, trusted=shipped, bytecode_cache=compiled
    )


@dataclass(frozen=True)
class Generated:
    """A generated changelog: the context, the Markdown, and the file edit when writing.

    With the cache, a release whose text came from the cache has no commits in ``releases``
    (``changelog --json`` never reads the cache)."""

    releases: list[dict[str, Any]]
    text: str
    edit: FileEdit | None = None
    created: bool = False


def generate(
    root: Path,
    cfg: ChangelogConfig,
    *,
    tag_format: str,
    commit_message: str,
    everything: bool = False,
    output: Path | None = None,
    display: str | None = None,
    replace_unreleased: bool = False,
    cache: bool = False,
    cached_sections: bool = True,
) -> Generated:
    """Read the history and render Unreleased (and with ``everything`` every release).

    With ``output`` the result is planned as a co-owned edit of that file: only the
    Unreleased body is replaced and (with ``everything``) missing release sections are
    added; hand-written text stays. A missing file is created whole. With ``cache`` the
    compiled template and (with ``everything`` and ``cached_sections``) the walk and the
    released sections come from the cache under the git directory where they can
    (core/changelog/cache.py); the output is the same byte for byte.

    Raises:
        ReleaseError: the file's Unreleased holds entries the commits do not produce (written
            by hand), which the new body would drop; ``replace_unreleased`` drops them.
    """
    with paused_gc():  # 100k commits: see gcpause
        return _generate(root, cfg, tag_format=tag_format, commit_message=commit_message,
                         everything=everything, output=output, display=display,
                         replace_unreleased=replace_unreleased, cache=cache,
                         cached_sections=cached_sections)  # fmt: skip


def _generate(
    root: Path,
    cfg: ChangelogConfig,
    *,
    tag_format: str,
    commit_message: str,
    everything: bool,
    output: Path | None,
    display: str | None,
    replace_unreleased: bool,
    cache: bool,
    cached_sections: bool,
) -> Generated:
    grouping = Grouping.from_config(cfg, commit_message)
    keep = grouping.keeps
    cached = Store.for_repo(root) if cache else None
    store = cached if everything and cached_sections else None
    if output is None and everything:
        # Without a cached walk the whole history is read: git starts walking it now, while
        # the template is compiled and the tags are listed (~50 ms of a 0.8 s walk at 100k
        # commits). With one, it is most likely used (Unreleased on top of it): no git log.
        log = start_log(root) if store is None or not has_walk(store) else None
        try:
            return _everything(root, cfg, commit_message, tag_format, grouping, cached, store, log)
        finally:
            if log is not None:
                log.close()
    template = load_template(root, cfg, cached)
    if output is None:
        history = read_releases(root, tag_format, everything=False, keep=keep)
        releases = build_context(history, grouping)
        return Generated(releases, render(template, releases, Style(), header=False, cfg=cfg))
    if store is not None:
        present = _versions_in(output, display or str(output))
        history = read_history(
            root, tag_format, store, keep=keep,
            need=lambda cuts, _, __: [n for n, cut in enumerate(cuts)
                                      if cut.tag is None or cut.tag.version not in present],
        ).releases  # fmt: skip
    else:
        history = read_releases(root, tag_format, everything=everything, keep=keep)
    releases = build_context(history, grouping)
    name = display or str(output)
    if not output.parent.is_dir():
        raise ReleaseError(f"{name}: directory {output.parent} does not exist; create it first")
    if not output.exists():
        text = render(template, releases, Style(), header=True, cfg=cfg)
        edit = FileEdit(name, output, "", text, created=True)
        return Generated(releases, text, edit, created=True)
    old = read_text(output, name)
    doc = parse_changelog(old, name, output)
    if sum(1 for s in doc.sections if s.kind == "unreleased") > 1:
        lines = ", ".join(str(s.line + 1) for s in doc.sections if s.kind == "unreleased")
        raise FileFormatError(f"{name}: more than one Unreleased section (lines {lines}); keep one")
    model = doc.unreleased or (doc.releases[0] if doc.releases else None)
    style = Style(
        bracketed=model.bracketed if model else True,
        v_prefix=bool(doc.releases and doc.releases[0].v_prefix),
    )
    unreleased = render(template, releases[:1], style, header=False, cfg=cfg)
    if not replace_unreleased:
        refuse_dropped_entries(doc, unreleased)
    existing = {s.version for s in doc.releases}
    # Only the releases the file lacks are rendered: merge_generated inserts only those.
    released = [
        (version, render(template, [r], style, header=False, cfg=cfg))
        for r in releases[1:]
        if (version := semver.Version.parse(r["version"])) not in existing
    ]
    new = merge_generated(doc, unreleased, released)
    return Generated(releases, new, FileEdit(name, output, old, new))


def _everything(
    root: Path,
    cfg: ChangelogConfig,
    commit_message: str,
    tag_format: str,
    grouping: Grouping,
    cached: Store | None,
    store: Store | None,
    log: Started | None,
) -> Generated:
    """``changelog --all`` to stdout: from the cache (``store``), or rendered along the walk,
    else whole. ``log``: the history's git log, if already started (commits.start_log)."""
    if store is not None:
        made = _all_cached(root, store, cfg, commit_message, tag_format, grouping, log)
        if made is not None:
            return made
    template = load_template(root, cfg, cached)
    streamed = render_all(root, template, cfg, grouping, tag_format, log)
    if streamed is not None:
        return Generated(*streamed)
    history = read_releases(root, tag_format, everything=True, keep=grouping.keeps, log=log)
    releases = build_context(history, grouping)
    return Generated(releases, render(template, releases, Style(), header=True, cfg=cfg))


def _versions_in(output: Path, name: str) -> set[semver.Version] | frozenset[semver.Version]:
    """The versions ``output`` has sections for (none when it is missing or unreadable: the
    errors are raised, in their usual order, after the history is read)."""
    try:
        if not output.is_file():
            return frozenset()
        return {s.version for s in parse_changelog(read_text(output, name), name, output).releases
                if s.version is not None}  # fmt: skip
    except ReleaseError:
        return frozenset()


def _setup(cfg: ChangelogConfig, commit_message: str, tag_format: str, template: bytes) -> str:
    """Digest of everything besides the release itself that a cached section depends on:
    the format, releasekit's and Jinja2's code, the configuration, the template's bytes."""
    import importlib.util

    import msgspec

    from ... import __version__

    # Jinja2's own version without importing it (its import is ~0.1 s a run saves on a hit).
    spec = importlib.util.find_spec("jinja2")
    jinja = Path(spec.origin).read_bytes() if spec is not None and spec.origin else b""
    return digest(
        str(FORMAT), __version__, jinja, "all-body", msgspec.json.encode(cfg), commit_message,
        tag_format, template, "header=1 bracketed=1 v_prefix=0",
    )  # fmt: skip


def section_key(setup: str, view: str, cut: Cut, commits: str) -> str:
    """The cache key of a section (Unreleased's too): the setup, the git view, both ends' tag
    objects (tag object and peeled commit; "" for Unreleased's top), the commits (digest of
    their shas in walk order) and their count."""
    ends = [
        part
        for tag in (cut.tag, cut.previous)
        for part in ((tag.name, tag.object, tag.commit, tag.date) if tag else ("", "", "", ""))
    ]
    return digest(setup, view, *ends, commits, str(cut.stop - cut.start))


def _all_cached(
    root: Path,
    store: Store,
    cfg: ChangelogConfig,
    commit_message: str,
    tag_format: str,
    grouping: Grouping,
    log: Started | None = None,
) -> Generated | None:
    """``changelog --all`` with sections from the cache: those not cached (Unreleased among
    them whenever anything is) are rendered in one pass cut per release, the rest spliced in
    between. When everything is cached, Jinja2 is not even imported. None when the template
    does not render each release on its own (the caller renders it whole)."""
    path, _, _ = template_path(root, cfg)
    try:
        setup = _setup(cfg, commit_message, tag_format, path.read_bytes())
    except OSError:
        return None  # the caller's load_template reports it
    template: LoadedTemplate | None = None
    verdict = store.get("templates", f"split-{setup}")  # does it render each release alone?
    if verdict is None:
        template = load_template(root, cfg, store)
        verdict = b"yes" if separable(template) else b"no"
        store.put("templates", f"split-{setup}", verdict)
    if verdict != b"yes":
        return None
    loaded: dict[str, dict[str, str]] = {}  # by view: the cached texts by section key

    def texts(view: str) -> dict[str, str]:
        if view not in loaded:
            payload = store.get("sections", digest(setup, view))
            loaded[view] = unpack(payload) if payload is not None else {}
        return loaded[view]

    asked: list[tuple[list[Cut], list[str], str, list[str]]] = []  # need()'s keys, kept

    def need(cuts: list[Cut], commits: list[str], view: str) -> list[int]:
        cached = texts(view)
        keys = [section_key(setup, view, c, d) for c, d in zip(cuts, commits, strict=True)]
        asked.append((cuts, commits, view, keys))
        missing = [n for n, key in enumerate(keys) if key not in cached]
        if not missing and all(end in cached for end in _ENDS):
            return []
        # Unreleased opens the loop (loop.first): a fresh section is cut from a render that
        # starts with it, so it is rendered (and its commits read) whenever anything is.
        return sorted({0, *missing})

    probe = probe_history(root, tag_format, store)
    if probe.walk is None:  # nothing to go by: render while git walks, then cache it all
        template = template or load_template(root, cfg, store)
        try:
            made = _all_cold(root, store, probe, setup, template, cfg, grouping, log)
        except ValueError:  # did not take the releases one by one after all: render it whole
            store.put("templates", f"split-{setup}", b"no")
            return None
        if made is not None:
            return made
    history = history_of(root, store, probe, keep=grouping.keeps, need=need)
    cached = texts(history.view)
    if asked and asked[-1][:3] == (history.cuts, history.commits, history.view):
        keys = asked[-1][3]  # the history need() was asked about (501 digests: ~6 ms)
    else:  # the whole history was read instead: cut again
        keys = [
            section_key(setup, history.view, cut, commits)
            for cut, commits in zip(history.cuts, history.commits, strict=True)
        ]
    contexts = build_context(history.releases, grouping)  # cached ones have no commits: cheap
    fresh = [n for n, key in enumerate(keys) if key not in cached]
    if not fresh and all(e in cached for e in _ENDS):  # all from the cache: no Jinja2 at all
        body = [cached[key] for key in keys]
        return Generated(contexts, cached["prefix"] + "".join(body) + cached["suffix"])
    template = template or load_template(root, cfg, store)
    fresh = sorted({0, *fresh})  # a pack without its ends: render Unreleased for them
    try:
        parts = template.render_parts(
            "releases",
            shown([contexts[n] for n in fresh], Style()),
            header=True,
            bracketed=True,
            group_by_scope=cfg.group_by_scope,
        )
    except ValueError:  # did not take the releases one by one after all: render it whole
        store.put("templates", f"split-{setup}", b"no")
        return None
    rendered = dict(zip(fresh, parts[1:-1], strict=True))
    body = [rendered[n] if n in rendered else cached[keys[n]] for n in range(len(keys))]
    # Only this run's sections are kept: the file never holds more than one changelog.
    now = {"prefix": parts[0], "suffix": parts[-1], **dict(zip(keys, body, strict=True))}
    if now != cached:
        store.put("sections", digest(setup, history.view), pack(now))
    return Generated(contexts, parts[0] + "".join(body) + parts[-1])


_ENDS = ("prefix", "suffix")  # in a pack: what the template prints before and after the loop


def _all_cold(
    root: Path,
    store: Store,
    probe: Probe,
    setup: str,
    template: LoadedTemplate,
    cfg: ChangelogConfig,
    grouping: Grouping,
    log: Started | None = None,
) -> Generated | None:
    """``changelog --all`` with no cached walk: every release rendered as the walk leaves it
    (core/changelog/streamed.py), the walk and every section cached. None when the walk met
    the releases out of the changelog's order (the caller then cuts the releases as usual).

    Raises:
        ValueError: the template did not take the releases one by one (render it whole).
    """
    walk = Walk(root, probe.tags, grouping, note=True, log=log)
    parts = render_all_parts(walk, template, cfg)
    store_walk(store, probe.head, probe.view, walk.shas)
    if not walk.in_order():
        return None
    cuts = cut_groups(walk.groups)
    keys = [
        section_key(setup, probe.view, cut, commits_digest(walk.shas[cut.start : cut.stop]))
        for cut in cuts
    ]
    now = {"prefix": parts[0], "suffix": parts[-1], **dict(zip(keys, parts[1:-1], strict=True))}
    store.put("sections", digest(setup, probe.view), pack(now))
    return Generated(walk.contexts, "".join(parts))


def write_generated(root: Path, result: Generated) -> None:
    """Write a generated changelog's edit (creating the file when it did not exist)."""
    if result.edit is not None:
        write_all([result.edit], root)
