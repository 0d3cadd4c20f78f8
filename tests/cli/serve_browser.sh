#!/bin/bash
# tqo serve's page in headless Chromium (puppeteer-core, tests/browser/):
# three units moved through the page's controls (click, shift-click, the
# territory picker), locked, saved. The deviations the page shows after the
# moves are recomputed from OUT/current.csv (the hand-edited plan Save
# rebalanced from), those after Save from OUT/align/assignment.csv, and the
# saved plan passes check_align.py with the three units locked. Then Undo
# and Redo show the deviations before and after Save again, and Rebalance
# after a fourth hand move brings every shown deviation within tolerance.
# TQO_SCREENSHOT=FILE.png also saves a screenshot of the page after Save.
set -u
TQO=${1:?usage: serve_browser.sh TQO}
. tests/cli/serve_lib.sh
browser_prereqs
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$W"' EXIT
"$TQO" generate --units 300 --territories 4 --periods 8 --seed 3 -o "$W/inst" >/dev/null || exit 1
"$TQO" serve "$W/inst" -o "$W/out" --port 0 --growth 5 --no-contiguity >"$W/log" 2>"$W/err" &
PID=$!
serve_url

browser_run serve_app.js

python3 - "$W" <<'EOF' || exit 1
import csv, json, os, sys
W = sys.argv[1]
page = json.load(open(W + '/page.json'))
fails = []
def check(cond, what):
    print(('ok:   ' if cond else 'FAIL: ') + what)
    if not cond:
        fails.append(what)
rows = list(csv.DictReader(open(W + '/inst/units.csv')))
inst_t = os.path.join(W, 'inst', 'territories.csv')
def devs(assign, measure):
    terrs = sorted(set(assign.values()) | set(page['afterSave']))
    cap = {t: 1.0 for t in terrs}
    if os.path.exists(inst_t):
        for r in csv.DictReader(open(inst_t)):
            if r.get('territory_id') in cap and r.get('capacity'):
                cap[r['territory_id']] = float(r['capacity'])
    tot = {t: 0.0 for t in terrs}
    for r in rows:
        tot[assign[r['unit_id']]] += float(r[measure])
    grand, cs = sum(tot.values()), sum(cap.values())
    return {t: 100 * (tot[t] - cap[t] / cs * grand) / (cap[t] / cs * grand) for t in terrs}
def read(path):
    return {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(path))}
cur, saved = read(W + '/out/current.csv'), read(W + '/out/align/assignment.csv')
check(not page['errors'], 'no JavaScript error (%s)' % page['errors'])
check(all(cur[u] == t for u, t in page['moved'].items()), 'the three moves reached the plan: %s' % page['moved'])
check(page['mapTerr'] == cur, 'the map after the moves is OUT/current.csv')
check(set(page['moved']) <= set(page['lockedShown']), 'the map marks the three units locked')
locks = read(W + '/out/locks.csv')
check(all(locks.get(u) == t for u, t in page['moved'].items()), 'locks.csv holds the three units')
check(page['savedMap'] == saved, 'the map after Save is OUT/align/assignment.csv')
m = page['measure']  # the balanced measure of the page's deviation column
d1, d2 = devs(cur, m), devs(saved, m)
for t in page['affected']:
    check(abs(d1[t] - page['afterMoves'][t]) <= 0.005 + 1e-9,
          'after the moves %s shows %+.2f %%, recomputed %+.4f %% (%s)' % (t, page['afterMoves'][t], d1[t], m))
for t in sorted(page['afterSave']):
    check(abs(d2[t] - page['afterSave'][t]) <= 0.005 + 1e-9,
          'after Save %s shows %+.2f %%, recomputed %+.4f %%' % (t, page['afterSave'][t], d2[t]))
print('rebalance: %s' % page['rebalanced']['status'])
check(page['undone']['devs'] == page['beforeSave'], 'Undo after Save shows the hand-edited deviations again')
check(page['redone']['devs'] == page['afterSave'], 'Redo shows the saved deviations again')
check(max(abs(v) for v in page['unbalanced'].values()) > page['tol'], 'a fourth hand move put the plan out of balance')
check(not page['rebalanced']['status'].startswith('rebalanced: 0 '), 'Rebalance moved units')
check(max(abs(v) for v in page['rebalanced']['devs'].values()) <= page['tol'] + 0.005,
      'after Rebalance every shown deviation is within %s %%' % page['tol'])
sys.exit(1 if fails else 0)
EOF
# check_align.py reads moves and locks from the instance: give it the one the
# plan was solved on (OUT/current.csv as the current column, OUT/locks.csv).
serve_check_saved
echo "serve_browser: ok"
