#!/bin/bash
# tqo quota picks the fairest of the equally good plans (issue 11, defects 8
# and 9), checked by recomputing from the output files:
# - a ramp's shortfall is spread over the other territories by fair share,
#   not piled on one; the quotas add up to the target to the cent;
# - a gap that several territories of equal fair share could take at the
#   same cost is shared among them (the direct method and, with a region
#   target, the simplex);
# - no quota is rounded below its growth floor, and still they add up;
# - --target with --growth, and --history-weight without --potential, are
#   usage errors (exit 2) naming the options; the summary records the
#   history weight as used.
# Usage: quota_fair.sh path/to/tqo
set -u
TQO=$1
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }
check() { local d=$1; shift; if "$@" >"$tmp/log" 2>&1; then ok "$d"; else bad "$d"; cat "$tmp/log"; fi; }

G="$tmp/g1"
"$TQO" generate -o "$G" --units 800 --territories 8 --periods 12 --seed 3 >/dev/null || bad "generate g1"
cp -r "$G" "$tmp/g1r"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0 ",ramp"; next } { print $0 "," ($1 == "T003" ? "0.5" : "1") }' \
    "$G/territories.csv" >"$tmp/g1r/territories.csv"
"$TQO" quota "$G" -o "$tmp/base" --growth 10 --potential potential -q || bad "quota without ramp"
"$TQO" quota "$tmp/g1r" -o "$tmp/ramp" --growth 10 --potential potential -q || bad "quota with ramp"

# last year's sales per territory and the target, from the files
cat >"$tmp/lib.py" <<'PY'
import csv, json
from collections import defaultdict
def last_year(inst, out):
    year = json.load(open(out + "/quota_summary.json"))["plan_year"] - 1
    terr = {r["unit_id"]: r["current"] for r in csv.DictReader(open(inst + "/units.csv"))}
    L = defaultdict(float)
    for r in csv.DictReader(open(inst + "/history.csv")):
        if r["period"].startswith(str(year)):
            L[terr[r["unit_id"]]] += float(r["sales"])
    return L
def quotas(out):
    return {r["territory_id"]: r for r in csv.DictReader(open(out + "/quotas.csv"))}
def cents(x):
    return round(float(x) * 100)
PY

check "ramp 0.5: T003 halves, its shortfall spread by fair share over the other seven, sum to the cent" \
    python3 - "$G" "$tmp/base" "$tmp/ramp" "$tmp" <<'PY'
import sys
sys.path.insert(0, sys.argv[4])
from lib import *
inst, base, ramp = sys.argv[1:4]
L = last_year(inst, ramp)
q0, q1 = quotas(base), quotas(ramp)
want = round(sum(L.values()) * 1.10 * 100)
assert sum(cents(r["quota"]) for r in q1.values()) == want, "ramp quotas do not add up to the target"
assert sum(cents(r["quota"]) for r in q0.values()) == want
# T003: half its fair share without the ramp
assert abs(float(q1["T003"]["quota"]) - 0.5 * float(q0["T003"]["fair_share"])) <= 0.01, q1["T003"]
freed = float(q0["T003"]["quota"]) - float(q1["T003"]["quota"])
others = [t for t in q0 if t != "T003"]
fair0 = sum(float(q0[t]["fair_share"]) for t in others)
for t in others:
    got = float(q1[t]["quota"]) - float(q0[t]["quota"])
    share = freed * float(q0[t]["fair_share"]) / fair0
    # each takes its share of the freed amount (to a cent), none takes it all
    assert abs(got - share) <= 0.02, (t, got, share)
    assert got < 0.5 * freed, (t, "takes most of the shortfall", got, freed)
print("freed", round(freed, 2), "spread over", len(others))
PY

