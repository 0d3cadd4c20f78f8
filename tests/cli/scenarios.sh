#!/bin/bash
# tqo scenarios, checked from its files: the issue's grid on superstore
# (60 scenarios, 1,000 replicates), share at quota never rising with growth,
# quotas adding up to each scenario's target, identical files for 1 and 2
# threads, a flat history paying exactly the target incentive, and errors
# that name the row and column and leave nothing behind.
# Usage: scenarios.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
SS=instances/superstore

"$TQO" scenarios --help >"$tmp/h" || bad "scenarios --help"
for opt in --out --scenarios --assignment --replicates --seed --threads --target-incentive --payout-curve --top \
    --value --potential --history-until --forecast --growth --max-growth --min-train-years --quiet; do
    grep -q -- "$opt" "$tmp/h" || bad "--help documents $opt"
done

"$TQO" align "$SS" -k 12 --balance accounts:10 -o "$tmp/al" -q --starts 1 || bad "align"
A="$tmp/al/assignment.csv"
# history weight x growth x cap: 4 x 5 x 3 = 60 scenarios
python3 - "$tmp/grid.csv" <<'PY'
import sys
rows = ["scenario,history_weight,growth,max_growth"]
for hw in (0.4, 0.6, 0.8, 1.0):
    for cap in (25, 40, ""):
        for g in (0, 5, 10, 15, 20):
            rows.append("hw%s_cap%s_g%s,%s,%s,%s" % (hw, cap or "none", g, hw, g, cap))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
RUN=(scenarios "$SS" --assignment "$A" --scenarios "$tmp/grid.csv" --potential accounts --replicates 1000 --seed 7)
check "60 scenarios x 1000 replicates, 1 thread" "$TQO" "${RUN[@]}" --threads 1 -o "$tmp/s1"
grep -q "Pareto-efficient of 60 scenarios" "$tmp/log" && ok "prints the Pareto-efficient table" \
    || bad "prints the Pareto-efficient table"
check "the same, 2 threads" "$TQO" "${RUN[@]}" --threads 2 -o "$tmp/s2" -q
same=1
for f in scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json; do
    cmp -s "$tmp/s1/$f" "$tmp/s2/$f" || { same=0; echo "# $f differs"; }
done
[ $same = 1 ] && ok "byte-identical files for 1 and 2 threads" || bad "byte-identical files for 1 and 2 threads"

cat >"$tmp/verify.py" <<'PY'
import csv, json, sys, math
from collections import defaultdict
import xml.dom.minidom
ss, asg, out = sys.argv[1:4]
summ = list(csv.DictReader(open(out + "/scenarios_summary.csv")))
assert len(summ) == 60, len(summ)
cols = summ[0].keys()
for m in ("pct_at_quota", "pct_below_threshold", "attainment_median", "gini", "spearman", "payout",
          "cost_of_sales", "company_attainment", "at_bound", "mape"):
    for k in ("p10", "p50", "p90"):
        assert "%s_%s" % (m, k) in cols, m
    assert "backtest_" + m in cols, m
# share at quota never rises with growth, all else equal (common random numbers)
groups = defaultdict(list)
for r in summ:
    groups[(r["history_weight"], r["max_growth"])].append(r)
for key, rs in groups.items():
    rs.sort(key=lambda r: float(r["growth"]))
    for a, b in zip(rs, rs[1:]):
        for k in ("p10", "p50", "p90"):
            assert float(b["pct_at_quota_" + k]) <= float(a["pct_at_quota_" + k]), (key, a["scenario"], b["scenario"], k)
        assert float(b["backtest_pct_at_quota"]) <= float(a["backtest_pct_at_quota"]), (key, a["scenario"])
    for r in rs:
        for m in ("pct_at_quota", "payout", "cost_of_sales", "attainment_median"):
            assert float(r[m + "_p10"]) <= float(r[m + "_p50"]) <= float(r[m + "_p90"]), (r["scenario"], m)
# quotas add up to last year (2017) x growth, to the cent; caps kept
share = defaultdict(list)
for r in csv.DictReader(open(asg)):
    share[r["unit_id"]].append((r["territory_id"], float(r["share"])))
last = defaultdict(float)
for r in csv.DictReader(open(ss + "/history.csv")):
    if r["period"].startswith("2017"):
        for t, s in share[r["unit_id"]]:
            last[t] += s * float(r["sales"])
total = sum(last.values())
det = defaultdict(dict)
for r in csv.DictReader(open(out + "/scenarios_detail.csv")):
    det[r["scenario"]][r["territory_id"]] = r
