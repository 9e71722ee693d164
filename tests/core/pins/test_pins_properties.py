"""Properties of release.pin / release.unpin over values and file layouts: pin then unpin
gives every byte back; a pin that is refused changes nothing; pinning again from any pin
reaches the same bytes as pinning once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releasekit.core.common.errors import ReleaseError
from releasekit.core.common.textfile import write_all
from releasekit.core.pins.config import PinsConfig
from releasekit.core.pins.pinning import plan_pin, plan_unpin

TOKEN = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,12}", fullmatch=True)
SHA = st.from_regex(r"[0-9a-f]{40}", fullmatch=True)
CONFIG = {
    "targets": [
        {"path": "chart/values.yaml", "key": "image.tag", "dev": "DEV"},
        {
            "path": "chart/providers/*.yaml",
            "key": "image.tag",
            "format": "{value}-dev",
            "dev": "DEV",
        },
        {"path": "overlays/*/kustomization.yaml", "image": "caa", "dev": "DEV"},
        {"path": "Makefile", "pattern": 'tag: \\"{value}\\"', "dev": "DEV"},
    ]
}


@st.composite
def layouts(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    """A repository's pin targets in one of many spellings, and its development value."""
    dev = draw(TOKEN)
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    ind = " " * draw(st.sampled_from([2, 4]))

    def scalar() -> str:
        quote = draw(st.sampled_from(["", "'", '"']))
        comment = draw(st.sampled_from(["", "  # the image tag", " #x"]))
        return f"{quote}{dev}{quote}{comment}"

    files = {
        "chart/values.yaml": f"# values{nl}image:{nl}{ind}name: caa{nl}{ind}tag: {scalar()}{nl}"
        f"other:{nl}{ind}tag: {dev}{nl}",
        "chart/providers/libvirt.yaml": f"image:{nl}{ind}tag: {scalar()}{nl}",
        "chart/providers/aws.yaml": f"provider: aws{nl}",
    }
    item = draw(st.sampled_from(["- ", ind + "- ", ind + "-   "]))
    keys = " " * len(item)
    entry = f"{item}name: caa{nl}{keys}newName: q.io/caa # change if needed{nl}{keys}newTag: {scalar()}{nl}"
    vendor = f"{item}name: proxy{nl}{keys}newTag: v0.13.1{nl}"
    entries = [entry, vendor] if draw(st.booleans()) else [vendor, entry]
    files["overlays/a/kustomization.yaml"] = f"kind: Kustomization{nl}images:{nl}{''.join(entries)}"
    files["overlays/b/kustomization.yaml"] = f"kind: Kustomization{nl}resources:{nl}- ../base{nl}"
    final = nl if draw(st.booleans()) else ""
    files["Makefile"] = (
        f'values:{nl}\t@printf \'%s\\n\' \\{nl}\t\t"  tag: \\"{dev}\\"", \\{nl}'
        f'\t\t"  other_tag: \\"{dev}\\"" > $@{final}'
    )
    return files, dev


def _repo(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _config(dev: str) -> PinsConfig:
    targets = [{**t, "dev": dev} for t in CONFIG["targets"]]
    return msgspec.convert({"targets": targets}, PinsConfig)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), values=st.lists(st.one_of(SHA, TOKEN), min_size=1, max_size=3))
def test_pin_then_unpin_restores_every_byte(
    layout: tuple[dict[str, str], str], values: list[str]
) -> None:
    files, dev = layout
    pins = _config(dev)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _repo(root, files)
        original = _snapshot(root)
        pinned_any = False
        for value in values:
            before = _snapshot(root)
            try:
                plan = plan_pin(root, pins, value)
            except ReleaseError:
                assert _snapshot(root) == before  # a refused pin changes nothing
                continue
            write_all(plan.edits, root)
            pinned_any = pinned_any or not plan.is_noop
        if not pinned_any:
            assert _snapshot(root) == original
        write_all(plan_unpin(root, pins).edits, root)
        assert _snapshot(root) == original


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), first=SHA, second=SHA)
def test_pinning_again_equals_pinning_once(
    layout: tuple[dict[str, str], str], first: str, second: str
) -> None:
    files, dev = layout
    pins = _config(dev)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        twice, once = Path(a), Path(b)
        _repo(twice, files)
        _repo(once, files)
        try:
            write_all(plan_pin(twice, pins, first).edits, twice)
            write_all(plan_pin(twice, pins, second).edits, twice)
            write_all(plan_pin(once, pins, second).edits, once)
        except ReleaseError:
            return  # a sha of digits only would read back as a number: refused, see above
        assert _snapshot(twice) == _snapshot(once)
        assert not plan_pin(once, pins, second).edits  # the same value again: nothing to do
