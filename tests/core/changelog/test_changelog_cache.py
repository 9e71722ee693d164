"""The cache of ``changelog --all`` (issue 16) never changes a byte of the output.

Random histories in real git repositories — Conventional and other commits, lightweight and
annotated tags, tags moved, re-created and deleted, merges of side branches, commits stacked on
top (the chained walk), configuration and template changes between runs, cache entries
corrupted — and at each run (and after each merge, configuration or template change and
corruption) the cached and uncached outputs are compared byte for byte, for stdout (``--all``)
and for ``--all --output`` into a stale file. CACHE_EXAMPLES=N explores longer.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Repo
from releasekit.core.changelog.cache import cut_groups, cut_walk
from releasekit.core.changelog.commits import read_log
from releasekit.core.changelog.config import ChangelogConfig
from releasekit.core.changelog.context import FILTERS
from releasekit.core.changelog.conventional import group_releases, release_tags, walk_groups
from releasekit.core.changelog.generate import generate, load_template
from releasekit.core.changelog.sections import separable
from releasekit.core.changelog.store import FORMAT, MAGIC, Store, pack, unpack
from releasekit.core.common.templating import load_template as load_template_file

PREPARE = "chore: prepare {tag} release"

SEPARABLE = """{% if header %}# Log
{% endif %}{% for r in releases %}{% if not loop.first %}
---
{% endif %}
## {{ r.label }}{{ " (" ~ r.tag ~ ", after " ~ r.previous_tag ~ ")" if r.tag else "" }} [{{ r.commit_count }}]
{% set n = namespace(k=0) %}{% for s in r.sections %}### {{ s.title }}
{% for c in s.commits %}{% set n.k = n.k + 1 %}- {{ n.k }} {{ c.short }} {{ c.description | upper_first }}{{ " !" if c.breaking else "" }} {{ c.trailers | length }}
{% endfor %}{% endfor %}{% endfor %}
the end
"""
NOT_SEPARABLE = SEPARABLE.replace("{{ r.label }}", "{{ loop.index }}. {{ r.label }}")
COUNTS_ALL = SEPARABLE.replace("the end", "{{ releases | length if releases is sequence else 0 }}")
TEMPLATES = [None, SEPARABLE, NOT_SEPARABLE, SEPARABLE.replace("---", "***")]

TYPES = ["feat", "fix", "perf", "docs", "chore", "refactor", "deps", "Feat"]
MESSAGES = st.one_of(
    st.builds(
        lambda kind, scope, bang, text, body: (
            f"{kind}{f'({scope})' if scope else ''}{'!' if bang else ''}: {text}{body}"
        ),
        st.sampled_from(TYPES),
        st.sampled_from([None, "api", "helm/chart", "cli"]),
        st.booleans(),
        st.sampled_from(["add the thing (#12)", "fix it", "more ßtuff", "x"]),
        st.sampled_from(
            ["", "\n\nbody text", "\n\nBREAKING CHANGE: moved\n\nSigned-off-by: A <a@x.invalid>"]
        ),
    ),
    st.sampled_from(["Update the docs", "chore: prepare v0.2.0 release", "Merge stuff"]),
)
VERSIONS = st.sampled_from(["0.1.0", "0.2.0", "0.3.0", "1.0.0-rc.1", "1.0.0", "1.1.0"])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("commit"), MESSAGES),
        st.tuples(st.just("commit"), MESSAGES),
        st.tuples(st.just("tag"), VERSIONS, st.booleans()),
        st.tuples(st.just("untag"), VERSIONS),
        st.tuples(st.just("merge"), st.integers(1, 4), MESSAGES),
        st.tuples(st.just("config"), st.integers(0, 3)),
        st.tuples(st.just("template"), st.integers(0, len(TEMPLATES) - 1)),
        st.tuples(st.just("corrupt"), st.integers(0, 5)),
        st.tuples(st.just("run")),
    ),
    min_size=3,
    max_size=14,
)
CONFIGS = [
    ChangelogConfig(),
    ChangelogConfig(group_by_scope=True),
    ChangelogConfig(other_section="Other", exclude=("^docs",)),
    ChangelogConfig(groups={"feat": "Added", "fix": "Fixed", "docs": "Documentation"}),
]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def _corrupt(store: Store, how: int) -> None:
    """Damage every entry one way: truncate, flip a payload byte, foreign magic, older format,
    another key's entry copied over, empty."""
    entries = sorted(p for p in store.directory.rglob("*") if p.is_file())
    for n, path in enumerate(entries):
        data = path.read_bytes()
        if how == 0:
            path.write_bytes(data[: len(data) // 2])
        elif how == 1 and data:
            path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        elif how == 2:
            path.write_bytes(data.replace(MAGIC, b"someone-elses-cache", 1))
        elif how == 3:
            path.write_bytes(data.replace(b" %d " % FORMAT, b" %d " % (FORMAT + 7), 1))
        elif how == 4 and len(entries) > 1:
            path.write_bytes(entries[(n + 1) % len(entries)].read_bytes())
        else:
            path.write_bytes(b"")


def _outputs(root: Path, cfg: ChangelogConfig, stale: str) -> tuple[list[str], list[str]]:
    """(cached, uncached) texts of --all and of --all --output into a stale file."""
    results: dict[bool, list[str]] = {}
    for cache in (True, False):
        texts = [
            generate(root, cfg, tag_format="v{version}", commit_message=PREPARE,
                     everything=True, cache=cache).text
        ]  # fmt: skip
        out = root / "CHANGELOG.md"
        out.write_text(stale)
        made = generate(root, cfg, tag_format="v{version}", commit_message=PREPARE,
                        everything=True, output=out, replace_unreleased=True, cache=cache)  # fmt: skip
        texts.append(made.text)
        out.unlink()
        results[cache] = texts
    return results[True], results[False]


@settings(
    max_examples=int(os.environ.get("CACHE_EXAMPLES", "30")),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
@given(STEPS)
def test_cached_output_is_byte_identical_over_random_histories(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "commit", "-q", "--allow-empty", "-m", "feat: first")
        store = Store.for_repo(root)
        assert store is not None
        cfg = ChangelogConfig()
        stale = ""
        counter = 0
        for step in [*steps, ("run",)]:
            kind = step[0]
            if kind == "commit":
                _git(root, "commit", "-q", "--allow-empty", "-m", step[1])
            elif kind == "tag":
                tag = f"v{step[1]}"
                _git(root, "tag", "-f", *(["-a", "-m", f"release {tag}"] if step[2] else []), tag)
            elif kind == "untag":
                subprocess.run(["git", "-C", str(root), "tag", "-d", f"v{step[1]}"],
                               capture_output=True, check=False)  # fmt: skip
            elif kind == "merge":
                counter += 1
                count = int(_git(root, "rev-list", "--first-parent", "--count", "HEAD"))
                base = f"HEAD~{min(step[1], count - 1)}"
                _git(root, "switch", "-q", "-c", f"side{counter}", base)
                _git(root, "commit", "-q", "--allow-empty", "-m", step[2])
                _git(root, "switch", "-q", "main")
                _git(root, "merge", "-q", "--no-ff", "-m", f"Merge side{counter}", f"side{counter}")
            elif kind == "config":
                cfg = CONFIGS[step[1]]
            elif kind == "template":
                text = TEMPLATES[step[1]]
                if text is None:
                    cfg = ChangelogConfig(**{**_fields(cfg), "template": None})
                else:
                    (root / "log.md.j2").write_text(text)
                    cfg = ChangelogConfig(**{**_fields(cfg), "template": "log.md.j2"})
            elif kind == "corrupt":
                _corrupt(store, step[1])
            if kind in ("commit", "tag", "untag"):
                continue  # compared at the next run, merge, config, template or corruption
            cached, uncached = _outputs(root, cfg, stale)
            assert cached == uncached, step
            stale = uncached[0]


def _fields(cfg: ChangelogConfig) -> dict[str, object]:
    return {name: getattr(cfg, name) for name in cfg.__struct_fields__}


def _history(repo: Repo) -> None:
    for n in range(1, 7):
        repo.commit(f"feat(api): change {n} (#{n})")
        repo.commit(
            f"fix: repair {n}\n\nBREAKING CHANGE: gone {n}" if n == 3 else f"fix: repair {n}"
        )
        if n % 2 == 0:
            repo.git("tag", "-a", "-m", f"v0.{n}.0", f"v0.{n}.0")


def _all(root: Path, *, cache: bool, cfg: ChangelogConfig | None = None) -> str:
    return generate(root, cfg or ChangelogConfig(), tag_format="v{version}",
                    commit_message=PREPARE, everything=True, cache=cache).text  # fmt: skip


def _entries(store: Store, kind: str) -> dict[str, bytes]:
    folder = store.directory / kind
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def _pack(store: Store) -> tuple[str, dict[str, str]]:
    (name,) = _entries(store, "sections")
    payload = store.get("sections", name)
    assert payload is not None
    return name, unpack(payload)


def test_a_repeat_run_reads_the_sections_and_walk_it_stored(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    _history(repo)
    store = Store.for_repo(repo.path)
    assert store is not None
    assert store.directory == (repo.path / ".git" / "releasekit" / "changelog-cache")
    first = _all(repo.path, cache=True)
    # The walk; the compiled template and whether it renders each release alone.
    assert len(_entries(store, "walk")) == 1 and len(_entries(store, "templates")) == 2
    name, sections = _pack(store)
    # Unreleased, v0.6.0, v0.4.0, v0.2.0, and what the template prints around the loop.
    assert len(sections) == 6 and {"prefix", "suffix"} <= set(sections)
    assert first.startswith(sections["prefix"]) and first.endswith(sections["suffix"])
    for text in sections.values():  # each the text of one release, found verbatim
        assert text in first
    # Swap two sections' texts (a valid entry): a repeat run that reads the cache shows the
    # swapped texts — proof that it read them, and why every input is in the key.
    (a, b) = sorted(k for k in sections if k not in ("prefix", "suffix") and sections[k])[:2]
    store.put("sections", name, pack({**sections, a: sections[b], b: sections[a]}))
    swapped = _all(repo.path, cache=True)
    assert swapped != first and sorted(swapped.splitlines()) == sorted(first.splitlines())
    assert _all(repo.path, cache=False) == first


def test_corrupt_entries_are_ignored_and_rewritten(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    _history(repo)
    store = Store.for_repo(repo.path)
    assert store is not None
    expected = _all(repo.path, cache=False)
    _all(repo.path, cache=True)
    kinds = ("sections", "walk", "templates")
    good = {k: _entries(store, k) for k in kinds}
    for how in range(6):
        _corrupt(store, how)
        assert all(store.get(k, name) is None for k in kinds for name in _entries(store, k))
        assert _all(repo.path, cache=True) == expected
        assert {k: _entries(store, k) for k in kinds} == good
    # A valid entry that is not a pack of sections: ignored, then replaced.
    name = next(iter(good["sections"]))
    store.put("sections", name, b"not a pack")
    assert _all(repo.path, cache=True) == expected
    assert _entries(store, "sections") == good["sections"]


def test_a_moved_tag_misses_and_a_stacked_commit_reuses_the_walk(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo()
    _history(repo)
    store = Store.for_repo(repo.path)
    assert store is not None
    _all(repo.path, cache=True)
    _, before = _pack(store)
    # Re-created one commit lower (same name, same message): its own section and v0.6.0's
    # (whose lower end is that tag, and which gains a commit) miss; v0.2.0's stays.
    repo.git("tag", "-f", "-a", "-m", "v0.4.0", "v0.4.0", "HEAD~5")
    assert _all(repo.path, cache=True) == _all(repo.path, cache=False)
    _, after = _pack(store)
    assert len(set(after) - set(before)) == 2 and len(after) == 6
    # Commits on top: the walk is extended (cached walk + chain); only Unreleased changes.
    repo.commit("feat: on top (#99)")
    repo.commit("fix: and more")
    assert _all(repo.path, cache=True) == _all(repo.path, cache=False)
    _, stacked = _pack(store)
    assert len(set(stacked) - set(after)) == 1 and len(stacked) == 6
    walk = store.get("walk", "latest")
    assert (
        walk is not None and walk.decode().split("\n")[0] == repo.git("rev-parse", "HEAD").strip()
    )


def test_pack_and_unpack_round_trip_and_refuse_a_damaged_pack() -> None:
    texts = {"a" * 64: "## [1.0.0]\n\n- x\n", "b" * 64: "", "c" * 64: "ünïcode \udcff\n"}
    data = pack(texts)
    assert unpack(data) == texts
    for damaged in (data[:-1], data + b"x", b"zz 99\nshort", b"k -1\n", b"k\n"):
        assert unpack(damaged) == {}


def test_the_walk_split_is_the_one_group_releases_makes(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    _history(repo)
    repo.git("switch", "-q", "-c", "side", "HEAD~6")
    repo.commit("feat: on the side")
    repo.git("tag", "v0.5.0")
    repo.git("switch", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")
    tags = release_tags(repo.path, "v{version}")
    commits = list(read_log(repo.path, "HEAD"))
    walk = [c.sha for c in commits]
    grouped = group_releases(commits, tags)
    cuts = cut_walk(walk, tags)
    assert cut_groups(list(walk_groups(commits, tags))) == cuts
    assert [(r.tag, r.previous_tag, [c.sha for c in r.commits]) for r in grouped] == [
        (
            c.tag.name if c.tag else None,
            c.previous.name if c.previous else None,
            walk[c.start : c.stop],
        )
        for c in cuts
    ]


def test_no_cache_reads_and_writes_nothing(make_repo: Callable[..., Repo], cli) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo()
    _history(repo)
    result = cli("changelog", "--all", "--no-cache", cwd=repo.path)
    assert result.code == 0 and "## [0.6.0]" in result.out
    assert not (repo.path / ".git" / "releasekit").exists()
    cached = cli("changelog", "--all", cwd=repo.path)
    assert cached.out == result.out
    assert (repo.path / ".git" / "releasekit" / "changelog-cache" / "sections").is_dir()
    # Poisoned with valid entries of the wrong text: --no-cache does not read them.
    store = Store.for_repo(repo.path)
    assert store is not None
    name, sections = _pack(store)
    store.put("sections", name, pack(dict.fromkeys(sections, "## poisoned\n")))
    assert "poisoned" in cli("changelog", "--all", cwd=repo.path).out
    assert cli("changelog", "--all", "--no-cache", cwd=repo.path).out == result.out
    # --json never uses the cache: it prints every commit of every release.
    assert "poisoned" not in cli("changelog", "--all", "--json", cwd=repo.path).out


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_git_directory_means_no_cache(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    _history(repo)
    cache_root = repo.path / ".git" / "releasekit"
    cache_root.mkdir()
    cache_root.chmod(0o500)
    try:
        assert _all(repo.path, cache=True) == _all(repo.path, cache=False)
    finally:
        cache_root.chmod(0o700)


def test_a_read_only_cache_file_is_not_fatal(make_repo: Callable[..., Repo]) -> None:
    """As root (CI containers) a read-only directory is writable: a file stands in the way."""
    repo = make_repo()
    _history(repo)
    (repo.path / ".git" / "releasekit").write_text("not a directory")
    assert _all(repo.path, cache=True) == _all(repo.path, cache=False)


def test_concurrent_writers_never_leave_a_torn_entry(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    payloads = [bytes([n]) * (200_000 + n) for n in range(4)]
    seen: set[int] = set()
    stop = threading.Event()

    def write(payload: bytes) -> None:
        for _ in range(30):
            store.put("sections", "k", payload)

    def read() -> None:
        while not stop.is_set():
            got = store.get("sections", "k")
            if got is not None:
                assert got in payloads
                seen.add(got[0])

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert store.get("sections", "k") in payloads and seen
    assert [p.name for p in (tmp_path / "cache" / "sections").iterdir()] == ["k"]  # no temp left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SEPARABLE, True),
        (NOT_SEPARABLE, False),
        (COUNTS_ALL, False),
        (SEPARABLE.replace("{{ r.label }}", "{{ r.label }}{{ loop.last }}"), False),
        (SEPARABLE.replace("{{ r.label }}", "{{ r.label | random }}"), False),
        (SEPARABLE.replace("{{ r.label }}", "{{ lipsum(1) }}"), False),
        (SEPARABLE.replace("{{ r.label }}", "{% include 'x.j2' %}"), False),
        ("{% set t = 1 %}" + SEPARABLE.replace("{{ r.label }}", "{{ t }}"), False),
        (
            SEPARABLE.replace(
                "{% for s in r.sections %}", "{% for s in r.sections %}{{ loop.index }}"
            ),
            True,
        ),
        ("{% for r in releases %}{{ r.label }}{% else %}none{% endfor %}", False),
        (
            "{% macro m(r) %}{{ r.label }}{% endmacro %}{% for r in releases %}{{ m(r) }}{% endfor %}",
            False,
        ),
    ],
)
def test_which_templates_render_each_release_alone(
    tmp_path: Path, text: str, expected: bool
) -> None:
    path = tmp_path / "t.j2"
    path.write_text(text)
    assert separable(load_template_file(path, "t.j2", filters=FILTERS)) is expected


def test_the_shipped_template_renders_each_release_alone(tmp_path: Path) -> None:
    assert separable(load_template(tmp_path, ChangelogConfig()))


def test_the_chained_walk_holds_with_a_commit_graph(make_repo: Callable[..., Repo]) -> None:
    """With a commit-graph git sorts topologically by generation numbers (another algorithm):
    a HEAD stacked on the cached one still walks the chain, then the cached walk."""
    repo = make_repo()
    _history(repo)
    for n in range(3):  # side branches forked at different depths, merged at the top
        repo.git("switch", "-q", "-c", f"side{n}", f"HEAD~{2 + 3 * n}")
        repo.commit(f"feat: side {n}")
        repo.commit(f"fix: side {n} again")
        repo.git("switch", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "-m", f"Merge side{n}", f"side{n}")
    repo.git("tag", "v0.7.0")
    repo.git("commit-graph", "write", "--reachable")
    assert _all(repo.path, cache=True) == _all(repo.path, cache=False)
    for n in range(3):
        repo.commit(f"fix: stacked {n}")
        if n == 1:
            repo.git("tag", "-a", "-m", "v0.8.0", "v0.8.0")
        repo.git("commit-graph", "write", "--reachable", "--split")
        assert _all(repo.path, cache=True) == _all(repo.path, cache=False)
        store = Store.for_repo(repo.path)
        assert store is not None
        walk = store.get("walk", "latest")
        assert walk is not None
        assert walk.decode().split("\n")[2:] == [c.sha for c in read_log(repo.path, "HEAD")]


def test_a_full_hit_renders_nothing(make_repo: Callable[..., Repo]) -> None:
    """Nothing changed since the last run: the output comes from the cache alone, without
    importing Jinja2 (a separate interpreter, so this process's imports do not count)."""
    import sys

    repo = make_repo()
    _history(repo)
    expected = _all(repo.path, cache=False)
    code = (
        "import sys; from pathlib import Path\n"
        "from releasekit.core.changelog.config import ChangelogConfig\n"
        "from releasekit.core.changelog.generate import generate\n"
        "made = generate(Path.cwd(), ChangelogConfig(), tag_format='v{version}',\n"
        f"    commit_message={PREPARE!r}, everything=True, cache=True)\n"
        "sys.stdout.write(made.text + ('JINJA' if 'jinja2' in sys.modules else 'NONE'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "tasks")}
    runs = [
        subprocess.run([sys.executable, "-c", code], cwd=repo.path, env=env, check=True,
                       capture_output=True, text=True).stdout
        for _ in range(2)
    ]  # fmt: skip
    assert runs == [expected + "JINJA", expected + "NONE"]


def test_the_shipped_template_renders_the_same_bytes_outside_the_sandbox(
    make_repo: Callable[..., Repo],
) -> None:
    """The shipped template renders unsandboxed (trusted) for speed: same bytes as sandboxed,
    over a history with scopes, breaking changes, bodies and every default group."""
    from releasekit.core.changelog.context import Grouping, Style, build_context, render
    from releasekit.core.changelog.conventional import read_releases

    repo = make_repo()
    _history(repo)
    for message in ("perf(x): quicker", "deps: bump", "revert: undo", "security!: fix it",
                    "feat(a/b): ünïcode {{ not jinja }}", "Not conventional"):  # fmt: skip
        repo.commit(message)
    repo.git("tag", "v0.8.0")
    repo.commit("docs: after")
    for cfg in CONFIGS:
        grouping = Grouping.from_config(cfg, PREPARE)
        history = read_releases(repo.path, "v{version}", everything=True, keep=grouping.keeps)
        context = build_context(history, grouping)
        trusted = load_template(repo.path, cfg)
        assert trusted.template.environment.sandboxed is False
        path = Path(trusted.template.filename)
        sandboxed = load_template_file(path, "t", filters=FILTERS)
        assert sandboxed.template.environment.sandboxed is True
        for style in (Style(), Style(bracketed=False, v_prefix=True)):
            for header in (True, False):
                assert render(trusted, context, style, header=header, cfg=cfg) == render(
                    sandboxed, context, style, header=header, cfg=cfg
                )
