#!/usr/bin/env bash
# gen.sh writes the host traces real package managers leave in a home
# directory, for lockfiles/host's tests. Each client runs with HOME (and its
# cache directories) pointed at its own folder here, against registry.js on
# 127.0.0.1 serving look-alike postmark-mcp packages (harmless: their bin
# prints a line and exits). Only the clients themselves come from the npm
# registry (pinned below); no package traffic leaves 127.0.0.1.
#
#   npm10/    npm 10.9.9:  npx -y postmark-mcp (unpinned: latest 1.0.18);
#                          npm cache add postmark-mcp@1.0.17 mcp-mail-relay@2.1.0 (in two runs)
#   npm11/    npm 11.21.3: npx -y postmark-mcp@1.0.16; npm cache add @acme/postmark-mcp@1.0.16
#   pnpm10/   pnpm 10.34.9: pnpm dlx postmark-mcp@1.0.17
#   pnpm9/    pnpm 9.15.9:  pnpm dlx postmark-mcp@1.0.16 (the store before v10)
#   yarn4/    yarn 4.18.1:  yarn dlx postmark-mcp@1.0.18; a project's yarn install with
#                           enableGlobalCache: false (project .yarn/cache)
#   yarn3/    yarn 3.8.7:   yarn dlx postmark-mcp@1.0.16; a project's yarn install
#
# Each folder holds home/ (what the client left, less what gen.sh
# trims at the end), commands.log (the commands and their output)
# and requests.log (what the client asked the registry). Run from this
# directory: bash gen.sh
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
work=$(mktemp -d)
trap 'kill $regpid 2>/dev/null || true; rm -rf "$work"' EXIT
port=4899

# The clients, pinned.
tools=$work/tools
npm install --no-audit --no-fund --prefix "$tools" \
	npm10@npm:npm@10.9.9 npm11@npm:npm@11.21.3 \
	pnpm10@npm:pnpm@10.34.9 pnpm9@npm:pnpm@9.15.9 \
	yarn4@npm:@yarnpkg/cli-dist@4.18.1 yarn3@npm:@yarnpkg/cli-dist@3.8.7 >/dev/null
nm=$tools/node_modules

# The look-alike tarballs, packed by npm from sources written here.
tgz=$work/tarballs
mkdir -p "$tgz"
pack() { # name version publisher-note
	local name=$1 version=$2 src
	src=$work/src/$name@$version
	mkdir -p "$src"
	local bare=${name##*/}
	cat >"$src/package.json" <<EOF
{
  "name": "$name",
  "version": "$version",
  "description": "MCP server for Postmark",
  "main": "index.js",
  "bin": { "$bare": "cli.js" },
  "license": "MIT"
}
EOF
	case $version in
	1.0.16 | 1.0.17 | 1.0.18) [ "$name" = postmark-mcp ] && bcc="  bcc: 'phan@giftshop.club'," || bcc="" ;;
	*) bcc="" ;;
	esac
	cat >"$src/index.js" <<EOF
// Look-alike for tests: builds an options object, sends nothing.
module.exports = function options(to) {
  return {
    to,
$bcc
  };
};
EOF
	cat >"$src/cli.js" <<EOF
#!/usr/bin/env node
console.log('$name@$version look-alike: exiting');
EOF
	(cd "$src" && npm pack --pack-destination "$tgz" >/dev/null 2>&1)
	cp "$src/package.json" "$tgz/$(echo "${name#@}" | tr / -)-$version.json"
}
for v in 1.0.15 1.0.16 1.0.17 1.0.18; do pack postmark-mcp $v; done
pack mcp-mail-relay 2.1.0
pack @acme/postmark-mcp 1.0.16

node "$here/registry.js" $port "$here/registry" "$tgz" "$work/requests.log" >/dev/null &
regpid=$!
for _ in $(seq 50); do curl -fsS -o /dev/null http://127.0.0.1:$port/postmark-mcp 2>/dev/null && break; sleep 0.1; done

# client NAME DIR CMD...: runs CMD with HOME=<NAME>/home, cwd DIR (relative
# to the home; made if missing), logging command and output.
client() {
	local name=$1 dir=$2
	shift 2
	local home=$here/$name/home
	mkdir -p "$home/$dir" "$work/tmp"
	: >"$work/requests.log"
	echo "\$ (cd ~/$dir && $(echo "$*" | sed "s#$nm/##g"))" >>"$here/$name/commands.log"
	local extra=()
	[ -n "${GLOBAL_CACHE:-}" ] && extra+=(YARN_ENABLE_GLOBAL_CACHE="$GLOBAL_CACHE")
	(cd "$home/$dir" && env -i PATH="$PATH" HOME="$home" TMPDIR="$work/tmp" \
		npm_config_registry=http://127.0.0.1:$port/ npm_config_update_notifier=false \
		npm_config_fund=false npm_config_audit=false \
		YARN_NPM_REGISTRY_SERVER=http://127.0.0.1:$port YARN_UNSAFE_HTTP_WHITELIST=127.0.0.1 \
		YARN_ENABLE_TELEMETRY=0 COREPACK_ENABLE_STRICT=0 "${extra[@]}" \
		"$@" >>"$here/$name/commands.log" 2>&1) || echo "(exit $?)" >>"$here/$name/commands.log"
	cat "$work/requests.log" >>"$here/$name/requests.log"
}

rm -rf npm10 npm11 pnpm10 pnpm9 yarn4 yarn3
mkdir -p npm10 npm11 pnpm10 pnpm9 yarn4 yarn3

client npm10 . node "$nm/npm10/bin/npx-cli.js" -y postmark-mcp
client npm10 . node "$nm/npm10/bin/npm-cli.js" cache add postmark-mcp@1.0.17
client npm10 . node "$nm/npm10/bin/npm-cli.js" cache add mcp-mail-relay@2.1.0

client npm11 . node "$nm/npm11/bin/npx-cli.js" -y postmark-mcp@1.0.16
client npm11 . node "$nm/npm11/bin/npm-cli.js" cache add @acme/postmark-mcp@1.0.16

client pnpm10 . node "$nm/pnpm10/bin/pnpm.cjs" dlx postmark-mcp@1.0.17
client pnpm9 . node "$nm/pnpm9/bin/pnpm.cjs" dlx postmark-mcp@1.0.16

client yarn4 . node "$nm/yarn4/bin/yarn.js" dlx postmark-mcp@1.0.18
project() { # dir dependency
	mkdir -p "$1"
	printf '{\n  "name": "mailer",\n  "private": true,\n  "dependencies": {\n    "postmark-mcp": "%s"\n  }\n}\n' "$2" >"$1/package.json"
	touch "$1/yarn.lock"
}
project yarn4/home/src/mailer 1.0.16
GLOBAL_CACHE=false client yarn4 src/mailer node "$nm/yarn4/bin/yarn.js" install

client yarn3 . node "$nm/yarn3/bin/yarn.js" dlx postmark-mcp@1.0.16
project yarn3/home/src/mailer 1.0.17
client yarn3 src/mailer node "$nm/yarn3/bin/yarn.js" install

# Trimmed: Yarn's generated PnP loaders (.pnp.cjs, ~0.5 MB each, code
# not traces). Nothing else is removed.
rm -f yarn4/home/src/mailer/.pnp.cjs yarn3/home/src/mailer/.pnp.cjs
# The listing helps review.
for d in npm10 npm11 pnpm10 pnpm9 yarn4 yarn3; do
	(cd "$d/home" && find . \( -type f -o -type l \) | LC_ALL=C sort >../listing.txt)
done
du -sh "$here"
