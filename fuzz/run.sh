#!/bin/bash
# make fuzz: runs every fuzz target for FUZZ_SECONDS (default 60) from its
# seed corpus (fuzz/seeds.sh) and its dictionary, and fails on a crash, a
# leak, a timeout or a broken invariant (libFuzzer exits non-zero and
# leaves crash-*/leak-*/timeout-* in BUILD/artifacts/). Prints a table of
# executions per target.
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
shift 2 || shift $#
top=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(instance commdis scenarios_csv plan_ini assignment geojson hierarchy serve_api pipeline)
bash "$top/fuzz/seeds.sh" "$build/corpus" >/dev/null
mkdir -p "$build/artifacts" "$build/logs"
declare -A dict=([instance]=csv [scenarios_csv]=csv [assignment]=csv [hierarchy]=csv [pipeline]=csv
                 [commdis]=commdis [plan_ini]=ini [geojson]=json [serve_api]=json)
# Targets run side by side, one per core (FUZZ_JOBS), each for the full
# time; the table comes out in target order once all have ended.
jobs=${FUZZ_JOBS:-$(nproc)}
run_one() {
    local t=$1 log=$build/logs/$1.log
    # -rss_limit_mb: the instance readers are small; -timeout: 10 s for one
    # input is a hang. ASan's leak check runs at the end of each input.
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    OMP_NUM_THREADS=1 TQO_SOURCE_DIR="$top" \
        "$build/fuzz_$t" "$build/corpus/$t" -dict="$top/fuzz/dict/${dict[$t]}.dict" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1
    echo $? >"$build/logs/$t.rc"
}
running=0
for t in "${targets[@]}"; do
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait
fail=0
printf '%-14s %8s %12s %10s %8s  %s\n' target seconds executions exec/s corpus result
for t in "${targets[@]}"; do
    log=$build/logs/$t.log
    rc=$(cat "$build/logs/$t.rc" 2>/dev/null || echo 99)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    ncorp=$(ls "$build/corpus/$t" | wc -l)
    result=ok
    if [ "$rc" -ne 0 ]; then
        result="FAILED (rc $rc): $(grep -m1 -E 'ERROR|invariant|SUMMARY' "$log")"
        fail=1
    fi
    printf '%-14s %8s %12s %10s %8s  %s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" "$ncorp" "$result"
done
exit $fail
