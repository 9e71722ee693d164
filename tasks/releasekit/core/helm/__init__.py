"""Helm charts and CRDs: render engines, chart versions and images, CRD sync and change
history, and packaging and pushing charts to an OCI registry.
"""
