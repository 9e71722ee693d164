"""Finding and rewriting the release version in the files a repository configures.

A target is a path (or glob) plus either literal text with a ``{version}``/``{date}``
placeholder, or a key path into a YAML, JSON or TOML document. Parsers only *locate* the
value; the edit replaces that one token in the original text, so every other byte stays.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import semver

from ..common.confine import confine
from ..common.errors import FileFormatError, ReleaseError, TargetError, VersionError
from ..common.starters import STARTER_DOCS
from ..common.textfile import BOM, FileEdit, line_of, offset_of, read_text
from .config import VersionFile
from .versions import (
    SPELLED_VERSION_PATTERN,
    is_spelled_version,
    parse_version,
    resolve_new_version,
)

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
_YAML_SUFFIXES = (".yaml", ".yml", ".cff")


@dataclass(frozen=True)
class Occurrence:
    """One version (or date) token found in a file for a target."""

    target: VersionFile
    path: str  # as users see it: relative to the repository root, POSIX separators
    real_path: Path  # the file actually holding the bytes (symlinks resolved)
    line: int
    start: int
    end: int
    found: str

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def is_date(self) -> bool:
        return self.target.is_date

    def version(self) -> semver.Version:
        """The version this token spells (for version targets)."""
        return version_in_token(self.found, self.target.format, self.location)


def version_in_token(token: str, fmt: str | None, where: str) -> semver.Version:
    """Read the version out of a token, honouring a ``format`` such as ``v{version}``."""
    if fmt is not None and "{version}" in fmt:
        head, tail = fmt.split("{version}")
        match = re.fullmatch(
            re.escape(head) + f"({SPELLED_VERSION_PATTERN})" + re.escape(tail), token
        )
        if match:
            return parse_version(match.group(1))
    if is_spelled_version(token):
        return parse_version(token)
    raise TargetError(f"{where}: {token!r} is not a SemVer version; fix the file or the target")


def render_token(target: VersionFile, version: semver.Version, found: str) -> str:
    """Spell ``version`` for a target: its ``format`` if set, else the spelling found."""
    if target.format is not None:
        return target.format.replace("{version}", str(version))
    return ("v" if found.startswith("v") else "") + str(version)


# --- pattern targets -------------------------------------------------------------------------


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a target pattern: literal text anchored at word edges, one placeholder group.

    ``VERSION ?= {version}`` matches ``VERSION ?= 0.1.7`` but not ``OPENCODE_VERSION ?= 1.2.3``;
    the version may sit in quotes that the pattern does not spell.
    """
    regex = ""
    for part in re.split(r"(\{version\}|\{date\})", pattern):
        if part == "{version}":
            regex += (
                r"(?P<q>[\"']?)(?P<token>" + SPELLED_VERSION_PATTERN + r")(?P=q)"
                r"(?![0-9A-Za-z+-]|\.[0-9A-Za-z])"
            )
        elif part == "{date}":
            regex += r"(?P<token>" + DATE_PATTERN + r")(?!\d)"
        else:
            regex += re.escape(part)
    if re.match(r"\w", pattern):
        regex = r"(?<![\w.-])" + regex
    if re.search(r"\w$", pattern):
        regex += r"(?!\w)"
    return re.compile(regex)


def _find_pattern(target: VersionFile, text: str) -> list[tuple[int, int]]:
    assert target.pattern is not None
    return [m.span("token") for m in compile_pattern(target.pattern).finditer(text)]


# --- key targets: YAML and JSON through ruamel.yaml, TOML through tomlkit ----------------------


def _yaml_parse(text: str, display: str) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        if exc.problem == "but found another document":  # valid YAML, just not one document
            raise FileFormatError(
                f"{display}{line}: a second YAML document starts here; a key target needs a "
                "single-document file — use a pattern target for multi-document YAML"
            ) from None
        raise FileFormatError(
            f"{display}{line}: not valid YAML: {exc.problem or exc.context}"
        ) from None
    except YAMLError as exc:
        raise FileFormatError(f"{display}: not valid YAML: {exc}") from None


