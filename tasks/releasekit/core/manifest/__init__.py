"""The suite release manifest (``suite-{version}.yaml``): modules with image digests, charts,
CLI archives and the checksums file, written deterministically and verified again.
"""
