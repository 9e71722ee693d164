"""Sessions: tests, lint, typecheck, build, demo, bench, faults, fuzz. ``session.posargs`` pass through."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
ROOT = Path(__file__).parent


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed package."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def faults(session: nox.Session) -> None:
    """The full fault-injection sweep: a signal at every rename, many random moments."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "tests/integration/test_fault_injection.py",
        *session.posargs,
        env={"RELEASEKIT_FAULTS": "full"},
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz every parser: 10,000 random examples per fuzz test, with statistics."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "tests/fuzz",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "fuzz"},
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".", *session.posargs)
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".", "mypy")
    session.run("mypy", *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """sdist + wheel in dist/ through the repo's own `inv dist` (twine check, contents, SHA256SUMS)."""
    session.install("-e", ".", "build", "twine")
    session.run("python", "-m", "invoke", "dist", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Copy examples/demo-operator to a temp repo, give it history, run the tasks."""
    session.install("-e", ".[helm]")  # demo_helm renders and pushes charts for real
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the anchors, as ratios measured in the same run."""
    session.install("-e", ".[bench]")
    # An editable install has no bytecode (a wheel's install compiles it), and with
    # PYTHONDONTWRITEBYTECODE set every run would compile releasekit again: compile it once, as
    # an installed releasekit is, so start-up is measured as users see it.
    session.run("python", "-m", "compileall", "-q", "tasks")
    session.run("python", "benchmarks/run.py", *session.posargs)
