"""Docs that follow the release: stale versions, docs that must change with their sources,
and compatibility tables that must equal go.mod, Makefiles, Dockerfiles and pyproject."""
