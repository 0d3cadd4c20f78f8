#!/bin/bash
# The academic districting format end to end: validate, align with the
# file's own p and tolerances, every figure checked from the output files
# and the commdis text (balance, contiguity on the file's edges, the
# district diameter by brute force), generate --format commdis read back,
# and a malformed file rejected with file:line and nothing written.
# Usage: commdis.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
F=instances/commdis/du-500-10.txt

check "validate a commdis file" "$TQO" validate "$F"
grep -q "format       commdis: 10 districts, tolerances a1 5% a2 5% a3 5%" "$tmp/log" && grep -q "1 connected component" "$tmp/log" \
    && ok "validate reports p, tolerances and the edges" || { bad "validate output"; cat "$tmp/log"; }
check "align with the file's p and tolerances" "$TQO" align "$F" -o "$tmp/a" -q
cat >"$tmp/verify.py" <<'PY'
import csv, json, math, sys
from collections import defaultdict
path, out = sys.argv[1:3]
tok = open(path).read().split("\n")
lines = [l.split() for l in tok if l.strip()]
n = int(lines[0][0]); units = {}
for l in lines[1:1 + n]:
    units[l[0]] = (float(l[1]), float(l[2]), [float(v) for v in l[3:6]])
m = int(lines[1 + n][0]); edges = [tuple(l) for l in lines[2 + n:2 + n + m]]
p, _, *tau = lines[2 + n + m]; p = int(p); tau = [float(t) for t in tau]
terr = {}
for r in csv.DictReader(open(out + "/assignment.csv")):
    assert r["unit_id"] not in terr, r["unit_id"]
    assert float(r["share"]) == 1.0
    terr[r["unit_id"]] = r["territory_id"]
assert set(terr) == set(units), "every unit assigned once"
ts = sorted(set(terr.values())); assert len(ts) == p, (len(ts), p)
for k in range(3):
    tot = defaultdict(float)
    for u, t in terr.items():
        tot[t] += units[u][2][k]
    mean = sum(tot.values()) / p
    for t, v in tot.items():
        assert abs(v - mean) <= tau[k] * mean * (1 + 1e-9), ("a%d" % (k + 1), t, v, mean)
adj = defaultdict(list)
for u, v in edges:
    if terr[u] == terr[v]:
        adj[u].append(v); adj[v].append(u)
for t in ts:
    mem = [u for u in terr if terr[u] == t]
    seen = {mem[0]}; st = [mem[0]]
    while st:
        for w in adj[st.pop()]:
            if w not in seen:
                seen.add(w); st.append(w)
    assert len(seen) == len(mem), ("territory not connected", t)
diam = 0.0
for t in ts:
    mem = [units[u] for u in terr if terr[u] == t]
    for i in range(len(mem)):
        for j in range(i + 1, len(mem)):
            diam = max(diam, math.hypot(mem[i][0] - mem[j][0], mem[i][1] - mem[j][1]))
s = json.load(open(out + "/summary.json"))
assert abs(s["diameter"]["max"] - diam) <= 1e-9 * diam, (s["diameter"]["max"], diam)
assert len(s["diameter"]["territories"]) == p
assert s["territories"] == p
print("verified: %d units, %d districts, diameter %.3f" % (n, p, diam))
PY
check "assignment: once each, balance within tau, contiguous on the edges, diameter by brute force" \
    python3 "$tmp/verify.py" "$F" "$tmp/a"
check "-k and --balance override the file" "$TQO" align "$F" -k 5 --balance a2:10 -o "$tmp/b" -q
python3 -c "import json,sys; s=json.load(open('$tmp/b/summary.json')); assert s['territories']==5 and list(s['max_abs_dev_pct'])==['a2']" \
    && ok "overrides used" || bad "overrides used"

check "generate --format commdis" "$TQO" generate --format commdis --units 300 --territories 6 --tolerance 8 --seed 3 \
    -o "$tmp/g.txt" --quiet
check "the generated file reads back" "$TQO" validate "$tmp/g.txt"
grep -q "format       commdis: 6 districts, tolerances a1 8% a2 8% a3 8%" "$tmp/log" && grep -q "units        300" "$tmp/log" \
    && ok "p, tolerance and units round-trip" || { bad "round trip"; cat "$tmp/log"; }

B=tests/fixtures/commdis/bad/unknown_unit.txt
"$TQO" align "$B" -o "$tmp/x" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "^tqo: error: $B:[0-9]*: " "$tmp/e" && [ ! -e "$tmp/x" ] \
    && ok "malformed commdis: exit 2, file:line, nothing written" || { bad "malformed commdis"; cat "$tmp/e"; }
"$TQO" validate instances/superstore --format commdis 2>"$tmp/e"; [ $? -eq 2 ] && grep -q "a folder" "$tmp/e" \
    && ok "--format commdis on a folder: clear error" || bad "--format commdis on a folder"
"$TQO" validate instances/superstore_scenarios.csv 2>"$tmp/e"; [ $? -eq 2 ] && grep -q "nor a commdis file" "$tmp/e" \
    && ok "a CSV file is neither format" || { bad "a CSV file is neither format"; cat "$tmp/e"; }

finish
