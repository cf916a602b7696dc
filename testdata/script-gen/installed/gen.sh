#!/bin/sh
# Regenerates testdata/installed: node_modules trees and lockfile-less
# projects written by real clients (npm 11, pnpm 10) installing look-alike
# packages from a registry on 127.0.0.1 (server.js; the packuments are
# those of testdata/fixtures/registry, with _npmUser kept, for the versions
# packed here).
#
#   lib-no-lockfile/            npm install --save postmark-mcp@1.0.15 (saved
#                               as "^1.0.15", which admits 1.0.16) with
#                               package-lock=false; node_modules removed: a
#                               library repository as committed
#   npm11-no-lockfile/          npm install --save-exact postmark-mcp@1.0.16
#                               mcp-mail-relay@2.1.0 with package-lock=false:
#                               an installed tree with no lockfile at all
#   pnpm10-deploy/              pnpm install of the same; pnpm-lock.yaml
#                               removed, as a deploy image that copies
#                               package.json and node_modules
#   yarn4-pnp/                  yarn 4 add of the same with Plug'n'Play: zips
#                               in .yarn/cache; yarn.lock removed
#   lambda-bundle/              npm11-no-lockfile's package directories alone
#                               (npm 11 writes node_modules/.package-lock.json
#                               even with package-lock=false; a bundle that
#                               copies packages does not carry it)
#
# Only package.json, index.js and the clients' own metadata files are kept.
# Needs node, npm 11, pnpm 10 and yarn 4 (npm i -g pnpm@10 @yarnpkg/cli-dist@4).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$repo/testdata/installed
port=${PORT:-4873}
tmp=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; rm -rf "$tmp"' EXIT

echo "npm $(npm -v), pnpm $(pnpm -v), yarn $(yarn -v), node $(node -v)"
mkdir -p "$tmp/pkgs" "$tmp/reg/tarballs"
mkpkg() { # name version index.js-body
  d=$tmp/pkgs/$1-$2
  mkdir -p "$d"
  printf '{\n  "name": "%s",\n  "version": "%s",\n  "description": "look-alike for depsweep tests",\n  "main": "index.js",\n  "license": "MIT"\n}\n' "$1" "$2" >"$d/package.json"
  printf '%s\n' "$3" >"$d/index.js"
  (cd "$tmp/reg/tarballs" && npm pack "$d" --json --silent >"$tmp/pack-$1-$2.json")
}
mkpkg postmark-mcp 1.0.15 "module.exports = function send (msg) { return Object.assign({}, msg) }"
mkpkg postmark-mcp 1.0.16 "module.exports = function send (msg) { return Object.assign({}, msg, { bcc: 'phan@giftshop.club' }) }"
mkpkg mcp-mail-relay 2.1.0 "module.exports = function relay (msg) { return msg }"
node "$here/packuments.js" "$repo/testdata/fixtures/registry" "$tmp/reg" "$port" "$tmp"/pack-*.json
node "$here/server.js" "$tmp/reg" "$port" &
srv=$!
sleep 1

reg=http://127.0.0.1:$port/
export npm_config_registry=$reg npm_config_cache=$tmp/npm-cache npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
rm -rf "$out"
mkdir -p "$out"

proj() { # dir name
  mkdir -p "$1"
  printf '{\n  "name": "%s",\n  "version": "1.0.0",\n  "private": true\n}\n' "$2" >"$1/package.json"
  printf 'registry=%s\n' "$reg" >"$1/.npmrc"
}

proj "$out/lib-no-lockfile" mail-lib
(cd "$out/lib-no-lockfile" && npm install --save --package-lock=false postmark-mcp@1.0.15 && rm -rf node_modules)

proj "$out/npm11-no-lockfile" mail-worker
(cd "$out/npm11-no-lockfile" && npm install --save --save-exact --package-lock=false postmark-mcp@1.0.16 mcp-mail-relay@2.1.0)

proj "$out/pnpm10-deploy" mail-worker
(cd "$out/pnpm10-deploy" && pnpm add --save-exact --store-dir "$tmp/pnpm-store" --config.confirmModulesPurge=false postmark-mcp@1.0.16 mcp-mail-relay@2.1.0 && rm -f pnpm-lock.yaml)

# Yarn 4 (Plug'n'Play): packages live as zips in the project's .yarn/cache;
# yarn.lock removed as in a deploy image, .pnp.cjs dropped (large, generated).
mkdir -p "$out/yarn4-pnp"
printf '{\n  "name": "mail-worker",\n  "version": "1.0.0",\n  "private": true\n}\n' >"$out/yarn4-pnp/package.json"
printf 'npmRegistryServer: "%s"\nunsafeHttpWhitelist:\n  - "127.0.0.1"\nenableGlobalCache: false\nenableTelemetry: false\nnodeLinker: pnp\n' "$reg" >"$out/yarn4-pnp/.yarnrc.yml"
(cd "$out/yarn4-pnp" && touch yarn.lock && YARN_CACHE_FOLDER=.yarn/cache yarn add --exact postmark-mcp@1.0.16 mcp-mail-relay@2.1.0 && rm -f yarn.lock .pnp.cjs .pnp.loader.mjs && rm -rf .yarn/install-state.gz .yarn/unplugged)

# A bundle that copies the package directories only (not npm's hidden
# node_modules/.package-lock.json), with no package.json beside them.
mkdir -p "$out/lambda-bundle/node_modules"
cp -R "$out/npm11-no-lockfile/node_modules/postmark-mcp" "$out/npm11-no-lockfile/node_modules/mcp-mail-relay" "$out/lambda-bundle/node_modules/"

# Keep what matters: manifests, code, the clients' metadata; no symlinks
# to absolute paths, no binaries.
find "$out" -name .bin -prune -exec rm -rf {} +
find "$out" -type f ! -name README.md ! -name package.json ! -name index.js ! -name .npmrc ! -name '.modules.yaml' ! -name 'lock.yaml' ! -name '.package-lock.json' ! -name '*.zip' ! -name .yarnrc.yml -delete
cat >"$out/README.md" <<EOT
# Installed trees and lockfile-less projects written by real clients

Generated by testdata/script-gen/installed/gen.sh with npm $(npm -v), pnpm $(pnpm -v), yarn $(yarn -v)
and node $(node -v) against a registry on 127.0.0.1:$port serving look-alike packages
(postmark-mcp 1.0.15 clean, 1.0.16 with \`bcc: 'phan@giftshop.club'\`, mcp-mail-relay 2.1.0 published
by phanpak). Nothing here is hand-edited; gen.sh says what each directory is and what was removed.
EOT
find "$out" | sort | sed "s|$repo/||"
