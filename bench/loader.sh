#!/bin/bash
# Loader throughput: MB/s of `tqo validate` on a large generated instance,
# next to `wc -l` on the same files (the I/O ceiling). Median of 5 runs.
# Usage: bench/loader.sh [path/to/tqo]   (run from the repository root)
set -eu
TQO=${1:-build/tqo}
UNITS=${UNITS:-200000}
PERIODS=${PERIODS:-40}
CACHE=bench/cache/loader-$UNITS-$PERIODS
if [ ! -f "$CACHE/history.csv" ]; then
    "$TQO" generate --units "$UNITS" --territories 200 --periods "$PERIODS" --seed 7 -o "$CACHE" --quiet
fi
bytes=$(cat "$CACHE"/*.csv | wc -c)
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
t_load=$(for i in 1 2 3 4 5; do s=$(now); "$TQO" validate "$CACHE" --quiet; e=$(now); echo "$e - $s" | bc -l; done | median)
t_wc=$(for i in 1 2 3 4 5; do s=$(now); cat "$CACHE"/*.csv | wc -l >/dev/null; e=$(now); echo "$e - $s" | bc -l; done | median)
mb=$(echo "$bytes / 1000000" | bc -l)
printf 'files: %s (%.1f MB: units, territories, adjacency, history)\n' "$CACHE" "$mb"
printf 'tqo validate: %.3f s  %.0f MB/s (load, check, statistics)\n' "$t_load" "$(echo "$mb / $t_load" | bc -l)"
printf 'wc -l:        %.3f s  %.0f MB/s (I/O ceiling)\n' "$t_wc" "$(echo "$mb / $t_wc" | bc -l)"
BARE=${BARE:-$(dirname "$TQO")/bench_csv_bare}
if [ -x "$BARE" ]; then
    echo "libcsv alone on history.csv (tokenizing ceiling, in memory):"
    "$BARE" "$CACHE/history.csv"
    "$BARE" "$CACHE/history.csv" per-line
fi