def _walk(node: Any, key: tuple[str, ...], display: str, label: str) -> tuple[Any, Any]:
    """Follow a key path; return (parent, last segment as used for indexing).

    A segment names a mapping key as the file spells it (``9`` finds the YAML integer key 9),
    a list index, or the list item whose ``name`` is the segment (a chart dependency, a
    kustomize ``images:`` entry).
    """
    parent: Any = None
    index: Any = None
    for depth, segment in enumerate(key):
        if depth:
            node = parent[index]
        if isinstance(node, dict):
            found = _mapping_key(node, segment)
            if found is None:
                raise _missing_key(display, label, key[: depth + 1], [str(k) for k in node])
            segment = found
            merged_at = _merged_line(node, segment)
            if merged_at is not None:
                # Inherited through `<<: *anchor`: the bytes belong to the anchored mapping,
                # and editing them there would change every mapping that merges it.
                raise TargetError(
                    f"{display}:{merged_at}: key {'.'.join(key[: depth + 1])} is inherited "
                    f"through a YAML merge key (<<) (target {label}); point the target at the "
                    "anchored mapping that defines it, or write the key out here"
                )
            parent, index = node, segment
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            parent, index = node, int(segment)
        elif isinstance(node, list):
            parent, index = node, _named_item(node, segment, display, label, key[: depth + 1])
        else:
            raise _missing_key(display, label, key[: depth + 1], [])
    return parent, index


def _mapping_key(node: Any, segment: str) -> Any:
    """The key of ``node`` spelled ``segment``: itself, or a non-string key (YAML ``9:``)."""
    if segment in node:
        return segment
    return next((k for k in node if not isinstance(k, str) and str(k) == segment), None)


def _named_item(
    items: list[Any], name: str, display: str, label: str, upto: tuple[str, ...]
) -> int:
    named = [
        i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == name
    ]
    if len(named) > 1:
        raise TargetError(
            f"{display}: {len(named)} items of {'.'.join(upto[:-1])} are named {name!r} "
            f"(target {label}); give the list index instead"
        )
    if not named:
        names = [str(item["name"]) for item in items if isinstance(item, dict) and "name" in item]
        raise _missing_key(display, label, upto, names)
    return named[0]


def _merged_line(node: Any, segment: Any) -> int | None:
    """The mapping's 1-based line when ``segment`` comes only from a YAML merge key."""
    if not hasattr(node, "non_merged_items") or any(
        k == segment for k, _ in node.non_merged_items()
    ):
        return None
    return int(node.lc.line) + 1


class _NotHere(TargetError):
    """The file has no such key (or no scalar there): a glob target skips it, a path fails."""


class KeyNotFound(_NotHere):
    """No such key: ``upto`` is the key path down to the missing segment, ``close`` the
    existing keys (or item names) there that look like it."""

    def __init__(self, message: str, upto: tuple[str, ...], close: tuple[str, ...]) -> None:
        super().__init__(message)
        self.upto, self.close = upto, close

    def suggestion(self) -> str:
        """``did you mean a.b.c?`` for a near miss, else empty."""
        if not self.close:
            return ""
        head = ".".join(self.upto[:-1])
        spelled = [f"{head}.{c}" if head else c for c in self.close]
        return f"did you mean {' or '.join(spelled)}?"


def _missing_key(display: str, label: str, upto: tuple[str, ...], there: list[str]) -> KeyNotFound:
    import difflib

    close = tuple(difflib.get_close_matches(upto[-1], there, n=2, cutoff=0.6))
    error = KeyNotFound("", upto, close)
    hint = f"; {error.suggestion()}" if close else ""
    error.args = (
        f"{display}: key {'.'.join(upto)} not found (target {label}){hint}; "
        "add it to the file or fix the key in releasekit.yaml",
    )
    return error


def _scalar_span(text: str, offset: int, flow: bool, where: str) -> tuple[int, int]:
    """Span of a YAML/JSON scalar's characters starting at ``offset``, without quotes."""
    ch = text[offset]
    if ch == '"':
        end = offset + 1
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        inner = (offset + 1, end)
        if "\\" in text[inner[0] : inner[1]]:
            raise TargetError(f"{where}: escaped characters in a version string are not supported")
        return inner
    if ch == "'":
        end = text.index("'", offset + 1)
        return offset + 1, end
    if ch in "|>*&!":
        raise TargetError(
            f"{where}: the value is a block scalar, alias or tagged value; "
            "write the version as a plain or quoted scalar"
        )
    stop = len(text)
    for terminator in ("\n", " #", "\t#", *((",", "}", "]") if flow else ())):
        found = text.find(terminator, offset)
        if 0 <= found < stop:
            stop = found
    while stop > offset and text[stop - 1] in " \t\r":
        stop -= 1
    return offset, stop


