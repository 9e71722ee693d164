"""verify.*: checks that CI can run; exit 3 when something does not match."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from invoke import Collection, Context, Task, task

from . import _adapter as a
from . import citation as _citation
from . import docrules as _docrules
from . import images as _images
from . import manifest as _manifest
from .core.common.starters import STARTER_DOCS

if TYPE_CHECKING:
    from .core.config import Config
    from .core.helm.charts import Release


@task(
    help={
        "tag": "the release tag to check against (e.g. v0.1.8)",
        "version": "the version to check against, instead of --tag",
        "json": "print the result as JSON",
    }
)
def versions(c: Context, tag: str = "", version: str = "", json: bool = False) -> None:
    """Check every version file against the release tag."""
    from .core.common import ci
    from .core.common.errors import UsageError, VerificationFailed
    from .core.tags.schemes import render_tag, version_from_tag
    from .core.versioning.version_files import check_versions
    from .core.versioning.versions import parse_version

    with a.boundary():
        if bool(tag) == bool(version):
            raise UsageError("give exactly one of --tag v0.1.8 or --version 0.1.8")
        cfg = a.config(c)
        expected = version_from_tag(cfg.tag_format, tag) if tag else parse_version(version)
        against = f"tag ({tag})" if tag else f"version ({version})"
        checks = check_versions(cfg.root, cfg.version_files, expected)
        failed = [ch for ch in checks if not ch.ok]
        if json:
            a.emit_json(
                {
                    "tag": tag or render_tag(cfg.tag_format, expected),
                    "version": str(expected),
                    "ok": not failed,
                    "checks": [
                        {
                            "path": ch.occurrence.path,
                            "line": ch.occurrence.line,
                            "target": ch.occurrence.target.label,
                            "found": ch.occurrence.found,
                            "expected": ch.expected,
                            "ok": ch.ok,
                        }
                        for ch in checks
                    ],
                }
            )
        else:
            for ch in checks:
                occ = ch.occurrence
                verdict = "OK" if ch.ok else "MISMATCH"
                a.out(
                    f"{occ.location} {occ.target.label}: {occ.found} (expected {ch.expected}) {verdict}"
                )
        messages = [
            f"{ch.occurrence.location} {ch.occurrence.target.label} ({ch.occurrence.found}) "
            f"does not match {against}"
            for ch in failed
        ]
        if ci.in_github_actions():
            for ch, message in zip(failed, messages, strict=True):
                a.out(ci.error_annotation(message, ch.occurrence.path, ch.occurrence.line))
            ci.append_summary(
                f"### verify.versions: {len(checks) - len(failed)}/{len(checks)} match {against}"
            )
        for message in messages:
            a.note(message)
        if failed:
            raise VerificationFailed(
                f"{len(failed)} of {len(checks)} version files do not match {against}"
            )


@task(help={"json": "print the findings as JSON"})
def tags(c: Context, json: bool = False) -> None:
    """Audit release and Go module tags for consistency."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.tags.audit import audit_tags

    with a.boundary():
        findings, audited = audit_tags(a.config(c))
        if json:
            a.emit_json(
                {
                    "ok": not findings,
                    "audited": audited,
                    "findings": [
                        {"kind": f.kind, "tag": f.tag, "message": f.message} for f in findings
                    ],
                }
            )
        else:
            for f in findings:
                a.out(f"{f.kind}: {f.message}")
            a.out(f"{audited} tags audited, {len(findings)} findings")
        if ci.in_github_actions():
            for f in findings:
                a.out(ci.error_annotation(f.message))
            ci.append_summary(f"### verify.tags: {audited} tags audited, {len(findings)} findings")
        if findings:
            raise VerificationFailed(f"{len(findings)} tag findings; see the list above")


# --- helm charts and CRDs (issue 5) ----------------------------------------------------------


def _release_for(cfg: Config, tag: str) -> Release | None:
    from .core.helm.charts import Release
    from .core.tags.schemes import version_from_tag

    if not tag:
        return None
    return Release(tag, version_from_tag(cfg.tag_format, tag), "--tag")


