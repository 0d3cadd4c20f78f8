#!/bin/bash
# tqo align, checked by an independent recomputation (tests/tools/check_align.py):
# every unit assigned once with shares summing to 1, balance within tolerance
# against capacity targets, the objective recomputed from the files, contiguity
# (only whole islands may lie apart), locks, home bases and moves; plus
# determinism (the same command twice writes the same files).
# Generated instances (600 units, 6 territories, planar and --geo) with seed 3,
# whose split MIP finishes well inside its time limit, keep this under ~30 s.
# Usage: align_checked.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
# lib.sh runs a copy of the binary, so a rebuild meanwhile cannot make the
# two determinism runs use different programs
CHECK="python3 tests/tools/check_align.py"

# aligned NAME INSTANCE OUT [align options] -- [checker options]
# Runs tqo align, then the checker; on failure shows the command and output.
aligned() {
    local name=$1 inst=$2 out=$3; shift 3
    local aopts=() copts=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do aopts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    copts=("$@")
    if ! "$TQO" align "$inst" -o "$out" -q "${aopts[@]}" >"$tmp/run.out" 2>"$tmp/run.err"; then
        bad "$name: tqo align $inst -o $out -q ${aopts[*]} (exit $?)"
        indent <"$tmp/run.err"
        return 1
    fi
    if $CHECK "$inst" "$out" "${copts[@]}" >"$tmp/check.out" 2>&1; then
        ok "$name"
    else
        bad "$name: tqo align $inst -o $out -q ${aopts[*]}; check_align.py ${copts[*]}"
        indent <"$tmp/check.out"
        return 1
    fi
}

BAL=(--balance workload:5 --balance potential:10)

if "$TQO" generate -o "$tmp/plane" --units 600 --territories 6 --periods 0 --seed 3 --quiet; then
    ok "generate a planar instance"
else
    bad "generate a planar instance"
fi
if "$TQO" generate -o "$tmp/geo" --units 600 --territories 6 --periods 0 --seed 3 --geo --quiet; then
    ok "generate a lat/lon instance"
else
    bad "generate a lat/lon instance"
fi

# 1. planar, two balanced measures, contiguity over the instance's adjacency.csv
aligned "planar: balance workload:5 potential:10, contiguous" "$tmp/plane" "$tmp/o_plane" "${BAL[@]}" \
    -- --max-exceptions 0 --gap 1 --max-splits 0

# 2. the same on lat/lon (haversine distances)
aligned "lat/lon: balance workload:5 potential:10, contiguous" "$tmp/geo" "$tmp/o_geo" "${BAL[@]}" \
    -- --max-exceptions 0 --gap 1 --max-splits 0

# 3. locks: ten border units of the free plan locked to a neighbouring
#    territory they were not given (so the locks bite), across territories.
cp -r "$tmp/plane" "$tmp/locked"
if python3 - "$tmp/plane" "$tmp/o_plane/assignment.csv" "$tmp/locked/locks.csv" <<'EOF'
import csv, sys
inst, asg_path, out = sys.argv[1:]
asg = {r["unit_id"]: r["territory_id"] for r in csv.DictReader(open(asg_path, newline="", encoding="utf-8-sig"))}
nbr = {}
for r in csv.DictReader(open(inst + "/adjacency.csv", newline="", encoding="utf-8-sig")):
    nbr.setdefault(r["unit_a"], []).append(r["unit_b"])
    nbr.setdefault(r["unit_b"], []).append(r["unit_a"])
locks, used_t, used_u = [], {}, set()
for u in sorted(nbr):
    if len(locks) == 10:
        break
    other = sorted({asg[v] for v in nbr[u]} - {asg[u]})
    if not other or u in used_u or any(v in used_u for v in nbr[u]):
        continue
    t = min(other, key=lambda t: used_t.get(t, 0))   # spread over territories
    if used_t.get(t, 0) >= 2:
        continue
    used_t[t] = used_t.get(t, 0) + 1
    used_u.add(u)
    locks.append((u, t))
assert len(locks) == 10, locks
with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["unit_id", "territory_id"])
    w.writerows(locks)
EOF
then
    ok "write locks.csv ($(($(wc -l <"$tmp/locked/locks.csv") - 1)) locks, $(cut -d, -f2 "$tmp/locked/locks.csv" | tail -n +2 | sort -u | wc -l) territories)"
    aligned "locks: 10 locked border units hold" "$tmp/locked" "$tmp/o_locked" "${BAL[@]}" \
        -- --max-splits 0
else
    bad "write locks.csv"
fi

# 4. --allow-splits: at most one split unit per balance row (p x measures = 12)
aligned "--allow-splits: shares valid, balance, contiguity" "$tmp/plane" "$tmp/o_split" "${BAL[@]}" \
    --allow-splits -- --max-splits 12 --gap 1

# 5. realignment: --max-moves caps the moved share of workload
aligned "--max-moves 2: moved share of workload <= 2%" "$tmp/plane" "$tmp/o_moves" "${BAL[@]}" \
    --max-moves 2 -- --max-moved-pct 2 --max-splits 0

# 6. determinism: the same command twice gives the same files
if "$TQO" align "$tmp/plane" -o "$tmp/o_det1" -q "${BAL[@]}" 2>"$tmp/det.err" &&
    "$TQO" align "$tmp/plane" -o "$tmp/o_det2" -q "${BAL[@]}" 2>>"$tmp/det.err"; then
    for f in assignment.csv territories.csv; do
        if cmp "$tmp/o_det1/$f" "$tmp/o_det2/$f" >"$tmp/cmp.out" 2>&1; then
            ok "determinism: $f byte-identical over two runs"
        else
            bad "determinism: $f differs over two runs"
            indent <"$tmp/cmp.out"
        fi
    done
else
    bad "determinism: tqo align runs"
    indent <"$tmp/det.err"
fi

# the checker itself must catch a broken result (guards against a checker
# that passes everything): a unit dropped, a share changed, balance broken.
if [ -d "$tmp/o_plane" ]; then
    cp -r "$tmp/o_plane" "$tmp/broken"
    sed -i '2d' "$tmp/broken/assignment.csv"
    if $CHECK "$tmp/plane" "$tmp/broken" >/dev/null 2>&1; then
        bad "checker rejects a dropped unit"
    else
        ok "checker rejects a dropped unit"
    fi
    cp "$tmp/o_plane/assignment.csv" "$tmp/broken/assignment.csv"
    python3 - "$tmp/broken/assignment.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
# move a block of units of the first territory to the second
first = rows[1][1]
second = next(r[1] for r in rows[1:] if r[1] != first)
moved = 0
for r in rows[1:]:
    if r[1] == first and moved < 40:
        r[1] = second
        moved += 1
csv.writer(open(sys.argv[1], "w", newline=""), lineterminator="\n").writerows(rows)
EOF
    if $CHECK "$tmp/plane" "$tmp/broken" >/dev/null 2>&1; then
        bad "checker rejects 40 units moved to another territory"
    else
        ok "checker rejects 40 units moved to another territory"
    fi
fi

finish
