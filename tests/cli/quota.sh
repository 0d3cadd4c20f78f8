#!/bin/bash
# tqo quota on the superstore history, checked by recomputing from the
# files: the sum to the cent, every bound, period quotas, the replayed year,
# minimax, region targets, and an impossible combination explained.
# Usage: quota.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
SS=instances/superstore

"$TQO" quota --help >"$tmp/h" || bad "quota --help"
for opt in --assignment --value --potential --history-until --plan-period --forecast --target --growth \
    --over-assign --history-weight --min-growth --max-growth --fairness --min-train-years --region-targets \
    --region-col --out --quiet; do
    grep -q -- "$opt" "$tmp/h" || bad "--help documents $opt"
done
"$TQO" quota "$SS" -o "$tmp/x" --growth abc 2>"$tmp/e"; [ $? -eq 2 ] && grep -q "'--growth': 'abc'" "$tmp/e" \
    && ok "bad option value: exit 2" || bad "bad option value"

"$TQO" align "$SS" -k 12 --balance accounts:10 -o "$tmp/al" -q --starts 1 || bad "align"
A="$tmp/al/assignment.csv"
# a target --target accepts but too large for cents: an error naming the territory, no files (found by
# the hierarchy fuzzer: a node's over-assignment of 4e62% exited 2 without a word)
"$TQO" quota "$SS" --assignment "$A" -o "$tmp/big" --target 1e16 2>"$tmp/e"; rc=$?
[ $rc -ne 0 ] && grep -q "territory '.*': its quota .* too large to split into periods" "$tmp/e" && [ ! -e "$tmp/big" ] \
    && ok "a quota too large for cents: named, no files" || bad "a quota too large for cents (exit $rc): $(cat "$tmp/e")"

COMMON=(--assignment "$A" --history-until 2016Q4 --growth 10 --potential accounts --min-growth -10 --max-growth 40)
"$TQO" quota "$SS" "${COMMON[@]}" -o "$tmp/q" -q || bad "quota run"

cat >"$tmp/verify.py" <<'PY'
import csv, json, sys
from collections import defaultdict
ss, asg, out = sys.argv[1:4]
minmax = len(sys.argv) > 4 and sys.argv[4] == "minimax"
share = defaultdict(list)
for r in csv.DictReader(open(asg)):
    share[r["unit_id"]].append((r["territory_id"], float(r["share"])))
sales = defaultdict(float)          # (territory, period) -> sales
total16 = 0.0
for r in csv.DictReader(open(ss + "/history.csv")):
    for t, s in share[r["unit_id"]]:
        sales[(t, r["period"])] += s * float(r["sales"])
    if r["period"].startswith("2016"):
        total16 += float(r["sales"])
q = {r["territory_id"]: r for r in csv.DictReader(open(out + "/quotas.csv"))}
want = round(total16 * 1.10 * 100)
got = sum(round(float(r["quota"]) * 100) for r in q.values())
assert got == want, ("sum of quotas in cents", got, want)
for t, r in q.items():
    L = sum(sales[(t, "2016Q%d" % k)] for k in range(1, 5))
    assert abs(L - float(r["last_year"])) < 0.01, (t, L, r["last_year"])
    qq = float(r["quota"])
    assert 0.9 * L - 0.011 <= qq <= 1.4 * L + 0.011, (t, qq, L)
    if r["bound"] == "min":
        assert abs(qq - 0.9 * L) < 0.02
    if r["bound"] == "max":
        assert abs(qq - 1.4 * L) < 0.02
    actual = sum(sales[(t, "2017Q%d" % k)] for k in range(1, 5))
    assert abs(actual - float(r["actual"])) < 0.01, (t, actual, r["actual"])
    assert abs(float(r["attainment_pct"]) - 100 * actual / qq) < 1e-6
per = defaultdict(int)
for r in csv.DictReader(open(out + "/quotas_by_period.csv")):
    assert r["period"].startswith("2017Q")
    per[r["territory_id"]] += round(float(r["quota"]) * 100)
for t, r in q.items():
    assert per[t] == round(float(r["quota"]) * 100), ("period quotas", t)
s = json.load(open(out + "/quota_summary.json"))
assert s["plan_year"] == 2017 and "replay" in s
# the objective, recomputed from the quotas and fair shares in the file
devs = [abs(float(r["quota"]) - float(r["fair_share"])) / float(r["fair_share"]) for r in q.values()]
obj = max(devs) if minmax else sum(devs)
assert abs(obj - s["objective"]) <= 1e-6 + 1e-6 * abs(obj), (obj, s["objective"])
print("ok", len(q), "territories")
PY
check "quotas add up to 110% of 2016 sales to the cent; bounds, periods, replay hold" \
    python3 "$tmp/verify.py" "$SS" "$A" "$tmp/q"
"$TQO" quota "$SS" "${COMMON[@]}" --fairness minimax -o "$tmp/qm" -q || bad "minimax run"
check "--fairness minimax: the same properties, the largest deviation as objective" \
    python3 "$tmp/verify.py" "$SS" "$A" "$tmp/qm" minimax

# Region targets: each region's 2016 sales x 1.1, by the units' region label.
python3 - "$SS" "$A" "$tmp/regions.csv" <<'PY'
import csv, sys
from collections import defaultdict
ss, asg, dst = sys.argv[1:4]
region = {r["unit_id"]: r["region"] for r in csv.DictReader(open(ss + "/units.csv"))}
tot = defaultdict(float)
for r in csv.DictReader(open(ss + "/history.csv")):
    if r["period"].startswith("2016"):
        tot[region[r["unit_id"]]] += float(r["sales"])
with open(dst, "w") as f:
    f.write("region,target\n")
    for k in sorted(tot):
        f.write("%s,%.2f\n" % (k, tot[k] * 1.1))
PY
"$TQO" quota "$SS" --assignment "$A" --history-until 2016Q4 --growth 10 --potential accounts \
    --region-targets "$tmp/regions.csv" --region-col region -o "$tmp/qr" -q 2>"$tmp/e"
rc=$?
# these targets are reachable: the run must succeed and meet them
if [ $rc -eq 0 ]; then
    check "--region-targets: each region's quotas add up to its target" python3 - "$tmp/regions.csv" "$tmp/qr/quotas.csv" <<'PY'
import csv, sys
from collections import defaultdict
want = {r["region"]: float(r["target"]) for r in csv.DictReader(open(sys.argv[1]))}
got = defaultdict(float)
for r in csv.DictReader(open(sys.argv[2])):
    got[r["region"]] += float(r["quota"])
for k in got:
    assert k in want, k
    assert abs(got[k] - want[k]) < 0.05, (k, got[k], want[k])
PY
else
    bad "--region-targets run (exit $rc)"; cat "$tmp/e"
fi

"$TQO" quota "$SS" --assignment "$A" --history-until 2016Q4 --growth 10 --min-growth 30 -o "$tmp/bad" 2>"$tmp/e"
rc=$?
if [ $rc -eq 2 ] && grep -q "floors alone add up to" "$tmp/e" && [ ! -e "$tmp/bad" ]; then
    ok "impossible floors: exit 2, the figures named, nothing written"
else
    bad "impossible floors (exit $rc)"; cat "$tmp/e"
fi
finish
