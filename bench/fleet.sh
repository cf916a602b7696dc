#!/usr/bin/env bash
# fleet.sh builds a synthetic fleet of N repositories from the lockfile
# corpus (testdata/corpus) and times a full depsweep sweep (findings report
# plus one CycloneDX SBOM per lockfile) against osv-scanner v2 (its scan, and
# its CycloneDX SBOM with --all-packages) and syft on the same fleet, in the
# same run, when those are on PATH.
#
# Usage: bench/fleet.sh [small] [N ...]   (default: small 100 1000)
# Environment: BENCH_DIR (work directory, default: a fresh temporary one),
#              JOBS (depsweep --jobs, default: the number of CPUs),
#              DEPSWEEP (a depsweep binary to time instead of building one
#              as `make static` does),
#              RUNS (alternating runs of the small fleet, default 5),
#              SMALL_N (checkouts in the small fleet, default 300),
#              TOOLS_DIR (where missing peers are installed, default
#              ~/.cache/depsweep-bench/bin; INSTALL_TOOLS=0 installs none).
#
# The small fleet ("small"): SMALL_N copies of testdata/demo-fleet, each a
# git checkout (one real commit), so 300 copies hold 2,100 small lockfiles.
# depsweep's scan (--format json) and its scan with one SBOM per lockfile
# (--sbom-dir) run in turn with osv-scanner's scan, RUNS times after one
# round that is not counted; the table gives medians and the median of the
# per-run ratios.
#
# trivy (fs --format cyclonedx --offline-scan --skip-db-update: one merged
# SBOM, no database) runs on the corpus fleets, and its BOM is checked
# against the CycloneDX schemas (bench/cdxcheck).
#
# The fleet: repository i holds corpus lockfiles j ≡ i (mod N) for
# j < max(N, corpus size), so N=100 holds the corpus once (31 MB) and larger
# N replicate it; five repositories also hold a project with postmark-mcp
# 1.0.16 or 1.0.18 planted (copied from testdata/fixtures). Every repository
# has a .git directory with a HEAD, as a checkout would.
#
# Each tool runs once per N under /usr/bin/time (wall, user+system CPU,
# peak RSS); run the script several times and compare medians, the machine
# is noisy. osv-scanner runs --offline (with --offline-vulnerabilities
# alone v2.5.0 reports no vulnerability at all from this database: it then
# skipped the matching depsweep does) against a local database holding only
# the MAL-2025-47604 record.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo_root/testdata/corpus
fixtures=$repo_root/testdata/fixtures
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(small 100 1000)
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/depsweep-bench.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
jobs=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
runs=${RUNS:-5}
small_n=${SMALL_N:-300}
tools=${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/depsweep-bench/bin}
export PATH="$PATH:$tools"

# ensure_tool NAME PACKAGE@VERSION [ENV...]: installs a missing peer into
# $tools through the Go module proxy (never from a test). osv-scanner v2.5.0
# is the newest that builds with Go 1.26; trivy needs GOEXPERIMENT=jsonv2.
ensure_tool() {
	local name=$1 pkg=$2
	shift 2
	command -v "$name" >/dev/null && return 0
	[ "${INSTALL_TOOLS:-1}" = 0 ] && return 1
	echo "installing $name ($pkg) into $tools"
	mkdir -p "$tools"
	(cd "$work" && env GOBIN="$tools" "$@" go install "$pkg") >"$work/install.$name" 2>&1 ||
		{ tail -n 3 "$work/install.$name" >&2; echo "  $name: install failed, skipped" >&2; return 1; }
}
ensure_tool osv-scanner github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.0 || true
ensure_tool syft github.com/anchore/syft/cmd/syft@latest || true
ensure_tool trivy github.com/aquasecurity/trivy/cmd/trivy@v0.74.0 GOEXPERIMENT=jsonv2 || true

[ -x /usr/bin/time ] || { echo "fleet.sh: /usr/bin/time is needed (GNU time)" >&2; exit 2; }

