#!/bin/bash
# tqo generate: deterministic files, seeds that matter, usage errors, and
# a generated instance that tqo validate accepts.
# Usage: generate.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
files="units.csv territories.csv adjacency.csv history.csv"
same_files() { # dir1 dir2: every instance file byte for byte
    for f in $files; do cmp -s "$1/$f" "$2/$f" || return 1; done
}
usage_error() { # description, expected message, then the arguments
    local d=$1 msg=$2; shift 2
    "$TQO" generate "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq 2 ] && has "$tmp/err" "$msg" && [ ! -s "$tmp/out" ]; then
        ok "$d: exit 2"
    else
        bad "$d: exit $rc, stderr: $(head -c 300 "$tmp/err")"
    fi
}

# Same seed, same bytes; the summary line on stdout.
"$TQO" generate --units 3000 --territories 12 --periods 8 --seed 5 -o "$tmp/a" >"$tmp/sum" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok "generate exits 0" || bad "generate: exit $rc: $(cat "$tmp/err")"
has "$tmp/sum" "generated 3000 units, 12 territories, 8 quarterly periods in $tmp/a" &&
    [ "$(wc -l <"$tmp/sum")" -eq 1 ] && ok "one-line summary" || bad "summary: $(cat "$tmp/sum")"
[ ! -s "$tmp/err" ] && ok "nothing on stderr" || bad "stderr: $(cat "$tmp/err")"
for f in $files; do
    [ -s "$tmp/a/$f" ] && ok "$f written" || bad "$f missing"
done
[ -z "$(ls -A "$tmp/a" | grep -v '\.csv$')" ] && ok "no temporary files left" || bad "leftovers: $(ls -A "$tmp/a")"
[ "$(wc -l <"$tmp/a/units.csv")" -eq 3001 ] && ok "3000 unit rows" || bad "unit rows"
[ "$(wc -l <"$tmp/a/territories.csv")" -eq 13 ] && ok "12 territory rows" || bad "territory rows"
head -1 "$tmp/a/units.csv" | grep -qx 'unit_id,x,y,potential,accounts,workload,name,region,current' &&
    ok "units.csv header" || bad "units.csv header: $(head -1 "$tmp/a/units.csv")"
sed -n 2p "$tmp/a/units.csv" | grep -q '^0001,' && ok "ids zero-padded" || bad "ids: $(sed -n 2p "$tmp/a/units.csv")"
grep -q '^unit_id,period,sales$' "$tmp/a/history.csv" && grep -q ',2021Q4,' "$tmp/a/history.csv" &&
    ! grep -q ',2022Q1,' "$tmp/a/history.csv" && ok "history 2020Q1-2021Q4" || bad "history periods"

"$TQO" generate --units 3000 --territories 12 --periods 8 --seed 5 -o "$tmp/b" --quiet >"$tmp/out" 2>&1
[ $? -eq 0 ] && [ ! -s "$tmp/out" ] && ok "--quiet prints nothing" || bad "--quiet: $(cat "$tmp/out")"
same_files "$tmp/a" "$tmp/b" && ok "same seed: identical files" || bad "same seed: files differ"

"$TQO" generate --units 3000 --territories 12 --periods 8 --seed 6 -o "$tmp/c" --quiet
! cmp -s "$tmp/a/units.csv" "$tmp/c/units.csv" && ! cmp -s "$tmp/a/history.csv" "$tmp/c/history.csv" &&
    ok "other seed: different files" || bad "other seed: same files"

# Writing over an earlier instance leaves exactly the new one.
"$TQO" generate --units 3000 --territories 12 --periods 0 --seed 5 -o "$tmp/b" --quiet
[ $? -eq 0 ] && [ ! -e "$tmp/b/history.csv" ] && ok "--periods 0: no history.csv, old one removed" ||
    bad "--periods 0"

# Geo and monthly variants; the result passes validation.
"$TQO" generate --units 2000 --territories 8 --periods 14 --granularity month --first-year 2019 --geo \
    -o "$tmp/g" --quiet
[ $? -eq 0 ] && ok "--geo --granularity month" || bad "--geo --granularity month"
head -1 "$tmp/g/units.csv" | grep -q '^unit_id,lat,lon,' && ok "geo: lat,lon columns" || bad "geo columns"
grep -q ',2019-01,' "$tmp/g/history.csv" && grep -q ',2020-02,' "$tmp/g/history.csv" &&
    ! grep -q ',2020-03,' "$tmp/g/history.csv" && ok "monthly periods 2019-01..2020-02" || bad "monthly periods"
"$TQO" validate "$tmp/g" >"$tmp/val" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "validate accepts the generated instance" || bad "validate: exit $rc: $(head -5 "$tmp/val")"
"$TQO" generate --units 300 --territories 3 --periods 2 --granularity year -o "$tmp/y" >"$tmp/sum"
has "$tmp/sum" "2 yearly periods" && grep -q ',2021,' "$tmp/y/history.csv" && ok "yearly periods" ||
    bad "yearly: $(cat "$tmp/sum")"

# Usage errors: exit 2, a message naming the problem, nothing written.
usage_error "--units 0" "option '--units': 0 is out of range" --units 0 -o "$tmp/x"
usage_error "--units abc" "option '--units': 'abc' is not an integer" --units abc -o "$tmp/x"
usage_error "--territories over --units" "--territories 20 is more than --units 10" \
    --units 10 --territories 20 -o "$tmp/x"
usage_error "--periods -1" "option '--periods'" --periods -1 -o "$tmp/x"
usage_error "--granularity week" "'week' is not one of year, quarter, month" --granularity week -o "$tmp/x"
usage_error "--seed -3" "option '--seed'" --seed -3 -o "$tmp/x"
usage_error "missing -o" "missing output folder" --units 10
usage_error "-o without a value" "needs a value" -o
usage_error "unknown option" "unknown option '--bogus'" --bogus -o "$tmp/x"
usage_error "stray argument" "unexpected argument 'extra'" -o "$tmp/x" extra
[ ! -e "$tmp/x" ] && ok "nothing written on usage errors" || bad "files written on a usage error"

"$TQO" generate --help >"$tmp/h" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "--help exits 0" || bad "--help: exit $rc"
missing=""
for o in --units --territories --periods --granularity --first-year --seed --geo --out --quiet --help; do
    has "$tmp/h" "$o" || missing="$missing $o"
done
[ -z "$missing" ] && ok "--help lists every option" || bad "--help lacks:$missing"
# "(default 1000)" or, from the option table, "(default: 1000)"
grep -qE '\(default:? 1000\)' "$tmp/h" && grep -qE '\(default:? quarter\)' "$tmp/h" && ok "--help shows defaults" ||
    bad "--help defaults"

# An unwritable place: exit 1 with the path in the message.
"$TQO" generate --units 50 --territories 2 -o /proc/tqo-no-such/dir 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && has "$tmp/err" "/proc/tqo-no-such/dir" && ok "unwritable folder: exit 1" ||
    bad "unwritable folder: exit $rc: $(cat "$tmp/err")"

finish
