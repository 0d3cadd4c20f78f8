#!/bin/bash
# tqo align: usage errors name the option and exit 2; a run writes the four
# files in the layout other tools read (checked with Python's csv, json and
# xml parsers), and an unwritable output folder fails with nothing left.
# Usage: align.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
usage_error() { # description, expected message, then the arguments
    local d=$1 msg=$2; shift 2
    "$TQO" align "$@" >"$tmp/o" 2>"$tmp/e"
    if [ $? -eq 2 ] && has "$tmp/e" "$msg" && [ ! -e "$tmp/never" ]; then ok "$d"; else bad "$d"; fi
}

"$TQO" generate -o "$tmp/inst" --units 400 --territories 6 --periods 0 --quiet || bad "generate an instance"
"$TQO" generate -o "$tmp/geo" --units 300 --territories 5 --periods 0 --geo --quiet || bad "generate a lat/lon instance"

"$TQO" align --help >"$tmp/h" && has "$tmp/h" "usage: tqo align" && ok "align --help" || bad "align --help"
for opt in -k --balance --weight --allow-splits --max-distance --max-moves --disruption-weight --adjacency \
    --no-contiguity --exact --time-limit --candidates --starts --seed --threads --write-lp --write-mps --out \
    --quiet --help; do
    # a switch may be listed as --[no-]NAME
    has "$tmp/h" "$opt" || has "$tmp/h" "--[no-]${opt#--}" || bad "--help documents $opt"
done
usage_error "--balance pop:abc" "option '--balance': 'abc' is not a number" "$tmp/inst" -o "$tmp/never" --balance pop:abc
usage_error "--balance tolerance above 100" "option '--balance': 101 is out of range" "$tmp/inst" -o "$tmp/never" --balance potential:101
usage_error "--balance without a name" "option '--balance': ':5' names no measure" "$tmp/inst" -o "$tmp/never" --balance :5
usage_error "-k 0" "option '-k': 0 is out of range" "$tmp/inst" -o "$tmp/never" -k 0
usage_error "--threads 0" "option '--threads': 0 is out of range" "$tmp/inst" -o "$tmp/never" --threads 0
usage_error "--max-moves 120" "option '--max-moves': 120 is out of range" "$tmp/inst" -o "$tmp/never" --max-moves 120
usage_error "--seed -1" "option '--seed': '-1' must not be negative" "$tmp/inst" -o "$tmp/never" --seed -1
usage_error "missing -o" "missing output folder" "$tmp/inst"
usage_error "missing instance" "expected an INSTANCE folder" -o "$tmp/never"
usage_error "unknown option" "unknown option '--bogus'" "$tmp/inst" -o "$tmp/never" --bogus
usage_error "missing value" "option '--time-limit' needs a value" "$tmp/inst" -o "$tmp/never" --time-limit

"$TQO" align "$tmp/inst" -o "$tmp/out" --balance potential:5 --balance workload:10 >"$tmp/run" 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ]; then ok "align runs"; else bad "align runs (exit $rc: $(head -3 "$tmp/err"))"; fi
check "summary ends with the results folder" has "$tmp/run" "results: $tmp/out/"
check "exactly the four files, no temporaries" test "$(ls -A "$tmp/out" | tr '\n' ' ')" = "assignment.csv map.svg summary.json territories.csv "
check "assignment.csv: every unit, shares sum to 1" python3 - "$tmp/inst/units.csv" "$tmp/out/assignment.csv" <<'EOF'
import csv, sys
units = [r["unit_id"] for r in csv.DictReader(open(sys.argv[1], newline=""))]
rows = list(csv.reader(open(sys.argv[2], newline="")))
assert rows[0] == ["unit_id", "territory_id", "share"]
total = {}
for u, t, s in rows[1:]:
    total[u] = total.get(u, 0.0) + float(s)
assert sorted(total) == sorted(units)
assert all(v == 1.0 for v in total.values())
EOF
check "territories.csv: header" python3 - "$tmp/out/territories.csv" <<'EOF'
import csv, sys
h = next(csv.reader(open(sys.argv[1], newline="")))
assert h == ["territory_id", "center_x", "center_y", "units", "potential", "potential_dev_pct",
             "workload", "workload_dev_pct", "compactness"], h
EOF
check "summary.json: parameters to repeat the run" python3 - "$tmp/out/summary.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("objective", "lower_bound", "gap", "max_abs_dev_pct", "splits", "contiguity_exceptions", "moved",
          "iterations", "seconds", "solver_status", "parameters", "command"):
    assert k in d, k
p = d["parameters"]
assert [b["measure"] for b in p["balance"]] == ["potential", "workload"]
assert p["balance"][1]["tolerance_pct"] == 10
assert p["tqo_version"] and p["instance"]
EOF
check "map.svg: well-formed, one circle per unit" python3 - "$tmp/inst/units.csv" "$tmp/out/map.svg" <<'EOF'
import csv, sys, xml.dom.minidom
n = sum(1 for _ in csv.DictReader(open(sys.argv[1], newline="")))
d = xml.dom.minidom.parse(sys.argv[2])
assert len(d.getElementsByTagName("circle")) == n
EOF

"$TQO" align "$tmp/geo" -o "$tmp/gout" --adjacency none --write-lp "$tmp/m.lp" --write-mps "$tmp/m.mps" -q \
    >"$tmp/run" 2>&1
check "lat/lon run, quiet" test ! -s "$tmp/run"
check "lat/lon: center_lat,center_lon" python3 -c "import csv,sys; h=next(csv.reader(open('$tmp/gout/territories.csv'))); assert h[:4]==['territory_id','center_lat','center_lon','units'], h"
check "--write-lp writes the model" test -s "$tmp/m.lp"
check "--write-mps writes the model" test -s "$tmp/m.mps"

: >"$tmp/plain"
"$TQO" align "$tmp/inst" -o "$tmp/plain/out" --balance potential >/dev/null 2>"$tmp/e"
rc=$?
[ $rc -eq 1 ] && has "$tmp/e" "cannot write" && ok "unwritable output: exit 1" || bad "unwritable output (exit $rc)"

finish
