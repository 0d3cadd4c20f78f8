#!/bin/bash
# mpirun -n 1, 2 and 3 tqo scenarios (a -DTQO_MPI=ON build): files
# byte-identical to a plain run's (itself on 2 threads, the ranks on 1 and
# 2), the failure warnings printed once, a load error printed once with
# exit 2, ranks that prepared different sweeps (another seed on one) are
# refused with one message, and a rank that fails stops the whole job with
# its message and a non-zero exit, within seconds (no hang), leaving no
# files behind.
# Skipped (77) when tqo was built without MPI or mpirun is missing.
# Usage: mpi.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
if ! ldd "$TQO" 2>/dev/null | grep -q libmpi; then
    echo "skip - tqo built without MPI (-DTQO_MPI=ON)"
    exit 77
fi
if ! command -v mpirun >/dev/null; then
    echo "skip - no mpirun (openmpi-bin)"
    exit 77
fi
SS=instances/superstore
REPS=400
if ldd "$TQO" 2>/dev/null | grep -q libasan; then
    REPS=64
    export ASAN_OPTIONS=detect_leaks=0 # Open MPI keeps its allocations until exit
fi
FILES="scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json"
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)

"$TQO" align "$SS" -k 12 --balance accounts:10 -o "$tmp/al" -q --starts 1 || bad "align"
{ cat instances/superstore_scenarios.csv; echo "bad_a,0.7,40,10"; } >"$tmp/grid.csv"
RUN=(scenarios "$SS" --assignment "$tmp/al/assignment.csv" --scenarios "$tmp/grid.csv" --potential accounts
     --replicates $REPS --seed 7)
"$TQO" "${RUN[@]}" --threads 2 -o "$tmp/plain" -q 2>"$tmp/plain.err" && ok "plain run (not under mpirun)" \
    || bad "plain run (not under mpirun)"

for R in 1 2 3; do
    th=$(( R == 2 ? 1 : 2 ))
    timeout 300 "${MPIRUN[@]}" -n $R "$TQO" "${RUN[@]}" --threads $th -o "$tmp/r$R" -q >"$tmp/r$R.out" 2>"$tmp/r$R.err"
    rc=$?
    [ $rc = 0 ] && ok "mpirun -n $R ($th threads a rank)" || { bad "mpirun -n $R (exit $rc)"; indent <"$tmp/r$R.err"; }
    same=1
    for f in $FILES; do cmp -s "$tmp/plain/$f" "$tmp/r$R/$f" || { same=0; echo "# $f differs"; }; done
    [ $same = 1 ] && ok "mpirun -n $R: byte-identical to the plain run" \
        || bad "mpirun -n $R: byte-identical to the plain run"
    [ "$(grep -c "scenario 'bad_a'" "$tmp/r$R.err")" = 1 ] && ok "mpirun -n $R: the failure warned of once" \
        || { bad "mpirun -n $R: the failure warned of once"; indent <"$tmp/r$R.err"; }
done

# a load error: every rank sees it, one message, exit 2
timeout 120 "${MPIRUN[@]}" -n 2 "$TQO" scenarios "$SS" --assignment "$tmp/al/assignment.csv" \
    --scenarios "$tmp/none.csv" -o "$tmp/e" -q >"$tmp/log" 2>&1
rc=$?
[ $rc = 2 ] && [ "$(grep -c "none.csv" "$tmp/log")" = 1 ] && ok "a load error: one message, exit 2" \
    || { bad "a load error: one message, exit 2 (exit $rc)"; indent <"$tmp/log"; }

# ranks that prepared different sweeps (here another seed on rank 1; on a
# cluster, nodes reading other files) are refused before any scenario runs
timeout 120 "${MPIRUN[@]}" -n 1 "$TQO" "${RUN[@]}" --threads 1 -o "$tmp/mix" -q : \
    -n 1 "$TQO" "${RUN[@]}" --seed 8 --threads 1 -o "$tmp/mix" -q >"$tmp/log" 2>&1
rc=$?
if [ $rc != 0 ] && [ $rc != 124 ] && [ "$(grep -c "rank 1 prepared another sweep than rank 0" "$tmp/log")" = 1 ] \
    && [ ! -e "$tmp/mix/scenarios_summary.csv" ]; then
    ok "ranks with different sweeps: refused with one message (exit $rc), no files"
else
    bad "ranks with different sweeps: refused (exit $rc)"; indent <"$tmp/log"
fi

# a failing rank stops the job: its message, a non-zero exit, no hang, no files
start=$(date +%s)
TQO_TEST_FAIL_RANK=1 timeout 120 "${MPIRUN[@]}" -x TQO_TEST_FAIL_RANK -n 3 "$TQO" "${RUN[@]}" --threads 1 \
    -o "$tmp/fail" -q >"$tmp/log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc != 0 ] && [ $rc != 124 ] && has "$tmp/log" "rank 1 of 3 failed" && has "$tmp/log" "injected failure" \
    && [ ! -e "$tmp/fail/scenarios_summary.csv" ]; then
    ok "a failing rank stops every rank with its message (exit $rc, ${took} s)"
else
    bad "a failing rank stops every rank with its message (exit $rc, ${took} s)"; indent <"$tmp/log"
fi
finish
