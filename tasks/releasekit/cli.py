"""The ``releasekit`` console script: releasekit's collection behind an invoke Program."""

from __future__ import annotations

from pathlib import Path

from invoke import Exit, ParseError, Program

from . import __version__, ns
from .core.errors import EXIT_USAGE


class ReleasekitProgram(Program):
    """invoke's Program with usage errors exiting 2 and the project's invoke.yaml loaded."""

    def normalize_argv(self, argv: list[str] | None) -> None:
        super().normalize_argv(argv)
        # `releasekit release.bump --help` would hand "--help" to the task's positional
        # argument; rewrite it to invoke's `--help release.bump`.
        args = self.argv
        if len(args) > 2 and not args[1].startswith("-") and ("--help" in args or "-h" in args):
            self.argv = [args[0], "--help", args[1]]

    def parse_core(self, argv: list[str] | None) -> None:
        try:
            super().parse_core(argv)
        except ParseError as exc:
            raise Exit(str(exc), code=EXIT_USAGE) from None

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
            if any((directory / f"invoke.{ext}").is_file() for ext in ("yaml", "yml", "json")):
                self.config.set_project_location(str(directory))
                self.config.load_project()
                break
            if (directory / ".git").exists():
                break


program = ReleasekitProgram(
    namespace=ns, name="releasekit", binary="releasekit", version=__version__
)


def main() -> None:
    program.run()


if __name__ == "__main__":
    main()
