# Shared by the thread tests of tqo align (source it after lib.sh):
#   align_solve NAME INSTANCE OUT [options]   tqo align, exit 0 and the plan
#                                              checked by check_align.py
#   align_same NAME OUT_A OUT_B               the two runs wrote the same
#       assignment.csv and territories.csv, and the same summary.json but for
#       its timings, thread count and command line

# align_stable SUMMARY: summary.json without what may differ between runs
align_stable() {
    python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d.pop("seconds", None)
d.pop("command", None)
d.get("parameters", {}).pop("threads", None)
print(json.dumps(d, sort_keys=True))
PY
}

align_same() {
    local name=$1 a=$2 b=$3 f diffs=""
    for f in assignment.csv territories.csv; do
        cmp -s "$a/$f" "$b/$f" || diffs="$diffs $f"
    done
    [ "$(align_stable "$a/summary.json")" = "$(align_stable "$b/summary.json")" ] || diffs="$diffs summary.json"
    if [ -z "$diffs" ]; then ok "$name: identical files"; else bad "$name: files differ:$diffs"; fi
}

align_solve() {
    local name=$1 inst=$2 out=$3
    shift 3
    if "$TQO" align "$inst" -o "$out" "$@" >"$out.stdout" 2>"$out.stderr" &&
        python3 tests/tools/check_align.py "$inst" "$out" >"$out.chk" 2>&1; then
        ok "$name: exit 0, plan checked"
    else
        bad "$name: exit or check failed"
        indent <"$out.stderr"
        [ -f "$out.chk" ] && indent <"$out.chk"
    fi
}
