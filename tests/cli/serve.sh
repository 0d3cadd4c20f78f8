#!/bin/bash
# tqo serve's API without a browser: the token, bad bodies, path-like
# strings, a 10 MB body, 200 concurrent moves, a client gone during a
# rebalance, SIGTERM; Save's files pass check_align.py and repeat byte for
# byte with tqo plan --config OUT/plan.ini.
set -u
TQO=${1:?usage: serve.sh TQO}
command -v python3 >/dev/null || exit 77
W=$(mktemp -d)
trap 'kill $PID 2>/dev/null; rm -rf "$W"' EXIT
"$TQO" generate --units 300 --territories 4 --periods 8 --seed 3 -o "$W/inst" >/dev/null || exit 1
"$TQO" serve "$W/inst" -o "$W/out" --port 0 --growth 5 --no-contiguity >"$W/log" 2>"$W/err" &
PID=$!
. tests/cli/serve_lib.sh
serve_url

python3 - "$URL" "$W" <<'EOF' || exit 1
import json, os, socket, sys, threading, time, urllib.request, urllib.error
url, W = sys.argv[1], sys.argv[2]
base, token = url.split('/?token=')
host, port = base[len('http://'):].split(':')
fails = []
def check(cond, what):
    if not cond:
        fails.append(what); print('FAIL:', what)

def call(path, body=None, tok=token, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method='GET' if data is None else 'POST')
    if tok:
        req.add_header('X-TQO-Token', tok)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b'null')
    except urllib.error.HTTPError as e:
        b = e.read()
        try:
            return e.code, json.loads(b)
        except ValueError:
            return e.code, b

def files():
    out = []
    for root, _, fs in os.walk(W):
        out += [os.path.join(root, f) for f in fs]
    return sorted(out)

st, plan = call('/api/plan')
check(st == 200 and len(plan['units']) == 300, 'GET /api/plan with the token')
units = [u['id'] for u in plan['units']]
terrs = [t['id'] for t in plan['territories']]
v0 = plan['version']
before = files()

# No token, a wrong one, the token in the query string.
check(call('/api/plan', tok=None)[0] == 403, 'no token -> 403')
check(call('/api/plan', tok='0' * 32)[0] == 403, 'wrong token -> 403')
check(call('/api/move', {'units': [units[0]], 'territory': terrs[0]}, tok='x')[0] == 403, 'POST without token -> 403')
with urllib.request.urlopen(url.replace('/?', '/api/plan?'), timeout=30) as r:
    check(r.status == 200, 'token in the query string')

# Malformed JSON, unknown units and territories, path-like strings: 400, no change.
bad = [(b'{bad', 'malformed'), (b'[1,2]', 'not an object'), (b'{"units":"x"}', 'units not an array')]
for raw, what in bad:
    st, b = call('/api/move', raw=raw)
    check(st == 400 and 'error' in b, 'bad JSON (%s) -> 400 with a message' % what)
paths = ['../../etc/passwd', '/etc/passwd', W + '/out/plan.ini', 'C:\\x', '%2e%2e%2f', 'a\0b']
for p in paths:
    for path, body in [('/api/move', {'units': [p], 'territory': terrs[0]}),
                       ('/api/move', {'units': [units[0]], 'territory': p}),
                       ('/api/move', {'units': [units[0]], 'territory': terrs[0], p: 1}),
                       ('/api/lock', {'units': [p], 'locked': True}),
                       ('/api/lock', {'units': [units[0]], 'locked': p}),
                       ('/api/rebalance', {'max_moves': p}),
                       ('/api/save', {'out': p}), ('/api/save', {p: p}), ('/api/undo', {'file': p}),
                       ('/api/quotas', {'file': p}), ('/api/scenarios', {'scenarios': p})]:
        st, b = call(path, body)
        check(st == 400 and isinstance(b, dict) and 'error' in b, 'path-like %r in %s %s -> 400' % (p, path, list(body)))
check(call('/' + '../' * 3 + 'etc/passwd')[0] == 404, 'a path outside the API -> 404')
st, plan2 = call('/api/plan')
check(plan2['version'] == v0 and plan2['units'] == plan['units'], 'bad requests changed nothing')
check(files() == before, 'bad requests wrote no file')

# A 10 MB body: 413, declared or not.
def send_big(head, body_parts):
    s = socket.create_connection((host, int(port)))
    s.sendall(b'POST /api/move HTTP/1.1\r\nHost: x\r\nX-TQO-Token: ' + token.encode() + head + b'\r\n\r\n')
    try:
        for part in body_parts:
            s.sendall(part)
    except OSError:
        pass  # the server answered and closed before reading it all
    try:
        resp = s.recv(200)
    except OSError:
        resp = b''
    s.close()
    return resp.split(b'\r\n')[0]
chunk = b'x' * 65536
line = send_big(b'\r\nContent-Length: %d' % (160 * len(chunk)), [chunk] * 160)
check(b' 413' in line, '10 MB body -> 413 (%r)' % line)
line = send_big(b'\r\nTransfer-Encoding: chunked', [b'%x\r\n' % len(chunk) + chunk + b'\r\n'] * 160 + [b'0\r\n\r\n'])
check(b' 413' in line, 'chunked 10 MB body -> 413 (%r)' % line)

