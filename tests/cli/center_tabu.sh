#!/bin/bash
# --objective center with contiguity: the tabu search of the diameter with
# the center measure (solver/align/objective_tabu.c), then the descent
# (objective_search.c), on a commdis file (docs/objectives.md):
# - the plan recomputed by tests/tools/check_diameter.py center from the
#   output files (balance, contiguity, every territory's radius about its
#   best centre unit by brute force, the centre units written attain it,
#   the bound below the value, the gap);
# - the radius recomputed here again from assignment.csv alone, and the
#   moment plan's (the search's start) the same way: the search lowers it
#   by at least 5%;
# - the starts' printed move counts (four per round, two rounds with
#   --search-rounds 2) plus the descent's add up to summary.json's;
# - --threads 1 and 2 write the same files (timings aside);
# - on 20 units, bound <= --exact's optimum (= every plan enumerated) <=
#   the tabu search's value.
# Usage: center_tabu.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
F=instances/commdis/du-500-10.txt
CHECK=tests/tools/check_diameter.py
PY=python3
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import numpy" 2>/dev/null && PY=/usr/bin/python3

check "align, moment (the start)" "$TQO" align "$F" --starts 1 -o "$tmp/m" -q
check "align --objective center --threads 2" "$TQO" align "$F" --objective center --starts 1 --threads 2 \
    --search-rounds 2 -o "$tmp/c2" -v
cp "$tmp/log" "$tmp/c2.log"
check "align --objective center --threads 1" "$TQO" align "$F" --objective center --starts 1 --threads 1 \
    --search-rounds 2 -o "$tmp/c1" -q
check "center: balance, contiguity, radius by brute force, centre units, bound, gap" $PY "$CHECK" center "$F" "$tmp/c2"

# the radius again, from the commdis file and assignment.csv only
$PY - "$F" "$tmp/m/assignment.csv" "$tmp/c2/assignment.csv" "$tmp/c2/summary.json" <<'PY' \
    && ok "radius recomputed from assignment.csv: summary.json's, and 5% below the moment plan's" || bad "radius"
import csv, json, math, sys
from collections import defaultdict
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
n = int(lines[0][0])
xy = {l[0]: (float(l[1]), float(l[2])) for l in lines[1:1 + n]}
def radius(path):
    terr = defaultdict(list)
    for r in csv.DictReader(open(path)):
        assert float(r["share"]) == 1, r
        terr[r["territory_id"]].append(xy[r["unit_id"]])
    return max(min(max(math.dist(c, u) for u in t) for c in t) for t in terr.values())
m, c = radius(sys.argv[2]), radius(sys.argv[3])
s = json.load(open(sys.argv[4]))["center"]
print("moment plan %.4f, center search %.4f (summary.json %.4f)" % (m, c, s["max"]))
assert abs(c - s["max"]) <= 1e-9 * c, (c, s["max"])
assert c <= 0.95 * m, "not 5% below the start"
PY

$PY - "$tmp/c2.log" "$tmp/c2/summary.json" <<'PY' && ok "the starts' and the descent's moves add up to summary.json's" \
    || bad "move counts"
import json, re, sys
log = open(sys.argv[1]).read()
starts = re.findall(r"center tabu search, round (\d+), start \d+: .* \((\d+) iterations, (\d+) moves", log)
desc = re.findall(r"center search: .* \((\d+) moves, (\d+) swaps, (\d+) chains", log)
s = json.load(open(sys.argv[2]))["center"]["search"]
assert len(starts) == 8 and {r for r, _, _ in starts} == {"1", "2"}, starts
assert len(desc) == 1, desc
mv, sw, ch = (int(v) for v in desc[0])
assert sum(int(m) for _, _, m in starts) + mv == s["moves"] > 0, (starts, desc, s)
assert sw + ch == s["swaps"], (desc, s)
PY

cmp -s "$tmp/c1/assignment.csv" "$tmp/c2/assignment.csv" && cmp -s "$tmp/c1/territories.csv" "$tmp/c2/territories.csv" \
    && $PY - "$tmp/c2/summary.json" "$tmp/c1/summary.json" <<'PY' && ok "--threads 1 and 2: the same files" \
    || bad "--threads 1 and 2 differ"
import json, sys
def strip(d):
    if isinstance(d, dict):
        return {k: strip(v) for k, v in d.items() if k not in ("seconds", "threads", "command")}
    return d
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY

# 20 units, 2 territories: every plan enumerated; --exact is the optimum
"$TQO" generate --format commdis --units 20 --territories 2 --tolerance 10 --seed 5 -o "$tmp/s.txt" --quiet
check "center tabu search on 20 units" "$TQO" align "$tmp/s.txt" --objective center -o "$tmp/h" -v
grep -qE "center tabu search, (round|layout) 1, start 1" "$tmp/log" && ok "20 units: the tabu search ran" || bad "20 units: no tabu search"
check "center --exact on 20 units" "$TQO" align "$tmp/s.txt" --objective center --exact -o "$tmp/e" -q
check "center --exact: enumeration of every plan" $PY "$CHECK" center "$tmp/s.txt" "$tmp/e" --enumerate
cp "$tmp/log" "$tmp/e.log"
check "center tabu plan on 20 units checks" $PY "$CHECK" center "$tmp/s.txt" "$tmp/h"
cp "$tmp/log" "$tmp/h.log"
$PY - "$tmp/e.log" "$tmp/h.log" <<'PY' && ok "bound <= exact optimum (= enumerated) <= tabu search's value" \
    || bad "bound, optimum, heuristic"
import sys
e = dict(l.split() for l in open(sys.argv[1]))
h = dict(l.split() for l in open(sys.argv[2]))
opt, exact, heur, lb = float(e["optimum"]), float(e["value"]), float(h["value"]), float(h["lower_bound"])
assert abs(exact - opt) <= 1e-9 * opt, ("--exact is not the optimum", exact, opt)
assert lb <= opt * (1 + 1e-12) <= heur * (1 + 1e-12), (lb, opt, heur)
print("bound %.6g <= optimum %.6g <= tabu %.6g" % (lb, opt, heur))
PY
finish
