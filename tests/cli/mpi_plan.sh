#!/bin/bash
# mpirun -n 1, 2 and 3 tqo plan (a -DTQO_MPI=ON build): rank 0 aligns, sets
# quotas and writes; every rank takes a share of the scenario step (2
# OpenMP threads each). The whole OUT folder (align/, quota/, scenarios/,
# plan.ini, report.html) is byte-identical to a plain run's; every scenario
# is evaluated by exactly one rank (TQO_MPI_STATS); ranks 1..R-1 print
# nothing and write nothing (started in a folder of their own with a
# relative -o, which stays empty). Errors: a load error, and a scenarios
# file that cannot be read, give the messages and exit 2 of a plain run
# (not one per rank); an alignment that fails ends every rank with the plain run's exit
# status (the others were waiting for it); a rank that fails in the
# scenario step stops the job with its message, no hang, no report.
# Skipped (77) when tqo was built without MPI or mpirun is missing.
# Usage: mpi_plan.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
if ! ldd "$TQO" 2>/dev/null | grep -q libmpi; then
    echo "skip - tqo built without MPI (-DTQO_MPI=ON)"
    exit 77
fi
if ! command -v mpirun >/dev/null; then
    echo "skip - no mpirun (openmpi-bin)"
    exit 77
fi
# Absolute paths: plan.ini and the report name the inputs, and ranks run
# from other folders below.
SS=$PWD/instances/superstore
GRID=$PWD/instances/superstore_scenarios.csv
REPS=500
if ldd "$TQO" 2>/dev/null | grep -q libasan; then
    REPS=100
    export ASAN_OPTIONS=detect_leaks=0 # Open MPI keeps its allocations until exit
fi
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
BASE=(plan "$SS" -k 12 --balance accounts:10 --potential accounts --history-until 2016Q4 --growth 10 --starts 1
      --replicates $REPS --threads 2)
PLAN=("${BASE[@]}" --scenarios "$GRID")

"$TQO" "${PLAN[@]}" -o "$tmp/plain" >"$tmp/plain.out" 2>"$tmp/plain.err" && [ -s "$tmp/plain/report.html" ] \
    && [ -s "$tmp/plain/scenarios/scenarios_summary.csv" ] && ok "plain plan run (not under mpirun)" \
    || { bad "plain plan run (not under mpirun)"; indent <"$tmp/plain.err"; }
n_files=$(cd "$tmp/plain" && find . -type f | wc -l)

# per_rank of the stats line: R entries, their scenarios adding up to 60
stats_ok() { # FILE R
    python3 - "$1" "$2" <<'PY'
import re, sys
line = [l for l in open(sys.argv[1]) if "mpi stats:" in l]
assert len(line) == 1, line
kv = dict(re.findall(r"(\w+)=(\S+)", line[0]))
per = [int(p.split(":")[0]) for p in kv["per_rank"].split(",")]
assert len(per) == int(sys.argv[2]) and sum(per) == 60 == int(kv["scenarios"]), kv
print("# scenarios per rank: " + " ".join(map(str, per)))
PY
}

