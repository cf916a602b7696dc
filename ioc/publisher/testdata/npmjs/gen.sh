#!/usr/bin/env bash
# gen.sh fetches real packuments for ioc/publisher's supplier tests, as the
# npm registry reachable from the build machine serves them to
# GET /NAME with Accept: application/json (what --registry asks for and
# caches). That registry serves a trimmed document: per-version author and
# maintainers, but no top-level maintainers and no _npmUser.
#
#   left-pad  the string form of an author ("azer"), per-version maintainers
#             from 1.0.1 on
#   isarray   an author object with email and url, no maintainers
#
# ../abbreviated/mcp-mail-relay.json is the abbreviated packument
# (application/vnd.npm.install-v1+json) real npm 10 cached, copied from
# lockfiles/host/testdata/real/npm10 (made by that directory's gen.sh): it
# carries neither author nor maintainers.
#
# Run from this directory: bash gen.sh
set -euo pipefail
cd "$(dirname "$0")"
reg=https://registry.npmjs.org
mkdir -p full
for name in left-pad isarray; do
	curl -fsS -H 'Accept: application/json' "$reg/$name" -o "full/$name.json"
done
