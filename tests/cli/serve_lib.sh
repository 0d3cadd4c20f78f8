# Shared by the tests of tqo serve (the browser ones and the API ones): sourced
# after TQO is set; W (a work folder) and PID (the server) are the caller's.

# Skips (exit 77) without python3, node, chromium or puppeteer-core.
browser_prereqs() {
    command -v python3 >/dev/null || exit 77
    command -v node >/dev/null || { echo "no node: skipped"; exit 77; }
    [ -x /usr/bin/chromium ] || { echo "no /usr/bin/chromium: skipped"; exit 77; }
    # The browser tests run side by side (ctest -j): one installs while the
    # other waits on the lock, then finds the package complete.
    (
        flock 9
        [ -f tests/browser/node_modules/puppeteer-core/package.json ] ||
            npm install --prefix tests/browser --no-audit --no-fund >/dev/null 2>&1
    ) 9>"${TMPDIR:-/tmp}/tqo-npm-install.lock"
    [ -f tests/browser/node_modules/puppeteer-core/package.json ] ||
        { echo "npm install --prefix tests/browser failed: skipped"; exit 77; }
}

# URL: the address with the token, once the server started in the
# background (output in $W/log, errors in $W/err) has printed it.
serve_url() {
    for _ in $(seq 1 300); do grep -q 'token=' "$W/log" 2>/dev/null && break; sleep 0.1; done
    URL=$(grep -o 'http://[^ ]*' "$W/log") || { cat "$W/err"; exit 1; }
}

# Runs tests/browser/SCRIPT against URL into $W/page.json, then stops the
# server with SIGTERM: it must exit 0 (ASan's leak report would fail it).
browser_run() {
    local t0
    t0=$(date +%s.%N)
    node "tests/browser/$1" "$URL" "$W/profile" ${TQO_SCREENSHOT:-} >"$W/page.json" ||
        { echo "FAIL: the browser run"; cat "$W/err"; exit 1; }
    echo "browser run: $(python3 -c "print('%.1f s' % ($(date +%s.%N) - $t0))")"
    kill -TERM $PID
    wait $PID || { echo "FAIL: serve exited $? after SIGTERM"; cat "$W/err"; exit 1; }
    PID=
}

# Checks the plan saved in $W/out with tests/tools/check_align.py, which
# reads moves and locks from the instance: it gets the one the plan was
# solved on ($W/inst with OUT/current.csv as the current column and
# OUT/locks.csv); at least one lock must be checked.
serve_check_saved() {
    cp -r "$W/inst" "$W/inst_edited"
    python3 - "$W" <<'EOF2' || exit 1
import csv, shutil, sys
W = sys.argv[1]
cur = {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(W + '/out/current.csv'))}
rows = list(csv.DictReader(open(W + '/inst/units.csv')))
with open(W + '/inst_edited/units.csv', 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator='\n')
    w.writeheader()
    for r in rows:
        r['current'] = cur[r['unit_id']]
        w.writerow(r)
shutil.copy(W + '/out/locks.csv', W + '/inst_edited/locks.csv')
EOF2
    python3 tests/tools/check_align.py "$W/inst_edited" "$W/out/align" >"$W/check" ||
        { cat "$W/check"; echo "FAIL: check_align on the saved plan"; exit 1; }
    grep -q "locks checked [1-9]" "$W/check" || { cat "$W/check"; echo "FAIL: no lock checked"; exit 1; }
}
