#!/bin/bash
# Reps in one office, two tqo binaries side by side (README, "Reps in one
# office"): instances/offices-2k (12 and 8 home bases at two points),
# uscounties with 30 bases in Chicago and 20 in Dallas, and italy with all
# 20 at one point (both built into bench/cache from ../shared/data). For
# each binary and instance, RUNS runs one after the other: the median
# seconds (summary.json's total), the status, the objective and the gap.
# Usage: [RUNS=3] bench/shared_bases.sh BASE_TQO NEW_TQO   (from the repository root)
set -eu
if [ $# -ne 2 ]; then
    echo "usage: $0 BASE_TQO NEW_TQO" >&2
    exit 2
fi
RUNS=${RUNS:-3}
DATA=${TQO_SHARED_DATA:-../shared/data}
US=bench/cache/offices-uscounties IT=bench/cache/offices-italy
mkdir -p "$US" "$IT"
cp "$DATA/uscounties/units.csv" "$DATA/uscounties/adjacency.csv" "$US/"
cp "$DATA/italy/units.csv" "$IT/"
python3 - "$US/territories.csv" "$IT/territories.csv" <<'EOF'
import sys
us = ["territory_id,lat,lon"] + ["C%02d,41.8781,-87.6298" % i for i in range(30)] + \
     ["D%02d,32.7767,-96.7970" % i for i in range(20)]
it = ["territory_id,lat,lon"] + ["T%02d,41.9028,12.4964" % i for i in range(20)]
open(sys.argv[1], "w").write("\n".join(us) + "\n")
open(sys.argv[2], "w").write("\n".join(it) + "\n")
EOF
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# one TQO NAME FOLDER ARGS...: a table row
one() {
    local tqo=$1 name=$2 inst=$3
    shift 3
    : >"$out/secs"
    for _ in $(seq "$RUNS"); do
        "$tqo" align "$inst" -o "$out/o" -q "$@" >/dev/null 2>&1 || true
        python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds']['total'])" "$out/o/summary.json" \
            >>"$out/secs"
    done
    python3 - "$out/o/summary.json" "$out/secs" "$name" "$tqo" <<'EOF'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
secs = [float(v) for v in open(sys.argv[2]).read().split()]
gap = d.get("gap")
print("| %s | %s | %.2f | %s | %.10g | %s |" % (sys.argv[3], sys.argv[4], statistics.median(secs), d.get("status"),
      d["objective"], "n/a" if gap is None else "%.2f%%" % (100 * gap)))
EOF
}
echo "| instance | tqo | seconds (median of $RUNS) | status | objective | gap |"
echo "|---|---|---|---|---|---|"
for tqo in "$1" "$2"; do
    one "$tqo" offices-2k instances/offices-2k --balance workload:5 --balance potential:5
    one "$tqo" "uscounties, Chicago and Dallas" "$US" --balance places:10
    one "$tqo" "italy, one point" "$IT" --balance population:5
done
