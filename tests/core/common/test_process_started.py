"""process.Started: a program started before its reader, its output read ahead by a thread.

Real programs (python writing known bytes, ``yes``) and the program's own output read directly
by subprocess as the oracle. Every way of ending one is tried: read to the end, stopped part way,
never read, read twice; a program that ends before it is read, one that fails, one that writes
more than the thread holds, one whose UTF-8 characters straddle the thread's last read.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import child_processes
from releasekit.core.common.errors import CommandError
from releasekit.core.common.process import Started


def writer(size: int, *, fail: bool = False, text: str = "0123456789abcdef\n") -> list[str]:
    """A program writing ``size`` bytes (``text`` repeated, cut at ``size``) in 4 KiB writes."""
    code = (
        "import os, sys\n"
        f"data = ({text!r} * ({size} // len({text!r}.encode()) + 1)).encode()[:{size}]\n"
        "for at in range(0, len(data), 4096):\n"
        "    os.write(1, data[at:at + 4096])\n"
        f"sys.exit('it went wrong' if {fail} else 0)\n"
    )
    return [sys.executable, "-c", code]


def direct(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, check=False).stdout.decode("utf-8", "replace")


def wait_until(done: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not done():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.mark.parametrize("ahead", [0, 64 << 10, 8 << 20])
@pytest.mark.parametrize("size", [0, 1, 4095, 1 << 20, (3 << 20) + 17])
def test_the_text_is_the_program_s_output_whatever_was_read_ahead(ahead: int, size: int) -> None:
    argv = writer(size)
    started = Started(argv, ahead=ahead)
    time.sleep(0.05)  # the thread reads meanwhile (or, with ahead=0, the pipe fills)
    assert "".join(started.chunks()) == direct(argv)
    started.close()
    assert started.proc.returncode == 0


def test_a_program_that_ended_before_it_was_read_is_read_whole() -> None:
    argv = writer(2 << 20)  # twice the pipe: it can only end because the thread read it
    started = Started(argv)
    wait_until(lambda: started.proc.poll() is not None, "the program never finished")
    assert "".join(started.chunks()) == direct(argv)


def test_without_the_thread_the_program_waits_on_the_full_pipe() -> None:
    started = Started(writer(4 << 20), ahead=0)
    time.sleep(0.5)
    assert started.proc.poll() is None  # blocked on its write: nobody reads
    assert len("".join(started.chunks())) == 4 << 20


def test_past_what_the_thread_holds_the_pipe_holds_the_program_back() -> None:
    argv = writer(6 << 20)
    started = Started(argv, ahead=1 << 20)
    time.sleep(0.5)
    assert started.proc.poll() is None  # 1 MiB held, 1 MiB in the pipe, the rest waits
    assert "".join(started.chunks()) == direct(argv)


def test_utf8_characters_across_the_thread_s_reads_are_decoded_whole() -> None:
    argv = writer((1 << 20) + 1, text="é€😀")  # 2-, 3- and 4-byte characters, cut mid-way
    started = Started(argv, ahead=64 << 10)
    time.sleep(0.1)
    assert "".join(started.chunks()) == direct(argv)


def test_a_failing_program_fails_after_its_output_with_its_stderr() -> None:
    started = Started(writer(3 << 20, fail=True))
    wait_until(lambda: started.proc.poll() is not None, "the program never finished")
    got = []
    with pytest.raises(CommandError, match="failed with exit 1: it went wrong"):
        got.extend(started.chunks())
    assert len("".join(got)) == 3 << 20


def test_a_missing_program_says_it_is_not_installed() -> None:
    with pytest.raises(CommandError, match="is not installed or not on PATH"):
        Started(["releasekit-no-such-program"])


def test_closed_unread_the_program_is_killed_and_reaped() -> None:
    started = Started(["yes"])  # writes forever
    time.sleep(0.05)
    started.close()
    assert started.proc.returncode is not None
    assert started.proc.pid not in child_processes()
    started.close()  # twice: nothing left to do


def test_closed_part_way_the_program_is_killed_and_reaped() -> None:
    started = Started(["yes"])
    chunks = started.chunks()
    assert next(chunks).startswith("y\ny\n")
    started.close()
    assert started.proc.pid not in child_processes()
    chunks.close()


def test_read_once_only() -> None:
    started = Started(writer(10))
    assert "".join(started.chunks()) == "0123456789"
    with pytest.raises(RuntimeError, match="read already"):
        next(started.chunks())
