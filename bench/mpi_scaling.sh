#!/bin/bash
# Scenario sweeps over MPI ranks (issue 17) on this machine: strong scaling
# of the 1,000 scenarios x 1,000 replicates x 200 territories sweep
# (bench/scenarios.sh's) with 1 and 2 ranks of 1 thread, against one
# process of 1 and 2 threads; weak scaling with 250 scenarios per rank; the
# bytes a rank sends per scenario (a shard's part file over its scenarios);
# and a check that every run wrote the same files. Prints a table to stdout.
# Usage: bench/mpi_scaling.sh build-mpi/tqo   (a -DTQO_MPI=ON build; from the repository root)
set -eu
TQO=${1:-build-mpi/tqo}
REPS=${REPS:-1000}
CACHE=bench/cache/scenarios-20000-200
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
if [ ! -f "$CACHE/history.csv" ]; then
    "$TQO" generate --units 20000 --territories 200 --periods 40 --seed 5 -o "$CACHE" --quiet
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
grid() { # N FILE: the first N of the 1,000-scenario grid of bench/scenarios.sh
    python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = ["scenario,history_weight,growth,max_growth"]
for i in range(10):
    hw = round(i / 9, 3)
    for g in range(25):
        for cap in (30, 40, 60, ""):
            rows.append("hw%s_g%d_cap%s,%s,%d,%s" % (hw, g, cap or "none", hw, g, cap))
open(path, "w").write("\n".join(rows[:n + 1]) + "\n")
PY
}
grid 1000 "$out/g1000.csv"
grid 250 "$out/g250.csv"
grid 500 "$out/g500.csv"
now() { date +%s.%N; }
run() { # NAME RANKS THREADS GRID: wall seconds of the whole command
    local name=$1 r=$2 t=$3 g=$4 s e
    local args=(scenarios "$CACHE" --scenarios "$g" --potential potential --replicates "$REPS" --seed 1
                --threads "$t" -o "$out/$name" -q)
    s=$(now)
    if [ "$r" = 0 ]; then "$TQO" "${args[@]}"; else "${MPIRUN[@]}" -n "$r" "$TQO" "${args[@]}"; fi
    e=$(now)
    echo "$e - $s" | bc -l
}
busy() { # cores busy over the machine, from /proc/stat (other users' work included)
    awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat
}
printf "%-34s %8s %8s\n" "run" "wall s" "speed-up"
b0=$(busy)
t1=$(run plain1 0 1 "$out/g1000.csv");  printf "%-34s %8.1f %8s\n" "1000 sc, 1 process x 1 thread" "$t1" "1.00"
t2=$(run plain2 0 2 "$out/g1000.csv");  printf "%-34s %8.1f %8.2f\n" "1000 sc, 1 process x 2 threads" "$t2" "$(echo "$t1/$t2" | bc -l)"
m1=$(run mpi1 1 1 "$out/g1000.csv");    printf "%-34s %8.1f %8.2f\n" "1000 sc, mpirun -n 1 x 1 thread" "$m1" "$(echo "$t1/$m1" | bc -l)"
m2=$(run mpi2 2 1 "$out/g1000.csv");    printf "%-34s %8.1f %8.2f\n" "1000 sc, mpirun -n 2 x 1 thread" "$m2" "$(echo "$t1/$m2" | bc -l)"
w1=$(run weak1 1 1 "$out/g250.csv");    printf "%-34s %8.1f %8s\n" "weak: 250 sc, -n 1 x 1 thread" "$w1" "eff 1.00"
w2=$(run weak2 2 1 "$out/g500.csv");    printf "%-34s %8.1f %8s\n" "weak: 500 sc, -n 2 x 1 thread" "$w2" "eff $(printf %.2f "$(echo "$w1/$w2" | bc -l)")"
b1=$(busy)
same=yes
for d in plain2 mpi1 mpi2; do
    for f in scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json; do
        cmp -s "$out/plain1/$f" "$out/$d/$f" || same=no
    done
done
echo "identical files (1 process 1/2 threads, mpirun -n 1/2): $same"
# bytes per scenario: a shard's part file (its header and sweep are small next to the rows)
"$TQO" scenarios "$CACHE" --scenarios "$out/g250.csv" --potential potential --replicates 10 --seed 1 --shard 1/1 \
    -o "$out/part" -q
sz=$(stat -c %s "$out/part/scenarios_part_1_of_1.bin")
echo "part file of 250 scenarios x 200 territories: $sz bytes, $((sz / 250)) bytes per scenario"
read -r a0 t0 <<<"$b0"; read -r a1 tt1 <<<"$b1"
echo "machine: $(nproc) cores, busy $(echo "100 * ($a1 - $a0) / ($tt1 - $t0)" | bc -l | cut -c1-5)% over the runs (other work included)"
