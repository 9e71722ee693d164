# Release targets backed by releasekit. Copy next to your Makefile and add `include release.mk`.
#   make release-prepare VERSION=0.1.8    release branch, bump and signed-off commit
#   make verify-versions VERSION=0.1.8    every version file against tag v0.1.8 (exit 3 on mismatch)
RELEASEKIT ?= releasekit
TAG_PREFIX ?= v

.PHONY: release-bump release-bump-dry-run release-prepare verify-versions

require-version:
	@test -n "$(VERSION)" || { echo "VERSION is required, e.g. make $(MAKECMDGOALS) VERSION=0.1.8" >&2; exit 2; }

release-bump: require-version ## Set VERSION in every version file
	$(RELEASEKIT) release.bump $(VERSION)

release-bump-dry-run: require-version ## Show the diffs release-bump would make
	$(RELEASEKIT) release.bump $(VERSION) --dry-run

release-prepare: require-version ## Release branch + bump + signed-off commit
	$(RELEASEKIT) release.prepare $(VERSION)

verify-versions: require-version ## Check every version file against the tag
	$(RELEASEKIT) verify.versions --tag $(TAG_PREFIX)$(VERSION)
