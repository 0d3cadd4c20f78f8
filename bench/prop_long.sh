#!/bin/bash
# The long run of the differential property test of tqo align (issue 11):
# tests/tools/prop_align.py with many more and larger cases than the CI test
# (tests/cli/align_property.sh). Writes bench/prop_long.json (summary and
# every violation with its reproduction), bench/prop_long.csv (one row per
# case) and keeps each violating case under bench/cache/prop_long/.
# Usage: bench/prop_long.sh path/to/tqo [CASES] [MAX_UNITS] [SEED]
#        (from the repository root; defaults 1000 cases of 10..150 units, seed 1)
# About 25-40 minutes on 2 cores with the defaults (most of it in --exact runs).
set -u
tqo=${1:?usage: bench/prop_long.sh path/to/tqo [CASES] [MAX_UNITS] [SEED]}
cases=${2:-1000}
max_units=${3:-150}
seed=${4:-1}
rm -rf bench/cache/prop_long
mkdir -p bench/cache/prop_long
/usr/bin/python3 tests/tools/prop_align.py --tqo "$tqo" --seed "$seed" --cases "$cases" --max-units "$max_units" \
    -j 2 --exact-time-limit 10 --run-timeout 120 --compare-max-units 60 --quiet \
    --keep bench/cache/prop_long --json bench/prop_long.json --csv bench/prop_long.csv
rc=$?
echo "bench/prop_long.json, bench/prop_long.csv written (exit $rc: $([ $rc -eq 0 ] && echo 'no violation' || echo 'violations found'))"
exit $rc
