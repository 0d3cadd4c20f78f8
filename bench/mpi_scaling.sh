#!/bin/bash
# Scenario sweeps over MPI ranks (issue 17) on this machine, and the model
# of many nodes they feed; writes bench/MPI.md (tables, model, commands).
#
# Two sweeps: the 1,000 scenarios x 1,000 replicates x 200 territories of
# bench/scenarios.sh (20,000 units), and 10,000 scenarios x 1,000
# replicates x 20 territories (2,000 units: many small scenarios). For each:
#   strong  1 process x 1 and 2 threads, mpirun -n 1 and -n 2 x 1 thread
#   weak    half the scenarios on -n 1 against all of them on -n 2
#   serial  a 1-scenario run (start-up, load, prepare) and mpirun alone
# Every MPI run sets TQO_MPI_STATS, so rank 0 reports its prepare, gather
# (bytes received: the bytes sent per scenario) and finish times and each
# rank's scenarios and evaluating seconds (wall and CPU). Every run of a
# sweep must write the same files as the first (checked; the script fails
# otherwise). About 3 minutes on 2 quiet cores (135 CPU seconds in all).
#
# Usage: bench/mpi_scaling.sh [build-mpi/tqo]   (a -DTQO_MPI=ON build; from
# the repository root; MD=path writes elsewhere than bench/MPI.md)
set -eu
TQO=${1:-build-mpi/tqo}
MD=${MD:-bench/MPI.md}
REPS=${REPS:-1000} # fewer only to try the script out
if ! ldd "$TQO" | grep -q libmpi; then
    echo "$TQO: not an MPI build (cmake -DTQO_MPI=ON; make build-mpi)" >&2
    exit 2
fi
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
HEAVY=bench/cache/scenarios-20000-200
LIGHT=bench/cache/scenarios-2000-20
[ -f "$HEAVY/history.csv" ] || "$TQO" generate --units 20000 --territories 200 --periods 40 --seed 5 -o "$HEAVY" --quiet
[ -f "$LIGHT/history.csv" ] || "$TQO" generate --units 2000 --territories 20 --periods 40 --seed 5 -o "$LIGHT" --quiet
if [ -n "${FROM:-}" ]; then # the report again from the runs of a KEEP=1 run
    out=$FROM
else
out=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "runs kept in $out" >&2 || trap 'rm -rf "$out"' EXIT
grid() { # N FILE: N scenarios of a grid of history weights, growth rates and caps
    python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = ["scenario,history_weight,growth,max_growth"]
if n <= 1000:  # bench/scenarios.sh's grid: 10 weights x 25 growth rates x 4 caps
    for i in range(10):
        hw = round(i / 9, 3)
        for g in range(25):
            for cap in (30, 40, 60, ""):
                rows.append("hw%s_g%d_cap%s,%s,%d,%s" % (hw, g, cap or "none", hw, g, cap))
else:  # 25 weights x 100 growth rates (0-24.75%) x 4 caps
    for i in range(25):
        hw = round(i / 24, 4)
        for g in range(100):
            for cap in (30, 40, 60, ""):
                rows.append("hw%s_g%d_cap%s,%s,%s,%s" % (hw, g, cap or "none", hw, g / 4, cap))
open(path, "w").write("\n".join(rows[:n + 1]) + "\n")
PY
}
grid 1 "$out/g1.csv"
grid 500 "$out/g500.csv"
grid 1000 "$out/g1000.csv"
grid 5000 "$out/g5000.csv"
grid 10000 "$out/g10000.csv"