if [ -n "${DEPSWEEP:-}" ]; then
	[ "$DEPSWEEP" -ef "$work/depsweep" ] || cp "$DEPSWEEP" "$work/depsweep"
else
	# Built as `make static` builds the release binaries (no cgo, so no
	# dynamic loader at start-up; no symbol table): the binary users run.
	echo "building depsweep (make static)"
	(cd "$repo_root" && make -s static OUT="$work/depsweep")
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

# osv_count depsweep|osv FILE: how many findings a JSON report holds (a
# depsweep report's findings; osv-scanner's vulnerabilities per package).
osv_count() {
	python3 -c '
import json, sys
r = json.load(open(sys.argv[2]))
if sys.argv[1] == "depsweep":
    print(len(r.get("findings") or []))
else:
    print(sum(len(p.get("vulnerabilities") or []) for res in r.get("results") or [] for p in res.get("packages") or []))
' "$1" "$2" 2>/dev/null || echo "?"
}

# measure NAME OUTFILE CMD...: runs CMD under /usr/bin/time, records
# "name wall cpu rss_kib exit". The wall time is the shell's clock around
# the command (microseconds; /usr/bin/time gives hundredths, 5 % of a
# 0.2 s run); CPU time and peak RSS are /usr/bin/time's.
measure() {
	local name=$1 out=$2 rc=0 t0 t1
	shift 2
	t0=$EPOCHREALTIME
	/usr/bin/time -f "%e %U %S %M" -o "$work/time.$name" "$@" >"$out" 2>"$work/stderr.$name" || rc=$?
	t1=$EPOCHREALTIME
	read -r wall user sys rss <"$work/time.$name" || true
	# /usr/bin/time prints "Command exited with non-zero status N" first.
	if ! [[ $wall =~ ^[0-9.]+$ ]]; then read -r wall user sys rss < <(tail -n1 "$work/time.$name"); fi
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
	printf '%s %s %s %s %s\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss" "$rc" >>"$results"
}

