"""Fuzz: release.get and release.set key paths (core/pins/keys.py) over hostile documents.

The documents and key paths are the version-file suite's (every YAML style, anchors, merge
keys, deep nesting, JSON, TOML, mutated release files), with list items named by their ``name``
field too. Reading a key returns the file's own text at a line of the file, or a ReleaseError
naming the file; setting one rewrites exactly that token — the rest of the bytes stay and the
key reads back as written — or changes no file at all.
"""

from __future__ import annotations

import json

from fuzzing import encoded, examples, tree, verdict
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_version_files import _slack, cases, fresh, realistic, scalars

from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all
from releasekit.core.pins.keys import build_edits, get_value, plan_set

# A list item by its name (the chart seed's dependency "common"), besides the suite's paths.
NAMED = (("dependencies", "common", "version"), ("dependencies", "common"), ("x", "name"))
# One-line values: a value with a line break is refused before any file is read (UsageError).
values = st.one_of(
    st.sampled_from(("0.1.8", "v0.1.8", "3.10", "", "main", "a1b2c3d", "1" * 40, "true")),
    scalars,
    st.text(max_size=6),
).filter(lambda v: "\n" not in v and "\r" not in v)


def _key_text(key: tuple[str, ...]) -> str:
    """The key as a user types it: dotted when it can be, else a JSON list."""
    plain = all(part and "." not in part and "=" not in part for part in key)
    return ".".join(key) if plain and not key[0].startswith("[") else json.dumps(list(key))


@examples(ci=60)
@given(cases(), st.sampled_from(NAMED), st.booleans())
def test_get_returns_the_files_own_text_or_a_release_error(
    case: tuple[str, str, list[tuple[str, ...]], list[str | None]],
    named: tuple[str, ...],
    use_named: bool,
) -> None:
    suffix, text, keys, _ = case
    name = "target" + suffix
    root = fresh({name: encoded(text)})
    key = named if use_named else keys[0]
    spot = verdict(lambda: get_value(root, name, key), where=name, slack=_slack([key]))
    if not isinstance(spot, ReleaseError):
        body = (root / name).read_bytes().decode("utf-8", "surrogateescape")
        assert body[spot.start : spot.end] == spot.found
        assert 1 <= spot.line <= body.count("\n") + 1


@examples(ci=60)
@given(st.one_of(cases(), realistic(), realistic()), values)
def test_set_rewrites_exactly_one_token_or_nothing(
    case: tuple[str, str, list[tuple[str, ...]], list[str | None]], value: str
) -> None:
    suffix, text, keys, _ = case
    name = "target" + suffix
    root = fresh({name: encoded(text), "untouched.txt": b"tag: 3.9\n"})
    before = tree(root)
    key = ("dependencies", "common", "version") if keys[0][:2] == ("dependencies", "0") else keys[0]
    if any("=" in part for part in key):  # KEY=VALUE splits at the first "=": not a key to type
        key = ("version",)
    changes: list[object] = []

    def set_key() -> None:
        planned = plan_set(root, name, [f"{_key_text(key)}={value}"])
        changes.extend(planned)
        write_all(build_edits(planned), root)

    outcome = verdict(set_key, where=name, slack=_slack([key]) + 4 * len(value))
    after = tree(root)
    if isinstance(outcome, ReleaseError):
        assert after == before  # an error changes no file
        return
    [change] = changes
    spot = change.spot  # type: ignore[attr-defined]
    old = before[name].decode("utf-8", "surrogateescape")
    new = after[name].decode("utf-8", "surrogateescape")
    assert new == old[: spot.start] + value + old[spot.end :]  # only the token
    assert after["untouched.txt"] == before["untouched.txt"]
    assert get_value(root, name, key).found == value  # reads back as written