load() { cut -d' ' -f1 /proc/loadavg; }
echo "sweep run ranks threads scenarios wall user sys load" >"$out/runs.txt"
run() { # SWEEP NAME RANKS(0: no mpirun) THREADS INSTANCE GRID
    local sweep=$1 name=$2 r=$3 t=$4 inst=$5 g=$6 l0
    local args=(scenarios "$inst" --scenarios "$g" --potential potential --replicates "$REPS" --seed 1
                --threads "$t" -o "$out/$sweep-$name")
    local cmd=("$TQO")
    [ "$r" = 0 ] || cmd=("${MPIRUN[@]}" -x TQO_MPI_STATS -n "$r" "$TQO")
    l0=$(load)
    TQO_MPI_STATS=1 /usr/bin/time -f "%e %U %S" -o "$out/time" "${cmd[@]}" "${args[@]}" \
        >"$out/$sweep-$name.out" 2>"$out/$sweep-$name.err"
    echo "$sweep $name $r $t $(($(wc -l <"$g") - 1)) $(cat "$out/time") $l0" >>"$out/runs.txt"
    printf '%-6s %-3s %-2s ranks x %s threads: %s s (load %s)\n' "$sweep" "$name" "$r" "$t" \
        "$(cut -d' ' -f1 "$out/time")" "$l0" >&2
}
# mpirun's own start-up: three times, the median is taken
for i in 1 2 3; do /usr/bin/time -f "%e" -a -o "$out/startup" "${MPIRUN[@]}" -n 2 /bin/true; done
start=$(date +%s)
b0=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
for sw in heavy light; do
    if [ $sw = heavy ]; then inst=$HEAVY n=1000 h=500; else inst=$LIGHT n=10000 h=5000; fi
    run $sw p1 0 1 "$inst" "$out/g$n.csv"
    run $sw p2 0 2 "$inst" "$out/g$n.csv"
    run $sw m1 1 1 "$inst" "$out/g$n.csv"
    run $sw m2 2 1 "$inst" "$out/g$n.csv"
    run $sw w1 1 1 "$inst" "$out/g$h.csv"
    run $sw o1 1 1 "$inst" "$out/g1.csv"
    for name in p2 m1 m2; do
        for f in scenarios_summary.csv scenarios_detail.csv scenarios.svg scenarios.json; do
            if ! cmp -s "$out/$sw-p1/$f" "$out/$sw-$name/$f"; then
                echo "$sw: $name wrote another $f than p1: the sweep is not the same for any ranks and threads" >&2
                exit 1
            fi
        done
    done
    du -sb "$out/$sw-p1" | cut -f1 >"$out/$sw.bytes"
    rm -rf "${out:?}/$sw"-?? # up to 130 MB a run
done
b1=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat)
took=$(($(date +%s) - start))
echo "$took $b0 $b1" >"$out/meta"
fi
read -r took b0a b0b b1a b1b <"$out/meta"
b0="$b0a $b0b" b1="$b1a $b1b"

python3 - "$out" "$MD" "$TQO" "$took" "$b0" "$b1" "$(nproc)" "$(mpirun --version | head -1)" "$REPS" <<'PY'
import math, os, re, sys, datetime
out, md, tqo, took, b0, b1, ncpu, mpiver, REPS = sys.argv[1:10]
took, ncpu, REPS = int(took), int(ncpu), int(REPS)
busy = lambda a, b: 100.0 * (float(b.split()[0]) - float(a.split()[0])) / max(1.0, float(b.split()[1]) - float(a.split()[1]))
busy_pct = busy(b0, b1)
startup = sorted(float(x) for x in open(os.path.join(out, "startup")).read().split())[1]

runs = {}
for line in open(os.path.join(out, "runs.txt")).read().splitlines()[1:]:
    sw, name, r, t, n, wall, user, sys_, l0 = line.split()
    d = dict(ranks=int(r), threads=int(t), n=int(n), wall=float(wall), cpu=float(user) + float(sys_), load=float(l0))
    err = open(os.path.join(out, "%s-%s.err" % (sw, name))).read()
    m = re.search(r"mpi stats: (.*)", err)
    if m:
        kv = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
        d["stats"] = kv
        d["per_rank"] = [tuple(float(x) for x in p.split(":")) for p in kv["per_rank"].split(",")]
        d["eval"] = max(p[1] for p in d["per_rank"])
        d["eval_cpu"] = sum(p[2] for p in d["per_rank"])
    o = open(os.path.join(out, "%s-%s.out" % (sw, name))).read()
    m = re.search(r"territories in ([0-9.]+) s", o)
    d["tqo_s"] = float(m.group(1)) if m else float("nan")
    m = re.search(r"replicates x (\d+) territories", o)
    d["terr"] = int(m.group(1)) if m else 0
    runs.setdefault(sw, {})[name] = d

