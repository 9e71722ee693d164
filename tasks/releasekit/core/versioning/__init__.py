"""Versions and where a repository writes them: SemVer parsing, version-file targets
(patterns and YAML/JSON/TOML keys), the byte-exact bump and release.prepare.
"""
