#!/usr/bin/env bash
# Makes lockfiles of a format version newer than the parsers know from real
# client output (testdata/fixtures, see its README): only the version field
# is changed, which is what a future client would write at the least.
#
#   bash testdata/lockfiles/clients/newer.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fx=$here/../../fixtures

mk() { # case fixture
	rm -rf "${here:?}/$1" && mkdir -p "$here/$1" && cp "$fx/$2/package.json" "$here/$1/"
}

# pnpm 9.15.9 output (lockfileVersion '9.0') as lockfileVersion '99.0'.
mk newer-pnpm pnpm9-clean-lock9
sed "1s/^lockfileVersion: '9.0'$/lockfileVersion: '99.0'/" "$fx/pnpm9-clean-lock9/pnpm-lock.yaml" >"$here/newer-pnpm/pnpm-lock.yaml"

# npm 11.19.1 output (lockfileVersion 3) as lockfileVersion 4.
mk newer-npm npm11-alias-scoped-lockv3
sed 's/^  "lockfileVersion": 3,$/  "lockfileVersion": 4,/' "$fx/npm11-alias-scoped-lockv3/package-lock.json" >"$here/newer-npm/package-lock.json"

# yarn 4.18.1 output (__metadata version 10) as version 99.
mk newer-berry berry4-nm-dev-scoped
sed 's/^  version: 10$/  version: 99/' "$fx/berry4-nm-dev-scoped/yarn.lock" >"$here/newer-berry/yarn.lock"

grep -q "'99.0'" "$here/newer-pnpm/pnpm-lock.yaml"
grep -q '"lockfileVersion": 4' "$here/newer-npm/package-lock.json"
grep -q '^  version: 99$' "$here/newer-berry/yarn.lock"
echo "generated: newer-pnpm newer-npm newer-berry"