byname = {r["scenario"]: r for r in summ}
for name, terr in det.items():
    assert len(terr) == 12, (name, len(terr))
    g = float(byname[name]["growth"])
    want = round(total * (1 + g / 100) * 100)
    got = sum(round(float(t["quota"]) * 100) for t in terr.values())
    # the same sum to the cent; 1 cent of slack for summing the history in another order
    assert abs(got - want) <= 1, (name, got, want)
    cap = byname[name]["max_growth"]
    for tid, t in terr.items():
        if cap:
            assert float(t["quota"]) <= last[tid] * (1 + float(cap) / 100) + 0.011, (name, tid)
        pay = float(t["expected_payout"])
        assert 0 <= pay <= 10000 * 2.5 + 1e-6, (name, tid, pay)
    for k in ("backtest_attainment_2016", "backtest_attainment_2017"):
        assert all(t[k] != "" for t in terr.values()), (name, k)
# the JSON holds the same figures; the SVG parses and labels the Pareto front
js = json.load(open(out + "/scenarios.json"))
assert js["settings"]["replicates"] == 1000 and js["backtest_years"] == [2016, 2017]
assert len(js["outcome_model"]["error_blocks"]) == 5, js["outcome_model"]
for s, r in zip(js["scenarios"], summ):
    assert s["scenario"] == r["scenario"]
    assert math.isclose(s["monte_carlo"]["payout"]["p50"], float(r["payout_p50"]), rel_tol=1e-12)
    assert s["pareto_efficient"] == (r["pareto_efficient"] == "1")
    assert len(s["quota"]) == 12
front = [r for r in summ if r["pareto_efficient"] == "1"]
assert front
for a in front:   # nobody dominates a front member
    for b in summ:
        x, y = float(b["pct_at_quota_p50"]), float(b["cost_of_sales_p50"])
        xa, ya = float(a["pct_at_quota_p50"]), float(a["cost_of_sales_p50"])
        assert not (x >= xa and y <= ya and (x > xa or y < ya)), (a["scenario"], b["scenario"])
svg = open(out + "/scenarios.svg").read()
xml.dom.minidom.parseString(svg)
for a in front:
    assert ">%s<" % a["scenario"] in svg, a["scenario"]
print("verified: 60 scenarios, %d on the Pareto front" % len(front))
PY
check "grid: columns, monotone in growth, quotas add up, JSON and SVG agree" python3 "$tmp/verify.py" "$SS" "$A" "$tmp/s1"

# Flat, noise-free history: growth 0, history weight 1, forecast last.
"$TQO" generate --units 300 --territories 8 --periods 20 --flat-history --seed 4 -o "$tmp/flat" --quiet || bad "generate --flat-history"
# no history_weight column: without a potential the fair share is the forecast share
printf 'scenario,growth,forecast\nflat,0,last\n' >"$tmp/flat.csv"
check "flat history runs" "$TQO" scenarios "$tmp/flat" --scenarios "$tmp/flat.csv" --forecast last --target-incentive 5000 \
    -o "$tmp/fo" -q
check "flat history: median attainment 100%, payout = incentive x territories" python3 - "$tmp/fo" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1] + "/scenarios_summary.csv")))
for k in ("p10", "p50", "p90"):
    assert abs(float(r["attainment_median_" + k]) - 100) < 1e-9, r["attainment_median_" + k]
    assert abs(float(r["payout_" + k]) - 5000 * 8) < 1e-6, r["payout_" + k]
    assert float(r["pct_at_quota_" + k]) == 100
assert abs(float(r["backtest_mape"])) < 1e-9
PY

# Errors name the file, line and column; nothing is written.
printf 'scenario,growth,history_weight\na,5,0.5\nb,abc,0.5\nc,5,2\n' >"$tmp/bad.csv"
"$TQO" scenarios "$SS" --assignment "$A" --scenarios "$tmp/bad.csv" -o "$tmp/bo" 2>"$tmp/e"; rc=$?
[ $rc -eq 2 ] && grep -q "bad.csv:3: column 'growth': 'abc' is not a number" "$tmp/e" \
    && grep -q "bad.csv:4: column 'history_weight'" "$tmp/e" && [ ! -e "$tmp/bo" ] \
    && ok "bad scenarios.csv: exit 2, row and column named, no output" || { bad "bad scenarios.csv"; cat "$tmp/e"; }
"$TQO" scenarios "$SS" -o "$tmp/bo" 2>"$tmp/e"; [ $? -eq 2 ] && grep -q "missing the scenarios file" "$tmp/e" \
    && ok "missing --scenarios: exit 2" || bad "missing --scenarios"
"$TQO" scenarios "$SS" --scenarios "$tmp/grid.csv" --payout-curve "100:0;50:1" -o "$tmp/bo" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "points must not go back" "$tmp/e" && [ ! -e "$tmp/bo" ] \
    && ok "bad --payout-curve: exit 2" || bad "bad --payout-curve"
"$TQO" scenarios "$SS" --assignment "$A" --scenarios "$tmp/grid.csv" --potential accounts --min-train-years 4 -o "$tmp/bo" 2>"$tmp/e"
[ $? -eq 2 ] && grep -q "min-train-years" "$tmp/e" && [ ! -e "$tmp/bo" ] \
    && ok "too little history explained" || { bad "too little history"; cat "$tmp/e"; }

finish
