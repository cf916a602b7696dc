#!/usr/bin/env bash
# Regenerates the real client output in this directory: each case is a
# project whose lockfile was written by the real npm, yarn or pnpm client
# against registry.mjs, a local registry on 127.0.0.1 serving look-alike
# packages (no network besides the npm registry to install the clients).
#
#   bash testdata/lockfiles/clients/gen.sh
#
# Clients: npm as installed (npm 11), yarn 1.22.22 and pnpm 7.33.7 (which
# writes lockfileVersion 5.4), installed into a temporary prefix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
P1=${P1:-47311} P2=${P2:-47312}
tmp=$(mktemp -d)
trap 'kill "$reg" 2>/dev/null || true; rm -rf "$tmp"' EXIT

npm i --silent --prefix "$tmp/clients" yarn@1.22.22 pnpm@7.33.7 >/dev/null
yarn=$tmp/clients/node_modules/.bin/yarn
pnpm=$tmp/clients/node_modules/.bin/pnpm

node "$here/registry.mjs" "$P1" "$P2" >"$tmp/registry.log" 2>&1 &
reg=$!
for _ in $(seq 120); do grep -q ready "$tmp/registry.log" 2>/dev/null && break; sleep 1; done
grep -q ready "$tmp/registry.log"

export npm_config_cache=$tmp/npm-cache YARN_CACHE_FOLDER=$tmp/yarn-cache
reg1=http://127.0.0.1:$P1/

# npm 11: a dev-only file: dependency. npm writes "dev": true on the link
# target's entry (deps/etag), not on node_modules/etag.
d=$here/npm-link-dev
rm -rf "$d" && mkdir -p "$d/deps/etag"
cat >"$d/package.json" <<'J'
{
  "name": "link-dev",
  "version": "1.0.0",
  "dependencies": { "wrappy": "1.0.2" },
  "devDependencies": { "etag": "file:./deps/etag" }
}
J
cat >"$d/deps/etag/package.json" <<'J'
{ "name": "etag", "version": "1.8.0" }
J
(cd "$d" && npm install --registry "$reg1" --ignore-scripts --no-audit --no-fund --silent && rm -rf node_modules)
npm --version >"$d/CLIENT"

# yarn 1.22: resolutions that point at npm aliases, one of them at the
# malicious postmark-mcp version (a look-alike package here). Resolutions
# apply to transitive dependencies; yarn then lists the range and the alias
# descriptor on one entry.
d=$here/yarn-alias-resolutions
rm -rf "$d" && mkdir -p "$d"
cat >"$d/package.json" <<'J'
{
  "name": "alias-resolutions",
  "version": "1.0.0",
  "license": "MIT",
  "dependencies": {
    "uses-resize-observer": "^2.0.0",
    "mail-toolkit": "^3.0.0"
  },
  "resolutions": {
    "resize-observer-polyfill": "npm:@4lolo/resize-observer-polyfill@1.5.2",
    "foo": "npm:postmark-mcp@1.0.17"
  }
}
J
(cd "$d" && "$yarn" install --registry "$reg1" --ignore-scripts --non-interactive --silent --no-progress && rm -rf node_modules)
"$yarn" --version >"$d/CLIENT"

# pnpm 7 (lockfileVersion 5.4): a scope served by a second registry. A
# package resolved from a registry other than the default one for the name
# it is installed under is keyed with that registry's host in front.
d=$here/pnpm-v5-registry-host
rm -rf "$d" && mkdir -p "$d"
cat >"$d/package.json" <<'J'
{
  "name": "registry-host",
  "version": "1.0.0",
  "dependencies": { "@foo/bar": "1.1.0", "@foo/positive": "npm:is-positive@3.1.0" }
}
J
printf 'registry=%s\n@foo:registry=http://127.0.0.1:%s/\n' "$reg1" "$P2" >"$d/.npmrc"
(cd "$d" && "$pnpm" install --lockfile-only --ignore-scripts --store-dir "$tmp/pnpm-store" --reporter silent)
"$pnpm" --version >"$d/CLIENT"

echo "generated: npm-link-dev yarn-alias-resolutions pnpm-v5-registry-host"
