#!/bin/bash
# Issue 13: free centres give the same files for any thread count. The
# starts of the centre search run on the threads at once (each with its own
# seed, centres and prices, merged in start order), the k-means pass and the
# LP's pricing split their units over them; none of it may change a byte.
#  - a generated instance without territories.csv (free centres), -k 6,
#    --starts 5 (more starts than threads), at --threads 1, 2 and 3;
#  - the same under a --max-distance cap that binds (capped starts);
#  - italy -k 20 --balance population:5 --allow-splits at --threads 1 and 2
#    (skipped without ../shared/data or $TQO_SHARED_DATA).
# Compared: assignment.csv, territories.csv and summary.json without its
# timings, thread count and command line; each plan is also checked by
# tests/tools/check_align.py (balance recomputed from the files).
# Usage: align_threads.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/align_lib.sh"

G=$tmp/g
if "$TQO" generate -o "$G" --units 400 --territories 6 --periods 4 --seed 13 >/dev/null 2>"$tmp/gen.err" &&
    rm "$G/territories.csv"; then
    ok "instance generated, territories.csv removed (free centres)"
else
    bad "instance generated"
    indent <"$tmp/gen.err"
fi

for t in 1 2 3; do
    align_solve "free centres, --threads $t" "$G" "$tmp/f$t" -k 6 --balance workload:5 --starts 5 --threads "$t"
done
grep -q '"centres": "located"' "$tmp/f1/summary.json" && ok "the centres were placed" ||
    bad "summary.json does not say the centres were placed"
align_same "free centres, --threads 1 vs 2" "$tmp/f1" "$tmp/f2"
align_same "free centres, --threads 1 vs 3" "$tmp/f1" "$tmp/f3"

# a cap that binds: the farthest unit of the uncapped plan, less 10%
cap=$(python3 - "$G" "$tmp/f1" <<'EOF'
import csv, math, sys
inst, out = sys.argv[1], sys.argv[2]
u = {r["unit_id"]: r for r in csv.DictReader(open(inst + "/units.csv"))}
t = {r["territory_id"]: r for r in csv.DictReader(open(out + "/territories.csv"))}
far = 0.0
for r in csv.DictReader(open(out + "/assignment.csv")):
    a, c = u[r["unit_id"]], t[r["territory_id"]]
    if "x" in a:
        far = max(far, math.hypot(float(a["x"]) - float(c["center_x"]), float(a["y"]) - float(c["center_y"])))
    else:
        la1, lo1, la2, lo2 = map(math.radians, (float(a["lat"]), float(a["lon"]), float(c["center_lat"]), float(c["center_lon"])))
        h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        far = max(far, 2 * 6371.0088 * math.asin(min(1, math.sqrt(h))))
print("%.3f" % (0.9 * far))
EOF
)
if [ -n "$cap" ]; then
    for t in 1 2; do
        "$TQO" align "$G" -o "$tmp/c$t" -k 6 --balance workload:5 --starts 5 --threads "$t" --max-distance "$cap" \
            >"$tmp/c$t.stdout" 2>"$tmp/c$t.stderr"
        echo $? >"$tmp/c$t.rc"
    done
    if [ "$(cat "$tmp/c1.rc")" = "$(cat "$tmp/c2.rc")" ]; then
        ok "--max-distance $cap: the same exit status at 1 and 2 threads ($(cat "$tmp/c1.rc"))"
    else
        bad "--max-distance $cap: exit $(cat "$tmp/c1.rc") at 1 thread, $(cat "$tmp/c2.rc") at 2"
    fi
    if [ "$(cat "$tmp/c1.rc")" = 0 ]; then
        align_same "--max-distance $cap, --threads 1 vs 2" "$tmp/c1" "$tmp/c2"
    else
        cmp -s "$tmp/c1.stderr" "$tmp/c2.stderr" && ok "--max-distance $cap: the same message at 1 and 2 threads" ||
            bad "--max-distance $cap: the messages differ"
    fi
else
    bad "no cap computed from the uncapped plan"
fi

if [ -f "$DATA/italy/units.csv" ]; then
    for t in 1 2; do
        align_solve "italy -k 20 --allow-splits, --threads $t" "$DATA/italy" "$tmp/i$t" -k 20 --balance population:5 \
            --allow-splits --threads "$t"
    done
    align_same "italy, --threads 1 vs 2" "$tmp/i1" "$tmp/i2"
else
    skip_part "italy: no $DATA/italy"
fi

finish
