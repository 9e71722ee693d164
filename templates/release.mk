# Release targets backed by releasekit. Copy next to your Makefile and add `include release.mk`.
#   make release-prepare RELEASE_VERSION=0.1.8    release branch, bump and signed-off commit
#   make verify-versions RELEASE_VERSION=v0.1.8   every version file against tag v0.1.8 (exit 3)
#
# RELEASE_VERSION, not VERSION: operator-scaffold Makefiles already set `VERSION ?= ...` (the
# version being built), and a command-line VERSION= would override it for the whole Makefile.
# 0.1.8 and v0.1.8 mean the same release; the tag is $(TAG_PREFIX) + the version (never vv0.1.8).
RELEASEKIT ?= releasekit
TAG_PREFIX ?= v
# Included above your first target, these targets must not become what a bare `make` runs.
RELEASE_MK_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# The version without a leading v, and its tag.
RELEASE_VERSION_NUMBER = $(patsubst v%,%,$(strip $(RELEASE_VERSION)))
RELEASE_TAG = $(TAG_PREFIX)$(RELEASE_VERSION_NUMBER)

.PHONY: require-release-version release-bump release-bump-dry-run release-prepare verify-versions

require-release-version:
	@test -n "$(RELEASE_VERSION_NUMBER)" || { \
	  echo "RELEASE_VERSION is required, e.g. make $(or $(MAKECMDGOALS),release-prepare) RELEASE_VERSION=0.1.8$(if $(filter command line,$(origin VERSION)), (VERSION= is this Makefile's own variable; releasekit reads RELEASE_VERSION))" >&2; \
	  exit 2; }

release-bump: require-release-version ## Set RELEASE_VERSION in every version file
	$(RELEASEKIT) release.bump $(RELEASE_VERSION_NUMBER)

release-bump-dry-run: require-release-version ## Show the diffs release-bump would make
	$(RELEASEKIT) release.bump $(RELEASE_VERSION_NUMBER) --dry-run

release-prepare: require-release-version ## Release branch + bump + signed-off commit
	$(RELEASEKIT) release.prepare $(RELEASE_VERSION_NUMBER)

verify-versions: require-release-version ## Check every version file against the tag
	$(RELEASEKIT) verify.versions --tag $(RELEASE_TAG)

.DEFAULT_GOAL := $(RELEASE_MK_DEFAULT_GOAL)
