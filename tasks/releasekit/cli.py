"""The ``releasekit`` console script: releasekit's collection behind an invoke Program."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from invoke import Argument, Exit, ParseError, Parser, ParserContext, Program
from invoke.completion.complete import print_completion_script
from invoke.config import AmbiguousMergeError
from invoke.terminals import pty_size
from invoke.util import enable_logging

from . import __version__, ns
from .core.common.errors import EXIT_ERROR, EXIT_USAGE, ReleaseError
from .core.common.excerpt import clip, describe, printable

# A task whose output was cut short by a closed pipe: what a shell reports for a process
# killed by SIGPIPE (128 + 13), as `yes | head -1` does.
EXIT_BROKEN_PIPE = 141


# invoke's core options that mean something for releasekit (the rest drive shell commands:
# --pty, --echo, --hide, --warn-only, sudo prompts, timeouts), with their few short flags.
CORE_OPTIONS = {
    "complete": None,
    "debug": "d",
    "dry": None,
    "help": "h",
    "list": "l",
    "list-depth": None,
    "list-format": None,
    "print-completion-script": None,
    "version": "V",
}
CORE_HELP = {
    "dry": "Dry-run every task (as each task's --dry-run).",
    "list": "List the tasks, optionally limited to a namespace (release, verify, ...).",
    "print-completion-script": "Print the tab-completion script for bash, zsh or fish.",
}


class ReleasekitProgram(Program):
    """invoke's Program with releasekit's own core options, usage errors exiting 2 and the
    project's invoke.yaml loaded."""

    executing = False

    def core_args(self) -> list[Argument]:
        kept = []
        for arg in super().core_args():
            if arg.name not in CORE_OPTIONS:
                continue
            short = CORE_OPTIONS[arg.name]
            arg.names = (arg.name, short) if short else (arg.name,)
            arg.help = CORE_HELP.get(arg.name, arg.help)
            kept.append(arg)
        return [
            *kept,
            Argument(
                names=("print-template",),
                optional=True,
                help="Print a starter file to copy into your repository (releasekit.yaml, "
                "tasks.py, release.mk, github/release-*.yaml; without a name: the list).",
            ),
        ]

    def parse_core(self, argv: list[str] | None) -> None:
        # invoke's own parse_core also reads --write-pyc, which releasekit does not offer.
        try:
            self.normalize_argv(argv)
            self.parse_core_args()
        except ParseError as exc:
            raise Exit(str(exc), code=EXIT_USAGE) from None
        if self.args.debug.value:
            enable_logging()
        if self.args.version.value:
            self.print_version()
            raise Exit
        if self.args["print-completion-script"].value:
            print_completion_script(
                shell=self.args["print-completion-script"].value, names=self.binary_names
            )
            raise Exit
        name = self.args["print-template"].value
        if name is True:
            from .core.common.starters import STARTERS

            print("\n".join(STARTERS))
            raise Exit
        if name:
            from .core.common.starters import read_starter

            try:
                sys.stdout.write(read_starter(name))
            except ReleaseError as exc:
                raise Exit(f"releasekit: error: {exc}", code=exc.exit_code) from None
            raise Exit

    def update_config(self, merge: bool = True) -> None:
        # Only --dry of invoke's run options is offered; the runtime config file still comes
        # from $INVOKE_RUNTIME_CONFIG as under inv.
        self.config.load_overrides(
            {"run": {"dry": True}} if self.args.dry.value else {}, merge=False
        )
        self.config.set_runtime_path(os.environ.get("INVOKE_RUNTIME_CONFIG"))  # type: ignore[arg-type]
        self.config.load_runtime(merge=False)
        if merge:
            self.config.merge()

    def normalize_argv(self, argv: list[str] | None) -> None:
        super().normalize_argv(argv)
        # `releasekit release.bump --help` would hand "--help" to the task's positional
        # argument; rewrite it to invoke's `--help release.bump`.
        args = self.argv
        if len(args) > 2 and not args[1].startswith("-") and ("--help" in args or "-h" in args):
            self.argv = [args[0], "--help", args[1]]

    def print_columns(self, tuples: Sequence[tuple[str, str | None]]) -> None:
        # invoke wraps help to the terminal (80 columns off a tty); with names like
        # verify.helm-template-check that splits every task's one-line help in two. Every
        # first docstring line is under 60 characters (a test holds that), so give the help
        # column at least that and keep one task per line.
        name_width = max(len(name) for name, _ in tuples)
        spec_width = self.leading_indent_width + name_width + self.col_padding
        width = max(pty_size()[0] - spec_width - 1, 60)
        wrapper = textwrap.TextWrapper(width=width)
        for name, help_str in tuples:
            spec = f"{self.leading_indent}{name.ljust(name_width)}{' ' * self.col_padding}"
            chunks = wrapper.wrap(help_str or "")
            print((spec + chunks[0]) if chunks else spec.rstrip())
            for chunk in chunks[1:]:
                print(" " * len(spec) + chunk)
        print("")

    def _make_parser(self) -> Parser:
        # invoke's Parser deep-copies the parser context of every task (~100 here, each with
        # its flags) on every run: ~15 ms of a `--list` that otherwise costs what bare
        # `inv --list` does. The parser only ever reaches a context by a token's exact name or
        # alias (`token in contexts`, `contexts[name]`), so the contexts named by the command
        # line (and by `--help TASK`) are all it can use: the parse, its errors and the
        # ambiguity checks are the same. Completion lists every task, so it gets them all.
        if self.args.complete.value:
            return super()._make_parser()
        named = set(self.core.unparsed)
        if isinstance(self.args.help.value, str):
            named.add(self.args.help.value)
        ignore = self.config.tasks.ignore_unknown_help
        contexts = [
            ParserContext(
                name=name,
                aliases=aliases,
                args=self.collection[name].get_arguments(ignore_unknown_help=ignore),
            )
            for name, aliases in self.collection.task_names.items()
            if name in named or named.intersection(aliases)
        ]
        return Parser(initial=self.initial_context, contexts=contexts)

    def parse_tasks(self) -> None:
        try:
            super().parse_tasks()
        except ParseError as exc:
            raise Exit(str(exc), code=EXIT_USAGE) from None

    def parse_collection(self) -> None:
        super().parse_collection()
        # With a bundled namespace invoke loads no project config; read the repository's
        # invoke.yaml so `releasekit:` keys there work the same as under `inv`.
        here = Path.cwd()
        for directory in (here, *here.parents):
            found = [
                f"invoke.{ext}"
                for ext in ("yaml", "yml", "json")
                if (directory / f"invoke.{ext}").is_file()
            ]
            if found:
                self.config.set_project_location(str(directory))
                _load_project(self, found[0])
                break
            if (directory / ".git").exists():
                break

    def execute(self) -> None:
        self.executing = True
        try:
            super().execute()
        except AmbiguousMergeError:
            # invoke merges the collection's defaults with invoke.yaml before the task runs;
            # its message reprints both values whole, so say what is wrong instead.
            raise Exit(
                "releasekit: error: invoke config: a key in invoke.yaml has another type than "
                "invoke's default for it (a list or value where a mapping belongs); fix that key",
                code=EXIT_ERROR,
            ) from None


