"""The one place releasekit runs external programs (git, helm, cosign, ...).

Commands are argument lists, never shell strings; ``shlex.join`` is used only for display.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import CommandError
from .redact import redact


@dataclass(frozen=True)
class Result:
    """What a finished command printed and returned."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def display(argv: Sequence[str]) -> str:
    """Return ``argv`` as a shell-quoted line, for messages and dry-run plans (redacted)."""
    return redact(shlex.join(argv))


def require_tool(name: str, install_hint: str) -> str:
    """Return the absolute path of ``name`` on PATH or raise with the install command."""
    import shutil  # here: shutil imports bz2, lzma and zlib (~7 ms of every start-up)

    found = shutil.which(name)
    if found is None:
        raise CommandError(f"{name} is not installed or not on PATH; {install_hint}")
    return found


class Timeout(CommandError):
    """A command ran past its timeout; it and every process it started were killed."""

    def __init__(self, argv: Sequence[str], seconds: float) -> None:
        super().__init__(f"{display(argv)} did not finish within {seconds:g} s and was stopped")
        self.seconds = seconds


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    check: bool = True,
    timeout: float | None = None,
) -> Result:
    """Run ``argv`` and capture its output as text.

    Args:
        argv: program and arguments.
        cwd: working directory.
        env: extra environment variables layered over the current environment.
        input_text: text sent to standard input.
        check: raise :class:`CommandError` when the command exits non-zero.
        timeout: seconds the command may run (a network command); it then runs in its own
            process group and session, so that on expiry the whole group is killed — git's
            ssh or git-remote-http child included — and it can never wait on a terminal prompt.

    Raises:
        CommandError: the program is missing, or it failed and ``check`` is true.
        Timeout: ``timeout`` passed first.
    """
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update(env)
    try:
        proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
            list(argv),
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE
            if input_text is not None
            else (subprocess.DEVNULL if timeout is not None else None),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # git prints bytes (a commit subject or file name need not be UTF-8): decode as
            # UTF-8 whatever the locale, and never crash on a stray byte.
            encoding="utf-8",
            errors="replace",
            start_new_session=timeout is not None,
        )
    except FileNotFoundError as exc:
        raise CommandError(f"{argv[0]} is not installed or not on PATH ({display(argv)})") from exc
    try:
        stdout, stderr = proc.communicate(input_text, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise Timeout(argv, timeout or 0) from None
    except BaseException:  # Ctrl-C: the child's own session does not receive it
        _kill_group(proc)
        raise
    result = Result(tuple(argv), proc.returncode, stdout, stderr)
    if check and proc.returncode != 0:
        detail = redact((stderr or stdout).strip())
        raise CommandError(f"{display(argv)} failed with exit {proc.returncode}: {detail}")
    return result


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL ``proc`` and its process group (when it leads one), then reap it."""
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except ProcessLookupError:
        pass
    proc.communicate()


def stream(
    argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Run ``argv`` and yield its standard output as decoded text chunks while it runs.

    For outputs of many megabytes (``git log`` over 100k commits): the caller parses while
    the program is still writing, on another core, and never holds the output twice.
    ``env``: variables added to this process's environment for the program.

    Raises:
        CommandError: the program is missing or exits non-zero (after its output).
    """
    yield from Started(argv, cwd=cwd, env=env, ahead=0).chunks()


class Started:
    """A program whose standard output is read as it runs (:func:`stream`), started before its
    reader is ready: up to ``ahead`` bytes of its output are read into memory by a thread until
    :meth:`chunks` is asked for, so the program is not held up by a full pipe meanwhile.

    For ``changelog --all``: git's walk of the history takes 0.8 s of a 100k-commit repository
    and the template's compilation and the tag list take 50 ms before its output is read; with
    only the pipe (1 MiB, the Linux maximum for a process without privileges) git stops after
    its first 35 ms. ``ahead=0`` starts no thread (the pipe alone). Whoever starts one ends it:
    :meth:`chunks` to the end, or :meth:`close` (the program is killed if it still runs).

    Raises:
        CommandError: the program is missing.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        ahead: int = 8 << 20,
    ) -> None:
        self.argv = list(argv)
        try:
            # A 1 MiB pipe (Linux's unprivileged maximum) lets the program run ahead while the
            # caller parses the previous chunk; with the default 64 KiB it stalls on every chunk.
            self.proc = subprocess.Popen(  # noqa: S603 - argv list, no shell
                self.argv,
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pipesize=1 << 20,
                env={**os.environ, **env} if env else None,
            )
        except FileNotFoundError as exc:
            raise CommandError(
                f"{self.argv[0]} is not installed or not on PATH ({display(self.argv)})"
            ) from exc
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._early: list[bytes] = []  # what the thread read; b"" last when the output ended
        self._stop = False
        self.unread = True  # until chunks() is first asked for
        self._thread = None
        if ahead > 0:
            import threading

            self._thread = threading.Thread(target=self._drain, args=(ahead,), daemon=True)
            self._thread.start()

    def _drain(self, ahead: int) -> None:
        # Reads until chunks() or close() asks it to stop, the output ends or ``ahead`` bytes
        # are held (then the pipe holds the program back, as without the thread).
        held = 0
        while not self._stop and held < ahead:
            try:
                chunk = os.read(self._fd, 1 << 20)
            except OSError:  # closed under it by close()
                return
            self._early.append(chunk)
            held += len(chunk)
            if not chunk:
                return

    def _take_over(self) -> list[bytes]:
        """Stop the thread (it ends at its next read, which the running program answers)."""
        self._stop = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        early, self._early = self._early, []
        return early

    def chunks(self) -> Iterator[str]:
        """The output as decoded text chunks (what the thread read first, as one), then the
        exit status.

        Raises:
            CommandError: the program exits non-zero (after its output).
        """
        import codecs

        if not self.unread:
            raise RuntimeError(f"{display(self.argv)} was read already")
        self.unread = False
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        proc = self.proc
        assert proc.stderr is not None
        # stderr is read after stdout ends; git's stderr here is a line or two, far below the
        # pipe buffer, so the program never blocks on it.
        with proc:
            early = self._take_over()
            ended = bool(early) and not early[-1]
            if early:
                yield decoder.decode(b"".join(early))
            while not ended and (chunk := os.read(self._fd, 1 << 20)):
                yield decoder.decode(chunk)
            yield decoder.decode(b"", final=True)
            detail = redact(proc.stderr.read().decode("utf-8", errors="replace").strip())
            returncode = proc.wait()
        if returncode != 0:
            raise CommandError(f"{display(self.argv)} failed with exit {returncode}: {detail}")

    def close(self) -> None:
        """End the program if :meth:`chunks` did not read it to the end (killed, reaped)."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self._take_over()
        with self.proc:  # closes the pipes and waits
            pass


def run_bytes(argv: Sequence[str], *, input_bytes: bytes = b"") -> bytes:
    """Run ``argv`` with ``input_bytes`` on standard input and return its raw standard output.

    For outputs whose framing counts bytes (``git cat-file --batch``), which text decoding
    would break.

    Raises:
        CommandError: the program is missing or exits non-zero.
    """
    try:
        proc = subprocess.run(  # noqa: S603 - argv list, no shell
            list(argv), input=input_bytes, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise CommandError(f"{argv[0]} is not installed or not on PATH ({display(argv)})") from exc
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", errors="replace").strip()
        raise CommandError(f"{display(argv)} failed with exit {proc.returncode}: {detail}")
    return proc.stdout


def run_live(argv: Sequence[str], *, cwd: Path, echo: Callable[[str], None]) -> tuple[int, str]:
    """Run ``argv`` and hand each line of its output (stdout and stderr, interleaved as the
    program wrote them) to ``echo`` as it comes: preflight's commands, which run for minutes.

    Returns:
        The exit code (-1 when the program could not be started) and the whole output (or,
        for -1, why it could not start).
    """
    try:
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE,  # noqa: S603 - argv list, no shell
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                text=True, errors="replace")  # fmt: skip
    except OSError as exc:
        return -1, f"cannot run {argv[0]}: {exc.strerror or exc}"
    lines = []
    assert proc.stdout is not None
    with proc:
        for line in proc.stdout:
            lines.append(line)
            echo(redact(line.rstrip("\n")))
    return proc.returncode, "".join(lines)
