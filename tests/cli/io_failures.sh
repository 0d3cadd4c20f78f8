#!/bin/bash
# Issue 16, part 3: output on a full file system, in a read-only folder,
# OUT that is a file, an input that ends during the run. Each must give a
# clear message and a non-zero exit, and leave nothing half-written: OUT
# holds exactly what it held before (the earlier complete plan). The full
# and read-only file systems are small tmpfs mounts when run as root (CI);
# otherwise RLIMIT_FSIZE (ulimit -f) and chmod stand in.
. "$(dirname "$0")/lib.sh" "$@"

"$TQO" generate --units 60 --territories 3 --periods 12 --seed 1 -o "$tmp/inst" --quiet || exit 1
printf 'scenario,history_weight,growth\ns1,0.4,5\ns2,0.6,10\n' >"$tmp/scen.csv"
args=(plan "$tmp/inst" --potential potential --scenarios "$tmp/scen.csv" --replicates 50 --threads 1 -q)
manifest() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
"$TQO" "${args[@]}" --growth 5 -o "$tmp/A" >/dev/null 2>&1 || { bad "the earlier plan"; finish; }
manifest "$tmp/A" >"$tmp/A.md5"
kb=$(du -sk "$tmp/A" | cut -f1)

# expect_fail NAME OUT RE: the last run ($rc, $tmp/err) failed with a message
# matching RE, and OUT is the earlier set with nothing beside it
expect_fail() {
    local name=$1 out=$2 re=$3 left
    left=$(find "$(dirname "$out")" -maxdepth 1 -name ".$(basename "$out").tqo-stage.*" | wc -l)
    if [ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && grep -Eq "$re" "$tmp/err" && [ "$left" -eq 0 ] \
        && manifest "$out" | cmp -s - "$tmp/A.md5"; then
        ok "$name: exit $rc, '$(grep -m1 'tqo: error' "$tmp/err" | cut -c1-110)', OUT unchanged"
    else
        bad "$name: exit $rc, $left staging folders left"
        indent <"$tmp/err"
        manifest "$out" | diff "$tmp/A.md5" - | head -5 | indent
    fi
}

mounted=""
cleanup_mount() { [ -n "$mounted" ] && umount "$mounted" 2>/dev/null; mounted=""; }
trap 'cleanup_mount; rm -rf "$tmp"' EXIT

# 1. A full file system: room for the earlier plan and a third of another.
if [ "$(id -u)" = 0 ] && mkdir -p "$tmp/small" && mount -t tmpfs -o size=$((kb * 4 / 3 + 8))k tmpfs "$tmp/small" 2>/dev/null; then
    mounted=$tmp/small
    cp -a "$tmp/A" "$tmp/small/OUT"
    "$TQO" "${args[@]}" --growth 9 -o "$tmp/small/OUT" >/dev/null 2>"$tmp/err"
    rc=$?
    expect_fail "plan on a full tmpfs (${kb} kB plan, $((kb * 4 / 3 + 8)) kB file system)" "$tmp/small/OUT" \
        "No space left on device|cannot write"
    # a single step's files are all or nothing too (the file system filled up first)
    head -c 1M /dev/zero >"$tmp/small/fill" 2>/dev/null
    rm -f "$tmp/small/fill.small"
    head -c 1k /dev/zero >"$tmp/small/fill.small" 2>/dev/null
    "$TQO" align "$tmp/inst" -k 3 -o "$tmp/small/align" >/dev/null 2>"$tmp/err"
    rc=$?
    n=$(find "$tmp/small/align" -type f 2>/dev/null | wc -l)
    [ "$rc" -ne 0 ] && [ "$n" -eq 0 ] && grep -q "No space left on device" "$tmp/err" \
        && ok "align on a full tmpfs: exit $rc, 'No space left on device', no file written" \
        || { bad "align on a full tmpfs: exit $rc, $n files"; indent <"$tmp/err"; }
    cleanup_mount
else
    skip_part "not root or no tmpfs: the full file system is RLIMIT_FSIZE only"
fi

# 1b. RLIMIT_FSIZE: writes past 16 kB fail with EFBIG (SIGXFSZ ignored, as
# a shell's ulimit user would have it, or the kernel kills the process).
cp -a "$tmp/A" "$tmp/OUT"
(trap '' XFSZ; ulimit -f 16; exec "$TQO" "${args[@]}" --growth 9 -o "$tmp/OUT") >/dev/null 2>"$tmp/err"
rc=$?
expect_fail "plan under ulimit -f 16" "$tmp/OUT" "File too large|cannot write"

# 2. A read-only folder: the plan's parent (staging goes beside OUT).
rm -rf "$tmp/ro" && mkdir -p "$tmp/ro" && cp -a "$tmp/A" "$tmp/ro/OUT"
if [ "$(id -u)" = 0 ]; then
    if mount --bind "$tmp/ro" "$tmp/ro" 2>/dev/null && mount -o remount,bind,ro "$tmp/ro" 2>/dev/null; then
        mounted=$tmp/ro
    else
        skip_part "root without a read-only bind mount"
    fi
else
    chmod -R a-w "$tmp/ro"
fi
if [ -n "$mounted" ] || [ "$(id -u)" != 0 ]; then
    "$TQO" "${args[@]}" --growth 9 -o "$tmp/ro/OUT" >/dev/null 2>"$tmp/err"
    rc=$?
    expect_fail "plan into a read-only folder" "$tmp/ro/OUT" "Read-only file system|Permission denied"
    "$TQO" align "$tmp/inst" -k 3 -o "$tmp/ro/OUT/align" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" -ne 0 ] && grep -Eq "Read-only file system|Permission denied" "$tmp/err" \
        && manifest "$tmp/ro/OUT" | cmp -s - "$tmp/A.md5" \
        && ok "align into a read-only folder: exit $rc, the reason named, files unchanged" \
        || { bad "align into a read-only folder: exit $rc"; indent <"$tmp/err"; }
fi
cleanup_mount
chmod -R u+w "$tmp/ro" 2>/dev/null

# 3. OUT is a file.
echo "not a folder" >"$tmp/file"
"$TQO" "${args[@]}" --growth 9 -o "$tmp/file" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "exists and is not a folder" "$tmp/err" && [ "$(cat "$tmp/file")" = "not a folder" ] \
    && ok "plan -o FILE: exit $rc, 'exists and is not a folder', the file untouched" \
    || { bad "plan -o FILE: exit $rc"; indent <"$tmp/err"; }
"$TQO" align "$tmp/inst" -k 3 -o "$tmp/file" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "error" "$tmp/err" && [ "$(cat "$tmp/file")" = "not a folder" ] \
    && ok "align -o FILE: exit $rc, '$(grep -m1 'tqo: error' "$tmp/err" | cut -c1-90)'" \
    || { bad "align -o FILE: exit $rc"; indent <"$tmp/err"; }
# OUT holding someone else's file: refused, never replaced
mkdir -p "$tmp/mine" && echo keep >"$tmp/mine/notes.txt"
"$TQO" "${args[@]}" --growth 9 -o "$tmp/mine" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "holds 'notes.txt', which tqo plan did not write" "$tmp/err" && [ "$(cat "$tmp/mine/notes.txt")" = keep ] \
    && ok "plan -o a folder of other files: refused, exit $rc, nothing deleted" \
    || { bad "plan -o a folder of other files: exit $rc"; indent <"$tmp/err"; }

# 4. An input that ends during the run: the scenario file is a FIFO, read
# after the alignment (written to staging); its writer sends half a file
# and goes away. Deterministic: the writer blocks until tqo opens it.
cp -a "$tmp/A" "$tmp/OUT2"
mkfifo "$tmp/scen.fifo"
(printf 'scenario,history_weight,growth\ns1,0.4' >"$tmp/scen.fifo") &
"$TQO" plan "$tmp/inst" --potential potential --scenarios "$tmp/scen.fifo" --replicates 50 --threads 1 -q \
    --growth 9 -o "$tmp/OUT2" >/dev/null 2>"$tmp/err"
rc=$?
wait
expect_fail "scenario file cut off mid-run (FIFO)" "$tmp/OUT2" "scen.fifo"
# the instance's history vanishes: a dangling link
cp -a "$tmp/inst" "$tmp/inst2" && rm "$tmp/inst2/history.csv" && ln -s "$tmp/gone.csv" "$tmp/inst2/history.csv"
cp -a "$tmp/A" "$tmp/OUT3"
"$TQO" plan "$tmp/inst2" --potential potential --scenarios "$tmp/scen.csv" -q --growth 9 -o "$tmp/OUT3" >/dev/null 2>"$tmp/err"
rc=$?
expect_fail "history.csv gone (dangling link)" "$tmp/OUT3" "history.csv"
finish
