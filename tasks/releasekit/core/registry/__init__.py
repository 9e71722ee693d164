"""OCI registries over the distribution API: digests, manifests and authentication
challenges, shared by chart pushes and image checks.
"""