C, E_THREADS, BW = 32, 0.9, 1.25e9  # cores per node, OpenMP efficiency, bytes/s into rank 0 (10 Gb/s)
NODES = (1, 8, 64, 512)

def sweep_figures(R, basis):
    m1, m2, o1 = R["m1"], R["m2"], R["o1"]
    n = m1["n"]
    P = m1["eval" if basis == "wall" else "eval_cpu"]   # evaluating all n scenarios, 1 rank x 1 thread
    S = m1[basis] - P                                    # the rest of that run: the serial part
    fixed = o1[basis] - o1["eval" if basis == "wall" else "eval_cpu"]  # start-up, load, prepare (1 scenario)
    k1 = m2["per_rank"][1][0] if len(m2["per_rank"]) > 1 else 0
    b = float(m2["stats"]["gather_bytes"]) / k1 if k1 else float("nan")
    return dict(n=n, P=P, S=S, fixed=fixed, write=S - fixed, b=b, ts=P / n,
                prepare=float(m1["stats"]["prepare_s"]), finish=float(m1["stats"]["finish_s"]),
                gather=float(m2["stats"]["gather_s"]), gbytes=float(m2["stats"]["gather_bytes"]))

def model(f, N, c=C, e=E_THREADS, bw=BW, gather=None):
    ev = math.ceil(f["n"] / N) * f["ts"] / (c * e)
    g = gather if gather is not None else (0 if N == 1 else (N - 1) / N * f["n"] * f["b"] / bw)
    return f["S"] + ev + g

L = []
w = L.append
label = {"heavy": "1,000 scenarios x {:,} replicates x 200 territories (20,000 units)".format(REPS),
         "light": "10,000 scenarios x {:,} replicates x 20 territories (2,000 units)".format(REPS)}
loaded = busy_pct > 60 or max(d["load"] for R in runs.values() for d in R.values()) > ncpu
# Loaded, wall seconds stretch with the others' work: the split into serial
# and parallel parts then comes from CPU seconds (the work itself).
basis = "cpu" if loaded else "wall"
w("# Scenario sweeps over MPI ranks: this machine, and a model of many nodes")
w("")
w("Issue 17. Written by `bench/mpi_scaling.sh %s` (%s; %d s in all); how to run on a cluster:" % (tqo, mpiver, took))
w("docs/cluster.md. Every table below is this script's output: re-run it rather than edit it.")
w("")
w("## Measured here")
w("")
btype = "a build of unknown type"
cache = os.path.join(os.path.dirname(tqo) or ".", "CMakeCache.txt")
if os.path.exists(cache):
    m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(\w*)", open(cache).read(), re.M)
    btype = "a %s build" % (m.group(1) or "default") if m else btype
w("%s, %d cores, %s. The machine was busy %.0f%% over the runs (every process on it counted, these runs "
  "included); the load average at the start of each run is in the tables." % (datetime.date.today().isoformat(),
  ncpu, btype, busy_pct))
if loaded:
    w("")
    w("**LOADED: other work shared the cores during these runs**, so wall seconds and speed-ups say little about "
      "ranks; the CPU seconds (the work done, whatever the load) and the counts still hold. Re-run on a quiet "
      "machine before quoting the speed-ups.")
