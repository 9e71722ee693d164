"""Release notes: the previous release, entries from the history or the changelog, facts of
the release (images, charts, verification, CRDs) and the outlines they are rendered in.
"""
