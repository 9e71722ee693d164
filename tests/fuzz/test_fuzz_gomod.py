"""Fuzz: go.mod files (Go's lexical syntax) and the module graph built from them.

Generated go.mod files use every directive in one-line and block form, interpreted strings
with valid and invalid Go escapes, raw strings, comments (also ``//`` inside strings),
unterminated quotes, CRLF and a BOM; realistic go.mod files are mutated too. Parsing returns
a module or raises a FileFormatError at ``go.mod:LINE``; ordering and the major-version check
raise only ReleaseErrors.
"""

from __future__ import annotations

import semver
from fuzzing import examples, mutated, verdict
from hypothesis import given
from hypothesis import strategies as st

from conftest import GO_MODULES
from releasekit.core.common.errors import ReleaseError
from releasekit.core.tags.gomodules import GoModule, check_major, order_modules, parse_gomod

SEEDS = (
    *tuple(text for name, text in GO_MODULES.items() if name.endswith("go.mod")),
    'module "example.com/a\\x2fb" // quoted\n\ngo 1.22\n\nrequire (\n\t"example.com/c" v1.0.0\n)\n',
    "module example.com/m/v2\n\ntoolchain go1.22.1\n\nretract [v2.0.0, v2.0.1]\n"
    "exclude example.com/x v1.2.3\ngodebug default=go1.21\n",
    "// a comment\r\nmodule example.com/crlf\r\n\r\nreplace example.com/x => ./x\r\n",
)
PATHS = ("example.com/a", "example.com/a/v2", "example.com/a/v" + "9" * 30, "./x", "../y", "x")
ESCAPES = (
    "\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\n", "\\t", "\\\\", '\\"', "\\a", "\\v",
    "\\q", "\\'", "\\x4", "\\400", "\\uD800", "\\U00110000", "\\xff", "\\", "//",
)  # fmt: skip


@st.composite
def tokens(draw: st.DrawFn) -> str:
    """A module path as a bare word, an interpreted string with escapes, or a raw string."""
    path = draw(st.sampled_from(PATHS))
    style = draw(st.sampled_from(("bare", "bare", "quoted", "quoted", "raw", "open")))
    if style == "bare":
        return path
    inner = path
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(inner)))
        inner = inner[:at] + draw(st.sampled_from(ESCAPES)) + inner[at:]
    if style == "raw":
        return f"`{inner}`"
    return f'"{inner}' + ("" if style == "open" else '"')


@st.composite
def gomods(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(("\n", "\n", "\r\n")))
    lines = [] if draw(st.integers(0, 9)) else ["\ufeff"]
    for _ in range(draw(st.integers(1, 6))):
        verb = draw(st.sampled_from(("module", "require", "replace", "go", "exclude", "retract")))
        comment = draw(st.sampled_from(("",) * 6 + (" // indirect", " /* no */", "//x")))
        if verb == "replace":
            args = f"{draw(tokens())} => {draw(tokens())}"
        elif verb == "go":
            args = draw(st.sampled_from(("1.22", "1.22.0", "x")))
        else:
            args = f"{draw(tokens())} {draw(st.sampled_from(('v1.0.0', 'v0.0.0', '')))}"
        if draw(st.integers(0, 3)) == 0:
            body = newline.join(f"\t{args}" for _ in range(draw(st.integers(0, 3))))
            close = draw(st.sampled_from((")", ")", ") x", "")))
            lines.append(f"{verb} ({comment}{newline}{body}{newline}{close}")
        else:
            lines.append(f"{verb} {args}{comment}")
    return newline.join(lines) + draw(st.sampled_from(("", newline)))


documents = st.one_of(gomods(), gomods(), mutated(SEEDS), st.text(max_size=60))


@examples(ci=300)
@given(documents)
def test_parsing_gomod_never_crashes(text: str) -> None:
    module = verdict(lambda: parse_gomod(text, "src/m", "src/m/go.mod"), where="src/m/go.mod")
    if isinstance(module, GoModule):
        assert module.line >= 1 and isinstance(module.path, str)
        assert all(d.startswith(("src", "..", ".")) or d for d in module.local_replaces)


@examples(ci=100)
@given(
    st.lists(documents, min_size=1, max_size=5),
    st.builds(
        semver.Version,
        st.integers(0, 12),
        st.integers(0, 3),
        st.integers(0, 3),
        st.sampled_from((None, "rc.1")),
    ),
)
def test_ordering_and_major_checks_of_parsed_modules_never_crash(
    texts: list[str], version: semver.Version
) -> None:
    modules = []
    for index, text in enumerate(texts):
        module = verdict(lambda t=text, d=f"m{index}": parse_gomod(t, d, f"{d}/go.mod"))
        if not isinstance(module, ReleaseError):
            modules.append(module)
    ordered = verdict(lambda: order_modules(modules))
    if not isinstance(ordered, ReleaseError):
        assert sorted(m.dir for m in ordered) == sorted(m.dir for m in modules)
        verdict(lambda: check_major(ordered, version))
        for module in ordered:
            assert module.tag(f"v{version}").endswith(f"v{version}")