for R in 1 2 3; do
    mkdir -p "$tmp/w$R/rank0" "$tmp/w$R/others"
    # ranks 1..R-1 start in a folder of their own: anything they wrote to the
    # relative OUT would land there
    ctx=(-n 1 --wdir "$tmp/w$R/rank0" "$TQO" "${PLAN[@]}" -o out)
    [ $R -gt 1 ] && ctx+=(: -n $((R - 1)) --wdir "$tmp/w$R/others" "$TQO" "${PLAN[@]}" -o out)
    TQO_MPI_STATS=1 timeout 300 "${MPIRUN[@]}" -x TQO_MPI_STATS --output-filename "$tmp/o$R" "${ctx[@]}" \
        >"$tmp/r$R.out" 2>"$tmp/r$R.err"
    rc=$?
    [ $rc = 0 ] && ok "mpirun -n $R tqo plan (2 threads a rank)" \
        || { bad "mpirun -n $R tqo plan (exit $rc)"; indent <"$tmp/r$R.err"; }
    if diff -r "$tmp/plain" "$tmp/w$R/rank0/out" >"$tmp/d"; then
        ok "mpirun -n $R: all $n_files files of OUT byte-identical to the plain run"
    else
        bad "mpirun -n $R: OUT byte-identical to the plain run"; head -5 "$tmp/d" | indent
    fi
    stats_ok "$tmp/o$R/1/rank.0/stderr" $R && ok "mpirun -n $R: each of the 60 scenarios run by one of $R ranks" \
        || bad "mpirun -n $R: each scenario run by one rank"
    quiet=1
    for ((k = 1; k < R; k++)); do
        [ -s "$tmp/o$R/1/rank.$k/stdout" ] || [ -s "$tmp/o$R/1/rank.$k/stderr" ] && quiet=0
    done
    [ $R = 1 ] || { [ $quiet = 1 ] && [ -z "$(ls -A "$tmp/w$R/others")" ] \
        && ok "mpirun -n $R: ranks 1..$((R - 1)) printed and wrote nothing" \
        || bad "mpirun -n $R: ranks 1..$((R - 1)) printed and wrote nothing"; }
    [ "$(grep -c '^scenarios ' "$tmp/o$R/1/rank.0/stdout")" = 1 ] \
        && grep -v '^report:' "$tmp/o$R/1/rank.0/stderr" | grep -v 'mpi stats:' | grep -q 'Monte Carlo resamples' \
        && ok "mpirun -n $R: rank 0 prints the steps and warnings once" \
        || bad "mpirun -n $R: rank 0 prints the steps and warnings once"
done

# errors every rank meets: the plain run's messages (rank 0's, not one per
# rank) and exit status, no hang
same_error() { # DESCRIPTION PATTERN ARGS...
    local d=$1 pat=$2; shift 2
    "$TQO" "$@" -o "$tmp/ep" -q >"$tmp/ep.log" 2>&1
    local want=$?
    timeout 120 "${MPIRUN[@]}" -n 3 "$TQO" "$@" -o "$tmp/em" -q >"$tmp/em.log" 2>&1
    local rc=$?
    local n_plain n_mpi
    n_plain=$(grep -c -- "$pat" "$tmp/ep.log")
    n_mpi=$(grep -c -- "$pat" "$tmp/em.log")
    if [ $want != 0 ] && [ $rc = $want ] && [ "$n_plain" -ge 1 ] && [ "$n_mpi" = "$n_plain" ]; then
        ok "$d: the plain run's message ($n_mpi line(s)), exit $rc"
    else
        bad "$d: the plain run's message ($n_mpi lines, not $n_plain), exit $rc (a plain run: $want)"
        indent <"$tmp/em.log"
    fi
    rm -rf "$tmp/ep" "$tmp/em"
}
same_error "mpirun -n 3, an instance that is not there" "nothere" plan "$tmp/nothere" -k 3
# the scenarios file is read by every rank, after rank 0's alignment
same_error "mpirun -n 3, a scenarios file that is not there" "none.csv" "${BASE[@]}" --scenarios "$tmp/none.csv"
same_error "mpirun -n 3, an alignment that fails (ranks 1-2 waiting)" "territories" \
    plan "$SS" -k 1000 --scenarios "$GRID"

# a rank that fails in the scenario step stops every rank: its message,
# a non-zero exit, no hang, no report
start=$(date +%s)
TQO_TEST_FAIL_RANK=1 timeout 120 "${MPIRUN[@]}" -x TQO_TEST_FAIL_RANK -n 3 "$TQO" "${PLAN[@]}" -o "$tmp/fail" -q \
    >"$tmp/log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc != 0 ] && [ $rc != 124 ] && has "$tmp/log" "rank 1 of 3 failed" && has "$tmp/log" "injected failure" \
    && [ ! -e "$tmp/fail/report.html" ] && [ ! -e "$tmp/fail/scenarios/scenarios_summary.csv" ]; then
    ok "a rank failing in the plan's scenario step stops every rank with its message (exit $rc, ${took} s)"
else
    bad "a rank failing in the plan's scenario step stops every rank (exit $rc, ${took} s)"; indent <"$tmp/log"
fi
finish
