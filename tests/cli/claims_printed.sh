#!/bin/bash
# Issues 11 and 12: what tqo prints comes from the checked result, and the
# quota settings are checked together in one place for every command.
#   1. tests/fixtures/move-cap with --max-moves 22: exit 1; the printed
#      status is summary.json's, the printed violated line names every
#      constraint summary.json lists (the move cap by its option), no gap
#      and no lower bound are printed, and the moved share printed is the
#      one recomputed from assignment.csv (check_align.py).
#   2. a run that meets its constraints: every printed figure (objective,
#      gap, deviations, contiguity, moves) recomputed by check_align.py
#      --printed, and the printed status is "ok".
#   3. tqo plan, tqo quota and tqo scenarios reject --target with --growth
#      and --history-weight without --potential (exit 2, the same words).
#   4. a scenarios file with history_weight and no --potential: exit 2,
#      FILE:LINE: column 'history_weight'.
# Usage: claims_printed.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
CHECK="python3 tests/tools/check_align.py"
MC=tests/fixtures/move-cap
[ -f "$MC/units.csv" ] || { echo "skip - $MC missing"; exit 77; }

# json FILE EXPR: a Python expression of the parsed JSON file (s)
json() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"; }

# --- 1. a plan that breaks the move cap
"$TQO" align "$MC" -o "$tmp/o1" --balance m0:18 --balance m1:18 --max-moves 22 --adjacency delaunay \
    >"$tmp/o1.out" 2>"$tmp/o1.err"
rc=$?
if [ "$rc" -eq 1 ]; then ok "1: move cap 22%: exit 1"; else bad "1: move cap 22%: exit $rc, expected 1"; fi
if [ -f "$tmp/o1/summary.json" ]; then
    st=$(json "$tmp/o1/summary.json" 's["status"]')
    viol=$(json "$tmp/o1/summary.json" '" ".join(s["violated"])')
    if [ "$st" != ok ] && grep -qx "status  *$st\(:.*\)\?" "$tmp/o1.out"; then
        ok "1: the printed status is summary.json's ($st)"
    else
        bad "1: printed status vs summary.json's '$st'"; indent <"$tmp/o1.out"
    fi
    case " $viol " in *" max_moves "*) ok "1: summary.json lists max_moves as violated ($viol)" ;;
        *) bad "1: summary.json violated is '$viol', without max_moves" ;; esac
    missing=""
    for v in $viol; do grep -q "^violated .*\b$v\b" "$tmp/o1.out" || missing="$missing $v"; done
    if [ -z "$missing" ]; then ok "1: the printed violated line names each of: $viol"
    else bad "1: not named in the printed violated line:$missing"; indent <"$tmp/o1.out"; fi
    if grep -q "^violated .*--max-moves 22" "$tmp/o1.out"; then ok "1: the move cap is named by its option"
    else bad "1: the printed violated line does not name --max-moves 22"; indent <"$tmp/o1.out"; fi
    if ! grep -q "^gap  *-\?[0-9]" "$tmp/o1.out" && ! grep -q "^lower bound" "$tmp/o1.out"; then
        ok "1: no gap and no lower bound printed for a plan outside its constraints"
    else
        bad "1: a gap or a lower bound printed for a plan outside its constraints"; indent <"$tmp/o1.out"
    fi
    # the moved share and the deviations printed are the plan's own
    $CHECK "$MC" "$tmp/o1" --printed "$tmp/o1.out" --json >"$tmp/o1.check" 2>&1
    if python3 - "$tmp/o1.check" <<'EOF'
import json, sys
r = json.JSONDecoder().raw_decode(open(sys.argv[1]).read())[0]  # the JSON, then the failure lines
bad = [f for f in r.get("failed_checks", []) if f["check"].startswith("printed")]
assert r.get("printed_checked"), "printed summary not checked"
assert not bad, bad
moved = r["moved_pct"]
assert moved > 22, "recomputed moved share %.2f%% is within the cap, yet the run failed" % moved
EOF
    then ok "1: every printed figure matches the recomputed one, and the moved share is over the cap"
    else bad "1: printed figures vs check_align.py"; indent <"$tmp/o1.check"; fi
else
    bad "1: no summary.json written for inspection"; indent <"$tmp/o1.err"
fi

# --- 2. a plan within its constraints
if "$TQO" generate -o "$tmp/s1" --units 150 --territories 4 --periods 16 --seed 11 --quiet; then
    "$TQO" align "$tmp/s1" -o "$tmp/o2" --balance workload:5 --max-moves 40 >"$tmp/o2.out" 2>"$tmp/o2.err"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -qx "status  *ok" "$tmp/o2.out"; then ok "2: exit 0, status ok printed"
    else bad "2: exit $rc"; indent <"$tmp/o2.out"; indent <"$tmp/o2.err"; fi
    check "2: check_align.py --printed confirms every constraint and printed figure" \
        $CHECK "$tmp/s1" "$tmp/o2" --printed "$tmp/o2.out"
    if grep -q "^gap  *[0-9.]*%$" "$tmp/o2.out" && grep -q "^contiguity  *every territory connected" "$tmp/o2.out" \
        && [ "$(json "$tmp/o2/summary.json" 'len(s["contiguity_exceptions"])')" = 0 ]; then
        ok "2: gap printed; 'every territory connected' with no exception in summary.json"
    else
        bad "2: gap or contiguity line"; indent <"$tmp/o2.out"
    fi
else
    bad "2: tqo generate"
fi

