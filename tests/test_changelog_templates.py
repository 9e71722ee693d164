"""A repository's own changelog template runs sandboxed; every failure names template file:line.

Through the real `releasekit changelog` Program on a real git history: the user sees one
`releasekit: error: docs/changelog.j2:LINE: template error: ...` line and exit 1, never a
traceback, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import CliResult, Repo

Cli = Callable[..., CliResult]


def _repo(make_repo: Callable[..., Repo], template: str) -> Repo:
    return make_repo(
        {
            "releasekit.yaml": "changelog:\n  template: docs/changelog.j2\n",
            "docs/changelog.j2": template,
            "docs/part.j2": "part\n{{ releases | length // 0 }}\n",
            "CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n",
        }
    )


CASES = [
    pytest.param(
        "## Releases\n{% for r in releases %}\n{{ r.label }\n{% endfor %}\n",
        "docs/changelog.j2:3: template error: unexpected '}'",
        id="syntax-error",
    ),
    pytest.param(
        "{% for r in releases %}\n\n{{ r.missing.attribute }}\n{% endfor %}\n",
        "docs/changelog.j2:3: template error: 'dict object' has no attribute 'missing'",
        id="undefined-attribute",
    ),
    pytest.param(
        "{{ nothing_here }}\n",
        "docs/changelog.j2:1: template error: 'nothing_here' is undefined",
        id="undefined-name",
    ),
    pytest.param(
        "ok\n{{ releases | length / 0 }}\n",
        "docs/changelog.j2:2: template error: ZeroDivisionError: division by zero",
        id="zero-division",
    ),
    pytest.param(
        "{{ releases[0].sections[7] }}\n",
        "docs/changelog.j2:1: template error: list object has no element 7",
        id="index-error",
    ),
    pytest.param(
        "x\n\n\n{{ [1, 'a'] | sort }}\n",
        "docs/changelog.j2:4: template error: TypeError: '<' not supported between instances of "
        "'str' and 'int'",
        id="exception-in-a-filter",
    ),
    pytest.param(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
        "docs/changelog.j2:1: template error: not allowed in a sandboxed template: access to "
        "attribute '__class__' of 'str' object is unsafe",
        id="sandbox-dunder",
    ),
    pytest.param(
        "{{ cycler.__init__.__globals__.os.system('touch pwned') }}\n",
        "docs/changelog.j2:1: template error: not allowed in a sandboxed template: access to "
        "attribute '__init__' of 'type' object is unsafe",
        id="sandbox-globals",
    ),
    pytest.param(
        "{{ range(10 ** 9) | list | length }}\n",
        "docs/changelog.j2:1: template error: OverflowError: Range too big. The sandbox blocks "
        "ranges larger than MAX_RANGE (100000)",
        id="sandbox-range",
    ),
    pytest.param(
        "\n{{ 'x' * 10 ** 9 }}\n",
        "docs/changelog.j2:2: template error: not allowed in a sandboxed template: repeating a "
        "str 1000000000 times makes more than 1048576 items",
        id="sandbox-repeat",
    ),
    pytest.param(
        '{% include "part.j2" %}\n',
        "docs/part.j2:2: template error: ZeroDivisionError: integer division or modulo by zero",
        id="error-in-an-included-template",
    ),
]


@pytest.mark.parametrize(("template", "message"), CASES)
@pytest.mark.parametrize("argv", [["changelog"], ["changelog", "--output", "CHANGELOG.md"]])
def test_template_failures_are_one_clear_error_naming_file_and_line(
    cli: Cli, make_repo: Callable[..., Repo], template: str, message: str, argv: list[str]
) -> None:
    repo = _repo(make_repo, template)
    repo.commit("feat: a feature")
    before = repo.snapshot()
    result = cli(*argv, cwd=repo.path)
    assert result.code == 1, result
    assert result.err == f"releasekit: error: {message}; fix the template\n"
    assert "Traceback" not in result.err + result.out
    assert not (repo.path / "pwned").exists()
    assert repo.snapshot() == before


def test_a_sandboxed_template_still_renders_the_context(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    repo = _repo(
        make_repo,
        "{% for r in releases %}{% for s in r.sections %}{% for c in s.commits %}"
        "* {{ c.description | upper_first }} ({{ c.short }}){{ '-' * 3 }}\n"
        "{% endfor %}{% endfor %}{% endfor %}",
    )
    sha = repo.commit("feat(api): add a feature")
    result = cli("changelog", cwd=repo.path)
    assert result.code == 0, result.err
    assert result.lines == [f"* Add a feature ({sha[:7]})---"]
