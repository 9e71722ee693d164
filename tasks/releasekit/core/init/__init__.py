"""``releasekit init``: read a repository's layout and write the releasekit.yaml it implies.

:mod:`.detect` finds what a release touches (version strings, charts, CRDs, the changelog, Go
modules, release workflows) and keeps only the version files that agree with the current
release tag, so ``verify.versions`` passes on the config it writes; :mod:`.render` words that
config as commented YAML from the config models' own descriptions.
"""
