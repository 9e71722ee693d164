"""Release artifacts: sha256sum lists (check and write), the asset matrix, Sigstore
bundles and attestations, and the combined verify.artifacts report.
"""
