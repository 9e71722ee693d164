"""Failure paths of the Helm and CRD tasks: exit code, message, and no file changed.

Bad input (a path that is not there, a file that is not what it should be) exits 1 and a
malformed argument 2 (README: Output); before the output contract some bad input exited 2.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import CliResult, Repo


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("verify.chart", "--chart", "charts/nope"), 1, "charts/nope: no Chart.yaml here"),
        (
            ("verify.chart", "--tag", "0.1.8"),
            1,
            "tag '0.1.8' does not follow tag_format 'v{version}'",
        ),
        (
            ("verify.crd-changes", "--path", "no/such/dir", "--since", "v0.1.7"),
            1,
            "no/such/dir: no CRDs there at v0.1.7 nor in the working tree",
        ),
        (("verify.crd-changes", "--since", "v9.9.9"), 1, "'v9.9.9' does not name a commit"),
        (
            ("docs.crd-history", "--add", "v0.1.8", "--crd-changes", "maybe"),
            2,
            "--crd-changes 'maybe': say yes or no",
        ),
        (("docs.crd-history", "--add", "0.1.8"), 1, "tag '0.1.8' does not follow tag_format"),
        (("docs.crd-history", "--file", "docs/missing.md"), 1, "docs/missing.md: file not found"),
        (("release.package-chart", "--chart", "docs"), 1, "docs: no Chart.yaml here"),
        (
            ("release.push-chart", "dist/none.tgz", "oci://127.0.0.1:9/x"),
            1,
            "no such file; package the chart first",
        ),
    ],
)
def test_failure_exit_code_message_and_no_change(
    example_repo: Repo,
    cli: Callable[..., CliResult],
    argv: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    before = example_repo.snapshot()
    result = cli(*argv, cwd=example_repo.path)
    assert result.code == code, result.err
    assert message in result.err
    assert result.err.startswith("releasekit: error: ")
    assert example_repo.snapshot() == before


def test_chart_without_app_version_needs_a_tag(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {"charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\ntype: library\nversion: 0.1.0\n"}
    )
    result = cli("verify.chart", cwd=repo.path)
    assert result.code == 2
    assert "charts/lib/Chart.yaml has no appVersion; pass --tag" in result.err


def test_app_version_that_is_no_version_names_the_file(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo(
        {"charts/x/Chart.yaml": "apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: latest\n"}
    )
    result = cli("verify.helm-template", "--engine", "sdk", cwd=repo.path)
    assert result.code == 1
    assert (
        "charts/x/Chart.yaml: appVersion 'latest' is not a release version; fix it or pass --tag"
        in result.err
    )


def test_no_chart_in_the_repository(
    make_repo: Callable[..., Repo], cli: Callable[..., CliResult]
) -> None:
    repo = make_repo()
    result = cli("verify.chart", cwd=repo.path)
    assert result.code == 2
    assert "no Chart.yaml found under" in result.err
