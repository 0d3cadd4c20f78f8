#!/bin/bash
# The one option table of every command (solver/cli/options.c): the same
# setting has the same range and message in align and plan (and in
# plan.ini), booleans take every spelling in every command that has them,
# each command's --help lists every option of the table for it and each
# works, the generated docs (doc/tqo.1, docs/options.md) are not stale, and
# a commdis run's recorded command repeats it byte for byte (issue 11 #7).
# Usage: options.sh path/to/tqo
set -u
TQO=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }
G=$tmp/g
"$TQO" generate --units 60 --territories 3 --periods 8 --seed 5 -o "$G" --quiet || { echo "generate failed"; exit 1; }

# --- 1. the generated docs are not stale
"$TQO" --dump-options man >"$tmp/tqo.1" && "$TQO" --dump-options markdown >"$tmp/options.md" || bad "--dump-options"
if [ -f doc/tqo.1 ] && [ -f docs/options.md ]; then
    cmp -s "$tmp/tqo.1" doc/tqo.1 && ok "doc/tqo.1 is current" \
        || { bad "doc/tqo.1 is stale: tqo --dump-options man >doc/tqo.1"; diff "$tmp/tqo.1" doc/tqo.1 | head; }
    cmp -s "$tmp/options.md" docs/options.md && ok "docs/options.md is current" \
        || { bad "docs/options.md is stale: tqo --dump-options markdown >docs/options.md"; diff "$tmp/options.md" docs/options.md | head; }
else
    bad "doc/tqo.1 and docs/options.md are committed"
fi

# --- 2. the same setting: the same range and the same message in align, plan and plan.ini
msg() { "$TQO" "$@" 2>&1 >/dev/null | grep -o "option '[^']*': .*"; }
for case in "--max-moves 120" "--max-moves -1" "--candidates 0" "--starts 0" "-k 0" "--threads 0" "--time-limit -1" \
    "--max-distance -3" "--disruption-weight x" "--balance pop:101" "--balance :5" "--seed -1" "--format xyz"; do
    # shellcheck disable=SC2086
    a=$(msg align "$G" -o "$tmp/never" $case) p=$(msg plan "$G" -o "$tmp/never" $case)
    [ -n "$a" ] && [ "$a" = "$p" ] && ok "same message in align and plan for $case: $a" \
        || bad "align '$a' vs plan '$p' for $case"
done
printf '[align]\nmax_moves = 120\n' >"$tmp/bad.ini"
"$TQO" plan "$G" --config "$tmp/bad.ini" -o "$tmp/never" 2>"$tmp/e"
grep -q "bad.ini:2: key 'max_moves': 120 is out of range \[0, 100\]" "$tmp/e" && ok "plan.ini: the same words" \
    || { bad "plan.ini range message"; cat "$tmp/e"; }
[ ! -e "$tmp/never" ] && ok "nothing written on a usage error" || bad "nothing written on a usage error"

