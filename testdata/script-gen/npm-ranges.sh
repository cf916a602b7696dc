#!/bin/sh
# Regenerates testdata/ranges/npm-ranges.tsv: declared-range test cases with
# the answer of npm's own semver package (the one npm 11 resolves ranges with).
#
# Cases come from two places: the range tables of node-semver's own test suite
# (semver@5.0.0 is the last release that ships test/index.js in its tarball),
# and npm-ranges-extra.txt (forms a declared dependency uses: x-ranges, hyphens
# with partial versions, "||" unions, prerelease rules, dist-tags, URLs). The
# expected column is always computed by the current semver release, so the
# table says what npm does today, not what semver 5 thought.
#
# Needs node and npm with access to the npm registry. Run from anywhere:
#   sh testdata/script-gen/npm-ranges.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$here/../ranges/npm-ranges.tsv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir old new
npm pack semver@5.0.0 --silent >/dev/null
npm pack semver@7 --silent >/dev/null
tar xzf semver-5.0.0.tgz -C old
tar xzf "$(ls semver-7.*.tgz)" -C new
node "$here/npm-ranges.js" old/package/test/index.js "$here/npm-ranges-extra.txt" new/package >"$out"
echo "wrote $out ($(wc -l <"$out") lines) with semver $(node -p "require('./new/package/package.json').version")"
