#!/usr/bin/env bash
# Builds the release binaries twice, from two clones of HEAD at different
# paths, and fails unless both SHA256SUMS files are identical: the release
# build must not depend on where or when it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(git describe --tags --always 2>/dev/null || echo devel)
for side in a b; do
	git clone -q . "$tmp/$side-tree"
	make -s -C "$tmp/$side-tree" dist VERSION="$version" PLATFORMS="${PLATFORMS:-linux/amd64 darwin/arm64 windows/amd64}" >/dev/null
done
if ! diff -u "$tmp/a-tree/dist/SHA256SUMS" "$tmp/b-tree/dist/SHA256SUMS"; then
	echo "reproducible: the two builds differ" >&2
	exit 1
fi
echo "reproducible: two builds of $version give the same bytes:"
cat "$tmp/a-tree/dist/SHA256SUMS"