w("")
w("mpirun's own start-up (`mpirun -n 2 /bin/true`, median of 3): %.2f s." % startup)
for sw in ("heavy", "light"):
    R = runs[sw]
    f = sweep_figures(R, basis)
    p1 = R["p1"]["wall"]
    w("")
    w("### %s" % label[sw])
    w("")
    w("Strong scaling (speed-up against 1 process x 1 thread; eval: the slowest rank's evaluating, wall; "
      "CPU: the whole command's user + system seconds):")
    w("")
    w("| run | load | wall s | speed-up | eval s | CPU s | scenarios per rank |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    names = {"p1": "1 process x 1 thread", "p2": "1 process x 2 threads", "m1": "mpirun -n 1 x 1 thread",
             "m2": "mpirun -n 2 x 1 thread"}
    for k in ("p1", "p2", "m1", "m2"):
        d = R[k]
        ev = "%.1f" % d["eval"] if "eval" in d else "%.1f (tqo)" % d["tqo_s"]
        per = " / ".join("%d" % p[0] for p in d["per_rank"]) if "per_rank" in d else "-"
        w("| %s | %.1f | %.1f | %.2f | %s | %.1f | %s |" % (names[k], d["load"], d["wall"], p1 / d["wall"], ev,
                                                          d["cpu"], per))
    w1, m2 = R["w1"], R["m2"]
    w("")
    w("Weak scaling (the same scenarios per rank; efficiency = wall of 1 rank / wall of 2 ranks):")
    w("")
    w("| run | load | wall s | efficiency | eval CPU s |")
    w("| --- | ---: | ---: | ---: | ---: |")
    w("| %d scenarios, mpirun -n 1 x 1 thread | %.1f | %.1f | 1.00 | %.1f |" % (w1["n"], w1["load"], w1["wall"],
                                                                             w1["eval_cpu"]))
    w("| %d scenarios, mpirun -n 2 x 1 thread | %.1f | %.1f | %.2f | %.1f |" % (m2["n"], m2["load"], m2["wall"],
                                                                              w1["wall"] / m2["wall"], m2["eval_cpu"]))
    w("")
    w("Where the %s of `mpirun -n 1` go, and what MPI does with them:" % ("wall seconds" if basis == "wall" else
      "CPU seconds (loaded: wall seconds would mostly measure the others' work)"))
    w("")
    w("| part | s | who does it under MPI |")
    w("| --- | ---: | --- |")
    w("| start-up, load, prepare (from a 1-scenario run; prepare alone %.2f s wall) | %.1f | every rank, side by side |"
      % (f["prepare"], f["fixed"]))
    w("| evaluate %d scenarios (P; %.1f CPU s) | %.1f | split over ranks x threads |" % (f["n"], R["m1"]["eval_cpu"],
                                                                                       f["P"]))
    w("| gather the rows to rank 0 (-n 2: %.0f bytes from rank 1; wall s) | %.2f | rank 0 receives |" % (f["gbytes"],
                                                                                                      f["gather"]))
    w("| finish (%.2f s) and write %.0f MB of files | %.1f | rank 0 alone |" % (f["finish"],
                                                                            int(open(os.path.join(out, sw + ".bytes")).read()) / 1e6,
                                                                            f["write"]))
    w("")
    w("Serial part S = %s - evaluation = %.1f s of %.1f s (%.0f%%). Bytes sent per scenario (rank 1 to rank 0, "
      "measured): **%.0f**." % (basis, f["S"], R["m1"][basis], 100 * f["S"] / R["m1"][basis], f["b"]))
    runs[sw]["f"] = f
    runs[sw]["fw"] = sweep_figures(R, "wall")

w("")
w("## Model of N nodes")
w("")
w("One rank per node with c cores of OpenMP threads:")
w("")
w("    T(N) = S + ceil(n / N) t / (c e) + (N - 1) / N n b / BW")
w("")
w("S is the serial part measured above (%s seconds; start-up, load and prepare are paid by every rank at once, so they do not "
  "shrink; finish and the writing are rank 0's alone), t = P / n the evaluating seconds of one scenario on one "
  "core, b the bytes per scenario measured, e = %.1f (OpenMP inside a rank; assumed), BW = %.2f GB/s into rank 0 "
  "(10 Gb/s; assumed), c = %d. ceil(n / N): a rank runs whole scenarios (chunks of about n / 4N, at most 64, "
  "handed out dynamically). Efficiency is T(1) / (N T(N))." % (basis, E_THREADS, BW / 1e9, C))
