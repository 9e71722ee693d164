"""Importing invoke with ``unittest.mock`` and ``importlib.metadata`` deferred
(core/common/invokeimport.py). Each case runs a fresh interpreter: this test process has
imported invoke long ago."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from releasekit.core.common import invokeimport
from releasekit.core.common.invokeimport import dist_version

DEFERRED = ("unittest", "unittest.mock", "importlib.metadata", "asyncio", "email", "ssl")


def _python(code: str, *, path: Path | None = None) -> dict[str, object]:
    env = None
    if path is not None:
        import os

        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(path), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_releasekit_loads_neither_module_and_invoke_keeps_its_version() -> None:
    seen = _python(f"""
        import json, sys
        import releasekit, invoke
        loaded = [m for m in {DEFERRED!r} if m in sys.modules]
        print(json.dumps({{"loaded": loaded, "version": invoke.__version__}}))
    """)
    assert seen == {"loaded": [], "version": metadata.version("invoke")}


def test_after_the_import_the_real_modules_come_back_and_mock_context_works() -> None:
    seen = _python("""
        import json, sys
        import releasekit
        from invoke import MockContext, Result
        context = MockContext(run=Result("out"))
        ran = context.run("anything").stdout
        import unittest.mock, importlib.metadata
        print(json.dumps({
            "ran": ran,
            "wrapped_by": type(context.run).__module__ + "." + type(context.run).__name__,
            "real_mock": hasattr(unittest.mock, "patch") and unittest.mock.Mock.__module__,
            "metadata": importlib.metadata.version("invoke"),
            "called": context.run.call_count,
        }))
    """)
    assert seen == {
        "ran": "out",
        "wrapped_by": "unittest.mock.Mock",
        "real_mock": "unittest.mock",
        "metadata": metadata.version("invoke"),
        "called": 1,
    }


def test_invoke_already_imported_is_left_alone() -> None:
    seen = _python("""
        import json, sys
        import invoke
        before = sys.modules["unittest.mock"]
        import releasekit
        from invoke import context
        print(json.dumps({"same": sys.modules["unittest.mock"] is before,
                          "mock": context.Mock is before.Mock}))
    """)
    assert seen == {"same": True, "mock": True}


def test_a_failing_invoke_import_leaves_no_stand_in_behind(tmp_path: Path) -> None:
    broken = tmp_path / "invoke"
    broken.mkdir()
    (broken / "__init__.py").write_text(
        "from importlib import metadata\nfrom unittest.mock import Mock\nraise ImportError('boom')\n"
    )
    seen = _python(
        f"""
        import json, sys, importlib.util
        # by its file: importing the releasekit package would import (the broken) invoke
        spec = importlib.util.spec_from_file_location("invokeimport", {invokeimport.__file__!r})
        invokeimport = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(invokeimport)
        try:
            invokeimport.import_invoke()
        except ImportError as error:
            failed = str(error)
        left = [m for m in ("unittest.mock", "importlib.metadata") if m in sys.modules]
        import importlib
        import unittest.mock, importlib.metadata
        print(json.dumps({{"failed": failed, "left": left,
                          "attribute": "metadata" in vars(importlib) and
                                       importlib.metadata.__name__,
                          "real": hasattr(unittest.mock, "patch")}}))
    """,
        path=tmp_path,
    )
    assert seen == {"failed": "boom", "left": [], "attribute": "importlib.metadata", "real": True}


def _package(site: Path, name: str, *versions: str) -> None:
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text("")
    for version in versions:
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nVersion: not-this\n"
        )


def test_the_dist_info_version_is_the_one_importlib_metadata_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path, "rkprobe", "1.2.3.post4")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert dist_version("rkprobe") == metadata.version("rkprobe") == "1.2.3.post4"
    assert dist_version("invoke") == metadata.version("invoke")


def test_any_other_layout_asks_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path, "rknone")  # no dist-info: not installed
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(metadata.PackageNotFoundError):
        dist_version("rknone")
    two = tmp_path / "two"
    _package(two, "rktwo", "1.0.0", "2.0.0")  # two dist-infos: importlib.metadata decides
    monkeypatch.syspath_prepend(str(two))
    assert dist_version("rktwo") == metadata.version("rktwo")


def test_a_module_imported_before_invoke_is_used_as_it_is() -> None:
    seen = _python("""
        import json, sys
        import importlib.metadata
        real = sys.modules["importlib.metadata"]
        import releasekit, invoke
        print(json.dumps({"same": sys.modules["importlib.metadata"] is real,
                          "version": invoke.__version__,
                          "mock_loaded": "unittest.mock" in sys.modules}))
    """)
    assert seen == {"same": True, "version": metadata.version("invoke"), "mock_loaded": False}
