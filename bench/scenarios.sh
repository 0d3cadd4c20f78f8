#!/bin/bash
# The scenario scale run of the scenarios issue: 1,000 scenarios x 1,000
# replicates x 200 territories, with 1 and with 2 threads, median of RUNS
# runs each, back to back. Prints the wall time of the whole command (load,
# evaluate, write 45 MB of files), the evaluation alone as tqo reports it,
# the CPU time (user + system: on a shared machine the wall time says little,
# the CPU time at 1 thread is the work), the load average before and after,
# and the speed-up; checks that both thread counts wrote identical files.
# Usage: bench/scenarios.sh [path/to/tqo]   (run from the repository root)
set -eu
TQO=${1:-build/tqo}
RUNS=${RUNS:-3}
CACHE=bench/cache/scenarios-20000-200
if [ ! -f "$CACHE/history.csv" ]; then
    "$TQO" generate --units 20000 --territories 200 --periods 40 --seed 5 -o "$CACHE" --quiet
fi
GRID=bench/cache/scenarios-grid-1000.csv
# 10 history weights x 25 growth rates x 4 growth caps
python3 - "$GRID" <<'PY'
import sys
rows = ["scenario,history_weight,growth,max_growth"]
for i in range(10):
    hw = round(i / 9, 3)
    for g in range(25):
        for cap in (30, 40, 60, ""):
            rows.append("hw%s_g%d_cap%s,%s,%d,%s" % (hw, g, cap or "none", hw, g, cap))
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A WALL EVAL CPU
for t in 1 2; do
    : >"$out/wall$t"; : >"$out/eval$t"; : >"$out/cpu$t"
done
load0=$(cut -d' ' -f1 /proc/loadavg)
TIMEFORMAT='%R %U %S'
for i in $(seq "$RUNS"); do
    for t in 1 2; do
        # Every run writes a fresh OUT, as the first does: renaming over the files
        # of an earlier run cost 15-35 ms more on this machine's ext4 (loaded).
        rm -rf "$out/o$t"
        { time "$TQO" scenarios "$CACHE" --scenarios "$GRID" --potential potential --replicates 1000 --seed 1 \
            --threads "$t" -o "$out/o$t" >"$out/log$t" 2>"$out/err$t"; } 2>"$out/time$t"
        cat "$out/err$t" >&2
        read -r real user sys < <(tail -1 "$out/time$t")
        echo "$real" >>"$out/wall$t"
        echo "$user + $sys" | bc -l >>"$out/cpu$t"
        sed -n 's/.* in \([0-9.]*\) s;.*/\1/p' "$out/log$t" >>"$out/eval$t"
    done
done
load1=$(cut -d' ' -f1 /proc/loadavg)
for t in 1 2; do
    WALL[$t]=$(median <"$out/wall$t")
    EVAL[$t]=$(median <"$out/eval$t")
    CPU[$t]=$(median <"$out/cpu$t")
done
same=identical
for f in scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json; do
    cmp -s "$out/o1/$f" "$out/o2/$f" || same=DIFFERENT
done
head -1 "$out/log1"
printf 'threads  wall s (whole command)  evaluation s (tqo)  cpu s (user+sys)\n'
printf '1        %6.2f                 %6.2f              %6.2f\n' "${WALL[1]}" "${EVAL[1]}" "${CPU[1]}"
printf '2        %6.2f                 %6.2f              %6.2f\n' "${WALL[2]}" "${EVAL[2]}" "${CPU[2]}"
printf 'speed-up %6.2f                 %6.2f   (median of %d runs; files for 1 and 2 threads: %s)\n' \
    "$(echo "${WALL[1]} / ${WALL[2]}" | bc -l)" "$(echo "${EVAL[1]} / ${EVAL[2]}" | bc -l)" "$RUNS" "$same"
printf 'load average %s before, %s after, on %s cores (above the core count the figures say little)\n' \
    "$load0" "$load1" "$(nproc)"
