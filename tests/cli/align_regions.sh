#!/bin/bash
# Issue 13: free centres by regions (align_regions.c). With more balance
# rows than one placement LP takes (over 256: territories x balanced
# measures), the units are cut by weighted inertial bisection into regions
# of at most 32 rows, each placed on its own, the union of their centres
# going to the final allocation. On Germany's 7,244 GeoNames places,
# -k 260 --balance population:5 --allow-splits --starts 1; checked:
#  - the log names the regions (so the path ran);
#  - the plan: every unit assigned, balance within 5% and compactness
#    recomputed by check_align.py;
#  - the gap to the LP bound at the final centres under 0.5%;
#  - every territory holds units and its centre lies within the bounding
#    box of its own units (shares of split units included) widened by 0.1
#    degree (a region that lost its territories' units, or a centre left at
#    a seed, would break it; the margin: around Berlin, split among a dozen
#    territories, the refit after the plan weighs whole units, so centres
#    there stay up to a few km off their box);
#  - the same files for --threads 1, 2 and 3 (more threads than cores).
# Skipped (77) without ../shared/data/places/germany or $TQO_SHARED_DATA.
# Usage: align_regions.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
need_data places/germany
. "$(dirname "$0")/align_lib.sh"

G=$DATA/places/germany
for t in 1 2 3; do
    align_solve "--threads $t" "$G" "$tmp/t$t" -k 260 --balance population:5 --allow-splits --starts 1 \
        --threads "$t" -v
done
line=$(grep -m1 'centres: [0-9]* regions of at most' "$tmp/t1.stderr")
nreg=$(echo "$line" | sed -n 's/.*centres: \([0-9]*\) regions.*/\1/p')
if [ -n "$nreg" ] && [ "$nreg" -ge 8 ]; then
    ok "placed by $nreg regions"
else
    bad "the log does not name the regions: '$line'"
fi
align_same "--threads 1 vs 2" "$tmp/t1" "$tmp/t2"
align_same "--threads 1 vs 3" "$tmp/t1" "$tmp/t3"

python3 tests/tools/check_centres.py "$G" "$tmp/t1" --gap 0.005 --territories 260 --margin 0.1 &&
    ok "gap under 0.5%, 260 territories with units, each centre near its units' box" || bad "gap, territories or centres"

finish
