#!/bin/bash
# Issue 16, limits: a problem too large for the memory is refused before
# anything is allocated or written, with the estimate and the limit
# (util/memory_estimate.c), under --max-memory and under `ulimit -v`; a run
# that fits still runs. The limits are chosen between the estimates of
# loading and of the step (docs/reliability.md has estimate vs measured).
. "$(dirname "$0")/lib.sh" "$@"

# refused NAME STEP: the last run ($rc, $tmp/err) was refused by STEP's
# estimate: exit 2, the message, no crash.
refused() {
    if [ "$rc" -eq 2 ] && grep -Eq "^tqo: error: $2 needs about [0-9.]+ [MG]B for " "$tmp/err" &&
        ! grep -Eq "AddressSanitizer|runtime error" "$tmp/err"; then
        ok "$1: refused, $(sed -n 's/^tqo: error: //p' "$tmp/err" | head -1)"
    else
        bad "$1: exit $rc"
        indent <"$tmp/err"
    fi
}
# unchanged DIR WHAT: DIR holds what snapshot DIR saw (nothing, if it did not exist)
unchanged() {
    if [ "$(cd "$1" 2>/dev/null && find . -type f | sort | xargs -r md5sum)" = "$(cat "$tmp/before")" ]; then
        ok "$2: $1 left as it was"
    else
        bad "$2: $1 changed"
    fi
}
snapshot() { (cd "$1" 2>/dev/null && find . -type f | sort | xargs -r md5sum) >"$tmp/before"; }

"$TQO" generate --units 300 --territories 5 --periods 12 --seed 3 -o "$tmp/small" >/dev/null 2>&1 ||
    bad "generate small"
"$TQO" generate --units 5000 --territories 1000 --periods 0 --seed 3 -o "$tmp/wide" >/dev/null 2>&1 ||
    bad "generate wide"

# 1. Loading: the estimate of the instance alone is above 1 MB.
snapshot "$tmp/v1"
"$TQO" validate "$tmp/small" -o "$tmp/v1" --max-memory 1M >/dev/null 2>"$tmp/err"
rc=$?
refused "validate --max-memory 1M" loading
has "$tmp/err" "--max-memory allows 1 MB" && ok "the limit is named" || bad "the limit is not named"
unchanged "$tmp/v1" "validate refused"

# 2. Align: the instance fits in 55 MB, 5,000 units x 1,000 territories do not
# (about 20 MB on top of the instance's 47 MB).
"$TQO" align "$tmp/wide" -o "$tmp/a1" --adjacency none --max-memory 55M >/dev/null 2>"$tmp/err"
rc=$?
refused "align 5,000 x 1,000 under 55M" align
has "$tmp/err" "for 5,000 units x 1,000 territories" && ok "align's message names the counts" ||
    bad "align's message lacks the counts"
[ ! -e "$tmp/a1" ] && ok "align refused: nothing written" || bad "align refused: $tmp/a1 written"

# 3. Plan into a folder holding a complete earlier plan: refused, OUT intact.
"$TQO" plan "$tmp/small" --balance potential:10 --growth 5 -o "$tmp/plan" --threads 1 >/dev/null 2>&1 ||
    bad "the earlier plan"
snapshot "$tmp/plan"
"$TQO" plan "$tmp/wide" --adjacency none --balance potential:10 -o "$tmp/plan" --max-memory 55M >/dev/null \
    2>"$tmp/err"
rc=$?
refused "plan 5,000 x 1,000 under 55M" align
unchanged "$tmp/plan" "plan refused"
ls -a "$tmp" | grep -q "tqo-stage" && bad "a staging folder was left" || ok "no staging folder left"

# 4. Scenarios: a million replicates of 60 scenarios need far more than 200 MB.
"$TQO" align instances/superstore -k 12 -o "$tmp/ss" --threads 1 >/dev/null 2>&1 || bad "superstore align"
"$TQO" scenarios instances/superstore --assignment "$tmp/ss/assignment.csv" \
    --scenarios instances/superstore_scenarios.csv --potential accounts --history-until 2016Q4 \
    --replicates 1000000 --max-memory 200M -o "$tmp/sc" >/dev/null 2>"$tmp/err"
rc=$?
refused "scenarios 60 x 1,000,000 replicates under 200M" scenarios
has "$tmp/err" "60 scenarios x 1,000,000 replicates x 12 territories" && ok "scenarios' message names the counts" ||
    bad "scenarios' message lacks the counts"
[ ! -e "$tmp/sc" ] && ok "scenarios refused: nothing written" || bad "scenarios refused: $tmp/sc written"

# 5. What fits runs: the same small plan under 1G, every unit assigned once.
"$TQO" align "$tmp/small" --balance potential:10 -o "$tmp/a2" --max-memory 1G --threads 1 >/dev/null 2>"$tmp/err"
rc=$?
units=$(($(wc -l <"$tmp/small/units.csv") - 1))
assigned=$(tail -n +2 "$tmp/a2/assignment.csv" 2>/dev/null | cut -d, -f1 | sort -u | wc -l)
if [ "$rc" -eq 0 ] && [ "$assigned" -eq "$units" ]; then
    ok "align under 1G: ran, $assigned of $units units assigned"
else
    bad "align under 1G: exit $rc, $assigned of $units units"
    indent <"$tmp/err"
fi
"$TQO" validate "$tmp/small" --max-memory 0 >/dev/null 2>&1 && ok "--max-memory 0: no check" ||
    bad "--max-memory 0"

# 6. A bad size.
"$TQO" align "$tmp/small" -o "$tmp/a3" --max-memory 12Q >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && has "$tmp/err" "option '--max-memory': '12Q' is not a size" && [ ! -e "$tmp/a3" ]; then
    ok "--max-memory 12Q: a clear error, exit 2"
else
    bad "--max-memory 12Q: exit $rc"
    indent <"$tmp/err"
fi

# 7. The machine's own limit: RLIMIT_AS (ulimit -v) of 600 MB against
# 3 million units (about 700 MB estimated). ASan reserves terabytes of
# address space, so a sanitized binary cannot run under ulimit -v.
if ldd "$TQO" 2>/dev/null | grep -q "libasan\|libtsan"; then
    echo "# ulimit -v: not run, a sanitized build cannot run under an address-space limit"
else
    mkdir -p "$tmp/big"
    awk 'BEGIN { print "unit_id,x,y,potential";
        for (i = 0; i < 3000000; i++) printf "%d,%d,%d,1\n", i, i % 1733, int(i / 1733) }' >"$tmp/big/units.csv"
    (ulimit -v 614400 && exec "$TQO" validate "$tmp/big") >/dev/null 2>"$tmp/err"
    rc=$?
    refused "validate 3 million units under ulimit -v 600 MB" loading
    # 600 MB, or less where a cgroup's memory.max is lower
    if grep -Eq "this machine has ([1-5][0-9][0-9]|[1-9][0-9]?|600) MB available \(--max-memory to change\)" "$tmp/err"; then
        ok "the RLIMIT_AS limit is named"
    else
        bad "the RLIMIT_AS limit is not named"
    fi
    rm -rf "$tmp/big"
fi
finish
