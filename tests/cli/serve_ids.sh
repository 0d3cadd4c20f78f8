#!/bin/bash
# tqo serve with unit and territory ids that hold commas, quotes and
# spaces: moves and locks through the API, a rebalance (its cap_bound_pct
# recomputed and shown to bound what it moved), /api/quotas and /api/scenarios
# on the edited plan (compared with what Save writes for the same plan),
# Save's current.csv and locks.csv read back by a CSV reader with the very
# ids of the instance, and tqo plan --config OUT/plan.ini repeats the saved
# plan byte for byte.
set -u
TQO=${1:?usage: serve_ids.sh TQO}
command -v python3 >/dev/null || exit 77
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$W"' EXIT
"$TQO" generate --units 120 --territories 3 --periods 16 --seed 4 -o "$W/gen" >/dev/null || exit 1
# The same instance with hostile ids (written by a CSV writer, quoted).
python3 - "$W" <<'EOF' || exit 1
import csv, os, sys
W = sys.argv[1]
os.mkdir(W + '/inst')
def uid(u):
    k = int(u)
    return ['U,%s' % u, 'U "%s"' % u, '%s, "x",y' % u][k % 3] if k % 4 else u
tid = {'T001': 'North, "big"', 'T002': 'T"2', 'T003': 'South,3'}
for name, cols in [('units.csv', {'unit_id': uid, 'current': tid.get}), ('history.csv', {'unit_id': uid}),
                   ('adjacency.csv', {'unit_a': uid, 'unit_b': uid}), ('territories.csv', {'territory_id': tid.get})]:
    rows = list(csv.DictReader(open('%s/gen/%s' % (W, name))))
    with open('%s/inst/%s' % (W, name), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator='\n')
        w.writeheader()
        for r in rows:
            w.writerow({k: cols[k](v) if k in cols else v for k, v in r.items()})
EOF
printf 'scenario,growth,max_growth\nbase,5,\nlow,3,25\n' >"$W/scen.csv"
"$TQO" serve "$W/inst" -o "$W/out" --port 0 --growth 5 --no-contiguity --scenarios "$W/scen.csv" --replicates 100 \
    >"$W/log" 2>"$W/err" &
PID=$!
. tests/cli/serve_lib.sh
serve_url

python3 - "$URL" "$W" <<'EOF' || exit 1
import csv, json, sys, urllib.request, urllib.error
url, W = sys.argv[1], sys.argv[2]
base, token = url.split('/?token=')
fails = []
def check(cond, what):
    print(('ok:   ' if cond else 'FAIL: ') + what)
    if not cond:
        fails.append(what)
def call(path, body=None):
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                 method='GET' if body is None else 'POST')
    req.add_header('X-TQO-Token', token)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
ids = [r['unit_id'] for r in csv.DictReader(open(W + '/inst/units.csv'))]
st, plan = call('/api/plan')
check(st == 200 and sorted(u['id'] for u in plan['units']) == sorted(ids), 'the plan holds the instance ids')
where = {u['id']: u['t'] for u in plan['units']}
odd = [i for i in ids if ',' in i or '"' in i]
terrs = [t['id'] for t in plan['territories']]
dest = 'North, "big"'
pick = [i for i in odd if where[i] != dest][:3]
st, _ = call('/api/move', {'units': pick, 'territory': dest})
check(st == 200, 'move %s to %s' % (pick, dest))
st, _ = call('/api/lock', {'units': pick, 'locked': True})
check(st == 200, 'lock them')
st, pb = call('/api/plan')
before = {u['id']: u['t'] for u in pb['units']}
st, p = call('/api/rebalance', {})
check(st == 200, 'rebalance (%s)' % (p.get('error') if st != 200 else '%d moved' % len(p['moved'])))
# The cap's lower bound, recomputed: what lies beyond the tolerances must move.
m = pb['balance'][0]['measure']
val = {r['unit_id']: float(r[m]) for r in csv.DictReader(open(W + '/inst/units.csv'))}
tol = pb['balance'][0]['tol_pct'] / 100
tot = {t['id']: sum(val[u] for u in before if before[u] == t['id']) for t in pb['territories']}
tg = {t['id']: t['target'][0] for t in pb['territories']}
over = sum(max(0, tot[t] - tg[t] * (1 + tol)) for t in tot)
under = sum(max(0, tg[t] * (1 - tol) - tot[t]) for t in tot)
bound = 100 * max(over, under) / sum(val.values())
check(abs(bound - p['cap_bound_pct']) <= 1e-6 * max(1, bound), 'cap_bound_pct %.4f%% recomputed %.4f%%' % (p['cap_bound_pct'], bound))
moved = 100 * sum(val[u] for u in before if before[u] != {x['id']: x['t'] for x in p['moved']}.get(u, before[u])) / sum(val.values())
check(bound <= moved + 1e-9 <= p['max_moves'] + 1e-6, 'the rebalance moved %.4f%% of %s: at least the bound, at most the cap %s%%' % (moved, m, p['max_moves']))
check(p['runs'] and all(r['max_moves'] >= p['cap_bound_pct'] for r in p['runs']) and p['runs'][-1]['status'] == 'ok',
      'no alignment below the bound was tried (%s)' % [(r['max_moves'], r['status']) for r in p['runs']])
