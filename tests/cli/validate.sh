#!/bin/bash
# tqo validate on the real data sets and the good fixtures; the CLI basics.
# Usage: validate.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"

"$TQO" --version >"$tmp/v" && grep -qE '^tqo [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/v" && ok "--version" || bad "--version"
"$TQO" --help >"$tmp/h" && has "$tmp/h" "validate" && has "$tmp/h" "generate" && ok "--help lists commands" || bad "--help"
"$TQO" validate --help >"$tmp/h" && has "$tmp/h" "--adjacency" && ok "validate --help" || bad "validate --help"
"$TQO" help validate >"$tmp/h" && has "$tmp/h" "usage: tqo validate" && ok "help validate" || bad "help validate"
"$TQO" frobnicate 2>"$tmp/e"; [ $? -eq 2 ] && has "$tmp/e" "unknown command 'frobnicate'" && ok "unknown command: exit 2" || bad "unknown command"
"$TQO" validate --bogus x 2>"$tmp/e"; [ $? -eq 2 ] && has "$tmp/e" "unknown option '--bogus'" && ok "unknown option: exit 2" || bad "unknown option"
"$TQO" validate 2>"$tmp/e"; [ $? -eq 2 ] && ok "validate without an instance: exit 2" || bad "validate without an instance"
"$TQO" validate "$tmp/nowhere" 2>"$tmp/e"; [ $? -eq 2 ] && has "$tmp/e" "nowhere: cannot open: No such file or directory" && ok "missing folder" || bad "missing folder"

if [ -d "$DATA/italy" ] && [ -d "$DATA/uscounties" ] && [ -d "$DATA/superstore" ]; then
    "$TQO" validate "$DATA/italy" >"$tmp/it" 2>&1
    check "italy: 7,900 units" has "$tmp/it" "units        7,900"
    check "italy: population total 59,414,471" has "$tmp/it" "population   total 59,414,471"
    "$TQO" validate "$DATA/uscounties" >"$tmp/us" 2>&1
    check "uscounties: 3,231 units" has "$tmp/us" "units        3,231"
    check "uscounties: 8,944 pairs, 21 components" has "$tmp/us" "8,944 pairs ($DATA/uscounties/adjacency.csv), 21 connected components"
    "$TQO" validate "$DATA/superstore" >"$tmp/ss" 2>&1
    check "superstore: 631 units" has "$tmp/ss" "units        631"
    check "superstore: 16 quarterly periods 2014Q1-2017Q4" has "$tmp/ss" "history      16 quarterly periods 2014Q1-2017Q4"
else
    skip_part "italy, uscounties, superstore: not in $DATA"
fi

"$TQO" validate instances/superstore -o "$tmp/out" >/dev/null 2>&1
check "validate -o writes validation.json" test -s "$tmp/out/validation.json"
check "validation.json: 631 units" grep -q '"units": 631' "$tmp/out/validation.json"
check "validation.json: python reads it" python3 -c "import json,sys; d=json.load(open('$tmp/out/validation.json')); assert d['history']['periods']==16"
check "no temporary files left" test -z "$(ls -A "$tmp/out" | grep -v '^validation.json$')"

"$TQO" validate tests/fixtures/good/quoting >"$tmp/q" 2>&1
check "BOM, CRLF, quoted fields: valid" has "$tmp/q" "valid        yes"
check "repeated adjacency pair is a warning" has "$tmp/q" "warning: tests/fixtures/good/quoting/adjacency.csv: 1 repeated pair ignored"
"$TQO" validate tests/fixtures/good/full >"$tmp/f" 2>&1
check "full instance: valid" has "$tmp/f" "valid        yes"
check "full instance: 14 monthly periods" has "$tmp/f" "14 monthly periods 2023-01-2024-02"
check "full instance: 3 territories, 2 home bases" has "$tmp/f" "territories  3 (territories.csv), 2 with a home base"
"$TQO" validate tests/fixtures/good/full --adjacency none >"$tmp/f" 2>&1
check "--adjacency none" has "$tmp/f" "adjacency    none"
"$TQO" validate tests/fixtures/good/full --adjacency delaunay >"$tmp/f" 2>&1
check "--adjacency delaunay: connected" has "$tmp/f" "(delaunay), 1 connected component"
"$TQO" validate tests/fixtures/good/full --quiet >"$tmp/f" 2>&1
check "--quiet prints nothing" test ! -s "$tmp/f"

finish
