#!/bin/bash
# tqo scenarios in many waves and output blocks: 306 scenarios (more than
# one summary block of 128, many waves of 8 per thread, some that fail) give
# byte-identical files for 1, 2 and 3 threads, and the files agree with
# each other and with the scenarios file, recomputed here: every scenario
# once and in the file's order in the summary, the detail and the JSON; the
# JSON's quotas and expected payouts equal the detail's; the Pareto marks
# and errors agree; a failed scenario has an error and no quotas.
# Usage: scenarios_waves.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"

check "generate 600 units, 24 territories, 24 quarters" \
    "$TQO" generate --units 600 --territories 24 --periods 24 --seed 3 -o "$tmp/g" --quiet
# history weight x growth x cap: 10 x 10 x 3 = 300, and 6 that cannot meet
# their growth under a cap of 5%
python3 - "$tmp/grid.csv" <<'PY'
import sys
rows = ["scenario,history_weight,growth,max_growth"]
for i in range(10):
    hw = round(i / 9, 3)
    for g in range(0, 20, 2):
        for cap in (25, 40, ""):
            rows.append("hw%s_g%d_cap%s,%s,%d,%s" % (hw, g, cap or "none", hw, g, cap))
for g in range(40, 46):
    rows.append("impossible_g%d,0.5,%d,5" % (g, g))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
RUN=(scenarios "$tmp/g" --scenarios "$tmp/grid.csv" --potential potential --replicates 150 --seed 11 -q)
for t in 1 2 3; do
    check "306 scenarios x 150 replicates, $t thread(s)" "$TQO" "${RUN[@]}" --threads "$t" -o "$tmp/s$t"
done
for t in 2 3; do
    same=1
    for f in scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json; do
        cmp -s "$tmp/s1/$f" "$tmp/s$t/$f" || { same=0; echo "# $f differs"; }
    done
    [ $same = 1 ] && ok "byte-identical files for 1 and $t threads" || bad "byte-identical files for 1 and $t threads"
done

cat >"$tmp/verify.py" <<'PY'
import csv, json, math, sys
grid, out = sys.argv[1], sys.argv[2]
names = [r["scenario"] for r in csv.DictReader(open(grid))]
summ = list(csv.DictReader(open(out + "/scenarios_summary.csv")))
det = list(csv.DictReader(open(out + "/scenarios_detail.csv")))
js = json.load(open(out + "/scenarios.json"))
fails = []
def need(cond, what):
    if not cond:
        fails.append(what)
need([r["scenario"] for r in summ] == names, "summary: every scenario once, in the file's order")
p = len(js["territories"])
need(len(det) == p * len(names), "detail: %d rows for %d scenarios x %d territories" % (len(det), len(names), p))
need([r["scenario"] for r in det] == [n for n in names for _ in range(p)], "detail: scenarios in order, p rows each")
need([s["scenario"] for s in js["scenarios"]] == names, "json: every scenario once, in order")
ids = [t["territory_id"] for t in js["territories"]]
failed = 0
for k, (n, s, srow) in enumerate(zip(names, js["scenarios"], summ)):
    rows = det[k * p:(k + 1) * p]
    need([r["territory_id"] for r in rows] == ids, "%s: detail territories in the JSON's order" % n)
    need(str(int(s["pareto_efficient"])) == srow["pareto_efficient"], "%s: pareto_efficient agrees" % n)
    need((s["error"] or "") == srow["error"], "%s: error agrees" % n)
    if rows[0]["quota"] == "":
        failed += 1
        need(srow["error"] != "" and all(r["quota"] == "" for r in rows), "%s: failed with an error, no quotas" % n)
        continue
    q = [float(r["quota"]) for r in rows]
    need(all(abs(a - b) < 0.006 for a, b in zip(q, s["quota"])), "%s: JSON quotas equal the detail's" % n)
    e = [float(r["expected_payout"]) for r in rows]
    need(all(abs(a - b) < 0.006 for a, b in zip(e, s["expected_payout"])), "%s: JSON payouts equal the detail's" % n)
    att = [float(r["prob_at_quota"]) for r in rows]
    need(all(0 <= a <= 1 for a in att), "%s: odds are probabilities" % n)
need(failed >= 6, "the 6 impossible scenarios failed (%d failed)" % failed)
need(failed < len(names), "some scenarios ran")
for f in fails[:10]:
    print("# " + f)
sys.exit(1 if fails else 0)
PY
check "summary, detail and JSON agree, in the scenarios file's order" python3 "$tmp/verify.py" "$tmp/grid.csv" "$tmp/s2"
finish
