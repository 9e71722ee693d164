"""The collector pause (core/common/gcpause.py): a library user's process keeps its collector
as it was; the ``releasekit`` command (one command a process) freezes what the block built."""

from __future__ import annotations

import gc
import subprocess
import sys

from releasekit.core.common.gcpause import paused_gc


def test_a_block_pauses_and_gives_the_collector_back_unfrozen() -> None:
    frozen = gc.get_freeze_count()
    with paused_gc():
        assert not gc.isenabled()
        kept = [(n, str(n)) for n in range(10_000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # nothing frozen in a long-lived process
    assert len(kept) == 10_000


def test_a_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_command_freezes_what_a_block_built_and_runs_the_collector_after() -> None:
    code = (
        "import gc\n"
        "from releasekit.core.common import gcpause\n"
        "gcpause.one_shot()\n"
        "before = gc.get_freeze_count()\n"
        "with gcpause.paused_gc():\n"
        "    kept = [[n] for n in range(50_000)]\n"
        "print(gc.isenabled(), gc.get_freeze_count() - before >= 50_000, gc.get_count()[0] < 700)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]


def test_the_console_script_runs_with_its_imports_frozen() -> None:
    code = (
        "import gc, sys\n"
        "sys.argv = ['releasekit', '--version']\n"
        "from releasekit._entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["True", "True"]