# Four territories of equal potential; D sold twice as much last year and its
# 0% floor keeps it far above its fair share: A, B and C must give up the gap
# together (the sum of deviations is the same however it is split).
T="$tmp/tie"
mkdir -p "$T"
{
    echo "unit_id,x,y,pot,current"
    echo "a,0,0,1,A"; echo "b,1,0,1,B"; echo "c,0,1,1,C"; echo "d,1,1,1,D"
} >"$T/units.csv"
{
    echo "territory_id,region"
    for t in A B C D; do echo "$t,R"; done
} >"$T/territories.csv"
{
    echo "unit_id,period,sales"
    for y in 2021 2022; do
        for k in 1 2 3 4; do
            echo "a,${y}Q$k,25"; echo "b,${y}Q$k,25"; echo "c,${y}Q$k,25"; echo "d,${y}Q$k,50"
        done
    done
} >"$T/history.csv"
printf 'region,target\nR,550\n' >"$tmp/rt.csv"
TIE=(--forecast last --potential pot --history-weight 0 --growth 10 --min-growth 0)
"$TQO" quota "$T" -o "$tmp/tie_direct" "${TIE[@]}" -q || bad "tie: direct run"
"$TQO" quota "$T" -o "$tmp/tie_lp" "${TIE[@]}" --region-targets "$tmp/rt.csv" -q || bad "tie: simplex run"
for d in tie_direct tie_lp; do
    check "$d: a gap among equal fair shares is shared, D at its floor, sum 550.00" python3 - "$tmp/$d" <<'PY'
import csv, sys
q = {r["territory_id"]: r for r in csv.DictReader(open(sys.argv[1] + "/quotas.csv"))}
assert sum(round(float(r["quota"]) * 100) for r in q.values()) == 55000
assert float(q["D"]["quota"]) >= 200 and q["D"]["bound"] == "min", q["D"]
abc = [float(q[t]["quota"]) for t in "ABC"]
assert max(abc) - min(abc) <= 0.011, abc   # 350 / 3 each, to the cent
PY
done

# Growth floors that bind: every quota at or above its floor after rounding.
"$TQO" quota "$G" -o "$tmp/floor" --growth 10 --potential potential --min-growth 9 -q || bad "floor run"
check "--min-growth 9: no quota below its floor after cent rounding, sum to the cent, some at the floor" \
    python3 - "$G" "$tmp/floor" "$tmp" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
from lib import *
inst, out = sys.argv[1:3]
L = last_year(inst, out)
q = quotas(out)
assert sum(cents(r["quota"]) for r in q.values()) == round(sum(L.values()) * 1.10 * 100)
at = 0
for t, r in q.items():
    floor = L[t] * 1.09
    assert float(r["quota"]) >= floor - 1e-6, (t, r["quota"], floor)
    at += r["bound"] == "min"
assert at >= 1, "no floor binds: the case tests nothing"
print(at, "at the floor")
PY

# Rejected combinations: exit 2, both options named, nothing written.
for cmd in quota scenarios; do
    extra=()
    [ $cmd = scenarios ] && extra=(--scenarios instances/superstore_scenarios.csv)
    "$TQO" $cmd "$G" -o "$tmp/r1" --target 5e7 --growth 10 "${extra[@]}" 2>"$tmp/e"
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "--target" "$tmp/e" && grep -q -- "--growth" "$tmp/e" && [ ! -e "$tmp/r1" ]; then
        ok "$cmd --target with --growth: exit 2 naming both"
    else
        bad "$cmd --target with --growth (exit $rc)"; cat "$tmp/e"
    fi
    "$TQO" $cmd "$G" -o "$tmp/r2" --growth 10 --history-weight 0 "${extra[@]}" 2>"$tmp/e"
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "--history-weight" "$tmp/e" && grep -q -- "--potential" "$tmp/e" \
        && [ ! -e "$tmp/r2" ]; then
        ok "$cmd --history-weight without --potential: exit 2 naming both"
    else
        bad "$cmd --history-weight without --potential (exit $rc)"; cat "$tmp/e"
    fi
done
"$TQO" quota "$G" -o "$tmp/hw" --growth 10 -q || bad "quota without potential"
check "summary records the history weight used (1: the forecast alone, without --potential)" \
    python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["parameters"]; assert p["history_weight"] == 1, p' \
    "$tmp/hw/quota_summary.json"
"$TQO" quota "$G" -o "$tmp/hw0" --growth 10 --potential potential --history-weight 0 -q || bad "weight 0 run"
check "--history-weight 0 with --potential: fair shares by potential alone, recorded as 0" python3 - "$tmp/hw0" <<'PY'
import csv, json, sys
out = sys.argv[1]
assert json.load(open(out + "/quota_summary.json"))["parameters"]["history_weight"] == 0
q = list(csv.DictReader(open(out + "/quotas.csv")))
P = sum(float(r["potential"]) for r in q)
F = sum(float(r["fair_share"]) for r in q)
for r in q:
    assert abs(float(r["fair_share"]) / F - float(r["potential"]) / P) < 1e-9, r
PY

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
