#!/usr/bin/env bash
# same_outputs.sh BASE_TQO NEW_TQO [WORKDIR]
#
# Shows that a refactor left tqo's outputs unchanged: runs the same commands
# with both binaries, each into its own folder (WORKDIR/base/NAME and
# WORKDIR/new/NAME), and compares every file they write byte for byte, with
# the filters below. Prints one line per file (same / DIFFERENT with a diff
# excerpt / ONLY in base|new) and exits 1 on any difference, 0 when all are
# the same, 2 on bad usage, 77 when the shared data is missing.
#
# The commands (run from the repository root, as `make demo` does):
#   validate   tqo validate instances/superstore
#   plan       tqo plan instances/superstore -k 12 --balance accounts:10
#                --potential accounts --history-until 2016Q4 --growth 10
#                --scenarios instances/superstore_scenarios.csv
#   scenarios  tqo scenarios instances/superstore
#                --scenarios instances/superstore_scenarios.csv (the 60-scenario
#                sweep) --assignment WORKDIR/base/plan/align/assignment.csv: tqo
#                scenarios needs an assignment and superstore has none, so both
#                binaries get the same one, the base binary's plan's
#   italy      tqo align $DATA/italy -k 20 --balance population:5
#   uscounties tqo align $DATA/uscounties -k 50 --balance places:10
# DATA is $TQO_SHARED_DATA, default ../shared/data beside the repository.
#
# What is filtered, and nothing else (every other byte must be equal):
#  - *.json: compared as parsed data, number literals kept as their text (a
#    changed digit or number format shows), key order kept; dropped at any
#    depth are the keys  command, threads, seconds, timings, elapsed, and any
#    key starting with sec_ or ending in _sec or _seconds (the run's command
#    line with its -o folder, its thread count, and wall-clock timings, e.g.
#    align's "seconds": {"centres": ..., "total": ...}). Layout whitespace of
#    JSON is not compared. In a diff excerpt a number shows as "#literal".
#  - report.html and plan.ini: nothing. Two runs of one binary into two
#    different folders give byte-identical files (checked on the demo plan:
#    they hold no timing, no output path, no date), so they are compared
#    byte for byte.
#  - the console (stdout and stderr, WORKDIR/SIDE/console/NAME.txt, with the
#    exit status appended): the output folder WORKDIR/SIDE/ is replaced by
#    OUT/, and timings by T: "(1.5 s)", "(1.6 s in all)", " in 0.63 s;" and
#    align's "seconds      25.44 (centres 9.32, LP ...)" line.
#  - every other file (CSV, SVG): byte for byte.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 BASE_TQO NEW_TQO [WORKDIR]" >&2
    exit 2
fi
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
BASE=$(abs "$1")
NEW=$(abs "$2")
for b in "$BASE" "$NEW"; do
    [ -x "$b" ] || { echo "$0: $b: not an executable" >&2; exit 2; }
done
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DATA=${TQO_SHARED_DATA:-$REPO/../shared/data}
if [ ! -d "$DATA/italy" ] || [ ! -d "$DATA/uscounties" ]; then
    echo "$0: skipped: no $DATA/italy or $DATA/uscounties (set TQO_SHARED_DATA)" >&2
    exit 77
fi
if [ $# -eq 3 ]; then
    WORK=$(abs "$3")
    mkdir -p "$WORK" || exit 2
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/same_outputs.XXXXXX") || exit 2
fi
cd "$REPO" || exit 2

# run SIDE NAME BINARY ARGS...: BINARY ARGS -o WORKDIR/SIDE/NAME, the console
# and the exit status into WORKDIR/SIDE/console/NAME.txt.
run() {
    local side=$1 name=$2 bin=$3
    shift 3
    local log=$WORK/$side/console/$name.txt
    "$bin" "$@" -o "$WORK/$side/$name" >"$log" 2>&1
    echo "exit status $?" >>"$log"
}

run_all() {
    local side=$1 bin=$2 t0=$SECONDS
    rm -rf "${WORK:?}/$side"
    mkdir -p "$WORK/$side/console"
    run "$side" validate "$bin" validate instances/superstore
    run "$side" plan "$bin" plan instances/superstore -k 12 --balance accounts:10 --potential accounts \
        --history-until 2016Q4 --growth 10 --scenarios instances/superstore_scenarios.csv
    run "$side" scenarios "$bin" scenarios instances/superstore --scenarios instances/superstore_scenarios.csv \
        --assignment "$WORK/base/plan/align/assignment.csv"
    run "$side" italy "$bin" align "$DATA/italy" -k 20 --balance population:5
    run "$side" uscounties "$bin" align "$DATA/uscounties" -k 50 --balance places:10
    echo "ran $side ($bin) in $((SECONDS - t0)) s" >&2
}

# normalize FILE SIDE OUT: the text of FILE that is compared, into OUT.
normalize() {
    case $1 in
    *.json)
        python3 - "$1" "$3" <<'EOF'
import json, re, sys
DROP = {"command", "threads", "seconds", "timings", "elapsed"}
def keep(k):
    return not (k in DROP or k.startswith("sec_") or re.search(r"_(sec|seconds)$", k))
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if keep(k)}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
with open(sys.argv[1], encoding="utf-8") as f:
    try:
        data = json.load(f, parse_float=lambda s: "#" + s, parse_int=lambda s: "#" + s)
    except ValueError as e:
        data = "not JSON: %s" % e
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(strip(data), f, indent=1, ensure_ascii=False)
    f.write("\n")
EOF
        ;;
    */console/*.txt)
        sed -E -e "s#$WORK/$2/#OUT/#g" \
            -e 's#\([0-9.]+ s\)#(T s)#g' -e 's#\([0-9.]+ s in all\)#(T s in all)#g' \
            -e 's# in [0-9.]+ s;# in T s;#g' -e 's#^seconds( +).*#seconds\1T#' "$1" >"$3"
        ;;
    *) cp "$1" "$3" ;;
    esac
}

run_all base "$BASE"
run_all new "$NEW"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/same_outputs_cmp.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
status=0
nfiles=0
while IFS= read -r f; do
    nfiles=$((nfiles + 1))
    if [ ! -f "$WORK/base/$f" ] || [ ! -f "$WORK/new/$f" ]; then
        [ -f "$WORK/base/$f" ] && side=base || side=new
        printf '%-10s %s (written by %s only)\n' DIFFERENT "$f" "$side"
        status=1
        continue
    fi
    normalize "$WORK/base/$f" base "$TMP/a"
    normalize "$WORK/new/$f" new "$TMP/b"
    if cmp -s "$TMP/a" "$TMP/b"; then
        printf '%-10s %s\n' same "$f"
    else
        printf '%-10s %s\n' DIFFERENT "$f"
        if grep -qI . "$TMP/a" && grep -qI . "$TMP/b"; then
            diff -u --label "base/$f" --label "new/$f" "$TMP/a" "$TMP/b" | head -n 20 | cut -c1-200 | sed 's/^/    /'
        else
            cmp "$TMP/a" "$TMP/b" | sed 's/^/    /'
        fi
        status=1
    fi
done < <( (cd "$WORK/base" && find . -type f; cd "$WORK/new" && find . -type f) | sed 's#^\./##' | sort -u)

if [ $status -eq 0 ]; then
    echo "same_outputs: all $nfiles files the same (outputs in $WORK)"
else
    echo "same_outputs: differences found among $nfiles files (outputs in $WORK)"
fi
exit $status
