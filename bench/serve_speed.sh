#!/bin/bash
# tqo serve's speed on italy (7,900 units; the plan -k 20 --balance
# population:5): a move's round trip (median of 50 moves, each one POST
# /api/move and its answer) and a rebalance after three hand moves (median
# of 3 rounds; each round undoes back to the opened plan first). Writes the
# figures and the commands to bench/SERVE.md (OUT=... to write elsewhere).
# Targets (issue 15): move < 50 ms, rebalance < 5 s.
# usage: bench/serve_speed.sh path/to/tqo [italy folder]
# (THREADS=N: the server runs with --threads N; default all cores)
set -u
TQO=${1:?usage: serve_speed.sh TQO [ITALY]}
DATA=${2:-$(dirname "$0")/../../shared/data/italy}
OUT=${OUT:-$(dirname "$0")/SERVE.md}
THR=()
[ -n "${THREADS:-}" ] && THR=(--threads "$THREADS")
[ -f "$DATA/units.csv" ] || { echo "no $DATA/units.csv: skipped"; exit 77; }
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$W"' EXIT
CMD="tqo serve $DATA -o OUT -k 20 --balance population:5 --port 0${THR[*]:+ ${THR[*]}}"
t0=$(date +%s.%N)
"$TQO" serve "$DATA" -o "$W/out" -k 20 --balance population:5 --port 0 "${THR[@]}" >"$W/log" 2>"$W/err" &
PID=$!
for _ in $(seq 1 3000); do grep -q 'token=' "$W/log" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[^ ]*' "$W/log") || { cat "$W/err"; exit 1; }
OPEN=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $t0))")
python3 - "$URL" "$W" "$OUT" "$CMD" "$OPEN" "$(nproc)" "$(uptime | sed 's/.*load average: //')" "$PID" <<'EOF' || exit 1
import json, os, statistics, sys, time, http.client
url, W, out, cmd, opened, ncpu, load, pid = sys.argv[1:9]
def cpu():  # the server's user + system CPU seconds (a loaded machine stretches wall time, not these)
    f = open('/proc/%s/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')
base, token = url.split('/?token=')
host, port = base[len('http://'):].split(':')
conn = http.client.HTTPConnection(host, int(port), timeout=600)  # one kept-alive connection, as the page's
def call(path, body=None):
    data = None if body is None else json.dumps(body)
    t = time.perf_counter()
    conn.request('GET' if body is None else 'POST', path, body=data,
                 headers={'X-TQO-Token': token, 'Content-Type': 'application/json'})
    r = conn.getresponse()
    b = json.loads(r.read())
    return r.status, b, time.perf_counter() - t
st, plan, t_plan = call('/api/plan')
assert st == 200, plan
units = plan['units']
terrs = [t['id'] for t in plan['territories']]
where = {u['id']: u['t'] for u in units}
# 50 moves, each of a unit to the next territory in the list.
moves = []
for k in range(50):
    u = units[(k * 157) % len(units)]['id']
    t = terrs[(terrs.index(where[u]) + 1) % len(terrs)]
    st, b, dt = call('/api/move', {'units': [u], 'territory': t})
    assert st == 200, b
    moves.append(dt)
for _ in range(50):
    assert call('/api/undo', {})[0] == 200
# Three hand moves across a territory border, then Rebalance: 3 rounds.
rounds = []
for r in range(3):
    for k in range(3):
        u = units[(r * 977 + k * 2633) % len(units)]['id']
        t = terrs[(terrs.index(where[u]) + 1 + k) % len(terrs)]
        assert call('/api/move', {'units': [u], 'territory': t})[0] == 200
    c0 = cpu()
    st, b, dt = call('/api/rebalance', {})
    rounds.append((dt, st, len(b.get('moved', [])), b.get('max_moves'), b.get('max_dev_pct'), b.get('error'),
                   cpu() - c0, b.get('cap_bound_pct'), b.get('runs', [])))
    while call('/api/undo', {})[0] == 200:
        pass
med_move = statistics.median(moves) * 1000
med_reb = statistics.median(r[0] for r in rounds)
lines = ['# tqo serve: speed on italy', '',
         'Written by `bench/serve_speed.sh` (%s; %s CPUs, load average %s while it ran: timings are taken on a '
         'shared machine, loaded).' % (time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), ncpu, load), '',
         '```', cmd, 'bench/serve_speed.sh build/tqo', '```', '',
         '| what | figure | target |', '|---|---|---|',
         '| open (load, align, serve) | %s s | |' % opened,
         '| GET /api/plan (7,900 units, full) | %.0f ms | |' % (t_plan * 1000),
         '| move round trip, median of 50 (POST /api/move and its answer) | %.1f ms (min %.1f, max %.1f) | < 50 ms |'
         % (med_move, min(moves) * 1000, max(moves) * 1000),
         '| rebalance after three hand moves, median of 3 | %.2f s (server CPU %.2f s) | < 5 s |'
         % (med_reb, statistics.median(r[6] for r in rounds)), '',
         'Rebalance rounds: wall seconds, server CPU seconds, HTTP status, units moved, move cap used, the lower bound',
         'on the cap that let the ladder skip rungs, largest deviation after, and each alignment run (cap, check',
         'status, centre relocations, pricing rounds of the last LP, units moved, seconds):', '']
for dt, st, nm, cap, dev, err, c, lb, runs in rounds:
    lines.append('- %.2f s wall, %.2f s CPU, %d, %d moved, cap %s %%, bound %s %%, max deviation %s %%%s' %
                 (dt, c, st, nm, cap, None if lb is None else round(lb, 3), None if dev is None else round(dev, 3),
                  '' if not err else ' (' + err + ')'))
    for u in runs:
        ph = u.get('phases', {})
        lines.append('  - cap %g %%: %s, %d relocations, %d pricing rounds, %d units moved, %.2f s (%s)' %
                     (u['max_moves'], u['status'], u['iterations'], u['lp_rounds'], u['moved_units'], u['seconds'],
                      ', '.join('%s %.2f s' % kv for kv in ph.items())))
open(out, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
EOF
kill -TERM $PID; wait $PID; PID=
