"""Mechanisms every domain shares: errors, running programs, git, the network, redaction,
CI output, exact-text files and the edit transaction, templates and the starter files.
"""
