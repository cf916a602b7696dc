#!/usr/bin/env bash
# fleet.sh builds a synthetic fleet of N repositories from the lockfile
# corpus (testdata/corpus) and times a full depsweep sweep (findings report
# plus one CycloneDX SBOM per lockfile) against osv-scanner v2 (its scan, and
# its CycloneDX SBOM with --all-packages) and syft on the same fleet, in the
# same run, when those are on PATH.
#
# Usage: bench/fleet.sh [N ...]        (default: 100 1000)
# Environment: BENCH_DIR (work directory, default: a fresh temporary one),
#              JOBS (depsweep --jobs, default: the number of CPUs),
#              DEPSWEEP (a depsweep binary to time instead of building one).
#
# The fleet: repository i holds corpus lockfiles j ≡ i (mod N) for
# j < max(N, corpus size), so N=100 holds the corpus once (31 MB) and larger
# N replicate it; five repositories also hold a project with postmark-mcp
# 1.0.16 or 1.0.18 planted (copied from testdata/fixtures). Every repository
# has a .git directory with a HEAD, as a checkout would.
#
# Each tool runs once per N under /usr/bin/time (wall, user+system CPU,
# peak RSS); run the script several times and compare medians, the machine
# is noisy. osv-scanner runs offline against a local database holding only
# the MAL-2025-47604 record.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo_root/testdata/corpus
fixtures=$repo_root/testdata/fixtures
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100 1000)
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/depsweep-bench.XXXXXX")}
mkdir -p "$work"
jobs=${JOBS:-$(getconf _NPROCESSORS_ONLN)}

[ -x /usr/bin/time ] || { echo "fleet.sh: /usr/bin/time is needed (GNU time)" >&2; exit 2; }

if [ -n "${DEPSWEEP:-}" ]; then
	cp "$DEPSWEEP" "$work/depsweep"
else
	echo "building depsweep"
	(cd "$repo_root" && go build -o "$work/depsweep" ./cmd/depsweep)
fi

