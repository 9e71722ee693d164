"""release.tag, release.untag and release.tags on real repositories with bare remotes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CliResult, Repo, git, require_real, tag_state
from releasekit.core.common.errors import ReleaseError
from releasekit.core.config import load_config
from releasekit.core.tags.tagging import plan_release_tag, release_scheme

Cli = Callable[..., CliResult]


@pytest.fixture
def repo(
    make_repo: Callable[..., Repo], bare_remote: Callable[[Repo, str], Path]
) -> tuple[Repo, Path]:
    repo = make_repo({"README.md": "demo\n"}, name="app")
    bare = bare_remote(repo, "origin")
    return repo, bare


def test_tag_creates_an_annotated_tag_on_the_resolved_commit(
    cli: Cli, repo: tuple[Repo, Path]
) -> None:
    r, bare = repo
    first = r.git("rev-parse", "HEAD").strip()
    r.commit("second")
    result = cli("release.tag", "0.1.8", "--ref", first, cwd=r.path)
    assert result.code == 0, result.err
    assert result.lines == [
        f"tagged {first[:12]} as v0.1.8 (annotated: Release v0.1.8)",
        "next: git push --atomic origin refs/tags/v0.1.8",
    ]
    assert r.git("cat-file", "-t", "v0.1.8").strip() == "tag"
    assert r.git("rev-parse", "v0.1.8^{commit}").strip() == first
    assert r.git("tag", "-l", "--format=%(contents)", "v0.1.8").strip() == "Release v0.1.8"
    assert tag_state(r, bare)[1] == ""  # not pushed without --push


def test_tag_push_losing_a_race_says_who_has_the_tag_not_pushed(
    cli: Cli, repo: tuple[Repo, Path]
) -> None:
    r, bare = repo
    other = r.git("rev-parse", "HEAD").strip()
    r.git("push", "-q", "origin", "HEAD:refs/heads/main")
    head = r.commit("second")
    # Another publisher tags v0.1.8 between releasekit's ls-remote check and its push.
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(
        f"#!/bin/sh\ncat >/dev/null\nunset GIT_QUARANTINE_PATH\ngit update-ref refs/tags/v0.1.8 {other}\n"
    )
    hook.chmod(0o755)
    result = cli("release.tag", "0.1.8", "--push", cwd=r.path)
    assert result.code == 1
    assert git(bare, "rev-parse", "v0.1.8").strip() == other  # never overwritten
    assert "pushed: none; not pushed: v0.1.8" in result.err
    assert (
        f"v0.1.8 is on origin at {other[:12]}, not {head[:12]}: it was published meanwhile "
        "and is immutable — release v0.1.9 instead\ndelete the local tag: git tag -d v0.1.8\n"
    ) in result.err
    assert "git push --atomic origin refs/tags/v0.1.8" not in result.err  # could never work


def test_tag_push_is_atomic_and_reaches_the_remote(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, bare = repo
    head = r.git("rev-parse", "HEAD").strip()
    result = cli(
        "release.tag", "v0.1.8", "--push", "--message", "demo {tag} ({version})", cwd=r.path
    )
    assert result.code == 0, result.err
    assert result.lines == [
        f"tagged {head[:12]} as v0.1.8 (annotated: demo v0.1.8 (0.1.8))",
        "pushed v0.1.8 to origin (atomic)",
    ]
    assert git(bare, "rev-parse", "v0.1.8^{commit}").strip() == head
    assert git(bare, "cat-file", "-t", "v0.1.8").strip() == "tag"


def test_tag_message_template_from_config(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    r = make_repo({"releasekit.yaml": 'tags:\n  message: "kruntimes {tag}"\n'})
    assert cli("release.tag", "0.1.0", cwd=r.path).code == 0
    assert r.git("tag", "-l", "--format=%(contents)", "v0.1.0").strip() == "kruntimes v0.1.0"


def test_dry_run_changes_nothing(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, bare = repo
    before = tag_state(r, bare)
    result = cli("release.tag", "0.1.8", "--push", "--dry-run", cwd=r.path)
    assert result.code == 0, result.err
    assert result.lines[-2:] == [
        "would push v0.1.8 to origin (atomic)",
        "dry run: nothing was changed",
    ]
    assert tag_state(r, bare) == before


# --- refusals: each leaves every tag, local and remote, exactly as it was -----------------------


def test_refuses_a_local_tag_and_names_the_next_free_patch(
    cli: Cli, repo: tuple[Repo, Path]
) -> None:
    r, bare = repo
    r.git("tag", "-a", "v0.1.7", "-m", "Release v0.1.7")
    r.git("push", "-q", "origin", "v0.1.7")  # published: the version is burnt
    r.git("tag", "v0.1.8")  # local only, yet its name is taken here
    before = tag_state(r, bare)
    result = cli("release.tag", "0.1.7", "--push", cwd=r.path)
    assert result.code == 1
    assert "tag v0.1.7 (locally on" in result.err
    assert "published tags are immutable" in result.err
    assert "release v0.1.9 instead" in result.err
    assert tag_state(r, bare) == before


def test_refuses_a_tag_that_only_the_remote_has(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, bare = repo
    r.git("tag", "v0.1.8")
    r.git("push", "-q", "origin", "v0.1.8")
    r.git("tag", "-d", "v0.1.8")
    before = tag_state(r, bare)
    result = cli("release.tag", "0.1.8", cwd=r.path)
    assert result.code == 1
    assert "tag v0.1.8 (on origin at" in result.err
    assert "release v0.1.9 instead" in result.err
    assert tag_state(r, bare) == before


def test_refuses_when_the_remote_cannot_be_asked(
    cli: Cli, repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    r, bare = repo
    r.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    before = tag_state(r, bare)
    result = cli("release.tag", "0.1.8", cwd=r.path)
    assert result.code == 1
    assert "cannot ask origin which tags it has" in result.err
    assert "--offline" in result.err
    assert tag_state(r, bare) == before
    offline = cli("release.tag", "0.1.8", "--offline", cwd=r.path)
    assert offline.code == 0
    assert "did not check origin (--offline)" in offline.err


def test_refuses_push_without_such_remote(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    r = make_repo()
    result = cli("release.tag", "0.1.8", "--push", "--remote", "upstream", cwd=r.path)
    assert result.code == 1
    assert "there is no remote named 'upstream'" in result.err
    assert tag_state(r) == ("", "")


def test_refuses_a_bad_ref_and_a_bad_version(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, bare = repo
    bad_ref = cli("release.tag", "0.1.8", "--ref", "nope", cwd=r.path)
    assert bad_ref.code == 1
    assert "'nope' does not name a commit" in bad_ref.err
    bad_version = cli("release.tag", "0.1", cwd=r.path)
    assert bad_version.code == 1
    assert "'0.1' is not a SemVer version" in bad_version.err
    assert tag_state(r, bare) == ("", "")


SUITE_CONFIG = (
    'tag_format: "suite-{version}[-{codename}][-{channel}]"\ntags:\n  versioning: calver\n'
)


def test_calver_suite_tags_with_codename_and_channel(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    r = make_repo({"releasekit.yaml": SUITE_CONFIG})
    result = cli("release.tag", "2026.04", "--codename", "nova", "--channel", "lts", cwd=r.path)
    assert result.code == 0, result.err
    assert (
        "as suite-2026.04-nova-lts (annotated: Release suite-2026.04-nova-lts, channel lts)"
        in result.out
    )
    edge = cli("release.tag", "2026.04.1", cwd=r.path)
    assert "as suite-2026.04.1 (" in edge.out
    assert "channel edge" in edge.out


def test_refuses_lts_outside_april(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    r = make_repo({"releasekit.yaml": SUITE_CONFIG})
    result = cli("release.tag", "2026.10", "--codename", "orion", "--channel", "lts", cwd=r.path)
    assert result.code == 1
    assert "channel lts is only allowed for April releases (YYYY.04), not 2026.10" in result.err
    semver_repo = make_repo()
    result = cli("release.tag", "1.4.0", "--channel", "lts", cwd=semver_repo.path)
    assert result.code == 1
    assert "only allowed for April" in result.err
    assert tag_state(r) == ("", "")
    assert tag_state(semver_repo) == ("", "")


def test_module_tags(cli: Cli, make_repo: Callable[..., Repo]) -> None:
    r = make_repo({"releasekit.yaml": 'tag_format: "module-{module}-v{version}"\n'})
    assert cli("release.tag", "1.2.3", "--module", "authority", cwd=r.path).code == 0
    missing = cli("release.tag", "1.2.4", cwd=r.path)
    assert missing.code == 1
    assert "needs a module; pass --module" in missing.err
    assert r.git("tag", "-l").split() == ["module-authority-v1.2.3"]


def test_signed_tag_with_a_real_ssh_key(cli: Cli, repo: tuple[Repo, Path], tmp_path: Path) -> None:
    keygen = require_real("ssh-keygen", "apt-get install -y openssh-client")
    r, _ = repo
    key = tmp_path / "signing"
    subprocess.run(
        [keygen, "-q", "-t", "ed25519", "-N", "", "-C", "bot", "-f", str(key)], check=True
    )
    allowed = tmp_path / "allowed_signers"
    allowed.write_text("bot@example.invalid " + (tmp_path / "signing.pub").read_text())
    r.git("config", "gpg.format", "ssh")
    r.git("config", "user.signingkey", str(key))
    r.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    result = cli("release.tag", "0.1.8", "--sign", cwd=r.path)
    assert result.code == 0, result.err
    assert "(signed: Release v0.1.8)" in result.out
    assert "-----BEGIN SSH SIGNATURE-----" in r.git("cat-file", "tag", "v0.1.8")
    verified = subprocess.run(
        ["git", "-C", str(r.path), "tag", "-v", "v0.1.8"], capture_output=True, text=True
    )
    assert verified.returncode == 0
    assert 'Good "git" signature for bot@example.invalid' in verified.stderr


# --- untag ----------------------------------------------------------------------------------


def test_untag_deletes_a_tag_no_remote_has(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, _ = repo
    r.git("tag", "v0.1.8")
    result = cli("release.untag", "v0.1.8", cwd=r.path)
    assert result.code == 0, result.err
    assert result.lines == ["deleted local tag v0.1.8 (not on: origin)"]
    assert r.git("tag", "-l") == ""


@pytest.mark.parametrize("dry", [["--dry", "release.untag"], ["release.untag", "--dry-run"]])
def test_untag_dry_run_proves_the_remote_lacks_it_and_deletes_nothing(
    cli: Cli, repo: tuple[Repo, Path], dry: list[str]
) -> None:
    r, bare = repo
    r.git("tag", "v0.1.8")
    before = tag_state(r, bare)
    result = cli(*dry, "v0.1.8", cwd=r.path)
    assert result.code == 0, result.err
    assert result.lines == ["would delete local tag v0.1.8 (not on: origin)"]
    assert tag_state(r, bare) == before


def test_untag_refuses_a_published_tag(cli: Cli, repo: tuple[Repo, Path]) -> None:
    r, bare = repo
    r.git("tag", "v0.1.8")
    r.git("push", "-q", "origin", "v0.1.8")
    before = tag_state(r, bare)
    result = cli("release.untag", "v0.1.8", cwd=r.path)
    assert result.code == 1
    assert "tag v0.1.8 is published on origin; published tags are immutable" in result.err
    assert tag_state(r, bare) == before


def test_untag_refuses_when_a_remote_cannot_prove_it_lacks_the_tag(
    cli: Cli, repo: tuple[Repo, Path], tmp_path: Path
) -> None:
    r, bare = repo
    r.git("tag", "v0.1.8")
    r.git("remote", "add", "mirror", str(tmp_path / "missing.git"))
    before = tag_state(r, bare)
    result = cli("release.untag", "v0.1.8", cwd=r.path)
    assert result.code == 1
    assert "cannot prove that mirror does not have v0.1.8" in result.err
    assert tag_state(r, bare) == before


# --- release.tags ----------------------------------------------------------------------------


def test_tags_lists_releases_newest_first_by_precedence(
    cli: Cli, make_repo: Callable[..., Repo]
) -> None:
    r = make_repo()
    head = r.git("rev-parse", "HEAD").strip()
    for t in ("v0.1.9", "v0.1.10", "v0.1.10-rc.1", "not-a-release", "v1.0", "src/x/v0.1.9"):
        r.git("tag", t)
    result = cli("release.tags", cwd=r.path)
    assert result.code == 0, result.err
    assert result.lines == [
        f"v0.1.10\t0.1.10\t{head[:12]}",
        f"v0.1.10-rc.1\t0.1.10-rc.1\t{head[:12]}",
        f"v0.1.9\t0.1.9\t{head[:12]}",
    ]
    envelope = json.loads(cli("release.tags", "--json", cwd=r.path).out)
    assert envelope["outputs"] == {"tag": "v0.1.10"}
    as_json = envelope["results"]
    assert [t["tag"] for t in as_json] == ["v0.1.10", "v0.1.10-rc.1", "v0.1.9"]
    assert as_json[1] == {
        "status": "ok",
        "message": "v0.1.10-rc.1",
        "tag": "v0.1.10-rc.1",
        "version": "0.1.10-rc.1",
        "commit": head,
        "prerelease": True,
        "channel": "edge",
        "annotated": False,
        "parts": {},
    }
    modules = cli("release.tags", "--format", "{dir}/v{version}", cwd=r.path)
    assert modules.lines == [f"src/x/v0.1.9\t0.1.9\t{head[:12]}\tdir=src/x"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=20))
def test_any_version_text_is_refused_cleanly_or_planned_never_half_done(
    repo: tuple[Repo, Path], text: str
) -> None:
    r, bare = repo
    before = tag_state(r, bare), r.snapshot()
    try:
        plan = plan_release_tag(load_config(r.path), text, offline=True)
    except ReleaseError as exc:
        assert str(exc)
    else:
        assert release_scheme(load_config(r.path)).require(plan.tag).version == plan.version
    assert (tag_state(r, bare), r.snapshot()) == before