# 200 concurrent moves of distinct units: all answered, the final plan is
# the one the sequence gives (each unit where it was sent).
import random
rng = random.Random(5)
pick = rng.sample(units, 200)
dest = {u: rng.choice(terrs) for u in pick}
codes = []
def mover(u):
    codes.append(call('/api/move', {'units': [u], 'territory': dest[u]})[0])
ts = [threading.Thread(target=mover, args=(u,)) for u in pick]
[t.start() for t in ts]
[t.join() for t in ts]
check(codes.count(200) == 200, '200 concurrent moves all answered 200 (%s)' % sorted(set(codes)))
st, p3 = call('/api/plan')
where = {u['id']: u['t'] for u in p3['units']}
check(p3['version'] == v0 + 200, 'version advanced by 200 (%d)' % p3['version'])
check(all(where[u] == dest[u] for u in pick), 'every moved unit is where it was sent')
check(all(where[u['id']] == u['t'] for u in plan['units'] if u['id'] not in dest), 'no other unit moved')
inst_units = {}
import csv
with open(W + '/inst/units.csv') as f:
    rows = list(csv.DictReader(f))
meas = p3['balance'][0]['measure']
tot = {t: 0.0 for t in terrs}
for r in rows:
    tot[where[r['unit_id']]] += float(r[meas])
for t in p3['territories']:
    check(abs(t['total'][0] - tot[t['id']]) < 1e-6 * max(1, tot[t['id']]), 'total of %s recomputed' % t['id'])
    dev = 100 * (t['total'][0] - t['target'][0]) / t['target'][0]
    check(abs(dev - t['dev_pct'][0]) < 1e-9, 'deviation of %s recomputed' % t['id'])

# Undo and redo.
st, pu = call('/api/undo', {})
check(st == 200 and pu['version'] == p3['version'] + 1, 'undo answered')
st, pr = call('/api/redo', {})
check(st == 200 and {u['id']: u['t'] for u in pr['units']} == where, 'redo restores the plan')

# Lock three moved units; a client that drops its connection mid-rebalance.
locked = pick[:3]
check(call('/api/lock', {'units': locked, 'locked': True})[0] == 200, 'lock')
other = [t for t in terrs if t != dest[locked[0]]][0]
st, b = call('/api/move', {'units': [locked[0]], 'territory': other})
check(st == 400 and 'locked' in b.get('error', ''), 'a locked unit cannot be moved')
s = socket.create_connection((host, int(port)))
s.sendall(b'POST /api/rebalance HTTP/1.1\r\nHost: x\r\nX-TQO-Token: ' + token.encode() +
          b'\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
time.sleep(0.05)
s.close()
st, p4 = call('/api/plan')  # waits for the rebalance: the mutex serialises
check(st == 200 and not p4['dirty'], 'the server answers after a dropped rebalance (dirty=%s)' % p4.get('dirty'))
w4 = {u['id']: u['t'] for u in p4['units']}
check(all(w4[u] == dest[u] for u in locked), 'locked units stayed in their territory')
check(p4['max_dev_pct'] <= p4['balance'][0]['tol_pct'] + 1e-6, 'rebalanced within tolerance (%.3f)' % p4['max_dev_pct'])
st, q = call('/api/quotas', {})
check(st == 200 and len(q['quotas']) == len(terrs), 'quotas on the edited plan (%s)' % st)
st, b = call('/api/scenarios', {})
check(st == 422 and 'no scenarios' in b.get('error', ''), 'scenarios without a scenarios file -> 422 (%s)' % st)
st, b = call('/api/shapes')
check(st == 404 and 'polygons' in b.get('error', ''), 'shapes of an instance without polygons -> 404 (%s)' % st)

# Save: the displayed plan is the saved one.
t0 = time.time()
st, b = call('/api/save', {})
check(st == 200 and b.get('saved'), 'save (%s %s)' % (st, b))
with open(W + '/out/align/assignment.csv') as f:
    saved = {r['unit_id']: r['territory_id'] for r in csv.DictReader(f)}
check(saved == w4, 'the saved assignment is the displayed plan')
with open(W + '/out/locks.csv') as f:
    lk = {r['unit_id']: r['territory_id'] for r in csv.DictReader(f)}
check(all(lk.get(u) == dest[u] for u in locked), 'locks.csv holds the locked units')
check(not [f for f in files() if '.staging' in f or '.old.' in f], 'no staging folder left')
print('saved in %.2f s; %d checks failed' % (time.time() - t0, len(fails)))
sys.exit(1 if fails else 0)
EOF
kill -TERM $PID
wait $PID
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: serve exited $rc after SIGTERM"; cat "$W/err"; exit 1; }
# The checker reads moves and locks from the instance: give it the instance
# the plan was solved on (OUT/current.csv as the current column, OUT/locks.csv).
serve_check_saved
"$TQO" plan "$W/inst" --config "$W/out/plan.ini" -o "$W/out2" -q >/dev/null 2>"$W/err2" || { cat "$W/err2"; exit 1; }
for f in $(cd "$W/out2" && find . -type f); do
    cmp -s "$W/out/$f" "$W/out2/$f" || { echo "FAIL: $f differs after tqo plan --config OUT/plan.ini"; exit 1; }
done
echo "serve: ok"
