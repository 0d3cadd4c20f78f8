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
. "$(dirname "$0")/align_lib.sh"

G=$tmp/de
mkdir -p "$G"
awk -F, 'NR == 1 || (NR - 2) % 5 == 0' "$DATA/places/germany/units.csv" >"$G/units.csv"
n=$(($(wc -l <"$G/units.csv") - 1))
[ "$n" -gt 1000 ] && ok "subset of $n places" || bad "subset of $n places (expected over 1,000)"

for t in 1 2; do
    align_solve "whole units, --threads $t" "$G" "$tmp/w$t" -k 8 --balance population:5 --threads "$t"
done
grep -q '"centres": "located"' "$tmp/w1/summary.json" && ok "the centres were placed" ||
    bad "summary.json does not say the centres were placed"
align_same "whole units, --threads 1 vs 2" "$tmp/w1" "$tmp/w2"

for t in 1 3; do
    align_solve "--allow-splits, --threads $t" "$G" "$tmp/s$t" -k 8 --balance population:5 --allow-splits --threads "$t"
done
align_same "--allow-splits, --threads 1 vs 3" "$tmp/s1" "$tmp/s3"

finish
