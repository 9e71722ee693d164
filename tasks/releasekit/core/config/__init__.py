"""releasekit.yaml: typed section models owned by their domains, one loader, generated docs.

Each domain declares its section (``core/<domain>/config.py``); :mod:`.model` joins them into
the root model, :mod:`.loader` finds and reads the file (and the invoke.yaml ``releasekit:``
layer, which releasekit.yaml overrides key by key), :mod:`.explain` words the errors, and
:mod:`.reference` generates the JSON Schema, the commented starter releasekit.yaml and the
reference tables in README.md and docs/ from the same models (``inv generate``).

Adding a section (or a key) — the conventions every section follows:

- ``class MySection(Section, frozen=True):`` — :class:`..common.section.Section` is a
  ``msgspec.Struct`` with ``forbid_unknown_fields``, ``frozen`` and ``kw_only``; repeat
  ``frozen=True`` on each class (mypy reads it per class), and a small value type that callers
  build positionally, such as ``VersionFile(path, ...)``, may say ``kw_only=False``. Field
  names are the YAML keys; put the module at ``core/<domain>/config.py``.
- Lists are tuples (``tuple[Text, ...]``); ``Text`` is a string that must not be empty; a
  fixed set of words is a ``Literal``; an optional section is ``X | None = None``.
- Every field is ``Annotated[type, msgspec.Meta(description=...)]``: the description feeds
  the schema, the starter's comments and the docs tables. ``examples=[...]`` is what the
  starter shows instead of the default. ``extra={"needs": ...}`` words a missing required
  key (``needs a path``), ``extra={"expected": ...}`` a wrong value (``must be one of ...``),
  ``extra={"wrong": "must ..., not {value}"}`` the whole complaint about a wrong type.
- Semantic checks (a template holds ``{version}`` once, a path stays inside the repository, a
  regex compiles, a digest is well formed) go in ``__post_init__``: raise
  :class:`..common.section.FieldError` naming the key (``FieldError("values[1]", "must be a
  path inside the repository")``) so the message carries its line, or ValueError for the
  section as a whole. Reprint user values through :func:`..common.excerpt.excerpt`.
- Join the section to :class:`.model.Settings` with a description and ``extra={"docs": ...}``,
  then run ``inv generate``; ``tests/core/test_config_generated.py`` fails until you do.

Consumers read ``config.<section>`` (``None`` when absent) and each section's attributes;
``section.origin`` is the file and line where it was written.
"""

from __future__ import annotations

from ..artifacts.config import ArtifactsConfig, AssetMatrix, AttestationsConfig, SigningConfig
from ..changelog.config import ChangelogConfig
from ..common.network import Network
from ..common.section import CONFIG_FILE, FieldError, Origin, Section
from ..defaults import DEFAULTS
from ..helm.config import ChartConfig, CrdSync, HelmConfig
from ..registry.config import RegistryConfig
from ..tags.config import TagsConfig, tags_config
from ..versioning.config import VersionFile
from .loader import find_config_file, load_config
from .model import Config, Settings

__all__ = [
    "CONFIG_FILE",
    "DEFAULTS",
    "ArtifactsConfig",
    "AssetMatrix",
    "AttestationsConfig",
    "ChangelogConfig",
    "ChartConfig",
    "Config",
    "CrdSync",
    "FieldError",
    "HelmConfig",
    "Network",
    "Origin",
    "RegistryConfig",
    "Section",
    "Settings",
    "SigningConfig",
    "TagsConfig",
    "VersionFile",
    "find_config_file",
    "load_config",
    "tags_config",
]