st, q = call('/api/quotas', {})
check(st == 200 and sorted(x['id'] for x in q['quotas']) == sorted(terrs), 'quotas on the edited plan')
st, sc = call('/api/scenarios', {})
check(st == 200 and [s['name'] for s in sc['scenarios']] == ['base', 'low'], 'scenarios on the edited plan')
check(sorted(sc['territories']) == sorted(terrs), "the scenarios' territories are the plan's")
st, p2 = call('/api/plan')
check(sc['version'] == p2['version'] and q['version'] == p2['version'], 'the reruns name the plan version %d' % p2['version'])
shown = {u['id']: u['t'] for u in p2['units']}
st, b = call('/api/save', {})
check(st == 200 and b['version'] == p2['version'], 'save the plan shown (%s)' % b)

cur = {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(W + '/out/current.csv'))}
locks = {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(W + '/out/locks.csv'))}
check(sorted(cur) == sorted(ids), 'current.csv reads back with the instance ids (%d)' % len(cur))
check(all(locks.get(u) == dest for u in pick), 'locks.csv holds the locked units at %r' % dest)
saved = {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(W + '/out/align/assignment.csv'))}
check(saved == shown, 'the saved assignment is the plan shown')
qf = {r['territory_id']: float(r['quota']) for r in csv.DictReader(open(W + '/out/quota/quotas.csv'))}
check(all(abs(qf[x['id']] - x['quota']) <= 0.006 for x in q['quotas']), '/api/quotas = quota/quotas.csv of the saved plan')
summ = {r['scenario']: r for r in csv.DictReader(open(W + '/out/scenarios/scenarios_summary.csv'))}
n = bad = 0
for s in sc['scenarios']:
    for m, v in s['mc'].items():
        for k, sfx in enumerate(['_p10', '_p50', '_p90']):
            f = summ[s['name']][m + sfx]
            n += 1
            if not ((v[k] is None and f == '') or (v[k] is not None and f != '' and abs(float(f) - v[k]) <= 1e-9 * max(1, abs(v[k])))):
                bad += 1
                print('  %s %s%s: api %s, file %s' % (s['name'], m, sfx, v[k], f))
check(bad == 0, '/api/scenarios = scenarios_summary.csv of the saved plan (%d figures)' % n)
sys.exit(1 if fails else 0)
EOF
kill -TERM $PID
wait $PID || { echo "FAIL: serve exited after SIGTERM"; cat "$W/err"; exit 1; }
PID=
"$TQO" plan "$W/inst" --config "$W/out/plan.ini" -o "$W/out2" -q >/dev/null 2>"$W/err2" || { cat "$W/err2"; echo "FAIL: tqo plan --config OUT/plan.ini"; exit 1; }
for f in $(cd "$W/out2" && find . -type f); do
    cmp -s "$W/out/$f" "$W/out2/$f" || { echo "FAIL: $f differs after tqo plan --config OUT/plan.ini"; exit 1; }
done
echo "ok:   tqo plan --config OUT/plan.ini repeats the saved files byte for byte"
echo "serve_ids: ok"
