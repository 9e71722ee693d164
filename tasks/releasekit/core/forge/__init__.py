"""Forge releases and pull requests over REST (GitHub, Gitea/Forgejo): create or update a
release idempotently, upload and re-check its assets, then publish it.
"""
