#!/bin/bash
# The whole-unit lower bound (align_bound.c) and the local search's cost
# cache (align_local.c): the bound raised by branching on a large split unit
# is still a bound (never above the exact MIP's proven optimum at the same
# centres), is above the LP's, and is the same for any thread count; on
# italy -k 20 the plan is within 0.5% of it (issue 13), recomputed from the
# files by tests/tools/check_align.py.
# Usage: align_bound.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
CHECK="python3 tests/tools/check_align.py"

# 80 small units and one holding 85% of a territory's target, 3 home bases:
# the LP shares the large unit, every whole plan puts it in one territory.
python3 - "$tmp/g" <<'PY'
import os, random, sys
d = sys.argv[1]
os.makedirs(d)
random.seed(3)
rows = [('u%03d' % i, random.uniform(0, 10), random.uniform(0, 8), random.randint(1, 5)) for i in range(80)]
tot = sum(r[3] for r in rows)
rows.append(('big', 2.0, 1.0, round(0.85 * tot / 3 / (1 - 0.85 / 3))))
open(d + '/units.csv', 'w').write('unit_id,x,y,m\n' + ''.join('%s,%.4f,%.4f,%d\n' % r for r in rows))
open(d + '/territories.csv', 'w').write('territory_id,x,y\nA,0,0\nB,10,0\nC,5,8\n')
PY
"$TQO" align "$tmp/g" --balance m:5 --threads 1 -o "$tmp/h1" -v >"$tmp/o1" 2>"$tmp/e1"
"$TQO" align "$tmp/g" --balance m:5 --threads 2 -o "$tmp/h2" -q
"$TQO" align "$tmp/g" --balance m:5 --exact -o "$tmp/x" -q
check "small instance: the heuristic plan passes the checker" $CHECK "$tmp/g" "$tmp/h1" --max-splits 0
check "the exact MIP's plan passes the checker, proven optimal" $CHECK "$tmp/g" "$tmp/x" --gap 0 --max-splits 0
# The LP's bound from the log; the raised one and the optimum from the files.
python3 - "$tmp/e1" "$tmp/h1/summary.json" "$tmp/h2/summary.json" "$tmp/x/summary.json" >"$tmp/log" 2>&1 <<'PY'
import json, re, sys
log = open(sys.argv[1]).read()
lp = float(re.search(r'allocation LP: optimal, objective \S+, lower bound (\S+),', log).group(1))
assert 'bound: branching on big' in log, 'the large unit was not branched on'
h1, h2, x = (json.load(open(f)) for f in sys.argv[2:5])
lb, opt = h1['lower_bound'], x['objective']
print('LP bound %.9g, raised bound %.9g, optimum %.9g, heuristic %.9g' % (lp, lb, opt, h1['objective']))
assert lb > lp * (1 + 0.003), 'the bound did not rise above the LP bound'
assert lb <= opt * (1 + 1e-9), 'the raised bound is above the proven optimum: not a bound'
assert h1['objective'] >= lb * (1 - 1e-9)
assert h1['lower_bound'] == h2['lower_bound'] and h1['objective'] == h2['objective'], 'threads 1 and 2 differ'
PY
if [ $? -eq 0 ]; then ok "the raised bound lies between the LP bound and the optimum, the same for 1 and 2 threads"
else bad "raised bound"; indent <"$tmp/log"; fi
indent <"$tmp/log"
if cmp -s "$tmp/h1/assignment.csv" "$tmp/h2/assignment.csv"; then ok "threads 1 and 2: the same assignment"
else bad "threads 1 and 2: assignments differ"; fi

if [ -d "$DATA/italy" ]; then
    "$TQO" align "$DATA/italy" -k 20 --balance population:5 -o "$tmp/it20" -q
    check "italy -k 20: balanced within 5%, within 0.5% of the bound" $CHECK "$DATA/italy" "$tmp/it20" --gap 0.5 \
        --max-splits 0
else
    skip_part "italy: not in $DATA"
fi
finish
