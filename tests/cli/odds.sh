#!/bin/bash
# Each rep's odds (issue 19): scenarios_detail.csv's prob_at_quota and
# prob_first_paying, and the summary's P10/P50/P90 of company attainment,
# cost of sales and share at quota, recounted from the replicates that
# scenarios.json holds (tests/tools/check_odds.py), on superstore with 9
# error blocks; byte-identical for 1 and 2 threads and through shards and
# merge; the plan's report shows the odds.
# Usage: odds.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
SS=instances/superstore
[ -d "$SS" ] || { echo "# $SS missing"; exit 77; }

"$TQO" align "$SS" -k 12 --balance accounts:10 -o "$tmp/al" -q --starts 1 || bad "align"
A="$tmp/al/assignment.csv"
cat >"$tmp/grid.csv" <<'CSV'
scenario,growth,max_growth,payout_curve
g0,0,,50:0;100:100;150:200
g10,10,,80:0;100:100;150:200
g20,20,25,90:20;100:100;100:120;150:200
tgt,30,,50:0;100:100;150:200
CSV
RUN=(scenarios "$SS" --assignment "$A" --scenarios "$tmp/grid.csv" --potential accounts --min-train-years 1
    --replicates 700 --seed 11)
check "scenarios, 1 thread" "$TQO" "${RUN[@]}" --threads 1 -o "$tmp/s1" -q
check "scenarios, 2 threads" "$TQO" "${RUN[@]}" --threads 2 -o "$tmp/s2" -q
same=1
for f in scenarios_summary.csv scenarios_detail.csv scenarios.json; do
    cmp -s "$tmp/s1/$f" "$tmp/s2/$f" || { same=0; echo "# $f differs"; }
done
[ $same = 1 ] && ok "byte-identical odds for 1 and 2 threads" || bad "byte-identical odds for 1 and 2 threads"
check "the odds recount from the replicates" python3 tests/tools/check_odds.py "$tmp/s1"
indent <"$tmp/log"
python3 - "$tmp/s1" >"$tmp/log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/scenarios_detail.csv")))
pq = [float(r["prob_at_quota"]) for r in rows]
pp = [float(r["prob_first_paying"]) for r in rows]
assert all(0 <= a <= b <= 1 for a, b in zip(pq, pp)), "reaching quota must imply reaching the first paying point here"
assert any(0 < a < 1 for a in pq), "9 blocks: some odds strictly between 0 and 1"
g = {r["territory_id"]: float(r["prob_at_quota"]) for r in rows if r["scenario"] == "g0"}
t = {r["territory_id"]: float(r["prob_at_quota"]) for r in rows if r["scenario"] == "tgt"}
assert all(t[k] <= g[k] for k in g), "30% growth never raises a rep's odds over 0%"
print("odds in [0, 1], ordered, and falling with growth over %d rows" % len(rows))
PY
[ $? = 0 ] && ok "odds are probabilities that fall as quotas rise" || { bad "odds are probabilities that fall as quotas rise"; indent <"$tmp/log"; }

# Shards: the part files carry the replicates' blocks, so merged files match.
check "shard 1/2" "$TQO" "${RUN[@]}" --threads 1 --shard 1/2 -o "$tmp/p" -q
check "shard 2/2" "$TQO" "${RUN[@]}" --threads 2 --shard 2/2 -o "$tmp/p" -q
check "merge" "$TQO" merge "$tmp/m" "$tmp"/p/scenarios_part_*_of_2.bin -q
same=1
for f in scenarios_summary.csv scenarios_detail.csv scenarios.json; do
    cmp -s "$tmp/s1/$f" "$tmp/m/$f" || { same=0; echo "# $f differs after merge"; }
done
[ $same = 1 ] && ok "merged shards give the same odds" || bad "merged shards give the same odds"

# The plan's report: the odds section with every territory.
check "plan with scenarios" "$TQO" plan "$SS" -k 12 --balance accounts:10 --potential accounts --history-until 2016Q4 \
    --growth 10 --scenarios "$tmp/grid.csv" --replicates 300 --choose g10 -o "$tmp/plan" -q
if has "$tmp/plan/report.html" 'id="odds"' && [ "$(grep -c 'class="odds-row"' "$tmp/plan/report.html")" = 12 ]; then
    ok "the report shows each rep's odds (12 territories)"
else
    bad "the report shows each rep's odds (12 territories)"
fi
finish
