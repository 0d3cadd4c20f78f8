#!/bin/bash
# --objective diameter and center (docs/objectives.md) on commdis files,
# every claim recomputed from the output files by tests/tools/check_diameter.py:
# balance, contiguity, the diameter (all pairs) or radius (all centres),
# the lower bound below the value, the gap, the dispersion bound; on a
# 20-unit file every balanced connected plan is enumerated and
# lower bound <= optimum = --exact's value <= the heuristic's value;
# --threads 1 and 2 write the same files; the default objective writes no
# new key; bad values are refused.
# Usage: objective_diameter.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
F=instances/commdis/du-500-10.txt
CHECK=tests/tools/check_diameter.py
# the system python when present: its numpy (python3-scipy's) speeds up the
# enumeration, which decides every plan the same way without it
PY=python3
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import numpy" 2>/dev/null && PY=/usr/bin/python3

for obj in diameter center; do
    check "align --objective $obj" "$TQO" align "$F" --objective $obj --search-rounds 2 -o "$tmp/$obj" --threads 2
    cp "$tmp/log" "$tmp/$obj.log"
    has "$tmp/$obj.log" "lower bound" && grep -q "^$obj " "$tmp/$obj.log" && grep -q "), gap [0-9.]*%" "$tmp/$obj.log" \
        && ok "$obj: the value, its lower bound and gap printed" || { bad "$obj: printed"; indent <"$tmp/$obj.log"; }
    check "$obj: balance, contiguity, value by brute force, bound, gap, dispersion bound" \
        $PY "$CHECK" $obj "$F" "$tmp/$obj"
    printed=$(sed -n "s/^$obj *\([0-9.e+]*\) .*/\1/p" "$tmp/$obj.log")
    python3 -c "import json,sys; s=json.load(open('$tmp/$obj/summary.json'))['$obj']; v=float('$printed'); \
assert abs(v - s['max']) <= 1e-5 * s['max'], (v, s['max']); assert 0 <= s['gap'] < 1" \
        && ok "$obj: the printed value is summary.json's" || bad "$obj: printed value $printed"
    check "$obj --threads 1" "$TQO" align "$F" --objective $obj --search-rounds 2 -o "$tmp/${obj}1" --threads 1
    cmp -s "$tmp/$obj/assignment.csv" "$tmp/${obj}1/assignment.csv" && \
        python3 - "$tmp/$obj/summary.json" "$tmp/${obj}1/summary.json" <<'PY' && ok "$obj: --threads 1 and 2 write the same plan and figures" || bad "$obj: threads differ"
import json, sys
def strip(d):
    if isinstance(d, dict):
        return {k: strip(v) for k, v in d.items() if k not in ("seconds", "threads", "command")}
    return d
a, b = (strip(json.load(open(f))) for f in sys.argv[1:3])
sys.exit(0 if a == b else 1)
PY
done

# The default objective: no new key, the same plan as before.
check "align, default objective" "$TQO" align "$F" -o "$tmp/m" -q
python3 -c "import json; s=json.load(open('$tmp/m/summary.json')); assert 'center' not in s and 'objective' not in s['parameters'] \
and 'lower_bound' not in s['diameter']" && ok "moment: summary.json without the new keys" || bad "moment: new keys"

# Small enough to enumerate every plan: --exact is the optimum.
"$TQO" generate --format commdis --units 20 --territories 2 --tolerance 10 --seed 5 -o "$tmp/s.txt" --quiet
for obj in diameter center; do
    check "$obj heuristic on 20 units" "$TQO" align "$tmp/s.txt" --objective $obj -o "$tmp/h$obj" -q
    check "$obj --exact on 20 units" "$TQO" align "$tmp/s.txt" --objective $obj --exact -o "$tmp/e$obj" -q
    check "$obj: enumeration of every plan" $PY "$CHECK" $obj "$tmp/s.txt" "$tmp/e$obj" --enumerate
    cp "$tmp/log" "$tmp/e$obj.log"
    check "$obj: the heuristic's plan checks" $PY "$CHECK" $obj "$tmp/s.txt" "$tmp/h$obj"
    cp "$tmp/log" "$tmp/h$obj.log"
    python3 - "$tmp/e$obj.log" "$tmp/h$obj.log" <<'PY' && ok "$obj: bound <= exact optimum (= enumerated) <= heuristic" || bad "$obj: bound, optimum, heuristic"
import sys
e = dict(l.split() for l in open(sys.argv[1]))
h = dict(l.split() for l in open(sys.argv[2]))
opt, exact, heur, lb = float(e["optimum"]), float(e["value"]), float(h["value"]), float(h["lower_bound"])
assert abs(exact - opt) <= 1e-9 * opt, ("--exact is not the optimum", exact, opt)
assert lb <= opt * (1 + 1e-12) <= heur * (1 + 1e-12), (lb, opt, heur)
assert float(e["lower_bound"]) >= opt * (1 - 1e-9), ("the exact bound proves the optimum", e)
print("bound %.6g <= optimum %.6g <= heuristic %.6g" % (lb, opt, heur))
PY
done

"$TQO" align "$F" --objective radius -o "$tmp/x" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "moment, diameter or center" "$tmp/e" && [ ! -e "$tmp/x" ] \
    && ok "--objective radius: refused, nothing written" || { bad "--objective radius"; cat "$tmp/e"; }
"$TQO" align "$F" --objective diameter --allow-splits -o "$tmp/y" 2>"$tmp/e"; rc=$?
[ $rc -ne 0 ] && grep -q "needs whole units" "$tmp/e" \
    && ok "--objective diameter --allow-splits: refused" || { bad "--allow-splits refused"; cat "$tmp/e"; }

finish
