#!/bin/bash
# Issue 17's benchmark batches: bench/run.py --shard I/N and run.py merge.
# A batch of one item (the superstore alignment with its peers) in 2
# shards: shard 1 runs it, shard 2 has no work; the merge holds shard 1's
# rows exactly (the same alignment figures, each once) and says it was
# merged. The merge refuses, with its message and no results written, a
# missing shard, a repeated shard, a part of another batch (another --only)
# and a part of another split (2/3). Skipped (77) without the peers the
# harness needs (clp, cbc, python3-scipy: make bench-deps).
# Usage: mpi_bench.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
for tool in clp cbc; do
    command -v $tool >/dev/null || { echo "skip - no $tool (make bench-deps)"; exit 77; }
done
/usr/bin/python3 -c "import scipy" 2>/dev/null || { echo "skip - no python3-scipy (make bench-deps)"; exit 77; }
BATCH=(--suite quick --tqo "$TQO" --sections alignment --only superstore)
shard() { # I/N OUT [more options]
    local s=$1 o=$2; shift 2
    /usr/bin/python3 bench/run.py "${BATCH[@]}" --shard "$s" --out "$o" "$@" >"$o.log" 2>&1
}
shard 1/2 "$tmp/s1" && [ -s "$tmp/s1/part.json" ] && ok "run.py --shard 1/2 writes its part" \
    || { bad "run.py --shard 1/2"; tail -5 "$tmp/s1.log" | indent; }
shard 2/2 "$tmp/s2" && [ -s "$tmp/s2/part.json" ] && ok "run.py --shard 2/2 (no work) writes its part" \
    || { bad "run.py --shard 2/2"; tail -5 "$tmp/s2.log" | indent; }
/usr/bin/python3 bench/run.py merge --out "$tmp/m" "$tmp/s2" "$tmp/s1" >"$tmp/log" 2>&1 \
    && ok "run.py merge of the 2 parts (given in any order)" || { bad "run.py merge"; indent <"$tmp/log"; }
python3 - "$tmp/s1/results.csv" "$tmp/m/results.csv" "$tmp/m/RESULTS.md" <<'PY' >"$tmp/cmp" 2>&1 \
    && ok "merged results: shard 1's alignment rows, each once; marked as merged" \
    || { bad "merged results hold shard 1's rows"; indent <"$tmp/cmp"; }
import csv, sys
def rows(p):
    return [(r["name"], r["metric"], r["value"]) for r in csv.DictReader(open(p)) if r["section"] == "alignment"]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert a and sorted(a) == sorted(b), (len(a), len(b))
assert len(set(b)) == len(b)
assert any(m == "seconds_total" for _, m, _ in a), "no alignment timing"
assert "merged from 2 shards" in open(sys.argv[3]).read()
PY

refused() { # DESCRIPTION PATTERN PART...
    local d=$1 pat=$2; shift 2
    rm -rf "$tmp/r"
    /usr/bin/python3 bench/run.py merge --out "$tmp/r" "$@" >"$tmp/log" 2>&1
    local rc=$?
    if [ $rc != 0 ] && grep -q -- "$pat" "$tmp/log" && [ ! -e "$tmp/r/results.csv" ]; then
        ok "$d"
    else
        bad "$d (exit $rc)"; indent <"$tmp/log"
    fi
}
refused "run.py merge refuses a missing shard" "shard 2 of 2 missing" "$tmp/s1"
refused "run.py merge refuses a repeated shard" "shard 2/2 given twice" "$tmp/s1" "$tmp/s2" "$tmp/s2"
shard 2/2 "$tmp/f1" --only commdis-du-500 || bad "a shard of another batch"
refused "run.py merge refuses a part of another batch" "a part of another batch" "$tmp/s1" "$tmp/f1"
shard 2/3 "$tmp/f2" || bad "a shard of another split"
refused "run.py merge refuses a part of another split" "is of 2 shards" "$tmp/s1" "$tmp/f2"
refused "run.py merge refuses a folder that is no part" "not a shard's folder" "$tmp/s1" "$tmp"
finish
