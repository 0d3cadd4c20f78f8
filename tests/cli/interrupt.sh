#!/bin/bash
# Issue 16, part 3: tqo plan interrupted at random moments (SIGINT and
# SIGKILL, seeded). OUT must then hold the earlier complete set of files or
# the new complete set, byte for byte, never a mix or a partial file; SIGINT
# says so and exits 130; the next run clears what a killed one left beside
# OUT. TRIALS (default 100) and SEED (default 16) from the environment.
. "$(dirname "$0")/lib.sh" "$@"
TRIALS=${TRIALS:-100}
RANDOM=${SEED:-16}

"$TQO" generate --units 60 --territories 3 --periods 12 --seed 1 -o "$tmp/inst" --quiet || exit 1
printf 'scenario,history_weight,growth\ns1,0.4,5\ns2,0.6,10\n' >"$tmp/scen.csv"
# the quick plan; started directly, so that $! is tqo itself, with SIGINT
# at its default (bash ignores it in background jobs)
args=(plan "$tmp/inst" --potential potential --scenarios "$tmp/scen.csv" --replicates 50 --threads 1 -q)
run() { "$TQO" "${args[@]}" --growth "$2" -o "$1" >/dev/null; } # run OUT GROWTH
# pause MS: sleep without starting a process (a loaded machine takes
# longer to start sleep(1) than a whole run here)
mkfifo "$tmp/fifo" && exec 3<>"$tmp/fifo"
pause() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u 3; }
# manifest DIR: every file (hidden ones too) with its checksum
manifest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }

run "$tmp/A" 5 2>/dev/null || { bad "the earlier plan"; finish; }
t0=$(date +%s%N)
run "$tmp/B" 9 2>/dev/null || { bad "the new plan"; finish; }
ms=$((($(date +%s%N) - t0) / 1000000))
manifest "$tmp/A" >"$tmp/A.md5"
manifest "$tmp/B" >"$tmp/B.md5"
if cmp -s "$tmp/A.md5" "$tmp/B.md5"; then bad "the two plans differ"; finish; fi
[ "$(wc -l <"$tmp/B.md5")" -ge 12 ] && ok "two different complete plans ($(wc -l <"$tmp/B.md5") files, ${ms} ms a run)" \
    || bad "complete plan"

# Each trial: OUT holds set A; the plan that writes set B is signalled after
# a random delay in [0, 1.3 x one run].
n_old=0 n_new=0 n_int=0 n_msg=0 mixed=0 badrc=0
# (most of a quick run here is the process's start: loading GDAL and the
# rest; half the trials signal after it, half any time)
t0=$(date +%s%N)
"$TQO" --version >/dev/null
start=$((($(date +%s%N) - t0) / 1000000))
[ "$start" -lt "$ms" ] || start=0
span=$((ms * 13 / 10 + 1))
for ((t = 1; t <= TRIALS; t++)); do
    rm -rf "$tmp/OUT"
    cp -a "$tmp/A" "$tmp/OUT"
    sig=KILL
    [ $((t % 2)) -eq 0 ] && sig=INT
    delay=$(((RANDOM * 32768 + RANDOM) % span))
    [ $((t % 4)) -lt 2 ] && delay=$((start + (RANDOM * 32768 + RANDOM) % (span - start)))
    env --default-signal=INT "$TQO" "${args[@]}" --growth 9 -o "$tmp/OUT" >/dev/null 2>"$tmp/err" &
    pid=$!
    pause "$delay"
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    manifest "$tmp/OUT" >"$tmp/OUT.md5" 2>/dev/null
    if cmp -s "$tmp/OUT.md5" "$tmp/A.md5"; then
        n_old=$((n_old + 1))
    elif cmp -s "$tmp/OUT.md5" "$tmp/B.md5"; then
        n_new=$((n_new + 1))
    else
        mixed=$((mixed + 1))
        echo "    # trial $t (SIG$sig after $delay ms): OUT is neither set:"
        diff "$tmp/A.md5" "$tmp/OUT.md5" | head -5 | indent
    fi
    case "$sig:$rc" in
    KILL:137 | KILL:0 | INT:0) ;;
    INT:130) # before the handler (default action) or by it
        n_int=$((n_int + 1))
        grep -q "tqo: interrupted: $tmp/OUT left as it was" "$tmp/err" && n_msg=$((n_msg + 1))
        ;;
    *)
        badrc=$((badrc + 1))
        echo "    # trial $t: SIG$sig after $delay ms: exit $rc"
        indent <"$tmp/err"
        ;;
    esac
done
echo "# $TRIALS trials: OUT kept the earlier set $n_old times, held the new set $n_new times; $n_int SIGINTs exited 130, $n_msg of them through tqo's handler (the others came before it was installed)"
[ "$mixed" -eq 0 ] && ok "$TRIALS trials: OUT always one complete set (earlier $n_old, new $n_new)" \
    || bad "$mixed trials left a mix or a partial file"
[ "$badrc" -eq 0 ] && ok "SIGINT: exit 130 and 'interrupted' ($n_int times); SIGKILL: 137" || bad "$badrc wrong exits"
[ "$n_old" -gt 0 ] && [ "$n_new" -gt 0 ] && ok "the signals fell both before and after the swap" \
    || skip_part "every signal fell on the same side of the swap (old $n_old, new $n_new): timing too coarse here"

# What killed runs left beside OUT (staging folders) goes at the next run.
run "$tmp/OUT" 9 2>/dev/null
left=$(find "$tmp" -maxdepth 1 -name '.OUT.tqo-stage.*' | wc -l)
manifest "$tmp/OUT" >"$tmp/OUT.md5"
[ "$left" -eq 0 ] && cmp -s "$tmp/OUT.md5" "$tmp/B.md5" && ok "the next run clears the staging folders and completes" \
    || bad "$left staging folders left after a complete run"

# A SIGINT during a long run (once its staging folder exists, so tqo's
# handler is in place): message and 130, OUT untouched.
rm -rf "$tmp/OUT" && cp -a "$tmp/A" "$tmp/OUT"
env --default-signal=INT "$TQO" plan "$tmp/inst" --potential potential --scenarios "$tmp/scen.csv" \
    --replicates 2000000 --threads 1 -q --growth 9 -o "$tmp/OUT" 2>"$tmp/err" >/dev/null &
pid=$!
for _ in $(seq 100); do
    [ -n "$(find "$tmp" -maxdepth 1 -name '.OUT.tqo-stage.*' -newer "$tmp/A.md5" 2>/dev/null)" ] && break
    pause 20
done
kill -INT "$pid"
wait "$pid"
rc=$?
manifest "$tmp/OUT" >"$tmp/OUT.md5"
[ "$rc" -eq 130 ] && grep -q "tqo: interrupted: $tmp/OUT left as it was" "$tmp/err" && cmp -s "$tmp/OUT.md5" "$tmp/A.md5" \
    && ok "SIGINT during a long run: 'interrupted: OUT left as it was', exit 130, OUT the earlier set" \
    || { bad "SIGINT during a long run (exit $rc)"; indent <"$tmp/err"; }
finish