# The corpus, uncompressed once: name<TAB>lockfile base name.
mapfile -t files < <(cd "$corpus" && find . -name '*.gz' | sort)
[ ${#files[@]} -gt 0 ] || { echo "fleet.sh: no corpus files under $corpus" >&2; exit 2; }
if [ ! -d "$work/corpus" ]; then
	for f in "${files[@]}"; do
		mkdir -p "$work/corpus/$(dirname "$f")"
		gzip -dc "$corpus/$f" >"$work/corpus/${f%.gz}"
	done
fi

build_fleet() { # N DIR
	local n=$1 dir=$2 total i j f dst
	rm -rf "$dir"
	total=$(( n > ${#files[@]} ? n : ${#files[@]} ))
	for ((i = 0; i < n; i++)); do
		mkdir -p "$dir/repo-$i/.git"
		echo "ref: refs/heads/main" >"$dir/repo-$i/.git/HEAD"
	done
	for ((j = 0; j < total; j++)); do
		f=${files[j % ${#files[@]}]}
		f=${f%.gz}
		dst="$dir/repo-$((j % n))/p$j"
		mkdir -p "$dst"
		cp "$work/corpus/$f" "$dst/$(basename "$f")"
	done
	# Planted: postmark-mcp 1.0.16 (npm 6) and 1.0.18 (npm 10, dev).
	for i in 3 17 41 59 97; do
		((i < n)) || continue
		cp -r "$fixtures/npm6-direct-nested-lockv1" "$dir/repo-$i/mailer"
		cp -r "$fixtures/npm10-transitive-dev-lockv3" "$dir/repo-$i/notifier"
	done
}

# The local osv-scanner database: the one record, where osv-scanner v2's
# offline mode looks (<dir>/osv-scalibr/npm/all.zip; v1 used osv-scanner/).
osvdb=$work/osv-db
# Lockfiles with git dependencies make it ask for a GIT database too: an
# empty one (a zip holding no record) lets the scan finish offline.
printf 'no records\n' >"$work/EMPTY.txt"
for sub in osv-scalibr osv-scanner; do
	mkdir -p "$osvdb/$sub/npm" "$osvdb/$sub/GIT"
	rm -f "$osvdb/$sub/npm/all.zip" "$osvdb/$sub/GIT/all.zip"
	(cd "$repo_root/testdata/osv" && zip -q "$osvdb/$sub/npm/all.zip" MAL-2025-47604.json)
	(cd "$work" && zip -q "$osvdb/$sub/GIT/all.zip" EMPTY.txt)
done

# measure NAME OUTFILE CMD...: runs CMD under /usr/bin/time, records
# "name wall cpu rss_kib exit".
measure() {
	local name=$1 out=$2 rc=0
	shift 2
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.$name" "$@" >"$out" 2>"$work/stderr.$name" || rc=$?
	read -r wall user sys rss <"$work/time.$name" || true
	# /usr/bin/time prints "Command exited with non-zero status N" first.
	if ! [[ $wall =~ ^[0-9.]+$ ]]; then read -r wall user sys rss < <(tail -n1 "$work/time.$name"); fi
	printf '%s %s %s %s %s\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss" "$rc" >>"$results"
}

results=$work/results.txt
: >"$results"
for n in "${sizes[@]}"; do
	fleet=$work/fleet-$n
	echo "building fleet N=$n"
	build_fleet "$n" "$fleet"
	size=$(du -sb "$fleet" | cut -f1)
	count=$(find "$fleet" -name package-lock.json -o -name yarn.lock -o -name pnpm-lock.yaml | wc -l)
	echo "N=$n: $count lockfiles, $((size / 1000000)) MB"
	rm -rf "$work/sbom-$n"
	echo "N=$n" >>"$results"
	measure "depsweep" "$work/depsweep-$n.jsonl" "$work/depsweep" scan --jobs "$jobs" --quiet --format jsonl \
		--sbom-dir "$work/sbom-$n" "$fleet"
	sboms=$(find "$work/sbom-$n" -type f | wc -l)
	found=$(grep -c '"type":"finding"' "$work/depsweep-$n.jsonl" || true)
	echo "  depsweep: $found findings, $sboms SBOMs"
	if command -v osv-scanner >/dev/null; then
		measure "osv-scanner" "$work/osv-$n.json" osv-scanner scan source -r --offline-vulnerabilities \
			--local-db-path "$osvdb" --format json "$fleet"
		# Its SBOM of the same fleet: one CycloneDX document, every package.
		measure "osv-scanner-sbom" "$work/osv-$n.cdx.json" osv-scanner scan source -r --offline-vulnerabilities \
			--local-db-path "$osvdb" --format cyclonedx-1-6 --all-packages "$fleet"
	else
		echo "  osv-scanner: not on PATH, skipped (GOTOOLCHAIN=auto go install github.com/google/osv-scanner/v2/cmd/osv-scanner@latest)"
	fi
	if command -v syft >/dev/null; then
		measure "syft" "$work/syft-$n.cdx.json" syft -q "dir:$fleet" -o cyclonedx-json
	else
		echo "  syft: not on PATH, skipped (go install github.com/anchore/syft/cmd/syft@latest)"
	fi
done

# The table: per N, each tool's wall, CPU and peak RSS, and its ratio to
# depsweep's wall time (peer / depsweep: how many times faster depsweep is).
echo
awk '
/^N=/ { n = substr($1, 3); next }
{
	tool = $1; wall[n, tool] = $2; cpu[n, tool] = $3; rss[n, tool] = $4; rc[n, tool] = $5
	if (!(n in seen)) { seen[n] = 1; ns[++nn] = n }
	if (!((n, tool) in have)) { have[n, tool] = 1; tools[n] = tools[n] " " tool }
}
END {
	printf "| N | tool | wall s | CPU s | peak RSS MiB | exit | wall ÷ depsweep |\n|---|---|---|---|---|---|---|\n"
	for (i = 1; i <= nn; i++) {
		n = ns[i]; k = split(tools[n], ts, " ")
		for (j = 1; j <= k; j++) {
			t = ts[j]; r = wall[n, "depsweep"] > 0 ? wall[n, t] / wall[n, "depsweep"] : 0
			printf "| %s | %s | %.2f | %.2f | %.0f | %s | %.1f× |\n", n, t, wall[n, t], cpu[n, t], rss[n, t] / 1024, rc[n, t], r
		}
	}
	if (nn >= 2) {
		a = ns[1]; b = ns[nn]
		printf "\ndepsweep N=%s vs N=%s: wall ×%.2f for ×%.1f repos; peak RSS ×%.2f\n", b, a,
			wall[b, "depsweep"] / wall[a, "depsweep"], b / a, rss[b, "depsweep"] / rss[a, "depsweep"]
	}
}' "$results"
echo "work directory: $work"