def _find_yaml_key(
    target: VersionFile, text: str, display: str, is_json: bool
) -> list[tuple[int, int]]:
    key = target.key_path
    assert key is not None
    body = text
    if is_json:
        try:
            json.loads(body)
        except json.JSONDecodeError as exc:
            raise FileFormatError(f"{display}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    data = _yaml_parse(body, display)
    parent, index = _walk(data, key, display, target.label)
    value = parent[index]
    if isinstance(value, dict | list) or value is None:
        raise _NotHere(
            f"{display}: {target.label} is not a scalar value; point the key at the version"
        )
    lc: Any = parent.lc
    line, column = lc.value(index) if isinstance(parent, dict) else lc.item(index)
    offset = offset_of(body, line, column)
    start, end = _scalar_span(body, offset, is_json or _in_flow(parent), f"{display}:{line + 1}")
    return [(start, end)]


def _in_flow(parent: Any) -> bool:
    """Whether the value sits in a flow collection (``{a: 1, b: 2}``), even one spread over
    several lines, where ``,``, ``}`` and ``]`` end a plain scalar."""
    return bool(parent.fa.flow_style())


def _find_toml_key(target: VersionFile, text: str, display: str) -> list[tuple[int, int]]:
    import tomlkit
    import tomlkit.exceptions
    import tomlkit.items

    key = target.key_path
    assert key is not None
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise FileFormatError(f"{display}:{exc.line}: not valid TOML: {exc}") from None
    parent, index = _walk(doc, key, display, target.label)
    item = parent[index]
    if not isinstance(item, tomlkit.items.String) or item.type.is_multiline():
        raise TargetError(f"{display}: {target.label} is not a single-line TOML string")
    token = item.as_string()
    # tomlkit keeps no positions, but it round-trips untouched text exactly: replace the value
    # with a marker, and the marker's offset in the dump is the token's offset in the original.
    marker = "releasekit-locate-7f3a9c"
    parent[index] = marker
    dumped = tomlkit.dumps(doc)
    start = dumped.find('"' + marker)
    if start < 0 or dumped[:start] != text[:start] or text[start : start + len(token)] != token:
        raise TargetError(f"{display}: cannot locate {target.label} exactly; use a pattern target")
    quote = 3 if token.startswith(('"""', "'''")) else 1
    return [(start + quote, start + len(token) - quote)]


def _find_key(target: VersionFile, text: str, display: str) -> list[tuple[int, int]]:
    # Parsers see the text without a BOM; offsets are shifted back onto the original text.
    body = text[1:] if text.startswith(BOM) else text
    shift = len(text) - len(body)
    suffix = Path(display).suffix.lower()
    if suffix in _YAML_SUFFIXES:
        spans = _find_yaml_key(target, body, display, is_json=False)
    elif suffix == ".json":
        spans = _find_yaml_key(target, body, display, is_json=True)
    elif suffix == ".toml":
        spans = _find_toml_key(target, body, display)
    else:
        raise _NotHere(
            f"{display}: cannot tell the file format for key {target.label}; key targets support "
            f"{', '.join(_YAML_SUFFIXES)}, .json and .toml — use a pattern target for other files"
        )
    return [(start + shift, end + shift) for start, end in spans]


def locate_key(text: str, display: str, key: tuple[str, ...]) -> tuple[int, int]:
    """The span of the scalar at ``key`` in a YAML (.yaml .yml .cff), JSON or TOML text,
    quotes excluded: what release.pin, release.set and verify.docs edit or read.

    Raises:
        KeyNotFound: no such key (with the near misses).
        TargetError: the value is not a plain or quoted scalar, or the format is unknown.
        FileFormatError: the text does not parse.
    """
    [span] = _find_key(VersionFile(display, key=key), text, display)
    return span


def key_value(text: str, display: str, key: tuple[str, ...]) -> Any:
    """The value at ``key`` as a reader of the file gets it (a YAML ``3.9`` is a float), to
    check that an edited token still reads back as what was written.

    Raises:
        KeyNotFound, FileFormatError: as :func:`locate_key`.
    """
    body = text[1:] if text.startswith(BOM) else text
    label = VersionFile(display, key=key).label
    if Path(display).suffix.lower() == ".toml":
        import tomlkit
        import tomlkit.exceptions

        try:
            doc = tomlkit.parse(body)
        except tomlkit.exceptions.ParseError as exc:
            raise FileFormatError(f"{display}:{exc.line}: not valid TOML: {exc}") from None
        parent, index = _walk(doc, key, display, label)
        return parent[index]
    parent, index = _walk(_yaml_parse(body, display), key, display, label)
    return parent[index]


def matching_files(root: Path, path: str) -> list[Path]:
    """The files a configured path names: the file itself, or a glob's matches that git sees.

    Raises:
        TargetError: a plain path is not a file, or a glob matches nothing.
    """
    visible = functools.cache(lambda: _visible_files(root))
    return _target_files(root, VersionFile(path, key=("",)), visible)


# --- finding occurrences ---------------------------------------------------------------------


def _visible_files(root: Path) -> frozenset[str] | None:
    """Files git sees (tracked, or untracked and not ignored); None outside a work tree.

    A glob such as ``**/*.md`` must not edit ``node_modules/`` or a build's ``dist/``: what
    .gitignore hides is not part of the release.
    """
    from ..common.process import run

    result = run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=False,
    )
    if result.returncode != 0:
        return None
    return frozenset(name for name in result.stdout.split("\0") if name)