def _load_project(program: Program, name: str) -> None:
    """Load the repository's invoke config; a file invoke cannot read is a config error."""
    try:
        program.config.load_project()
    except Exception as exc:  # invoke lets its YAML/JSON loaders' errors through as they are
        raise Exit(
            f"releasekit: error: {name}: invoke cannot load it ({type(exc).__name__}: "
            f"{clip(str(exc), 200)}); fix the file",
            code=EXIT_ERROR,
        ) from None
    layer = program.config.get("releasekit")
    if layer is not None and not (isinstance(layer, Mapping) or hasattr(layer, "_config")):
        # Caught here: invoke itself would fail merging it with releasekit's defaults.
        raise Exit(
            f"releasekit: error: {name}: releasekit must be a mapping of releasekit.yaml's "
            f"keys (tag_format:, version_files: ...), got {describe(layer)}",
            code=EXIT_ERROR,
        )


program = ReleasekitProgram(
    namespace=ns,
    name="releasekit",
    binary="releasekit",
    binary_names=["releasekit"],  # completion scripts complete `releasekit`, however it was run
    version=__version__,
)


def main() -> None:
    try:
        try:
            program.run()
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        # `releasekit --help | head -1`: the reader has gone; end quietly like coreutils. Point
        # both streams at /dev/null so the interpreter's last flush cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
        sys.exit(EXIT_BROKEN_PIPE if program.executing else 0)
    except Exception as exc:  # outside every task's boundary: loading, parsing, help
        from ._crash import internal_error

        print(printable(internal_error(exc), sys.stderr.encoding or "utf-8"), file=sys.stderr)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":  # python -m releasekit.cli: as the console script (_entry.py)
    from .core.common import gcpause

    gcpause.one_shot()
    main()
