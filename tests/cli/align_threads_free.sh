#!/bin/bash
# Issue 13: free centres on real, clustered points give the same files for
# any thread count (align_threads.sh covers a generated instance and italy
# with splits). Here every fifth GeoNames place of Germany (1,449 points, no
# home bases, population as the measure):
#  - whole units, -k 8 --balance population:5, at --threads 1 and 2: the
#    starts, the LPs, the splits made whole, the local search and the
#    centre refits all run;
#  - --allow-splits, -k 8, at --threads 1 and 3 (more threads than cores).
# Compared: assignment.csv, territories.csv and summary.json without its
# timings, thread count and command line; each plan is also checked by
# tests/tools/check_align.py (balance recomputed from the files).
# Skipped (77) without ../shared/data/places/germany or $TQO_SHARED_DATA.
# Usage: align_threads_free.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
need_data places/germany
CHECK="python3 tests/tools/check_align.py"

# stable SUMMARY: summary.json without what may differ between runs
stable() {
    python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d.pop("seconds", None)
d.pop("command", None)
d.get("parameters", {}).pop("threads", None)
print(json.dumps(d, sort_keys=True))
EOF
}

# same NAME OUT_A OUT_B: the two runs wrote the same files
same() {
    local name=$1 a=$2 b=$3 f diffs=""
    for f in assignment.csv territories.csv; do
        cmp -s "$a/$f" "$b/$f" || diffs="$diffs $f"
    done
    [ "$(stable "$a/summary.json")" = "$(stable "$b/summary.json")" ] || diffs="$diffs summary.json"
    if [ -z "$diffs" ]; then ok "$name: identical files"; else bad "$name: files differ:$diffs"; fi
}

# solve NAME OUT [options]: tqo align on the subset, exit 0 and the plan checked
solve() {
    local name=$1 out=$2
    shift 2
    if "$TQO" align "$G" -o "$out" "$@" >"$out.stdout" 2>"$out.stderr" && $CHECK "$G" "$out" >"$out.chk" 2>&1; then
        ok "$name: exit 0, plan checked"
    else
        bad "$name: exit or check failed"
        indent <"$out.stderr"
        [ -f "$out.chk" ] && indent <"$out.chk"
    fi
}

G=$tmp/de
mkdir -p "$G"
awk -F, 'NR == 1 || (NR - 2) % 5 == 0' "$DATA/places/germany/units.csv" >"$G/units.csv"
n=$(($(wc -l <"$G/units.csv") - 1))
[ "$n" -gt 1000 ] && ok "subset of $n places" || bad "subset of $n places (expected over 1,000)"

for t in 1 2; do
    solve "whole units, --threads $t" "$tmp/w$t" -k 8 --balance population:5 --threads "$t"
done
grep -q '"centres": "located"' "$tmp/w1/summary.json" && ok "the centres were placed" ||
    bad "summary.json does not say the centres were placed"
same "whole units, --threads 1 vs 2" "$tmp/w1" "$tmp/w2"

for t in 1 3; do
    solve "--allow-splits, --threads $t" "$tmp/s$t" -k 8 --balance population:5 --allow-splits --threads "$t"
done
same "--allow-splits, --threads 1 vs 3" "$tmp/s1" "$tmp/s3"

finish