# median FILE COLUMN: the median of one column of numbers.
median() {
	sort -g -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# small_fleet: SMALL_N checkouts of the demo fleet, timed in alternating runs.
small_fleet() {
	local fleet=$work/fleet-small tmpl=$work/demo-checkout i r count size
	if [ ! -d "$fleet" ]; then
		echo "building the small fleet ($small_n checkouts of testdata/demo-fleet)"
		rm -rf "$tmpl"
		cp -r "$repo_root/testdata/demo-fleet" "$tmpl"
		(cd "$tmpl" && git init -q -b main && git add -A &&
			git -c user.name=bench -c user.email=bench@example.invalid commit -q -m demo)
		mkdir -p "$fleet.tmp"
		for ((i = 0; i < small_n; i++)); do cp -r "$tmpl" "$fleet.tmp/svc-$i"; done
		mv "$fleet.tmp" "$fleet"
	fi
	count=$(find "$fleet" -name .git -prune -o \( -name package-lock.json -o -name yarn.lock -o -name pnpm-lock.yaml \) -print | wc -l)
	size=$(find "$fleet" -name .git -prune -o \( -name package-lock.json -o -name yarn.lock -o -name pnpm-lock.yaml \) -print0 | du -cb --files0-from=- | tail -n1 | cut -f1)
	echo "small fleet: $small_n checkouts, $count lockfiles, $((size / 1000)) kB of lockfiles; $runs alternating runs"
	local have_osv=0
	command -v osv-scanner >/dev/null && have_osv=1
	[ $have_osv = 1 ] || echo "  osv-scanner: not available, no ratios"
	# Round -1 warms the page cache and the binaries up for both tools
	# and is not counted.
	for ((r = -1; r < runs; r++)); do
		results=$work/small.$r
		: >"$results"
		measure "depsweep-scan" "$work/small-scan.json" "$work/depsweep" scan --jobs "$jobs" --quiet --format json "$fleet"
		if [ $have_osv = 1 ]; then
			measure "osv-scanner" "$work/small-osv.json" osv-scanner scan source -r --offline \
				--local-db-path "$osvdb" --format json "$fleet"
		fi
		measure "depsweep-sbom" "$work/small-sbom.json" "$work/depsweep" scan --jobs "$jobs" --quiet --format json \
			--sbom-dir "$out/sbom-small.$r" "$fleet"
	done
	echo "  depsweep: $(find "$out/sbom-small.0" -type f | wc -l) SBOMs"
	[ $have_osv = 1 ] && echo "  findings: depsweep $(osv_count depsweep "$work/small-scan.json"), osv-scanner $(osv_count osv "$work/small-osv.json")"
	# Per run: tool wall cpu rss exit, and the ratios osv-scanner ÷ depsweep.
	: >"$work/small.rows"
	for ((r = 0; r < runs; r++)); do
		awk -v r=$r '{ w[$1] = $2; c[$1] = $3; m[$1] = $4; x[$1] = $5 }
		END {
			o = ("osv-scanner" in w) ? w["osv-scanner"] : 0
			printf "%d %s %s %s %s %s %s %s %s %s %s %s %s %.3f %.3f\n", r,
				w["depsweep-scan"], c["depsweep-scan"], m["depsweep-scan"],
				w["depsweep-sbom"], c["depsweep-sbom"], m["depsweep-sbom"],
				o, c["osv-scanner"] + 0, m["osv-scanner"] + 0, x["depsweep-scan"], x["depsweep-sbom"], x["osv-scanner"] + 0,
				(w["depsweep-scan"] > 0 ? o / w["depsweep-scan"] : 0), (w["depsweep-sbom"] > 0 ? o / w["depsweep-sbom"] : 0)
		}' "$work/small.$r" >>"$work/small.rows"
	done
	local sw sc sm bw bc bm ow oc om rs rb
	sw=$(median "$work/small.rows" 2) sc=$(median "$work/small.rows" 3) sm=$(median "$work/small.rows" 4)
	bw=$(median "$work/small.rows" 5) bc=$(median "$work/small.rows" 6) bm=$(median "$work/small.rows" 7)
	ow=$(median "$work/small.rows" 8) oc=$(median "$work/small.rows" 9) om=$(median "$work/small.rows" 10)
	rs=$(median "$work/small.rows" 14) rb=$(median "$work/small.rows" 15)
	small_table=$(awk -v n="$small_n" -v k="$count" -v runs="$runs" \
		-v sw="$sw" -v sc="$sc" -v sm="$sm" -v bw="$bw" -v bc="$bc" -v bm="$bm" \
		-v ow="$ow" -v oc="$oc" -v om="$om" -v rs="$rs" -v rb="$rb" -v osv="$have_osv" 'BEGIN {
		printf "small fleet: %d checkouts, %d lockfiles; medians of %d alternating runs\n", n, k, runs
		xs = "-"; xb = "-"
		if (osv) { xs = sprintf("%.1f×", rs); xb = sprintf("%.1f×", rb) }
		printf "| command | wall s | CPU s | peak RSS MiB | osv-scanner wall ÷ this |\n|---|---|---|---|---|\n"
		printf "| depsweep scan --format json | %.2f | %.2f | %.0f | %s |\n", sw, sc, sm / 1024, xs
		printf "| depsweep scan --format json --sbom-dir DIR | %.2f | %.2f | %.0f | %s |\n", bw, bc, bm / 1024, xb
		if (osv) printf "| osv-scanner scan source -r (offline) | %.2f | %.2f | %.0f | 1.0× |\n", ow, oc, om / 1024
	}')
	if awk '$11 > 1 || $12 > 1' "$work/small.rows" | grep -q .; then
		small_table+=$'\n'"depsweep exited with an error in some runs: see $work/stderr.depsweep-*"
	fi
}

# Every SBOM run writes a directory of its own, all deleted at the end.
# Deleting them between runs would be timed too: for some minutes after
# thousands of files are deleted, ext4 skips each recently freed inode when
# it allocates one (find_inode_bit, recently_deleted), which made creating
# the 2,100 SBOMs about 10 times slower (0.3-0.5 s of kernel time, against
# 0.03-0.05 s). Run the script again some minutes later, or with another
# BENCH_DIR, for the same reason.
out=$work/out.$$
rm -rf "$out"
mkdir -p "$out"
trap 'rm -rf "$out"' EXIT

results=$work/results.txt
: >"$results"
small_table=
for n in "${sizes[@]}"; do
	if [ "$n" = small ]; then
		small_fleet
		results=$work/results.txt
		continue
	fi
	fleet=$work/fleet-$n
	echo "building fleet N=$n"
	build_fleet "$n" "$fleet"
	size=$(du -sb "$fleet" | cut -f1)
	count=$(find "$fleet" -name package-lock.json -o -name yarn.lock -o -name pnpm-lock.yaml | wc -l)
	echo "N=$n: $count lockfiles, $((size / 1000000)) MB"
	echo "N=$n" >>"$results"
	measure "depsweep" "$work/depsweep-$n.jsonl" "$work/depsweep" scan --jobs "$jobs" --quiet --format jsonl \
		--sbom-dir "$out/sbom-$n" "$fleet"
	sboms=$(find "$out/sbom-$n" -type f | wc -l)
	found=$(grep -c '"type":"finding"' "$work/depsweep-$n.jsonl" || true)
	echo "  depsweep: $found findings, $sboms SBOMs"
	if command -v osv-scanner >/dev/null; then
		measure "osv-scanner" "$work/osv-$n.json" osv-scanner scan source -r --offline \
			--local-db-path "$osvdb" --format json "$fleet"
		echo "  osv-scanner: $(osv_count osv "$work/osv-$n.json") vulnerabilities reported (exit $(awk '$1 == "osv-scanner" { x = $5 } END { print x }' "$results"))"
		# Its SBOM of the same fleet: one CycloneDX document, every package.
		measure "osv-scanner-sbom" "$work/osv-$n.cdx.json" osv-scanner scan source -r --offline \
			--local-db-path "$osvdb" --format cyclonedx-1-6 --all-packages "$fleet"
	else
		echo "  osv-scanner: not on PATH, skipped (GOTOOLCHAIN=auto go install github.com/google/osv-scanner/v2/cmd/osv-scanner@latest)"
	fi
	if command -v syft >/dev/null; then
		measure "syft" "$work/syft-$n.cdx.json" syft -q "dir:$fleet" -o cyclonedx-json
	else
		echo "  syft: not on PATH, skipped (go install github.com/anchore/syft/cmd/syft@latest)"
	fi
	if command -v trivy >/dev/null; then
		# One merged SBOM of the fleet, no vulnerability database.
		measure "trivy" "$work/trivy-$n.out" trivy fs --quiet --cache-dir "$work/trivy-cache" --format cyclonedx \
			--offline-scan --skip-db-update --output "$work/trivy-$n.cdx.json" "$fleet"
		if [ -s "$work/trivy-$n.cdx.json" ]; then
			echo "  trivy BOM: $( (cd "$repo_root" && go run ./bench/cdxcheck -schemas testdata/cyclonedx-schema "$work/trivy-$n.cdx.json") 2>&1 | head -n 8 | sed "s|$work/||")"
		fi
	else
		echo "  trivy: not on PATH, skipped (GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0)"
	fi
done

# The table: per N, each tool's wall, CPU and peak RSS, and its ratio to
# depsweep's wall time (peer / depsweep: how many times faster depsweep is).
[ -s "$results" ] && echo
[ -s "$results" ] && awk '
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
if [ -n "$small_table" ]; then
	echo
	echo "$small_table"
fi
echo "work directory: $work"
