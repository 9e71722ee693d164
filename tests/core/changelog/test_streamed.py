"""``changelog --all`` rendered while git writes (core/changelog/streamed.py) is the plain
pipeline's text and context, byte for byte (issue 16).

Random histories in real repositories: Conventional and other commits, tags in rising order and
out of it (a lower version tagged after a higher one, which the walk meets out of SemVer
order), several tags on one commit, annotated tags, merges of side branches; templates that
render each release alone and ones that do not (numbered, counting the releases); every config
shape. Each is compared with ``read_releases`` + ``build_context`` + ``render``, the pipeline
without streaming. STREAMED_EXAMPLES=N explores longer.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import child_processes
from releasekit.core.changelog.config import ChangelogConfig
from releasekit.core.changelog.context import Grouping, Style, build_context, render
from releasekit.core.changelog.conventional import read_releases
from releasekit.core.changelog.generate import generate, load_template
from releasekit.core.common.errors import CommandError, ConfigError

PREPARE = "chore: prepare {tag} release"
SEPARABLE = """{% if header %}# Log
{% endif %}{% for r in releases %}{% if not loop.first %}
---
{% endif %}
## {{ r.label }} ({{ r.tag }} after {{ r.previous_tag }}) [{{ r.commit_count }}]
{% for s in r.sections %}### {{ s.title }}
{% for c in s.commits %}- {{ c.short }} {{ c.description | upper_first }}{{ " !" if c.breaking else "" }}
{% endfor %}{% endfor %}{% endfor %}
the end
"""
TEMPLATES = [
    None,
    SEPARABLE,
    SEPARABLE.replace("{{ r.label }}", "{{ loop.index }}. {{ r.label }}"),  # not separable
    SEPARABLE.replace("the end", "{{ releases | length if releases is sequence else 0 }}"),
]
CONFIGS = [
    {},
    {"group_by_scope": True},
    {"other_section": "Other", "exclude": ("^docs",)},
    {"groups": {"feat": "Added", "fix": "Fixed", "docs": "Documentation"}},
]
MESSAGES = st.sampled_from(
    ["feat(api): add (#12)", "fix: it", "docs: words", "feat!: gone", "Update things",
     "fix: x\n\nBREAKING CHANGE: moved", "chore: prepare v0.2.0 release"]
)  # fmt: skip
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("commit"), MESSAGES),
        st.tuples(st.just("commit"), MESSAGES),
        st.tuples(
            st.just("tag"),
            st.sampled_from(["0.1.0", "0.2.0", "0.3.0", "1.0.0-rc.1", "1.0.0", "0.2.1"]),
            st.booleans(),
        ),
        st.tuples(st.just("merge"), st.integers(1, 3), MESSAGES),
    ),
    min_size=1,
    max_size=16,
)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def _build(root: Path, steps: list[tuple]) -> None:
    _git(root, "init", "-q", "-b", "main")
    _git(root, "commit", "-q", "--allow-empty", "-m", "feat: first")
    for n, step in enumerate(steps):
        if step[0] == "commit":
            _git(root, "commit", "-q", "--allow-empty", "-m", step[1])
        elif step[0] == "tag":
            annotated = ["-a", "-m", f"release {step[1]}"] if step[2] else []
            subprocess.run(
                ["git", "-C", str(root), "tag", *annotated, f"v{step[1]}"],
                capture_output=True,
                check=False,
            )  # fmt: skip (taken: kept where it is)
        else:
            count = int(_git(root, "rev-list", "--first-parent", "--count", "HEAD"))
            _git(root, "switch", "-q", "-c", f"side{n}", f"HEAD~{min(step[1], count - 1)}")
            _git(root, "commit", "-q", "--allow-empty", "-m", step[2])
            _git(root, "switch", "-q", "main")
            _git(root, "merge", "-q", "--no-ff", "-m", f"Merge side{n}", f"side{n}")


def _plain(root: Path, cfg: ChangelogConfig) -> tuple[list, str]:
    grouping = Grouping.from_config(cfg, PREPARE)
    releases = build_context(
        read_releases(root, "v{version}", everything=True, keep=grouping.keeps), grouping
    )
    template = load_template(root, cfg)
    return releases, render(template, releases, Style(), header=True, cfg=cfg)


def _config(root: Path, template: int, config: int) -> ChangelogConfig:
    text = TEMPLATES[template]
    if text is not None:
        (root / "log.md.j2").write_text(text)
    return ChangelogConfig(**CONFIGS[config], template=None if text is None else "log.md.j2")


@settings(
    max_examples=int(os.environ.get("STREAMED_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
    deadline=None,
)
@given(STEPS, st.integers(0, len(TEMPLATES) - 1), st.integers(0, len(CONFIGS) - 1))
def test_streamed_render_is_the_plain_pipeline_over_random_histories(
    steps: list[tuple], template: int, config: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _build(root, steps)
        cfg = _config(root, template, config)
        made = generate(root, cfg, tag_format="v{version}", commit_message=PREPARE,
                        everything=True)  # fmt: skip
        releases, text = _plain(root, cfg)
        assert made.text == text
        assert made.releases == releases


def test_tags_out_of_semver_order_along_the_walk(tmp_path: Path) -> None:
    # The walk meets v0.4.0, then v0.2.1 (on a newer commit than v0.3.0), then v0.3.0: not the
    # changelog's order (0.4.0, 0.3.0, 0.2.1), so the streamed text is rendered again, whole.
    _build(tmp_path, [("commit", "feat: a"), ("tag", "0.3.0", False), ("commit", "fix: b"),
                      ("tag", "0.2.1", True), ("commit", "feat: c"), ("tag", "0.4.0", False)])  # fmt: skip
    for template in range(len(TEMPLATES)):
        cfg = _config(tmp_path, template, 0)
        made = generate(tmp_path, cfg, tag_format="v{version}", commit_message=PREPARE,
                        everything=True)  # fmt: skip
        assert (made.releases, made.text) == _plain(tmp_path, cfg)
    labels = [r["label"] for r in made.releases]
    assert labels == ["Unreleased", "0.4.0", "0.3.0", "0.2.1"]


def test_a_template_error_in_the_loop_names_the_template(tmp_path: Path) -> None:
    _build(tmp_path, [("commit", "feat: a"), ("tag", "0.1.0", False)])
    (tmp_path / "log.md.j2").write_text("{% for r in releases %}{{ 1 / 0 }}{% endfor %}\n")
    cfg = ChangelogConfig(template="log.md.j2")
    with pytest.raises(ConfigError, match=r"log\.md\.j2:1: template error"):
        generate(tmp_path, cfg, tag_format="v{version}", commit_message=PREPARE, everything=True)


def test_a_git_failure_mid_walk_is_git_s_error_not_the_template_s(tmp_path: Path) -> None:
    # A missing commit object (a broken clone): git log fails part way; the error is git's.
    _build(tmp_path, [("commit", "feat: a"), ("commit", "fix: b"), ("commit", "feat: c")])
    parent = _git(tmp_path, "rev-parse", "HEAD~1").strip()
    (tmp_path / ".git" / "objects" / parent[:2] / parent[2:]).unlink()  # commits are loose
    with pytest.raises(CommandError, match=r"git .*log.* failed") as caught:
        generate(tmp_path, ChangelogConfig(), tag_format="v{version}", commit_message=PREPARE,
                 everything=True)  # fmt: skip
    assert "template" not in str(caught.value)


def test_a_history_in_semver_order_is_rendered_once_while_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from releasekit.core.changelog import streamed

    _build(tmp_path, [("commit", "feat: a"), ("tag", "0.1.0", False), ("merge", 1, "fix: b"),
                      ("tag", "0.2.0", True), ("commit", "feat: c")])  # fmt: skip
    expected = _plain(tmp_path, ChangelogConfig())

    def no_second_render(*_: object, **__: object) -> str:
        raise AssertionError("rendered whole a second time")

    monkeypatch.setattr(streamed, "render", no_second_render)
    made = generate(tmp_path, ChangelogConfig(), tag_format="v{version}", commit_message=PREPARE,
                    everything=True)  # fmt: skip
    assert (made.releases, made.text) == expected


def test_the_history_s_log_starts_early_only_when_the_whole_walk_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from releasekit.core.changelog import commits
    from releasekit.core.changelog import generate as generating

    _build(tmp_path, [("commit", "feat: a"), ("tag", "0.1.0", True), ("commit", "fix: b")])
    started: list[object] = []

    def spy(root: Path) -> object:
        started.append(commits.start_log(root))
        return started[-1]

    monkeypatch.setattr(generating, "start_log", spy)
    runs = {}
    for name, cache in (("cold", True), ("cached", True), ("no cache", False)):
        before = len(started)
        runs[name] = generate(tmp_path, ChangelogConfig(), tag_format="v{version}",
                              commit_message=PREPARE, everything=True, cache=cache)  # fmt: skip
        runs[name + " started"] = len(started) - before
    assert (runs["cold started"], runs["cached started"], runs["no cache started"]) == (1, 0, 1)
    assert runs["cold"].text == runs["cached"].text == runs["no cache"].text
    assert runs["cold"].text == _plain(tmp_path, ChangelogConfig())[1]
    assert all(not log.unread and log.proc.returncode == 0 for log in started)  # type: ignore[attr-defined]
    assert child_processes() == []


@pytest.mark.parametrize("failure", ["template syntax", "interrupt"])
def test_a_failure_before_the_walk_is_read_leaves_no_git_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from releasekit.core.changelog import generate as generating

    steps: list[tuple] = [("commit", "feat: a"), ("tag", "0.1.0", False)]
    _build(tmp_path, steps + [("commit", f"fix: {n}") for n in range(300)])
    cfg = ChangelogConfig()
    expected: type[BaseException] = ConfigError
    if failure == "template syntax":
        (tmp_path / "log.md.j2").write_text("{% for r in releases %}{{ r.label }\n")
        cfg = ChangelogConfig(template="log.md.j2")
    else:

        def interrupted(*_: object, **__: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(generating, "load_template", interrupted)
        expected = KeyboardInterrupt
    for cache in (True, False):
        with pytest.raises(expected):
            generate(tmp_path, cfg, tag_format="v{version}", commit_message=PREPARE,
                     everything=True, cache=cache)  # fmt: skip
        assert child_processes() == []


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(STEPS)
def test_the_cold_run_s_cuts_from_the_walk_s_groups_are_the_walk_s_cuts(steps: list[tuple]) -> None:
    # _all_cold cuts the walk by its groups' counts (cache.cut_groups), cut_walk by looking the
    # tags up along the walk's shas: the same cuts, whatever the history.
    from releasekit.core.changelog.cache import cut_groups, cut_walk
    from releasekit.core.changelog.commits import read_log
    from releasekit.core.changelog.conventional import every_release_tag, walk_groups

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _build(root, steps)
        tags = every_release_tag(root, "v{version}")
        commits = list(read_log(root, "HEAD"))
        walk = [c.sha for c in commits]
        assert cut_groups(list(walk_groups(commits, tags))) == cut_walk(walk, tags)
