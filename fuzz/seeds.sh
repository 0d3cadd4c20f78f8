#!/bin/bash
# Builds the seed corpus of each fuzz target from tests/fixtures (and the
# bundled instances) into CORPUS/<target>/: an instance folder becomes one
# input of its files joined by the separator line %%%% in the order
# units, territories, adjacency, locks, history (a missing file ends the
# list there, or is left empty when a later one exists).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:?usage: seeds.sh CORPUS_DIR}
fx=$top/tests/fixtures
sep=$'\n%%%%\n'
mkdir -p "$corpus"/{instance,commdis,scenarios_csv,plan_ini,assignment,geojson,hierarchy,serve_api,pipeline}

join_folder() { # folder -> one input on stdout
    local d=$1 out="" last=0 k=0
    local files=(units.csv territories.csv adjacency.csv locks.csv history.csv)
    for f in "${files[@]}"; do
        k=$((k + 1))
        [ -f "$d/$f" ] && last=$k
    done
    k=0
    for f in "${files[@]}"; do
        k=$((k + 1))
        [ $k -gt $last ] && break
        [ $k -gt 1 ] && printf '%s' "$sep"
        [ -f "$d/$f" ] && head -c 4000 "$d/$f"
    done
    return 0
}
n=0
for d in "$fx"/good/* "$fx"/bad/*; do
    [ -d "$d" ] || continue
    join_folder "$d" > "$corpus/instance/$(basename "$d")"
    n=$((n + 1))
done
for f in "$fx"/commdis/good/* "$fx"/commdis/bad/*; do
    [ -f "$f" ] && cp "$f" "$corpus/commdis/$(basename "$f")"
done
for f in "$top"/instances/*scenarios*.csv "$top"/tests/fixtures/*/scenarios*.csv; do
    [ -f "$f" ] && head -c 4000 "$f" > "$corpus/scenarios_csv/$(basename "$f")"
done
printf 'scenario,growth,target,over_assign,history_weight,min_growth,max_growth,fairness,forecast,target_incentive,payout_curve\nbase,5,,2,0.7,-10,25,minimax,last,1000,50:0;100:100\n' \
    > "$corpus/scenarios_csv/all_columns.csv"
for f in "$top"/examples/*.ini "$top"/tests/fixtures/*/*.ini; do
    [ -f "$f" ] && cp "$f" "$corpus/plan_ini/$(basename "$f")"
done
printf '[align]\nk = 3\nbalance = workload:5\n[quota]\ngrowth = 10\nmethod = last\n[scenarios]\nreplicates = 100\n' \
    > "$corpus/plan_ini/basic.ini"
# found by plan_ini in CI (2026-12-02): a value that starts a comment when written back
printf '[align]\nk = 3\nbalance =;wo[inputa[quota]k = ' > "$corpus/plan_ini/comment_value.ini"
printf 'unit_id,territory_id,share\na1,T1,1\na2,T1,0.5\na2,T2,0.5\na3,T2,1\na4,T1,1\na5,T2,1\na6,T2,1\nb1,T3,1\nb2,T3,1\nb3,T3,1\n' \
    > "$corpus/assignment/split.csv"
printf 'unit_id,territory_id\na1,T1\na2,T1\na3,T2\n' > "$corpus/assignment/partial.csv"
for f in "$fx"/gis/*.geojson; do
    [ -f "$f" ] && head -c 20000 "$f" > "$corpus/geojson/$(basename "$f")"
done
hier=$fx/hierarchy
{ printf 'territory_id,level:area\nT1,AMER\nT2,AMER\nT3,EMEA'; printf '%s' "$sep"
  printf 'id,level,target,min_growth,max_growth,over_assignment\ncompany,company,,,,5\nAMER,area,,,20,'; printf '%s' "$sep"
  printf 'node_id,value,weight\nAMER,190,\nT3,80,2\n'; } > "$corpus/hierarchy/small"
for f in "$hier"/bad/*.csv; do
    cp "$f" "$corpus/hierarchy/bad_$(basename "$f")"
done
# inputs that once failed a target (fuzz/regress/TARGET/), kept as seeds
for d in "$top"/fuzz/regress/*/; do
    [ -d "$d" ] || continue
    for f in "$d"*; do
        [ -f "$f" ] && cp "$f" "$corpus/$(basename "$d")/regress_$(basename "$f")"
    done
done
printf '\000{"units":["a1"],"territory":"T2"}' > "$corpus/serve_api/move"
printf '\001{"units":["a1","a2"],"locked":true}' > "$corpus/serve_api/lock"
printf '\002{"max_moves":10}' > "$corpus/serve_api/rebalance"
printf '\003{}' > "$corpus/serve_api/undo"
printf '\004' > "$corpus/serve_api/redo"
printf '\005' > "$corpus/serve_api/plan"
head -c 64 /dev/zero > "$corpus/pipeline/zeros"
printf '\012\003\000\001\000\010' > "$corpus/pipeline/delaunay"
printf '\012\003\004\001\000\010' > "$corpus/pipeline/latlon"
printf '\030\002\002\001\001\005' > "$corpus/pipeline/one_point"
echo "seeds: $n instance folders"
