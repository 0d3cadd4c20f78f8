#!/bin/bash
# Home bases at one point (several reps in one office): the allocation LP is
# degenerate in them, so the solve spreads them on a small spiral and the
# plan is reported at the true bases (solver/align/align_twins.c). Before,
# such instances crawled and then failed contiguity (a generated 2,000-unit
# instance with two offices: 11 s and 9 detached pieces; uscounties with 30
# reps in Chicago and 20 in Dallas: 39 s, balance and contiguity broken).
# Every figure is recomputed from the output files (tests/tools/check_align.py:
# assignment, balance, contiguity, the bases at their true points, the
# objective at those points, the lower bound below it):
#  1. generated, 600 units, 12 territories: 7 bases at one point, 5 at
#     another: exit 0, checked, gap within 1%, the log names the shared
#     bases; identical files with 1 and 2 threads;
#  2. the same with --allow-splits, and with --objective diameter;
#  3. all 12 at one point: every plan costs the same there, so the bound
#     must be within 0.1% of the objective; bases 1e-7 apart count as one
#     point;
#  4. with --max-distance (500, not binding: the spread is off whenever a
#     cap is set, as a unit at the cap could change sides): no log line,
#     still checked;
#  5. uscounties, 30 bases in Chicago and 20 in Dallas, --balance places:10
#     (skipped without the shared data).
# Usage: shared_bases.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/align_lib.sh"
CHECK="python3 tests/tools/check_align.py"

# bases FOLDER SPEC: rewrites FOLDER/territories.csv so that territory k
# gets the base of territory SPEC[k] (a list of indices, comma-separated).
bases() {
    python3 - "$1" "$2" <<'EOF'
import csv, sys
path, spec = sys.argv[1] + "/territories.csv", [int(v) for v in sys.argv[2].split(",")]
rows = list(csv.DictReader(open(path)))
cols = ("lat", "lon") if "lat" in rows[0] else ("x", "y")
src = [(r[cols[0]], r[cols[1]]) for r in rows]
for k, r in enumerate(rows):
    r[cols[0]], r[cols[1]] = src[spec[k]]
w = csv.DictWriter(open(path, "w", newline=""), fieldnames=list(rows[0].keys()), lineterminator="\n")
w.writeheader()
w.writerows(rows)
EOF
}

# run NAME INSTANCE ARGS...: tqo align into $tmp/NAME, -v log in NAME.err;
# then check_align.py; ok/bad.
run() {
    local name=$1 inst=$2
    shift 2
    local o=$tmp/$name
    "$TQO" align "$inst" -o "$o" -v "$@" >"$o.out" 2>"$o.err"
    local rc=$?
    if [ "$rc" != 0 ]; then
        bad "$name: exit $rc"
        grep -v "^tqo: alloc" "$o.err" | tail -5 | indent
        return 1
    fi
    if $CHECK "$inst" "$o" --printed "$o.out" ${GAP:+--gap "$GAP"} >"$o.chk" 2>&1; then
        ok "$name: exit 0, checked ($(grep -E '^(gap|objective) ' "$o.out" | tr -s ' ' | tr '\n' ' '))"
    else
        bad "$name: check_align.py"
        indent <"$o.chk"
        return 1
    fi
}

g=$tmp/g
"$TQO" generate --units 600 --territories 12 --periods 0 --seed 4 -o "$g" --quiet || bad "generate"
bases "$g" 0,0,0,0,0,0,0,1,1,1,1,1

# --- 1
GAP=1 run two "$g" --balance workload:5 --threads 1
if has "$tmp/two.err" "12 home bases share a point with another (2 points, within"; then
    ok "the log names the shared bases"
else
    bad "no log line on the shared bases"
    grep -i "home bases" "$tmp/two.err" | indent
fi
GAP=1 run two_t2 "$g" --balance workload:5 --threads 2
align_same "1 and 2 threads" "$tmp/two" "$tmp/two_t2"

# --- 2
run splits "$g" --balance workload:5 --allow-splits
run diameter "$g" --balance workload:5 --objective diameter --search-rounds 1

# --- 3
g1=$tmp/g1
cp -r "$g" "$g1"
bases "$g1" 0,0,0,0,0,0,0,0,0,0,0,0
GAP=0.1 run one_point "$g1" --balance workload:5

# bases a hair apart (1e-7 in x: the same office geocoded twice) count as
# one point too
g2=$tmp/g2
cp -r "$g" "$g2"
python3 - "$g2/territories.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for k, r in enumerate(rows):
    if k < 7:
        r["x"] = "%.9f" % (float(r["x"]) + 1e-7 * k)
w = csv.DictWriter(open(sys.argv[1], "w", newline=""), fieldnames=list(rows[0].keys()), lineterminator="\n")
w.writeheader()
w.writerows(rows)
EOF
GAP=1 run near "$g2" --balance workload:5
if has "$tmp/near.err" "12 home bases share a point with another (2 points, within"; then
    ok "bases 1e-7 apart: spread as one point"
else
    bad "bases 1e-7 apart were not spread"
fi

# --- 4
run capped "$g" --balance workload:5 --max-distance 500
if has "$tmp/capped.err" "home bases share a point"; then
    bad "--max-distance: the bases were spread"
else
    ok "--max-distance: the bases are not spread"
fi

# --- 5
US=$DATA/uscounties
if [ ! -d "$US" ]; then
    skip_part "$US not present"
else
    u=$tmp/us
    mkdir -p "$u"
    cp "$US/units.csv" "$US/adjacency.csv" "$u/"
    python3 - "$u/territories.csv" <<'EOF'
import sys
rows = ["territory_id,lat,lon"] + ["C%02d,41.8781,-87.6298" % i for i in range(30)] + \
       ["D%02d,32.7767,-96.7970" % i for i in range(20)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
EOF
    GAP=1 run uscounties "$u" --balance places:10
fi
finish
