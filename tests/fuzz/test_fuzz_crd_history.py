"""Fuzz: the "Version History with CRD Changes" table (read, audit, add a row).

Tables are generated with every column layout (missing or extra columns, short and long
delimiter rows, rows with too few or too many cells, escaped pipes, code spans, bold Yes/No)
and mutated from the example project's upgrade guide. Reading returns a table or a
ReleaseError naming the file; adding a row writes one new row in the table or changes nothing.
"""

from __future__ import annotations

import semver
from fuzzing import encoded, examples, mutated, scratch, tree, verdict
from hypothesis import given
from hypothesis import strategies as st

from conftest import EXAMPLE
from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all
from releasekit.core.helm.crd_history import Table, audit, plan_add_row, read_table

WORK = scratch("releasekit-fuzz-crd-")
(WORK / "docs").mkdir()
PATH = "docs/upgrading.md"
SEEDS = ((EXAMPLE / PATH).read_text(encoding="utf-8"),)
HEADERS = ("Version", "CRD Changes", "Notes", "crd", "Release version", "", "Version \\| x")
DELIMITERS = ("---", ":--", "--:", ":-:", "-", "", " ", "x")
CELLS = (
    "v0.1.7", "v0.1.8", "0.1.6", "`v0.1.5`", "**v0.1.4**", "Yes", "No", "**Yes**", "yes!",
    "maybe", "", "a \\| b", "v" + "9" * 4400 + ".0.0", "v01.2.3", "|", "é",
)  # fmt: skip


@st.composite
def tables(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(("\n", "\n", "\r\n")))
    columns = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=4))
    width = draw(st.integers(0, len(columns) + 1))
    rows = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join(draw(st.sampled_from(DELIMITERS)) for _ in range(width)) + "|",
    ]
    for _ in range(draw(st.integers(0, 5))):
        cells = draw(st.lists(st.sampled_from(CELLS), max_size=len(columns) + 1))
        rows.append(draw(st.sampled_from(("| ", "|", ""))) + " | ".join(cells) + " |")
    heading = draw(
        st.sampled_from(
            (
                "## Version History with CRD Changes",
                "# version history with crd changes",
                "Version History with CRD Changes",
            )
        )
    )
    tail = draw(st.sampled_from(("", "\n## Next\n", "\nnot a row\n")))
    return newline.join(["# Upgrading", "", heading, "", *rows]) + tail.replace("\n", newline)


documents = st.one_of(tables(), tables(), mutated(SEEDS))
tags = st.lists(
    st.sampled_from(("v0.1.4", "v0.1.5", "v0.1.6", "v0.1.7", "v0.1.8", "v1.0.0")),
    max_size=5,
    unique=True,
)


@examples(ci=200)
@given(documents, tags, st.booleans(), st.sampled_from(("v0.1.9", "v0.1.7", "0.2.0", "x")))
def test_reading_auditing_and_adding_a_row_never_crash(
    text: str, release_tags: list[str], changed: bool, new_tag: str
) -> None:
    for old in (WORK / "docs").iterdir():
        old.unlink()
    (WORK / PATH).write_bytes(encoded(text))
    before = tree(WORK)
    table = verdict(lambda: read_table(WORK, PATH), where=PATH)
    if isinstance(table, ReleaseError):
        return
    ordered = sorted(
        ((semver.Version.parse(t[1:]), t) for t in release_tags), key=lambda pair: pair[0]
    )
    findings = verdict(lambda: audit(table, ordered, lambda a, b: changed))
    if not isinstance(findings, ReleaseError):
        assert all(len(f.message) <= 1500 for f in findings)

    def add() -> Table:
        edit = plan_add_row(table, new_tag, changed, "adds spec.x | with a pipe", "v{version}")
        write_all([edit])
        return read_table(WORK, PATH)

    after = verdict(add, where=PATH)
    if isinstance(after, ReleaseError):
        assert tree(WORK) == before, f"{PATH} changed on error: {after}"
    else:
        assert len(after.rows) == len(table.rows) + 1
        assert new_tag in {row.version for row in after.rows}
