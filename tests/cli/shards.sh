#!/bin/bash
# tqo scenarios --shard I/N and tqo merge: 62 scenarios (two that cannot
# be met) in 1, 3 and 7 shards, run with another thread count than the
# single run, merge into files
# byte-identical to the single run's, with the same failure warnings; each
# part carries the sweep's hash; merge refuses a missing, repeated or
# foreign part, a damaged file and a mixed split (exit 2, nothing written).
# Usage: shards.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
SS=instances/superstore
# Fewer replicates under the sanitizers (ASan makes the Monte Carlo slow).
REPS=400
ldd "$TQO" 2>/dev/null | grep -q libasan && REPS=64
FILES="scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json"

"$TQO" merge --help >"$tmp/h" && has "$tmp/h" "tqo merge OUT PART" && ok "merge --help" || bad "merge --help"
"$TQO" scenarios --help | grep -q -- "--shard" && ok "scenarios --help documents --shard" \
    || bad "scenarios --help documents --shard"

"$TQO" align "$SS" -k 12 --balance accounts:10 -o "$tmp/al" -q --starts 1 || bad "align"
A="$tmp/al/assignment.csv"
# the 60-scenario grid and two scenarios that cannot be met (growth above the cap)
{ cat instances/superstore_scenarios.csv; echo "bad_a,0.7,40,10"; echo "bad_b,0.5,30,5"; } >"$tmp/grid.csv"
RUN=(scenarios "$SS" --assignment "$A" --scenarios "$tmp/grid.csv" --potential accounts --replicates $REPS --seed 7)
"$TQO" "${RUN[@]}" --threads 2 -o "$tmp/full" -q 2>"$tmp/full.err" && ok "single run" || bad "single run"
grep "scenario '" "$tmp/full.err" >"$tmp/full.warn"
[ -s "$tmp/full.warn" ] && ok "the single run warns of the failing scenarios" \
    || bad "the single run warns of the failing scenarios"

same_files() { # DIR: every file byte-identical to the single run's
    local f
    for f in $FILES; do cmp -s "$tmp/full/$f" "$1/$f" || { echo "# $f differs"; return 1; }; done
}

for N in 1 3 7; do
    fail_run=0
    for i in $(seq 1 $N); do
        "$TQO" "${RUN[@]}" --threads 1 --shard "$i/$N" -o "$tmp/p$N" -q || fail_run=1
    done
    [ $fail_run = 0 ] && [ "$(ls "$tmp/p$N" | wc -l)" = "$N" ] && ok "$N shards write $N parts" \
        || bad "$N shards write $N parts"
    # every part: the magic, version 2, the same hash, its shard I/N
    python3 - "$tmp/p$N" "$N" >"$tmp/hdr" 2>&1 <<'PY' && ok "$N parts: one hash, shard I/N in each header" \
        || { bad "$N parts: one hash, shard I/N in each header"; indent <"$tmp/hdr"; }
import os, struct, sys
d, n = sys.argv[1], int(sys.argv[2])
hashes = set()
for i in range(1, n + 1):
    b = open(os.path.join(d, "scenarios_part_%d_of_%d.bin" % (i, n)), "rb").read()
    assert b[:8] == b"TQOSCNP\n", b[:8]
    ver, h, shard, nsh = struct.unpack_from("<IQII", b, 8)
    assert ver == 2 and (shard, nsh) == (i, n), (ver, shard, nsh)
    hashes.add(h)