def _target_files(
    root: Path, target: VersionFile, visible: Callable[[], frozenset[str] | None]
) -> list[Path]:
    if target.is_glob:
        shown = visible()
        files = sorted(
            p
            for p in root.glob(target.path)
            if p.is_file() and ".git" not in p.parts and _seen_by_git(root, p, shown)
        )
        if not files:
            raise TargetError(
                f"{target.origin}: path {target.path!r} matches no file; fix the glob or remove the target"
            )
        return files
    path = root / target.path
    if not path.is_file():
        raise TargetError(
            f"{target.path}: file not found (target at {target.origin}); "
            "fix the path or remove the target"
        )
    return [path]


def _seen_by_git(root: Path, path: Path, shown: frozenset[str] | None) -> bool:
    """Whether a glob match is a file git sees. Below a symlinked directory that git tracks,
    git sees only the link: such a match counts, so that confinement refuses a link out."""
    if shown is None:
        return True
    rel = path.relative_to(root)
    if rel.as_posix() in shown:
        return True
    return any(parent.as_posix() in shown for parent in rel.parents if parent.parts)


def find_occurrences(root: Path, targets: Sequence[VersionFile]) -> list[Occurrence]:
    """Locate every configured target's token.

    Raises:
        TargetError: a plain target does not match its file, or a glob matches nothing.
        FileFormatError: a file is not UTF-8 or not valid YAML/JSON/TOML.
    """
    texts: dict[Path, str] = {}
    found: list[Occurrence] = []
    visible = functools.cache(lambda: _visible_files(root))
    seen: set[tuple[Path, int, VersionFile]] = set()
    real_root = root.resolve()
    for target in targets:
        hits_for_target = 0
        for path in _target_files(root, target, visible):
            # A symlink (AGENTS.md -> CLAUDE.md) is reported and edited as the file it points
            # to; one that leads out of the work tree (docs/x.md -> /elsewhere) is an error.
            real = confine(root, path, what="version file")
            display = Path(os.path.relpath(real, real_root)).as_posix()
            if real not in texts:
                texts[real] = read_text(real, display)
            text = texts[real]
            try:
                spans = (
                    _find_pattern(target, text)
                    if target.pattern is not None
                    else _find_key(target, text, display)
                )
            except _NotHere:
                # Only a file without the key is not this glob's; a key whose value cannot be
                # edited (alias, escapes, merge key...) is an error, never a silent skip.
                if target.is_glob and target.key is not None:
                    continue
                raise
            if not spans and not target.is_glob:
                raise TargetError(
                    f"{display}: pattern {target.pattern!r} not found (target at {target.origin}); "
                    "restore the line or fix the pattern"
                )
            for start, end in spans:
                if (real, start, target) in seen:
                    hits_for_target += 1
                    continue
                seen.add((real, start, target))
                occurrence = Occurrence(
                    target, display, real, line_of(text, start), start, end, text[start:end]
                )
                _validate_token(occurrence)
                found.append(occurrence)
                hits_for_target += 1
        if target.is_glob and hits_for_target == 0:
            raise TargetError(
                f"{target.origin}: no file matching {target.path!r} contains {target.pattern or target.label!r}; "
                "fix the pattern or remove the target"
            )
    return found


def _validate_token(occurrence: Occurrence) -> None:
    if occurrence.is_date:
        if re.fullmatch(DATE_PATTERN, occurrence.found) is None:
            raise TargetError(
                f"{occurrence.location}: {occurrence.found!r} is not an ISO date (YYYY-MM-DD)"
            )
        return
    occurrence.version()


# --- bump --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A token that the bump rewrites."""

    occurrence: Occurrence
    new: str


