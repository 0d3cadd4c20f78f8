#!/bin/bash
# tqo plan on italy, which has no history: the plan is the alignment and
# its report, without the quota steps. Real data: skipped without it.
# Usage: plan_real.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
need_data italy

check "italy: no history, align only" "$TQO" plan "$DATA/italy" -k 20 --balance population:5 -o "$tmp/it" -q
[ -s "$tmp/it/report.html" ] && [ -s "$tmp/it/align/assignment.csv" ] && [ ! -e "$tmp/it/quota" ] \
    && [ ! -e "$tmp/it/scenarios" ] && ok "italy: report without quota steps" || bad "italy report"
# every comune assigned once, balanced within 5% of the mean population
check "italy: every unit once, population within 5%" python3 - "$DATA/italy/units.csv" "$tmp/it/align/assignment.csv" <<'PY'
import csv, sys
units = {r["unit_id"]: float(r["population"]) for r in csv.DictReader(open(sys.argv[1], newline=""))}
share, pop = {}, {}
for r in csv.DictReader(open(sys.argv[2], newline="")):
    share[r["unit_id"]] = share.get(r["unit_id"], 0.0) + float(r["share"])
    pop[r["territory_id"]] = pop.get(r["territory_id"], 0.0) + float(r["share"]) * units[r["unit_id"]]
assert sorted(share) == sorted(units), "units differ"
assert all(abs(v - 1) < 1e-9 for v in share.values())
assert len(pop) == 20, len(pop)
mean = sum(pop.values()) / len(pop)
worst = max(abs(v / mean - 1) for v in pop.values())
assert worst <= 0.05 + 1e-6, worst
PY
finish
