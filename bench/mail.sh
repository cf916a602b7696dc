#!/bin/bash
# mail.sh [SIZE_MB]: Postfix log throughput of 'depsweep mail' against
# 'grep -F' on the same file in the same run, one core each.
#
# The log is the real Postfix log of testdata/mail repeated (each copy with
# its own queue ids) to SIZE_MB (default 1024), the indicator domain renamed
# in all but one copy in a thousand (a relay's log, where a few messages
# went to the attacker; BENCH_ALL=1 keeps it in every copy); it is written to a
# temporary directory and removed afterwards. Both programs read it from
# the page cache (a warm-up read first). Timings on a shared machine vary:
# quote the ratio, which is measured under the same load.
set -euo pipefail
MB=${1:-1024}
cd "$(dirname "$0")/.."
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
go build -o "$W/depsweep" ./cmd/depsweep
python3 - "$W/mail.log" "$MB" testdata/mail/postfix/var/log/mail.log <<'PY'
import re, sys
out, mb, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
import os
text = open(src).read()
clean = text if os.environ.get("BENCH_ALL") else re.sub("(?i)giftshop\\.club", "example.net", text)
qid = re.compile(r"\b[0-9A-F]{10}\b")
target = mb << 20
with open(out, "w") as f:
    size, i = 0, 0
    while size < target:
        i += 1
        block = qid.sub(lambda m: "%06X%s" % (i, m.group(0)[6:]), text if i % 1000 == 1 else clean)
        f.write(block)
        size += len(block)
PY
touch -d "2025-09-18 10:00:00 UTC" "$W/mail.log"
SIZE=$(stat -c %s "$W/mail.log")
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
cat "$W/mail.log" > /dev/null
# run CMD...: prints "wall user sys" seconds.
run() { local TIMEFORMAT='%R %U %S'; { time "$@" > /dev/null 2>&1 || true; } 2>&1 | tail -1; }
report() { # NAME WALL USER SYS
	local cpu
	cpu=$(echo "$3 + $4" | bc -l)
	printf '%-28s wall %6.2f s %8.1f MB/s   cpu %6.2f s %8.1f MB/s\n' "$1" "$2" "$(echo "$SIZE / 1048576 / $2" | bc -l)" "$cpu" "$(echo "$SIZE / 1048576 / $cpu" | bc -l)"
}
read -r GW GU GS < <(run $PIN grep -F -c phan@giftshop.club "$W/mail.log")
read -r DW DU DS < <(run env GOMAXPROCS=1 $PIN "$W/depsweep" mail -q --format json -o /dev/null "$W/mail.log")
read -r YW YU YS < <(run env GOMAXPROCS=1 $PIN "$W/depsweep" mail -q --year 2025 --format json -o /dev/null "$W/mail.log")
printf 'log %d MB; load average %s\n' $((SIZE >> 20)) "$(cut -d' ' -f1-3 /proc/loadavg)"
report "grep -F" "$GW" "$GU" "$GS"
report "depsweep mail (year inferred)" "$DW" "$DU" "$DS"
report "depsweep mail --year" "$YW" "$YU" "$YS"
printf 'cpu time ratio depsweep/grep: %.1f (year inferred: two passes), %.1f (--year: one pass)\n' \
	"$(echo "($DU + $DS) / ($GU + $GS)" | bc -l)" "$(echo "($YU + $YS) / ($GU + $GS)" | bc -l)"
