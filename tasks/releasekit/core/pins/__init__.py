"""Pins: the tested value written into deployment files for a release and reverted after it,
release-time keys (versions.yaml, chart dependencies), key get/set and CITATION.cff."""
