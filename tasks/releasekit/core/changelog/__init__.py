"""Changelogs: Keep a Changelog files (lint, release a version), Conventional Commits
read from git, and generation of Unreleased or every release through a template.
"""