w("")
w("Sweeps as scenarios x replicates x territories; the last row is the issue's scale (200,000 units), "
  "extrapolated from the first: evaluating x 1,000 (scenarios x replicates x territories), the rows' bytes and "
  "their writing x 100 (scenarios x territories), start-up, load and prepare x 10 (units).")
w("")
w("| sweep | S | P (1 core) | T(1 node) | N = 8 | N = 64 | N = 512 |")
w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
# The issue's largest sweep, from the 1,000 x 1,000 x 200 one: evaluating
# grows with scenarios x replicates x territories (x 1,000), the rows and
# their bytes with scenarios x territories (x 100), loading with the units
# (200,000: x 10).
h = runs["heavy"]["f"]
big = dict(n=10000, ts=h["ts"] * 100, b=h["b"] * 10, P=h["P"] * 1000,
           S=h["fixed"] * 10 + h["write"] * 100)
short = {"heavy": "1,000 x {:,} x 200".format(REPS), "light": "10,000 x {:,} x 20".format(REPS)}
rows = [(short[sw], runs[sw]["f"]) for sw in ("heavy", "light")]
rows.append(("10,000 x 10,000 x 2,000", big))
for name, f in rows:
    t1 = model(f, 1)
    cells = ["%.1f s, %.0f%%" % (model(f, N), 100 * t1 / (N * model(f, N))) for N in (8, 64, 512)]
    w("| %s | %.1f s | %.1f s | %.1f s | %s |" % (name, f["S"], f["P"], t1, " | ".join(cells)))
w("")
w("Next to what this machine measured: the model for N = 2 ranks of 1 thread (c = 1, e = 1, the gather as "
  "measured), from the wall seconds of `mpirun -n 1` (loaded, both parts stretch alike while the load holds):")
w("")
w("| sweep | model T(2) | measured -n 2 | model efficiency | measured efficiency (against -n 1) |")
w("| --- | ---: | ---: | ---: | ---: |")
for sw in ("heavy", "light"):
    f, R = runs[sw]["fw"], runs[sw]
    t1 = model(f, 1, c=1, e=1)
    t2 = model(f, 2, c=1, e=1, gather=f["gather"])
    w("| %s | %.1f s | %.1f s | %.2f | %.2f |" % (short[sw], t2, R["m2"]["wall"], t1 / (2 * t2),
                                                R["m1"]["wall"] / (2 * R["m2"]["wall"])))
w("")
w("What it says: the evaluation scales (independent per scenario; the gather is n b bytes once), so efficiency "
  "falls as S / T(1) grows: S is Amdahl's serial fraction, and the speed-up over one core can never pass T(1) / S (%s). With "
  "many nodes rank 0's finishing and writing of the files dominates; spreading the formatting over the ranks "
  "(rank 0 only concatenating) is the next step (not built). Shards + merge have the same shape: the merge is "
  "the serial write." % ", ".join("%.0fx for %s" % (model(f, 1, c=1, e=1) / f["S"], name)
                                  for name, f in rows))
w("")
w("## Commands")
w("")
w("```")
w("bench/mpi_scaling.sh %s        # this page; or: make bench-mpi" % tqo)
w("# the runs, per sweep (INSTANCE, GRID as above; TQO_MPI_STATS=1 prints rank 0's timing line):")
w("tqo scenarios INSTANCE --scenarios GRID --potential potential --replicates %d --seed 1 --threads T -o OUT" % REPS)
w("TQO_MPI_STATS=1 mpirun --oversubscribe --bind-to none -x TQO_MPI_STATS -n R tqo scenarios ... --threads 1 -o OUT")
w("```")
w("")
w("Instances: `tqo generate --units 20000 --territories 200 --periods 40 --seed 5` and `--units 2000 "
  "--territories 20 --periods 40 --seed 5` (cached in bench/cache/). Not measured here: more than one node.")
open(md, "w").write("\n".join(L) + "\n")
print("wrote %s (%d s)" % (md, took))
PY