# --- 3. quota settings checked together, the same in every command
# expect_usage NAME TEXT COMMAND...: exit 2 and TEXT on stderr
expect_usage() {
    local name=$1 text=$2; shift 2
    "$@" >"$tmp/u.out" 2>"$tmp/u.err"
    local rc=$?
    if [ "$rc" -eq 2 ] && has "$tmp/u.err" "$text"; then ok "$name"
    else bad "$name: exit $rc, expected 2 and '$text'"; indent <"$tmp/u.err"; fi
}
I=$tmp/s1
expect_usage "3: plan --target with --growth" "plan: give --target or --growth, not both" \
    "$TQO" plan "$I" -o "$tmp/p3" --target 1000 --growth 5
expect_usage "3: quota --target with --growth" "quota: give --target or --growth, not both" \
    "$TQO" quota "$I" -o "$tmp/q3" --target 1000 --growth 5
expect_usage "3: plan --history-weight without --potential" "plan: --history-weight needs --potential" \
    "$TQO" plan "$I" -o "$tmp/p3b" --growth 5 --history-weight 0
expect_usage "3: quota --history-weight without --potential" "quota: --history-weight needs --potential" \
    "$TQO" quota "$I" -o "$tmp/q3b" --growth 5 --history-weight 0
printf 'scenario,growth\nbase,5\n' >"$tmp/sc_ok.csv"
expect_usage "3: scenarios --history-weight without --potential" "scenarios: --history-weight needs --potential" \
    "$TQO" scenarios "$I" -o "$tmp/c3" --scenarios "$tmp/sc_ok.csv" --history-weight 0.5 --replicates 10
expect_usage "3: a quota range from the option table (--history-weight 2)" \
    "option '--history-weight': 2 is out of range [0, 1]" \
    "$TQO" quota "$I" -o "$tmp/q3c" --growth 5 --potential workload --history-weight 2
# a plan.ini that records the default weight without a potential repeats
if "$TQO" plan "$I" -o "$tmp/p3c" --no-contiguity --balance workload:10 --growth 5 -q >/dev/null 2>"$tmp/p3c.err" &&
    "$TQO" plan "$I" --config "$tmp/p3c/plan.ini" -o "$tmp/p3d" -q >/dev/null 2>"$tmp/p3d.err" &&
    cmp -s "$tmp/p3c/quota/quota_summary.json" "$tmp/p3d/quota/quota_summary.json"; then
    ok "3: plan --config OUT/plan.ini (history_weight at its default, no potential) repeats the run"
else
    bad "3: plan.ini repeat"; indent <"$tmp/p3c.err"; indent <"$tmp/p3d.err"
fi
if [ -f "$tmp/p3c/quota/quota_summary.json" ] &&
    [ "$(json "$tmp/p3c/quota/quota_summary.json" 's["parameters"]["history_weight"]')" = 1 ]; then
    ok "3: quota_summary.json records the weight used without a potential (1)"
else
    bad "3: quota_summary.json history_weight"
fi

# --- 4. a scenarios file with a history weight and no --potential
printf 'scenario,growth,history_weight\nbase,5,\nhw,5,0.3\n' >"$tmp/sc_hw.csv"
expect_usage "4: scenarios file history_weight without --potential: file, line and column" \
    "$tmp/sc_hw.csv:3: column 'history_weight'" \
    "$TQO" scenarios "$I" -o "$tmp/c4" --scenarios "$tmp/sc_hw.csv" --replicates 10
expect_usage "4: the same in tqo plan" "$tmp/sc_hw.csv:3: column 'history_weight'" \
    "$TQO" plan "$I" -o "$tmp/p4" --no-contiguity --balance workload:10 --growth 5 --scenarios "$tmp/sc_hw.csv" \
    --replicates 10
# a row with both a growth and a target: refused, as --growth with --target is
printf 'scenario,growth,target\nbase,5,\nboth,5,1000000\n' >"$tmp/sc_gt.csv"
expect_usage "4: scenarios row with a growth and a target: file, line and column" \
    "$tmp/sc_gt.csv:3: column 'target'" \
    "$TQO" scenarios "$I" -o "$tmp/c4t" --scenarios "$tmp/sc_gt.csv" --replicates 10
# with a potential it is taken, and the files show the weight used
if "$TQO" scenarios "$I" -o "$tmp/c4b" --scenarios "$tmp/sc_hw.csv" --potential workload --replicates 10 -q \
    2>"$tmp/c4b.err"; then
    got=$(python3 - "$tmp/c4b/scenarios_summary.csv" <<'EOF'
import csv, sys
rows = {r["scenario"]: r for r in csv.DictReader(open(sys.argv[1]))}
print(float(rows["base"]["history_weight"]), float(rows["hw"]["history_weight"]))
EOF
)
    if [ "$got" = "0.7 0.3" ]; then ok "4: with --potential the weights used are written (0.7 default, 0.3)"
    else bad "4: scenarios_summary.csv history_weight: '$got', expected '0.7 0.3'"; fi
else
    bad "4: scenarios with --potential"; indent <"$tmp/c4b.err"
fi
"$TQO" scenarios "$I" -o "$tmp/c4c" --scenarios "$tmp/sc_ok.csv" --replicates 10 -q 2>"$tmp/c4c.err"
got=$(python3 -c "import csv,sys; print(float(next(csv.DictReader(open(sys.argv[1])))['history_weight']))" \
    "$tmp/c4c/scenarios_summary.csv" 2>&1)
if [ "$got" = 1.0 ]; then ok "4: without a potential scenarios_summary.csv shows the weight used (1)"
else bad "4: scenarios_summary.csv history_weight without a potential: '$got'"; indent <"$tmp/c4c.err"; fi

finish
