#!/bin/bash
# Issue 16, part 6: inputs at the limits, generated on the fly in a scratch
# folder (removed after): a 100 MB line, 10,000 columns, 10 million units.
# Each must end in a result or a clear message, never a crash; the results
# are checked against what was generated.
. "$(dirname "$0")/lib.sh" "$@"

# ends_cleanly: the last run ($rc) was no crash (no signal, no sanitizer)
ends_cleanly() { [ "$rc" -lt 128 ] && ! grep -Eq "AddressSanitizer|runtime error|Segmentation" "$tmp/err"; }

# 1. A line of 100 MB: one unit's name.
mkdir -p "$tmp/long"
{
    echo "unit_id,x,y,potential,name"
    printf '1,0,0,1,'
    head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' a
    printf '\n2,1,1,2,b\n3,2,0,3,c\n'
} >"$tmp/long/units.csv"
"$TQO" validate "$tmp/long" -o "$tmp/long_out" >"$tmp/out" 2>"$tmp/err"
rc=$?
ends_cleanly && [ "$rc" -eq 0 ] && grep -Eq "^units +3$" "$tmp/out" && grep -q "total 6" "$tmp/out" \
    && ok "a 100 MB line: read, 3 units, potential total 6" \
    || { bad "a 100 MB line: exit $rc"; head -5 "$tmp/err" | indent; }
# the same line unterminated inside a quote: a clear message
{
    echo "unit_id,x,y,potential,name"
    printf '1,0,0,1,"'
    head -c $((100 * 1024 * 1024)) /dev/zero | tr '\0' a
} >"$tmp/long/units.csv"
"$TQO" validate "$tmp/long" >"$tmp/out" 2>"$tmp/err"
rc=$?
ends_cleanly && [ "$rc" -eq 2 ] && grep -q "units.csv:2: malformed CSV: a quoted field is not closed" "$tmp/err" \
    && ok "an unclosed quote over 100 MB: 'units.csv:2: malformed CSV: a quoted field is not closed', exit 2" \
    || { bad "an unclosed 100 MB quote: exit $rc"; head -5 "$tmp/err" | indent; }
rm -rf "$tmp/long" "$tmp/long_out"

# 2. 10,000 columns: 10,000 measures, each unit's value its column number.
mkdir -p "$tmp/wide"
awk 'BEGIN {
    printf "unit_id,x,y"; for (c = 1; c <= 10000; c++) printf ",m%d", c; printf "\n";
    for (u = 1; u <= 30; u++) { printf "u%d,%d,%d", u, u % 6, int(u / 6);
        for (c = 1; c <= 10000; c++) printf ",%d", c; printf "\n" } }' >"$tmp/wide/units.csv"
"$TQO" validate "$tmp/wide" -o "$tmp/wide_out" >"$tmp/out" 2>"$tmp/err"
rc=$?
ends_cleanly && [ "$rc" -eq 0 ] && grep -Eq "^measures +10000$" "$tmp/out" \
    && python3 -c "
import json, sys
v = json.load(open('$tmp/wide_out/validation.json'))
m = v['measures']
ms = m if isinstance(m, list) else list(m.values())
sys.exit(0 if len(ms) == 10000 else 1)" 2>>"$tmp/err" \
    && ok "10,000 columns: 10,000 measures in the summary and validation.json" \
    || { bad "10,000 columns: exit $rc"; head -5 "$tmp/err" | indent; head -12 "$tmp/out" | indent; }
"$TQO" align "$tmp/wide" -k 3 --balance m10000:5 --adjacency none -o "$tmp/wide_align" >"$tmp/out" 2>"$tmp/err"
rc=$?
ends_cleanly && [ "$rc" -eq 0 ] && [ "$(tail -n +2 "$tmp/wide_align/assignment.csv" | wc -l)" -eq 30 ] \
    && ok "10,000 columns: aligned on the last one, 30 units assigned" \
    || { bad "10,000 columns, align: exit $rc"; head -5 "$tmp/err" | indent; }
rm -rf "$tmp/wide" "$tmp/wide_out" "$tmp/wide_align"

# 3. 10 million units (192 MB): loaded and counted, or refused clearly.
mkdir -p "$tmp/big"
awk 'BEGIN { print "unit_id,x,y,potential";
    for (i = 0; i < 10000000; i++) printf "%d,%d,%d,1\n", i, i % 3163, int(i / 3163) }' >"$tmp/big/units.csv"
t0=$(date +%s)
"$TQO" validate "$tmp/big" >"$tmp/out" 2>"$tmp/err"
rc=$?
secs=$(($(date +%s) - t0))
if ends_cleanly && [ "$rc" -eq 0 ] && grep -Eq "^units +10,000,000$" "$tmp/out" && grep -q "total 10,000,000" "$tmp/out"; then
    ok "10 million units: validated in ${secs} s, 10,000,000 units, potential total 10,000,000"
elif ends_cleanly && [ "$rc" -ne 0 ] && grep -q "out of memory" "$tmp/err"; then
    ok "10 million units: refused, 'out of memory', exit $rc (${secs} s)"
else
    bad "10 million units: exit $rc"
    head -5 "$tmp/err" | indent
    head -5 "$tmp/out" | indent
fi
rm -rf "$tmp/big"
finish