@dataclass(frozen=True)
class BumpPlan:
    """Everything a bump will do, computed and validated before anything is written."""

    current: semver.Version | None
    new_version: semver.Version
    changes: tuple[Change, ...]
    out_of_step: tuple[Occurrence, ...]
    edits: tuple[FileEdit, ...]

    @property
    def is_noop(self) -> bool:
        return not self.edits


def plan_bump(
    root: Path,
    targets: Sequence[VersionFile],
    requested: str,
    *,
    today: dt.date,
    prerelease_token: str = "rc",
    allow_downgrade: bool = False,
) -> BumpPlan:
    """Compute the edits that set every target to a new version.

    The current version is the highest one found; targets holding an older one are reported
    as out of step and set like the others.

    Raises:
        VersionError: bad version/keyword, or a downgrade without ``allow_downgrade``.
        TargetError, FileFormatError: a target cannot be found or read.
    """
    if not targets:
        raise TargetError(
            f"no version_files are configured; add them to releasekit.yaml (every key: {STARTER_DOCS})"
        )
    occurrences = find_occurrences(root, targets)
    versioned = [o for o in occurrences if not o.is_date]
    current = max((o.version() for o in versioned), default=None)
    new_version = resolve_new_version(requested, current, prerelease_token)
    if current is not None and new_version < current and not allow_downgrade:
        holder = next(o for o in versioned if o.version() == current)
        raise VersionError(
            f"{new_version} is lower than the current version {current} ({holder.location}); "
            "pass --allow-downgrade to set it anyway"
        )
    out_of_step = tuple(o for o in versioned if current is not None and o.version() != current)
    changes = [Change(o, render_token(o.target, new_version, o.found)) for o in versioned]
    changes = [c for c in changes if c.new != c.occurrence.found]
    if changes:
        changes += [
            Change(o, today.isoformat())
            for o in occurrences
            if o.is_date and o.found != today.isoformat()
        ]
    return BumpPlan(current, new_version, tuple(changes), out_of_step, _edits(changes))


def _edits(changes: Sequence[Change]) -> tuple[FileEdit, ...]:
    by_file: dict[Path, dict[tuple[int, int], Change]] = {}
    for change in changes:
        occ = change.occurrence
        spans = by_file.setdefault(occ.real_path, {})
        previous = spans.get((occ.start, occ.end))
        if previous is not None and previous.new != change.new:
            raise TargetError(
                f"{occ.location}: targets {previous.occurrence.target.label!r} and "
                f"{occ.target.label!r} want {previous.new!r} and {change.new!r} in the same place; "
                "give them the same format"
            )
        spans[(occ.start, occ.end)] = change
    for spans in by_file.values():
        ordered = sorted(spans.items())
        for (span_a, a), (span_b, b) in itertools.pairwise(ordered):
            if span_b[0] < span_a[1]:  # one token seen by two targets with different bounds
                raise TargetError(
                    f"{b.occurrence.location}: targets {a.occurrence.target.label!r} "
                    f"({a.occurrence.found!r}) and {b.occurrence.target.label!r} "
                    f"({b.occurrence.found!r}) overlap on one version; keep one of them in "
                    "releasekit.yaml"
                )
    edits = []
    for real_path, spans in by_file.items():
        first = next(iter(spans.values())).occurrence
        old = read_text(real_path, first.path)
        new = old
        for (start, end), change in sorted(spans.items(), reverse=True):
            if old[start:end] != change.occurrence.found:  # the offsets are from the first read
                raise ReleaseError(
                    f"{first.path} changed on disk while releasekit was running; "
                    "nothing was written — run the task again"
                )
            new = new[:start] + change.new + new[end:]
        edits.append(FileEdit(first.path, real_path, old, new))
    return tuple(edits)


# --- verify ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionCheck:
    """The verdict for one version token against the expected release."""

    occurrence: Occurrence
    expected: str
    ok: bool


def check_versions(
    root: Path, targets: Sequence[VersionFile], expected: semver.Version
) -> list[VersionCheck]:
    """Compare every version target with ``expected``.

    Without a ``format`` a token matches when the versions are equal ignoring a ``v``; with a
    ``format`` the spelling must match too.
    """
    if not targets:
        raise TargetError(
            f"no version_files are configured; add them to releasekit.yaml (every key: {STARTER_DOCS})"
        )
    checks = []
    for occ in find_occurrences(root, targets):
        if occ.is_date:
            continue
        if occ.target.format is not None:
            want = render_token(occ.target, expected, occ.found)
            ok = occ.found == want
        else:
            want = str(expected)
            ok = occ.version() == expected
        checks.append(VersionCheck(occ, want, ok))
    return checks