class _HelmFlags(Task):  # type: ignore[type-arg]
    """A task whose ``values`` flag also answers to ``-f``, as in ``helm template -f``."""

    def arg_opts(self, name: str, default: Any, taken_names: set[str]) -> dict[str, Any]:
        opts: dict[str, Any] = super().arg_opts(name, default, taken_names)
        if name == "values":
            opts["names"] = ["values", "f"]
        return opts


_HELM_TEMPLATE_HELP = {
    "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
    "tag": "release tag the images must carry (default: from the chart's appVersion)",
    "values": "extra values file, like helm -f/--values (repeatable)",
    "set": "extra value, like helm --set k=v (repeatable)",
    "engine": "helm (binary), sdk (helm-python-sdk) or auto",
    "json": "print the result as JSON",
}


@task(
    klass=_HelmFlags,
    aliases=["helm-template-check"],
    help=dict(_HELM_TEMPLATE_HELP),
    iterable=["values", "set"],
)
def helm_template(
    c: Context,
    chart: str = "",
    tag: str = "",
    values: list[str] | None = None,
    set: list[str] | None = None,
    engine: str = "",
    json: bool = False,
) -> None:
    """Render charts and check every image against the tag."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.helm.charts import (
        chart_engine,
        configured_charts,
        read_chart,
        release_from_chart,
        render,
    )
    from .core.helm.images import check_images, describe, find_images

    with a.boundary():
        cfg = a.config(c)
        eng = chart_engine(cfg, engine)
        release = _release_for(cfg, tag)
        report, failures = [], []
        for entry in configured_charts(cfg, chart):
            rel = release or release_from_chart(cfg, entry, read_chart(cfg.root, entry.path))
            found = find_images(
                render(cfg, eng, entry, values or [], set or []), entry.image_patterns
            )
            checks = check_images(found, entry, rel.tag, str(rel.version))
            bad = [ch for ch in checks if not ch.ok]
            failures += [f"{entry.path}: {describe(ch)}" for ch in bad]
            report.append((entry, rel, checks))
            if not json:
                a.out(
                    f"{entry.path}: rendered with {eng.name}, checking against {rel.tag} (from {rel.source})"
                )
                for ch in checks:
                    a.out(f"  {describe(ch)}")
                a.out(f"  {len(checks)} images, {len(bad)} mismatches")
        if json:
            a.emit_json(
                [
                    {
                        "chart": entry.path,
                        "tag": rel.tag,
                        "engine": eng.name,
                        "images": [
                            {
                                "source": ch.found.source if ch.found else None,
                                "where": ch.found.where if ch.found else None,
                                "image": ch.found.image if ch.found else None,
                                "expected": ch.expected,
                                "verdict": ch.verdict,
                            }
                            for ch in checks
                        ],
                    }
                    for entry, rel, checks in report
                ]
            )
        if ci.in_github_actions():
            for message in failures:
                a.out(ci.error_annotation(message))
        if failures:
            raise VerificationFailed(
                f"{len(failures)} image(s) do not match the release:\n" + "\n".join(failures)
            )


@task(
    help={
        "chart": "chart directory (default: helm.charts in releasekit.yaml, else every chart)",
        "tag": "the release tag (default: from each chart's appVersion)",
        "json": "print the result as JSON",
    }
)
def chart(c: Context, chart: str = "", tag: str = "", json: bool = False) -> None:
    """Check appVersion, chart version and the bump rule."""
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.helm.charts import check_chart, configured_charts

    with a.boundary():
        cfg = a.config(c)
        release = _release_for(cfg, tag)
        results = []
        for entry in configured_charts(cfg, chart):
            rel, checks = check_chart(cfg, entry, release)
            results.append((entry, rel, checks))
        failed = [ch for _, _, checks in results for ch in checks if not ch.ok]
        if json:
            a.emit_json(
                [
                    {
                        "chart": entry.path,
                        "tag": rel.tag,
                        "checks": [
                            {"rule": ch.rule, "ok": ch.ok, "message": ch.message} for ch in checks
                        ],
                    }
                    for entry, rel, checks in results
                ]
            )
        else:
            for _, _, checks in results:
                for ch in checks:
                    a.out(f"{'OK      ' if ch.ok else 'MISMATCH'} {ch.message}")
        if ci.in_github_actions():
            for ch in failed:
                a.out(ci.error_annotation(ch.message, f"{ch.chart}/Chart.yaml"))
        if failed:
            raise VerificationFailed("\n".join(ch.message for ch in failed))


@task(help={"json": "print the result as JSON"})
def chart_sync(c: Context, json: bool = False) -> None:
    """Check that chart CRDs match the generated CRDs."""
    from .core.common.errors import ConfigError, VerificationFailed
    from .core.helm.charts import helm_config
    from .core.helm.crd_sync import check_sync

    with a.boundary():
        cfg = a.config(c)
        pairs = helm_config(cfg).crds
        if not pairs:  # a config error (exit 1), like every other one
            raise ConfigError(
                f"no CRD pairs configured; add helm.crds (generated, chart) to {cfg.where()}"
            )
        report = [(pair, check_sync(cfg.root, pair)) for pair in pairs]
        if json:
            a.emit_json(
                [
                    {
                        "generated": pair.generated,
                        "chart": pair.chart,
                        "in_sync": not drifts,
                        "drift": [
                            {"crd": d.name, "problem": d.problem, "diff": d.diff} for d in drifts
                        ],
                    }
                    for pair, drifts in report
                ]
            )
        messages = []
        for pair, drifts in report:
            if not json:
                verdict = "in sync" if not drifts else f"{len(drifts)} CRDs differ"
                a.out(f"{pair.chart} vs {pair.generated}: {verdict}")
                for drift in drifts:
                    a.out(f"  {drift.name}: {drift.problem}")
                    a.out(
                        drift.diff.rstrip("\n") if drift.problem == "differs" else f"  {drift.diff}"
                    )
            if drifts:
                fix = f"; run `{pair.fix}`" if pair.fix else ""
                messages.append(f"{pair.chart} is out of sync with {pair.generated}{fix}")
        if messages:
            raise VerificationFailed("\n".join(messages))


@task(
    help={
        "since": "the ref to compare with (default: the release before --until or HEAD's tag)",
        "until": "the ref to compare (default: the working tree)",
        "path": "CRD directory (default: helm.crds generated dir, else a chart's crds/)",
        "schema-only": "ignore description text, as docs.crd-history --schema-only",
        "json": "print the result as JSON",
    }
)
def crd_changes(
    c: Context,
    since: str = "",
    until: str = "",
    path: str = "",
    schema_only: bool = False,
    json: bool = False,
) -> None:
    """List CRD changes since the previous release."""
    from .core.common import ci
    from .core.common.errors import UsageError
    from .core.helm.charts import release_before
    from .core.helm.crds import changes_between, crd_directory

    with a.boundary():
        cfg = a.config(c)
        directory = crd_directory(cfg, path)
        base = (
            since
            if since
            else release_before(cfg.root, cfg.tag_format, until or None, path=directory)
        )
        if base is None:
            raise UsageError("no release tag to compare with; pass --since <ref>")
        changes = changes_between(cfg.root, directory, base, until or None, schema_only=schema_only)
        upto = until if until else "the working tree"
        if json:
            a.emit_json(
                {
                    "since": base,
                    "until": until or None,
                    "path": directory,
                    "changed": bool(changes),
                    "changes": [ch.as_dict() for ch in changes],
                }
            )
        else:
            a.out(f"CRD changes in {directory} from {base} to {upto}: {len(changes) or 'none'}")
            for change in changes:
                a.out(f"  {change.describe()}")
            if changes:
                a.note(
                    "releasekit: note: helm upgrade does not update CRDs; say so in the release notes"
                )
        ci.set_outputs({"crd_changes": "true" if changes else "false"})


def _print_bytes(lines: tuple[str, ...], stream: object) -> None:
    """Write lines holding file names byte-exact (names need not be UTF-8)."""
    import sys

    target = sys.stdout if stream == "out" else sys.stderr
    target.flush()
    data = b"".join(line.encode("utf-8", "surrogateescape") + b"\n" for line in lines)
    buffer = getattr(target, "buffer", None)
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:
        target.write(data.decode("utf-8", "replace"))
        target.flush()


@task(
    aliases=["sha256sum-check"],
    help={
        "checksums": "the checksum list (GNU or BSD format), e.g. dist/krt_v0.0.3_checksums.txt",
        "ignore-missing": "skip listed files that do not exist (fail if none was verified)",
        "strict": "fail on improperly formatted lines",
        "quiet": "do not print OK lines",
        "status": "print nothing; the exit code tells",
        "warn": "warn about each improperly formatted line",
        "base-dir": "directory the names are relative to (default: the current directory)",
        "allow-outside-base": "allow absolute names and '..' (only for a list you trust)",
        "jobs": "files hashed in parallel (default: one per CPU)",
        "json": "print the verdicts as JSON",
    },
)
def sha256sum(
    c: Context,
    checksums: str,
    ignore_missing: bool = False,
    strict: bool = False,
    quiet: bool = False,
    status: bool = False,
    warn: bool = False,
    base_dir: str = "",
    allow_outside_base: bool = False,
    jobs: int = 0,
    json: bool = False,
) -> None:
    """Check files against a checksum list like sha256sum -c."""
    from pathlib import Path

    from . import _progress
    from .core.artifacts.checksums import CheckOptions, check_checksums, read_checksum_file
    from .core.common import ci

    with a.boundary():
        options = CheckOptions(
            ignore_missing, strict, quiet, status, warn, allow_outside_base, jobs or None
        )
        listing = read_checksum_file(Path(checksums), checksums)
        base = Path(base_dir) if base_dir else Path.cwd()
        with _progress.bytes_progress("sha256") as factory:
            report = check_checksums(listing, base, options, progress_factory=factory)
        if json:
            a.emit_json(
                {
                    "checksums": checksums,
                    "ok": report.ok,
                    "misformatted_lines": list(report.misformatted),
                    "files": [
                        {
                            "name": o.entry.display_name,
                            "line": o.entry.line,
                            "status": o.status,
                            "detail": o.detail,
                        }
                        for o in report.outcomes
                    ],
                }
            )
        else:
            _print_bytes(report.stdout, "out")
        _print_bytes(tuple(f"releasekit: {line}" for line in report.stderr), "err")
        if ci.in_github_actions():
            bad = [o for o in report.outcomes if o.status not in ("OK", "IGNORED")]
            for o in bad:
                message = f"{o.entry.display_name}: {o.status} {o.detail}".rstrip()
                a.out(ci.error_annotation(message, checksums, o.entry.line))
            ci.append_summary(
                f"### verify.sha256sum {checksums}: {report.verified} OK, {len(bad)} failed"
            )
        report.raise_for_failure()


@task(
    help={
        "tag": "the release tag (e.g. v0.0.3)",
        "dir": "directory holding the downloaded assets (default: artifacts.dir)",
        "print": "only print the expected file list",
        "json": "print the result as JSON",
    }
)
def assets(c: Context, tag: str, dir: str = "", print_: bool = False, json: bool = False) -> None:
    """Check release assets against the configured matrix."""
    from .core.artifacts.assets import check_assets, expected_assets
    from .core.common.errors import ConfigError, VerificationFailed
    from .core.tags.schemes import version_from_tag

    with a.boundary():
        cfg = a.config(c)
        if cfg.artifacts is None:
            raise ConfigError(
                f"{cfg.where()}: no artifacts section; add one (every key: {STARTER_DOCS})"
            )
        version = str(version_from_tag(cfg.tag_format, tag))
        if print_:
            names = [x.name for x in expected_assets(cfg.artifacts, tag, version)]
            if json:
                a.emit_json({"tag": tag, "expected": names})
            for name in [] if json else names:
                a.out(name)
            return
        shown = dir or cfg.artifacts.dir
        report = check_assets(cfg.artifacts, cfg.root / shown, tag, version, shown)
        if json:
            a.emit_json(
                {
                    "tag": tag,
                    "ok": report.ok,
                    "expected": [x.name for x in report.expected],
                    "problems": [{"kind": p.kind, "name": p.name} for p in report.problems],
                }
            )
        else:
            for p in report.problems:
                a.out(f"{p.kind}: {p.name}")
            if report.ok:
                a.out(f"{report.directory}: all {len(report.expected)} expected files present")
        if not report.ok:
            raise VerificationFailed("\n".join(p.message for p in report.problems))


@task(
    aliases=["cosign-verify"],
    help={
        "target": "a file (blob) or an image reference (ghcr.io/owner/img:tag)",
        "bundle": "Sigstore bundle for a blob (cosign sign-blob --bundle, *.sigstore.json)",
        "signature": "detached .sig for a blob (needs --certificate)",
        "certificate": "the .crt (Fulcio certificate) that goes with --signature",
        "identity": "exact certificate identity (SAN)",
        "identity-regexp": "regular expression that must match the WHOLE identity",
        "issuer": "OIDC issuer (default: GitHub Actions)",
        "staging": "use the Sigstore staging trust root",
        "trusted-root": "a trusted_root.json for another Sigstore instance",
        "json": "print the result as JSON",
    },
)
def cosign(
    c: Context,
    target: str,
    bundle: str = "",
    signature: str = "",
    certificate: str = "",
    identity: str = "",
    identity_regexp: str = "",
    issuer: str = "https://token.actions.githubusercontent.com",
    staging: bool = False,
    trusted_root: str = "",
    json: bool = False,
) -> None:
    """Verify a blob's Sigstore signature or an image's."""
    from pathlib import Path

    from .core.artifacts import signatures as sig
    from .core.common.errors import UsageError

    with a.boundary():
        policy = sig.IdentityPolicy(
            identity=identity or None, identity_regexp=identity_regexp or None, issuer=issuer
        )
        if not (bundle or signature or certificate) and sig.is_image_reference(target):
            if staging or trusted_root:
                raise UsageError(
                    "--staging/--trusted-root apply to blobs; for an image cosign uses its own "
                    "trust root (set it up with `cosign initialize --mirror ... --root ...`)"
                )
            images = sig.verify_image(target, policy)
            result = {"target": target, "kind": "image", "ok": True}
            result["signatures"] = [vars(s) for s in images]
            lines = [f"{target}: OK ({s.digest} signed by {s.subject})" for s in images]
        else:
            if bool(bundle) == bool(signature or certificate):
                raise UsageError("for a file give --bundle F, or --signature F --certificate F")
            sig.require_pair(
                Path(signature) if signature else None, Path(certificate) if certificate else None
            )
            verifier = sig.make_verifier(
                "staging" if staging else "production", Path(trusted_root) if trusted_root else None
            )
            if bundle:
                res = sig.verify_blob_bundle(Path(target), Path(bundle), policy, verifier)
            else:
                res = sig.verify_blob_signature(
                    Path(target), Path(signature), Path(certificate), policy, verifier
                )
            result = {"target": target, "kind": res.kind, "ok": True, "identity": res.identity}
            result["issuer"] = res.issuer
            lines = [f"{target}: OK (signed by {res.identity}, issuer {res.issuer})"]
        if json:
            a.emit_json(result)
        else:
            for line in lines:
                a.out(line)


@task(
    help={
        "artifact": "the downloaded file the attestation is about",
        "bundle": "attestation bundle (JSON, or JSON lines of bundles)",
        "repo": "owner/name of the repository the artifact was built from",
        "signer-workflow": "[host/]owner/repo/.github/workflows/file.yml that signed it",
        "identity": "exact certificate identity (SAN), instead of or besides --repo",
        "identity-regexp": "regular expression matching the WHOLE identity",
        "issuer": "OIDC issuer (default: GitHub Actions)",
        "predicate-type": "required predicate type (default: SLSA provenance v1)",
        "staging": "use the Sigstore staging trust root",
        "trusted-root": "a trusted_root.json for another Sigstore instance",
        "with-gh": "run `gh attestation verify` instead of verifying in-process",
        "json": "print the result as JSON",
    }
)
def attestation(
    c: Context,
    artifact: str,
    bundle: str = "",
    repo: str = "",
    signer_workflow: str = "",
    identity: str = "",
    identity_regexp: str = "",
    issuer: str = "https://token.actions.githubusercontent.com",
    predicate_type: str = "https://slsa.dev/provenance/v1",
    staging: bool = False,
    trusted_root: str = "",
    with_gh: bool = False,
    json: bool = False,
) -> None:
    """Verify an artifact's signed provenance attestation."""
    from pathlib import Path

    from .core.artifacts import attestations as att
    from .core.artifacts.signatures import IdentityPolicy, make_verifier
    from .core.common.errors import UsageError

    with a.boundary():
        ident = None
        if identity or identity_regexp:
            ident = IdentityPolicy(
                identity=identity or None, identity_regexp=identity_regexp or None, issuer=issuer
            )
        policy = att.AttestationPolicy(
            issuer=issuer,
            repo=repo or None,
            signer_workflow=signer_workflow or None,
            identity=ident,
            predicate_type=predicate_type,
        )
        if with_gh:
            if staging or trusted_root:
                raise UsageError(
                    "--staging/--trusted-root are for the in-process check; gh uses its own "
                    "trust root (drop --with-gh, or see `gh attestation verify --help`)"
                )
            output = att.verify_with_gh(Path(artifact), Path(bundle) if bundle else None, policy)
            a.out(output.rstrip("\n") if json else f"{artifact}: OK (gh attestation verify)")
            return
        if not bundle:
            raise UsageError("give --bundle F (gh attestation download writes it), or --with-gh")
        verifier = make_verifier(
            "staging" if staging else "production", Path(trusted_root) if trusted_root else None
        )
        result = att.verify_attestation(Path(artifact), Path(bundle), policy, verifier)
        if json:
            a.emit_json({"ok": True, **vars(result), "checked": list(result.checked)})
        else:
            a.out(
                f"{artifact}: OK ({result.predicate_type} for {result.digest}, "
                f"signed by {result.signer})"
            )


