"""``read_log`` gives git's ``--topo-order`` commits, byte for byte, though it streams (issue 16).

For one tip it reads the stretch before the first merge from git's plain log (which prints from
its first commit on, where ``--topo-order`` walks everything first) and the rest from
``--topo-order`` at that merge. These tests build random histories in real repositories —
branches forked anywhere, merges of two or three parents, commit dates equal, skewed into the
past and the future, several root commits — and compare every commit (all fields) with one
``git log --topo-order`` of the same tip, with and without a commit-graph (git's other,
incremental topological walk). READ_LOG_EXAMPLES=N explores longer.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.core.changelog.commits import LOG_FORMAT, parse_log, read_log

# A step: ("commit", branch, date step) or ("fork", new branch from an earlier commit's index)
# or ("merge", into, [other branches]) or ("root", branch: a new history with no parent).
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("commit"), st.integers(0, 3), st.integers(-3, 3)),
        st.tuples(st.just("commit"), st.integers(0, 3), st.integers(0, 2)),
        st.tuples(st.just("fork"), st.integers(0, 3), st.integers(0, 40)),
        st.tuples(st.just("merge"), st.integers(0, 3), st.lists(st.integers(0, 3), max_size=2)),
        st.tuples(st.just("root"), st.integers(1, 3), st.integers(0, 1)),
    ),
    min_size=1,
    max_size=40,
)


def _build(root: Path, steps: list[tuple]) -> list[str]:
    """A repository with the history ``steps`` describe (one fast-import stream); the marks of
    every commit, in the order made. Branch 0 is HEAD."""
    subprocess.run(["git", "init", "-q", "-b", "b0", str(root)], check=True)
    stream: list[str] = []
    heads: dict[int, int] = {}  # branch -> mark of its last commit
    marks: list[int] = []
    date = 1_700_000_000

    def commit(branch: int, parents: list[int], step: int) -> None:
        nonlocal date
        date += step * 60
        mark = len(marks) + 1
        message = (
            f"feat(b{branch}): change {mark}\n\nbody {mark}\n\nSigned-off-by: A <a@x.invalid>\n"
        )
        stream.append(f"commit refs/heads/b{branch}\nmark :{mark}\n")
        stream.append(f"committer A <a@x.invalid> {date} +0000\n")
        stream.append(f"data {len(message.encode())}\n{message}")
        if parents:
            stream.append(f"from :{parents[0]}\n")
            stream.extend(f"merge :{p}\n" for p in parents[1:])
        stream.append(f"M 644 inline f{mark}\ndata 1\nx\n\n")
        marks.append(mark)
        heads[branch] = mark

    commit(0, [], 1)
    for step in steps:
        kind = step[0]
        if kind == "commit":
            _, branch, when = step
            commit(branch, [heads[branch]] if branch in heads else [heads[0]], when)
        elif kind == "fork":
            _, branch, back = step
            base = marks[max(0, len(marks) - 1 - back)]
            commit(branch, [base], 1)
        elif kind == "merge":
            _, into, others = step
            parents = [heads.get(into, heads[0])]
            parents += [heads[o] for o in others if o in heads and heads[o] not in parents]
            commit(into, parents, 1)
        else:
            _, branch, _ = step
            stream.append(f"reset refs/heads/b{branch}\n\n")
            commit(branch, [], 1)  # reset: no parent
    # Branch 0 takes every other branch in at the end, so HEAD reaches every commit made.
    tips = [heads[b] for b in sorted(heads) if b != 0 and heads[b] != heads[0]]
    if tips:
        commit(0, [heads[0], *tips[:2]], 1)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet", "--force"],
                   input="".join(stream), text=True, check=True)  # fmt: skip
    return [f":{m}" for m in marks]


def _topo(root: Path, rev: str) -> list:
    out = subprocess.run(
        ["git", "-C", str(root), "log", "-z", "--topo-order", f"--format={LOG_FORMAT}", rev, "--"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return parse_log(out)


def _tips(root: Path) -> list[str]:
    branches = subprocess.run(["git", "-C", str(root), "for-each-ref", "--format=%(refname:short)",
                               "refs/heads"], capture_output=True, text=True, check=True)  # fmt: skip
    return ["HEAD", *branches.stdout.split()]


@settings(
    max_examples=int(os.environ.get("READ_LOG_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(STEPS)
def test_read_log_is_git_topo_order_over_random_histories(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _build(root, steps)
        for tip in _tips(root):
            assert list(read_log(root, tip)) == _topo(root, tip), tip
        subprocess.run(["git", "-C", str(root), "commit-graph", "write", "--reachable"],
                       check=True, capture_output=True)  # fmt: skip
        for tip in _tips(root):
            assert list(read_log(root, tip)) == _topo(root, tip), f"{tip} with a commit-graph"


def test_a_linear_history_is_read_in_one_plain_walk(tmp_path: Path) -> None:
    _build(tmp_path, [("commit", 0, 1)] * 30)
    assert [c.sha for c in read_log(tmp_path, "HEAD")] == [c.sha for c in _topo(tmp_path, "HEAD")]
    assert len(list(read_log(tmp_path, "HEAD"))) == 31


def test_merges_at_the_tip_and_deep_in_the_history(tmp_path: Path) -> None:
    # Skewed dates make git's plain (date-ordered) log part from --topo-order after the merge.
    steps = [("commit", 0, 1), ("fork", 1, 0), ("commit", 1, 3), ("commit", 0, -3),
             ("commit", 1, 2), ("merge", 0, [1])] + [("commit", 0, 1)] * 5  # fmt: skip
    _build(tmp_path, steps)
    plain = subprocess.run(["git", "-C", str(tmp_path), "rev-list", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    topo = [c.sha for c in _topo(tmp_path, "HEAD")]
    assert plain != topo  # the case the merge hand-over exists for
    assert [c.sha for c in read_log(tmp_path, "HEAD")] == topo
    assert list(read_log(tmp_path, "b0")) == _topo(tmp_path, "b0")


def test_ranges_and_exclusions_take_one_topo_walk(tmp_path: Path) -> None:
    _build(tmp_path, [("commit", 0, 1), ("fork", 1, 1), ("commit", 1, 1), ("merge", 0, [1]),
                      ("commit", 0, 1)])  # fmt: skip
    for revs in (("HEAD~2..HEAD",), ("HEAD", "^HEAD~3"), ("HEAD^",), ("b1", "b0")):
        out = subprocess.run(
            ["git", "-C", str(tmp_path), "log", "-z", "--topo-order", f"--format={LOG_FORMAT}",
             *revs, "--"], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert list(read_log(tmp_path, *revs)) == parse_log(out), revs
