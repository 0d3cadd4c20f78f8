#!/bin/bash
# Issue 19's loose ends in tqo plan:
# - quota_summary.json's "odds" (each territory's chance of quota and of the
#   first paying point, expected payout, P10/P50/P90 of company attainment,
#   cost of sales and share at quota) recounted from the replicates in
#   scenarios.json and the quotas in quotas.csv (check_odds.py --plan), the
#   summary's other keys byte-identical to a plan without scenarios;
# - every error and warning printed exactly once;
# - scenario parts of the old format (version 1) refused by merge;
# - --forecast shrink leans on the hierarchy's parent node when there is
#   one, else the region: both recomputed from the files (check_shrink.py).
# Usage: odds_plan.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
SS=instances/superstore
H3=tests/fixtures/hierarchy/three
[ -d "$SS" ] && [ -d "$H3" ] || { echo "# $SS or $H3 missing"; exit 77; }

# 1. The odds in quota_summary.json.
cat >"$tmp/grid.csv" <<'CSV'
scenario,growth,max_growth,payout_curve
g0,0,,50:0;100:100;150:200
g10,10,,80:0;100:100;150:200
CSV
PLAN=(plan "$SS" -k 12 --balance accounts:10 --starts 1 --potential accounts --history-until 2016Q4 --growth 10
    --min-train-years 1 --payout-curve "80:0;100:100;150:200" --target-incentive 5000)
check "plan with scenarios" "$TQO" "${PLAN[@]}" --scenarios "$tmp/grid.csv" --replicates 400 -o "$tmp/p" -q
check "quota_summary.json's odds recount from the replicates" python3 tests/tools/check_odds.py --plan "$tmp/p"
indent <"$tmp/log"
python3 - "$tmp/p" >"$tmp/log" 2>&1 <<'PY'
import json, sys
o = json.load(open(sys.argv[1] + "/quota/quota_summary.json"))["odds"]
pq = [t["prob_at_quota"] for t in o["territories"]]
assert len(pq) == 12 and o["error_blocks"] >= 2, (len(pq), o["error_blocks"])
assert any(0 < v < 1 for v in pq), "several blocks: some odds strictly between 0 and 1"
assert all(t["prob_at_quota"] <= t["prob_first_paying"] for t in o["territories"])
for k in ("company_attainment_pct", "cost_of_sales_pct", "pct_at_quota"):
    assert o[k]["p10"] <= o[k]["p50"] <= o[k]["p90"], k
print("12 territories, %d blocks, P10 <= P50 <= P90" % o["error_blocks"])
PY
[ $? = 0 ] && ok "the odds are ordered probabilities and bands" || { bad "the odds are ordered probabilities and bands"; indent <"$tmp/log"; }
check "plan without scenarios" "$TQO" "${PLAN[@]}" -o "$tmp/n" -q
python3 - "$tmp/p/quota/quota_summary.json" "$tmp/n/quota/quota_summary.json" >"$tmp/log" 2>&1 <<'PY'
import json, sys
a, b = open(sys.argv[1]).read(), open(sys.argv[2]).read()
assert "odds" not in json.loads(b), "no scenarios, no odds"
ja = json.loads(a)
del ja["odds"]
assert ja == json.loads(b), "the keys besides odds differ"
assert a.startswith(b[:-3]) and len(a) > len(b), "the odds are appended; the text before them is unchanged"
PY
[ $? = 0 ] && ok "odds are a new key: every other byte as without scenarios" \
    || { bad "odds are a new key: every other byte as without scenarios"; indent <"$tmp/log"; }

# 2. Each diagnostic once: a load error, an alignment failure, a warning.
"$TQO" plan tests/fixtures/bad/not_a_number -k 2 -o "$tmp/e1" >/dev/null 2>"$tmp/e1.err"
rc=$?
if [ $rc = 2 ] && [ "$(grep -c "error: .*units.csv:5: column 'population'" "$tmp/e1.err")" = 1 ]; then
    ok "a load error: exit 2, printed once"
else
    bad "a load error: exit 2, printed once (exit $rc)"; indent <"$tmp/e1.err"