# --- 3. booleans in every spelling in every command that has them; recomputed from the outputs
# (summary.json's command in align, plan.ini in plan).
contig_of() { # $1 = align|plan, $2 = out
    if [ "$1" = align ]; then
        python3 -c "import json,sys; c=json.load(open('$2/summary.json'))['command']; print('false' if '--no-contiguity' in c else 'true', 'true' if '--exact' in c else 'false', 'true' if '--allow-splits' in c else 'false')"
    else
        python3 -c "
import configparser; c=configparser.ConfigParser(); c.read('$2/plan.ini')
print(c['align']['contiguity'], c['align']['exact'], c['align']['allow_splits'])"
    fi
}
n=0
for cmd in align plan; do
    for spell in "--no-contiguity|false false false" "--contiguity false|false false false" "--contiguity=no|false false false" \
        "--contiguity=true|true false false" "--contiguity|true false false" "--allow-splits|true false true" \
        "--allow-splits true|true false true" "--allow-splits=1 --no-allow-splits|true false false" \
        "--no-contiguity --exact --time-limit 1|false true false" "--exact off --no-exact|true false false"; do
        args=${spell%%|*} want=${spell#*|}
        n=$((n + 1))
        # shellcheck disable=SC2086
        if "$TQO" $cmd "$G" -k 3 --balance workload:20 $args --threads 1 -o "$tmp/b$n" -q >/dev/null 2>"$tmp/e"; then
            got=$(contig_of $cmd "$tmp/b$n$([ $cmd = plan ] && echo "" || echo "")")
            [ "$got" = "$want" ] && ok "$cmd $args -> contiguity/exact/splits $got" \
                || bad "$cmd $args: got '$got', want '$want'"
        else
            bad "$cmd $args: exit status"; cat "$tmp/e"
        fi
    done
done
"$TQO" align "$G" -o "$tmp/never" --contiguity=maybe -q 2>"$tmp/e"; [ $? -eq 2 ] \
    && grep -q "option '--contiguity': 'maybe' is not true or false" "$tmp/e" && ok "a bad boolean word" || bad "a bad boolean word"

# --- 4. --help lists every option of the table for each command, and each one works
for cmd in validate generate align quota scenarios plan merge; do
    "$TQO" $cmd --help >"$tmp/h.$cmd" || bad "$cmd --help"
    # the table's rows for this command, from the generated markdown
    python3 - "$tmp/options.md" "$cmd" "$tmp/h.$cmd" >"$tmp/miss" <<'PY'
import re, sys
md, cmd, helpf = sys.argv[1:4]
text = open(md).read().split("\n## tqo ")
sec = [s for s in text if s.startswith(cmd + "\n")][0]
opts = re.findall(r"^\| `([^`]*)`", sec, re.M)
h = open(helpf).read()
for o in opts:
    for name in re.findall(r"--?[a-z][a-z-]*", o):
        if not re.search(r"(^|[\s,])" + re.escape(name) + r"\b", h):
            print(name)
PY
    [ -s "$tmp/miss" ] && bad "$cmd --help misses $(tr '\n' ' ' <"$tmp/miss")" || ok "$cmd --help lists its $(grep -c '^| `' <(python3 -c "
import sys; t=open('$tmp/options.md').read().split('\n## tqo '); print([s for s in t if s.startswith('$cmd\n')][0])")) options"
done

# each option once, through a cheap run; a property of the output checked for most
S=instances/superstore
"$TQO" validate "$G" --adjacency delaunay --format tqo -o "$tmp/v" -q && [ -s "$tmp/v/validation.json" ] \
    && ok "validate --adjacency --format -o -q" || bad "validate options"
"$TQO" generate --units 40 --territories 2 --periods 4 --granularity year --first-year 2001 --seed 2 --geo \
    --plan-imbalance 30 --flat-history -o "$tmp/gen" -q && head -2 "$tmp/gen/history.csv" | grep -q "^.*2001" \
    && ok "generate --units --territories --periods --granularity --first-year --seed --geo --plan-imbalance --flat-history" \
    || bad "generate options"
"$TQO" generate --format commdis --tolerance 7 --units 30 --territories 2 -o "$tmp/c.txt" -q && tail -1 "$tmp/c.txt" | grep -q "0.07" \
    && ok "generate --format commdis --tolerance" || bad "generate --format --tolerance"
"$TQO" align "$G" --balance workload:15,accounts:30 --weight potential --max-distance 1e6 --max-moves 100 \
    --disruption-weight 0.5 --adjacency delaunay --format auto --candidates 2 --starts 1 --seed 3 --threads 1 \
    --write-lp "$tmp/m.lp" --write-mps "$tmp/m.mps" -v -o "$tmp/al" >/dev/null 2>&1 \
    && [ -s "$tmp/m.lp" ] && [ -s "$tmp/m.mps" ] \
    && python3 -c "import json; s=json.load(open('$tmp/al/summary.json')); assert s['territories']==3 and list(s['max_abs_dev_pct'])==['workload','accounts']" \
    && ok "align: every option of its table" || bad "align options"
if [ -d "$S" ]; then
    "$TQO" plan "$S" -k 4 --balance accounts:20 --potential accounts --history-until 2016Q4 --growth 10 \
        --scenarios instances/superstore_scenarios.csv --replicates 20 --choose hw0.6_cap40_g10 \
        --target-incentive 5000 --payout-curve "50:0;100:100" -o "$tmp/p" -q >/dev/null \
        && grep -q "^replicates = 20$" "$tmp/p/plan.ini" && grep -q "^choose = hw0.6_cap40_g10$" "$tmp/p/plan.ini" \
        && "$TQO" plan "$S" --config "$tmp/p/plan.ini" -o "$tmp/p2" -q >/dev/null && cmp -s "$tmp/p/plan.ini" "$tmp/p2/plan.ini" \
        && ok "plan: its options, plan.ini repeats byte for byte" || bad "plan options"
    "$TQO" quota "$S" --assignment "$tmp/none.csv" -o "$tmp/never" -q 2>/dev/null; [ $? -eq 2 ] && ok "quota --assignment read" || bad "quota --assignment"
    "$TQO" quota "$S" --value sales --potential accounts --history-until 2016Q4 --plan-period 2017 --forecast trend \
        --growth 5 --over-assign 1 --history-weight 0.5 --min-growth -20 --max-growth 40 --fairness minimax \
        --min-train-years 1 --assignment "$tmp/p/align/assignment.csv" -o "$tmp/q" -q \
        && python3 -c "import json; s=json.load(open('$tmp/q/quota_summary.json')); assert s['plan_year']==2017" 2>/dev/null \
        && ok "quota: its options" || bad "quota options"
    printf 'region,target\n' >"$tmp/rt.csv"
    "$TQO" quota "$S" --target 1000000 --region-targets "$tmp/rt.csv" --region-col region --assignment "$tmp/p/align/assignment.csv" -o "$tmp/q2" -q \
        && ok "quota --target --region-targets --region-col" || bad "quota --target --region-targets --region-col"
    "$TQO" scenarios "$S" --scenarios instances/superstore_scenarios.csv --replicates 20 --seed 2 --threads 1 \
        --target-incentive 5000 --payout-curve "50:0;100:100" --top 2 --history-until 2016Q4 --growth 10 --potential accounts --assignment "$tmp/p/align/assignment.csv" -o "$tmp/s" >"$tmp/so" \
        && [ "$(grep -c '^  [a-z0-9]' "$tmp/so")" -le 3 ] && ok "scenarios: its options (--top 2 prints at most 2)" || bad "scenarios options"
else
    echo "# $S missing: quota, scenarios and plan spot checks skipped"
fi

# --- 5. issue 11 #7: a commdis run's recorded command repeats it
F=instances/commdis/du-500-10.txt
if "$TQO" align "$F" -o "$tmp/cd1" -q --threads 1; then
    cmd=$(python3 -c "import json; print(json.load(open('$tmp/cd1/summary.json'))['command'])")
    case "$cmd" in *--adjacency\ "$F"*) bad "the command names the file's own edges: $cmd" ;; *) ok "no --adjacency FILE for a commdis file" ;; esac
    # run it again (the recorded -o replaced), compare byte for byte
    again=$(python3 -c "import json,shlex; a=shlex.split(json.load(open('$tmp/cd1/summary.json'))['command']); i=a.index('-o'); a[i+1]='$tmp/cd2'; print(shlex.join(a[1:]))")
    eval "\"$TQO\" $again -q" && cmp "$tmp/cd1/assignment.csv" "$tmp/cd2/assignment.csv" \
        && ok "the recorded command repeats the commdis run: assignment.csv identical" \
        || bad "the recorded command does not repeat the commdis run: $again"
else
    bad "align on $F"
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
