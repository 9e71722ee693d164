"""Fan-out for CI: the release's independent checks as slices, and their results merged.

:mod:`.checks` lists the checks a repository's config asks for (one per chart, and one per
image where the config names several); a CI matrix runs one slice per job, and :mod:`.merge` joins the slices' ``--json``
envelopes into one result with the exit code one unsplit run would have. The CI system is the
distributed engine: releasekit never schedules anything itself.
"""
