#!/bin/bash
# Issue 11: every claim tqo align prints is true. The issue's reproductions,
# each asserting the real property recomputed from the output files
# (tests/tools/check_align.py, with --printed for the printed summary) or the
# exact error and exit code:
#   1. g1 with two locks: every territory connected, really (it used to claim
#      so with unit 600 alone among T006 units);
#   2. g1 --allow-splits: the detached pieces are reported (status, violated,
#      an error naming the territory), never "every territory connected";
#   4. s1 with a lock 54.8 km from its home base and --max-distance 45: bad
#      input (exit 2) naming the unit, its lock, its distance and the cap;
#  11. tests/fixtures/move-cap: the plan broke the move cap (47.94% of m0,
#      cap 22%) with exit 0 and a negative gap; now an error naming the cap,
#      exit 1, status "infeasible" (the exact MIP proves it), no gap.
# Usage: align_claims.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
CHECK="python3 tests/tools/check_align.py"
# json FILE EXPR: prints a Python expression of the parsed JSON file (s)
json() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"; }

# run NAME INSTANCE OUT [options]: tqo align; exit code in $rc, stdout in
# $tmp/NAME.out, stderr in $tmp/NAME.err
run() {
    local name=$1 inst=$2 out=$3; shift 3
    "$TQO" align "$inst" -o "$out" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
}
# expect DESC COND: COND is a shell test
expect() {
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; indent <"$tmp/last.err" 2>/dev/null; fi
}
checked() {
    local name=$1 inst=$2 out=$3
    if $CHECK "$inst" "$out" --printed "$tmp/$name.out" >"$tmp/$name.check" 2>&1; then
        ok "$name: check_align.py confirms every constraint and printed claim"
    else
        bad "$name: check_align.py"
        indent <"$tmp/$name.check"
    fi
}

"$TQO" generate -o "$tmp/g1" --units 800 --territories 8 --periods 12 --seed 3 --quiet || bad "generate g1"
"$TQO" generate -o "$tmp/s1" --units 150 --territories 4 --periods 8 --seed 11 --quiet || bad "generate s1"

# 1. locks and contiguity
cp -r "$tmp/g1" "$tmp/g1l"
printf 'unit_id,territory_id\n300,T008\n600,T004\n' >"$tmp/g1l/locks.csv"
run d1 "$tmp/g1l" "$tmp/o1" --balance workload:5 --balance accounts:8
cp "$tmp/d1.err" "$tmp/last.err"
expect "1: g1 with locks 300,T008 and 600,T004 succeeds (exit $rc)" [ "$rc" -eq 0 ]
checked d1 "$tmp/g1l" "$tmp/o1"
expect "1: summary.json status ok, nothing violated" \
    [ "$(json "$tmp/o1/summary.json" "s['status'], s['violated']")" = "ok []" ]

# 2. --allow-splits with contiguity: the LP's split plan leaves 4 pieces
#    detached; the units are made whole, repaired and balanced instead
run d2 "$tmp/g1" "$tmp/o2" --balance workload:2 --balance accounts:3 --allow-splits
cp "$tmp/d2.err" "$tmp/last.err"
expect "2: --allow-splits with detached LP pieces still finds a plan (exit $rc)" [ "$rc" -eq 0 ]
checked d2 "$tmp/g1" "$tmp/o2"
expect "2: summary.json status ok, nothing violated" \
    [ "$(json "$tmp/o2/summary.json" "s['status'], s['violated']")" = "ok []" ]

# 4. a lock beyond --max-distance is a contradiction in the input
cp -r "$tmp/s1" "$tmp/s1l"
printf 'unit_id,territory_id\n001,T003\n' >"$tmp/s1l/locks.csv"
run d4 "$tmp/s1l" "$tmp/o4" --balance workload:5 --max-distance 45
cp "$tmp/d4.err" "$tmp/last.err"
expect "4: a lock beyond --max-distance is bad input (exit 2, got $rc)" [ "$rc" -eq 2 ]
expect "4: the error names the unit, its lock, its distance and the cap" \
    grep -qE "error: unit .*\(001\) is locked to T003 \(locks.csv\) but is 54.81 km from its home base, beyond --max-distance 45" "$tmp/d4.err"
expect "4: no plan is written" [ ! -e "$tmp/o4/assignment.csv" ]
run d4b "$tmp/s1l" "$tmp/o4b" --balance workload:5 --max-distance 55
cp "$tmp/d4b.err" "$tmp/last.err"
expect "4: the same lock within --max-distance 55 succeeds (exit $rc)" [ "$rc" -eq 0 ]
checked d4b "$tmp/s1l" "$tmp/o4b"

# 11. the move cap, never broken silently
run d11 tests/fixtures/move-cap "$tmp/o11" --balance m0:18 --balance m1:18 --max-moves 22 --adjacency delaunay
cp "$tmp/d11.err" "$tmp/last.err"
expect "11: a move cap no contiguous plan meets fails with exit 1 (got $rc)" [ "$rc" -eq 1 ]
expect "11: the error names the move cap" grep -q "error: the move cap (--max-moves 22: " "$tmp/d11.err"
expect "11: the error says infeasible (proved) or names the limit it hit" \
    grep -qE "error: (infeasible: the exact MIP proves|no plan found within the limit)" "$tmp/d11.err"
expect "11: no negative gap printed" bash -c "! grep -q '^gap  *-' '$tmp/d11.out'"
expect "11: summary.json status infeasible or limit, max_moves violated, gap null" \
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (s['status'] in ('infeasible', 'limit') and 'max_moves' in s['violated'] and s['gap'] is None))" "$tmp/o11/summary.json"
# --max-moves 60: contiguity repair moves 69% of m0; the move-cap phase of
# the local search brings it back under the cap
run d11b tests/fixtures/move-cap "$tmp/o11b" --balance m0:18 --balance m1:18 --max-moves 60 --adjacency delaunay
cp "$tmp/d11b.err" "$tmp/last.err"
expect "11: --max-moves 60 is met (exit $rc)" [ "$rc" -eq 0 ]
checked d11b tests/fixtures/move-cap "$tmp/o11b"
expect "11: --max-moves 60: moved share within the cap" \
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (s['status'] == 'ok' and s['moved']['share_pct'] <= 60))" "$tmp/o11b/summary.json"

# 5. gp: balance 5% and a 5% move cap together (CBC finds a whole-unit plan
#    on the --write-lp model); the repair MIP over the moved units and those
#    nearest to a tie finds one. Slow under ASan: TQO_SKIP_SLOW=1 skips it.
if [ -z "${TQO_SKIP_SLOW:-}" ]; then
    "$TQO" generate -o "$tmp/gp" --units 1200 --territories 10 --periods 12 --seed 7 --plan-imbalance 25 --quiet || bad "generate gp"
    run d5 "$tmp/gp" "$tmp/o5" --balance workload:5 --max-moves 5 --no-contiguity
    cp "$tmp/d5.err" "$tmp/last.err"
    expect "5: gp with --balance workload:5 --max-moves 5 finds a plan (exit $rc)" [ "$rc" -eq 0 ]
    checked d5 "$tmp/gp" "$tmp/o5"
    expect "5: gp: balance within 5%, moved at most 5%, gap a number" \
        python3 -c "import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not (s['status'] == 'ok' and s['moved']['share_pct'] <= 5 and s['gap'] is not None))" "$tmp/o5/summary.json"
else
    echo "ok - 5: gp skipped (TQO_SKIP_SLOW)"
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