fi
"$TQO" plan "$H3" -k 4 --balance accounts:0.01 --starts 1 -o "$tmp/e2" >/dev/null 2>"$tmp/e2.err"
rc=$?
dups=$(grep '^tqo: \(error\|warning\):' "$tmp/e2.err" | sort | uniq -d | wc -l)
if [ $rc = 2 ] && grep -q "error: infeasible" "$tmp/e2.err" && grep -q "warning: the current plan" "$tmp/e2.err" &&
    [ "$dups" = 0 ]; then
    ok "an infeasible alignment: exit 2, each error and warning once"
else
    bad "an infeasible alignment: exit 2, each error and warning once (exit $rc, $dups repeated)"; indent <"$tmp/e2.err"
fi
"$TQO" plan "$H3" -k 4 --balance accounts:20 --starts 1 -o "$tmp/e3" >/dev/null 2>"$tmp/e3.err"
rc=$?
if [ $rc = 0 ] && [ "$(grep -c "warning: the current plan has 24 territories" "$tmp/e3.err")" = 1 ]; then
    ok "a plan with a warning: printed once"
else
    bad "a plan with a warning: printed once (exit $rc)"; indent <"$tmp/e3.err"
fi

# 3. Scenario parts: version 2; a version-1 part is refused, naming both.
cat >"$tmp/g3.csv" <<'CSV'
scenario,growth
a,0
b,5
CSV
check "a shard of a sweep" "$TQO" scenarios "$H3" --scenarios "$tmp/g3.csv" --replicates 50 --shard 1/1 -o "$tmp/sh" -q
part="$tmp/sh/scenarios_part_1_of_1.bin"
python3 - "$part" "$tmp/old.bin" >"$tmp/log" 2>&1 <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
assert b[:8] == b"TQOSCNP\n" and struct.unpack_from("<I", b, 8)[0] == 2, struct.unpack_from("<I", b, 8)
struct.pack_into("<I", b, 8, 1)
open(sys.argv[2], "wb").write(b)
PY
[ $? = 0 ] && ok "parts are format version 2" || { bad "parts are format version 2"; indent <"$tmp/log"; }
check "merge of the version-2 part" "$TQO" merge "$tmp/m2" "$part" -q
"$TQO" merge "$tmp/m1" "$tmp/old.bin" -q 2>"$tmp/m1.err"
rc=$?
if [ $rc != 0 ] && grep -q "old.bin: part format version 1; this tqo reads version 2" "$tmp/m1.err" && [ ! -e "$tmp/m1" ]; then
    ok "a version-1 part is refused (exit $rc), nothing written"
else
    bad "a version-1 part is refused (exit $rc), nothing written"; indent <"$tmp/m1.err"
fi

# 4. Shrink toward the hierarchy's parent (the district), else the region.
mkdir -p "$tmp/flat"
cp "$H3/units.csv" "$H3/history.csv" "$tmp/flat/"
cut -d, -f1 "$H3/territories.csv" >"$tmp/flat/territories.csv"
check "quota, shrink, hierarchy" "$TQO" quota "$H3" --forecast shrink --growth 5 -o "$tmp/qh" -q
check "quota, shrink, no hierarchy" "$TQO" quota "$tmp/flat" --forecast shrink --growth 5 -o "$tmp/qf" -q
check "shrink toward the district recomputed" python3 tests/tools/check_shrink.py "$H3" "$tmp/qh" hierarchy
indent <"$tmp/log"
check "shrink toward the region recomputed" python3 tests/tools/check_shrink.py "$tmp/flat" "$tmp/qf" region
indent <"$tmp/log"
# the hierarchy's figures are not the region-only model's: the check tells them apart
if python3 tests/tools/check_shrink.py "$H3" "$tmp/qh" region >"$tmp/log" 2>&1; then
    bad "the hierarchy's shrink differs from the region-only one"; indent <"$tmp/log"
else
    ok "the hierarchy's shrink differs from the region-only one"
fi
if has "$tmp/qh/quota_summary.json" '"shrink_toward": "hierarchy parent"' &&
    has "$tmp/qf/quota_summary.json" '"shrink_toward": "region"'; then
    ok "quota_summary.json names what shrink leans on"
else
    bad "quota_summary.json names what shrink leans on"
fi
finish