@task(
    help={
        "tag": "the release tag (e.g. v0.0.3)",
        "dir": "directory holding the downloaded assets (default: artifacts.dir)",
        "json": "print the report as JSON",
    }
)
def artifacts(c: Context, tag: str, dir: str = "", json: bool = False) -> None:
    """Run every configured artifact check; print one report."""
    import sys

    from .core.artifacts.report import rows_as_json, summary_markdown, verify_artifacts
    from .core.common import ci
    from .core.common.errors import VerificationFailed
    from .core.tags.schemes import version_from_tag

    with a.boundary():
        cfg = a.config(c)
        version = str(version_from_tag(cfg.tag_format, tag))
        folder = cfg.root / dir if dir else None
        rows = verify_artifacts(cfg, tag, version, folder)
        failed = [r for r in rows if not r.ok]
        if json:
            a.emit_json(rows_as_json(tag, rows))
        elif sys.stdout.isatty():
            from rich.console import Console
            from rich.table import Table

            table = Table(title=f"verify.artifacts {tag}")
            for column in ("check", "subject", "result", "detail"):
                table.add_column(column, overflow="fold")
            for r in rows:
                verdict = "[green]OK[/]" if r.ok else "[red]FAILED[/]"
                table.add_row(a.redact(r.check), a.redact(r.subject), verdict, a.redact(r.detail))
            Console().print(table)
        else:
            for r in rows:
                a.out(f"{r.check} {r.subject}: {'OK' if r.ok else 'FAILED'} {r.detail}")
        if ci.in_github_actions():
            for r in failed:
                a.out(ci.error_annotation(f"{r.check} {r.subject}: {r.detail}", r.file, r.line))
            ci.append_summary(summary_markdown(tag, rows))
        if failed:
            raise VerificationFailed(
                f"{len(failed)} of {len(rows)} artifact checks failed for {tag}"
            )
        a.note(f"all {len(rows)} artifact checks passed for {tag}")


ns = Collection(
    "verify",
    versions,
    tags,
    helm_template,
    chart,
    chart_sync,
    crd_changes,
    sha256sum,
    assets,
    cosign,
    attestation,
    artifacts,
)
# Published images and charts (tasks/releasekit/images.py).
ns.add_task(_images.verify_images, name="images")
ns.add_task(_images.chart_published, name="chart-published")
# CITATION.cff and docs (citation.py, docrules.py).
ns.add_task(_citation.verify_citation, name="citation")
ns.add_task(_docrules.verify_docs, name="docs")
# The suite release manifest (tasks/releasekit/manifest.py).
ns.add_task(_manifest.verify_manifest, name="manifest")
