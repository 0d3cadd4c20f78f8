#!/bin/bash
# Every malformed fixture: exit status 2, its exact first error message, and
# no output left behind. Usage: malformed.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
for d in tests/fixtures/bad/*/; do
    d=${d%/}
    name=$(basename "$d")
    want="tqo: error: $d/$(head -n1 "$d/expected")"
    out="$tmp/out-$name"
    "$TQO" validate "$d" -o "$out" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    first=$(grep -m1 '^tqo: error: ' "$tmp/stderr")
    if [ "$rc" -ne 2 ]; then
        echo "not ok - $name: exit status $rc, want 2"; fail=$((fail + 1))
    elif [ "$first" != "$want" ]; then
        echo "not ok - $name: first error"
        echo "    want: $want"
        echo "    got:  $first"
        fail=$((fail + 1))
    elif [ -e "$out" ]; then
        echo "not ok - $name: output folder was created"; fail=$((fail + 1))
    elif [ -s "$tmp/stdout" ]; then
        echo "not ok - $name: printed a summary for an invalid instance"; fail=$((fail + 1))
    else
        echo "ok - $name"; pass=$((pass + 1))
    fi
done
# Many errors: the first ten and a count.
"$TQO" validate tests/fixtures/bad/many_errors 2>"$tmp/stderr" >/dev/null
n=$(grep -c "is not a number" "$tmp/stderr")
if [ "$n" -eq 10 ] && grep -q "units.csv: 13 errors in all, the first 10 shown" "$tmp/stderr"; then
    echo "ok - many errors: first 10 and a count"; pass=$((pass + 1))
else
    echo "not ok - many errors: $n shown"; cat "$tmp/stderr"; fail=$((fail + 1))
fi
finish
