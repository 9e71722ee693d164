"""The one process runner: argument lists, text out, clear errors."""

from __future__ import annotations

import sys

import pytest

from releasekit.core.common.errors import CommandError
from releasekit.core.common.process import run


def test_output_that_is_not_utf8_is_decoded_not_a_crash() -> None:
    result = run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'fix: caf\\xe9\\n')"])
    assert result.stdout == "fix: caf\ufffd\n"


def test_a_failing_command_names_itself_and_its_stderr() -> None:
    with pytest.raises(CommandError) as info:
        run([sys.executable, "-c", "import sys; print('boom', file=sys.stderr); sys.exit(4)"])
    assert str(info.value).endswith("failed with exit 4: boom")


def test_a_missing_program_says_it_is_not_installed() -> None:
    with pytest.raises(
        CommandError, match="releasekit-no-such-tool is not installed or not on PATH"
    ):
        run(["releasekit-no-such-tool", "--version"])