assert len(hashes) == 1, hashes
PY
    "$TQO" merge "$tmp/m$N" "$tmp/p$N"/*.bin -q 2>"$tmp/m$N.err" && ok "merge of $N parts" || bad "merge of $N parts"
    same_files "$tmp/m$N" && ok "$N shards merged: byte-identical to the single run" \
        || bad "$N shards merged: byte-identical to the single run"
    grep "scenario '" "$tmp/m$N.err" | cmp -s - "$tmp/full.warn" && ok "$N shards merged: the same failure warnings" \
        || bad "$N shards merged: the same failure warnings"
done

# The merged summary itself: 62 scenarios, both failures, a Pareto front.
python3 - "$tmp/m7/scenarios_summary.csv" <<'PY' && ok "merged summary: 62 rows, 2 failures, a front" \
    || bad "merged summary: 62 rows, 2 failures, a front"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 62, len(rows)
failed = [r["scenario"] for r in rows if r["error"]]
assert set(failed) >= {"bad_a", "bad_b"}, failed
assert any(r["pareto_efficient"] == "1" for r in rows)
assert all(r["pareto_efficient"] == "0" for r in rows if r["scenario"].startswith("bad_"))
PY

refused() { # DESCRIPTION PATTERN OUT PART...: exit 2, the message, no files
    local d=$1 pat=$2 out=$3; shift 3
    "$TQO" merge "$out" "$@" >"$tmp/log" 2>&1
    local rc=$?
    if [ $rc = 2 ] && grep -q -- "$pat" "$tmp/log" && [ ! -e "$out/scenarios_summary.csv" ]; then
        ok "$d"
    else
        bad "$d (exit $rc)"; indent <"$tmp/log"
    fi
}
P=$tmp/p3
refused "a missing part is refused" "1 of 3 shards missing: 2" "$tmp/r1" "$P/scenarios_part_1_of_3.bin" \
    "$P/scenarios_part_3_of_3.bin"
refused "a repeated part is refused" "shard 1/3 given twice" "$tmp/r2" "$P/scenarios_part_1_of_3.bin" \
    "$P/scenarios_part_2_of_3.bin" "$P/scenarios_part_1_of_3.bin" "$P/scenarios_part_3_of_3.bin"
# foreign: the same split of another sweep (another seed; then another scenarios file)
"$TQO" "${RUN[@]}" --seed 8 --shard 2/3 -o "$tmp/f1" -q || bad "foreign shard (seed)"
refused "a part of another seed is refused" "a part of another sweep" "$tmp/r3" "$P/scenarios_part_1_of_3.bin" \
    "$tmp/f1/scenarios_part_2_of_3.bin" "$P/scenarios_part_3_of_3.bin"
sed 's/^bad_b,0.5,30,5$/bad_b,0.5,31,5/' "$tmp/grid.csv" >"$tmp/grid2.csv"
RUN2=("${RUN[@]}")
RUN2[5]=$tmp/grid2.csv
"$TQO" "${RUN2[@]}" --shard 2/3 -o "$tmp/f2" -q || bad "foreign shard (scenarios file)"
refused "a part of another scenarios file is refused" "a part of another sweep" "$tmp/r4" \
    "$P/scenarios_part_1_of_3.bin" "$tmp/f2/scenarios_part_2_of_3.bin" "$P/scenarios_part_3_of_3.bin"
refused "parts of two splits are refused" "parts of two different splits" "$tmp/r5" \
    "$P/scenarios_part_1_of_3.bin" "$tmp/p7/scenarios_part_2_of_7.bin"
head -c 5000 "$P/scenarios_part_2_of_3.bin" >"$tmp/trunc.bin"
refused "a truncated part is refused" "damaged or truncated" "$tmp/r6" "$P/scenarios_part_1_of_3.bin" \
    "$tmp/trunc.bin" "$P/scenarios_part_3_of_3.bin"
refused "a file that is no part is refused" "not a part of a scenario sweep" "$tmp/r7" "$tmp/grid.csv"
refused "a part that does not exist is refused" "cannot read" "$tmp/r8" "$tmp/nothere.bin"

"$TQO" "${RUN[@]}" --shard 4/3 -o "$tmp/x" -q 2>"$tmp/log"
[ $? = 2 ] && has "$tmp/log" "--shard" && ok "--shard 4/3 is refused" || bad "--shard 4/3 is refused"
"$TQO" merge "$tmp/x2" 2>"$tmp/log"
[ $? = 2 ] && has "$tmp/log" "no part files" && ok "merge without parts is refused" \
    || bad "merge without parts is refused"
finish
