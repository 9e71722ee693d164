"""How the config library was chosen: msgspec against pydantic v2 for releasekit.yaml's models.

Each sample is a fresh interpreter that imports the library, declares 14 models shaped like
releasekit's sections (8 fields each: strings, a bool, a Literal, a tuple of strings, a nested
model), and validates one document against them; the time is measured inside the child, from
before the import to after the validation, so interpreter start-up is left out. Samples of
the two libraries alternate, and the medians are reported. pydantic is already installed
(through sigstore); msgspec is the dependency releasekit uses.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 15
MODELS = 14

_MSGSPEC = """
import time; t0 = time.perf_counter()
from typing import Annotated, Literal
import msgspec
class Base(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True): pass
{models}
msgspec.convert(DATA, M{last})
print(time.perf_counter() - t0)
"""
_MSGSPEC_MODEL = """
class M{i}(Base):
    a: Annotated[str, msgspec.Meta(pattern=r"\\S", description="a")] = "x"
    b: Annotated[str, msgspec.Meta(description="b")] = "y"
    c: bool = False
    d: Literal["one", "two", "three"] = "one"
    e: tuple[str, ...] = ()
    f: int = 3
    g: str | None = None
    h: {nested} = None
"""
_PYDANTIC = """
import time; t0 = time.perf_counter()
from typing import Annotated, Literal
import pydantic
class Base(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)
{models}
M{last}.model_validate(DATA)
print(time.perf_counter() - t0)
"""
_PYDANTIC_MODEL = """
class M{i}(Base):
    a: Annotated[str, pydantic.Field(pattern=r"\\S", description="a")] = "x"
    b: Annotated[str, pydantic.Field(description="b")] = "y"
    c: bool = False
    d: Literal["one", "two", "three"] = "one"
    e: tuple[str, ...] = ()
    f: int = 3
    g: str | None = None
    h: {nested} = None
"""


def _document(depth: int) -> str:
    inner = "None" if depth == 0 else _document(depth - 1)
    return f"{{'a': 'v', 'c': True, 'd': 'two', 'e': ['p', 'q'], 'h': {inner}}}"


def _source(template: str, model: str) -> str:
    models = "".join(
        model.format(i=i, nested="None" if i == 0 else f"M{i - 1} | None") for i in range(MODELS)
    )
    body = template.format(models=models, last=MODELS - 1)
    return f"DATA = {_document(MODELS - 1)}\n" + body


def _sample(source: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", source], check=True, capture_output=True, text=True
    )
    return float(done.stdout)


def main(argv: list[str]) -> int:
    sources = {
        "msgspec": _source(_MSGSPEC, _MSGSPEC_MODEL),
        "pydantic": _source(_PYDANTIC, _PYDANTIC_MODEL),
    }
    samples: dict[str, list[float]] = {name: [] for name in sources}
    for source in sources.values():  # warm the page cache and .pyc files
        _sample(source)
    for _ in range(RUNS):
        for name, source in sources.items():
            samples[name].append(_sample(source))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, value in medians.items():
        print(f"{name:9} import + {MODELS} models + validate  {value * 1000:7.1f} ms")
    print(f"pydantic / msgspec: {medians['pydantic'] / medians['msgspec']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
