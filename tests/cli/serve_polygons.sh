#!/bin/bash
# tqo serve's page on an instance with unit polygons (tqo generate
# --boundaries), in headless Chromium (puppeteer-core, tests/browser/):
# one path per unit and no dot, each unit's point inside its own polygon;
# a rectangle lasso and a freehand one select exactly the units whose
# coordinates (units.csv, through the map's projection fitted from them)
# lie inside; the lassoed units are moved and rebalanced around; the Quotas
# and Scenarios buttons show what Save then writes to OUT/quota/quotas.csv
# and OUT/scenarios/scenarios_summary.csv for the same plan.
# TQO_SCREENSHOT=FILE.png also saves a screenshot (after the reruns).
set -u
TQO=${1:?usage: serve_polygons.sh TQO}
. tests/cli/serve_lib.sh
browser_prereqs
W=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$W"' EXIT
"$TQO" generate --units 200 --territories 4 --periods 16 --seed 3 --boundaries -o "$W/inst" >/dev/null || exit 1
printf 'scenario,growth,max_growth\nbase,5,\nlow,3,25\ncapped,8,6\n' >"$W/scen.csv"
"$TQO" serve "$W/inst" -o "$W/out" --port 0 --growth 5 --no-contiguity --scenarios "$W/scen.csv" \
    --replicates 200 >"$W/log" 2>"$W/err" &
PID=$!
serve_url
browser_run serve_polygons.js

python3 - "$W" <<'EOF' || exit 1
import csv, json, sys
W = sys.argv[1]
page = json.load(open(W + '/page.json'))
fails = []
def check(cond, what):
    print(('ok:   ' if cond else 'FAIL: ') + what)
    if not cond:
        fails.append(what)
rows = list(csv.DictReader(open(W + '/inst/units.csv')))
xy = {r['unit_id']: (float(r['x']), float(r['y'])) for r in rows}
sh = page['shapes']
check(not page['errors'], 'no JavaScript error (%s)' % page['errors'])
check(len(sh) == len(rows) and sorted(s['id'] for s in sh) == sorted(xy), 'one shape per unit of units.csv (%d)' % len(sh))
check(all(s['tag'] == 'path' and s['d'].startswith('M') and s['d'].endswith('Z') for s in sh), 'every shape is a closed path')
check(page['circles'] == 0, 'no dot on a map of polygons')
# Voronoi cells clipped to the hull: a point on the hull lies on its cell's
# border, where the fill test may say either; all others are inside.
outside = [s['id'] for s in sh if not s['own']]
print('units whose point is not inside their own polygon: %s' % outside)
check(len(outside) <= len(sh) // 10, "each unit's point lies in its own polygon (%d on the border)" % len(outside))

# The map's projection from the coordinates: screen x = a x + b, y = c y + d
# (least squares over all units); the fit must be exact to 0.01 px.
def fit(us, vs):
    n = len(us); mu, mv = sum(us) / n, sum(vs) / n
    a = sum((u - mu) * (v - mv) for u, v in zip(us, vs)) / sum((u - mu) ** 2 for u in us)
    return a, mv - a * mu
ids = [s['id'] for s in sh]
ax, bx = fit([xy[i][0] for i in ids], [s['sx'] for s in sh])
ay, by = fit([xy[i][1] for i in ids], [s['sy'] for s in sh])
res = max(max(abs(ax * xy[s['id']][0] + bx - s['sx']), abs(ay * xy[s['id']][1] + by - s['sy'])) for s in sh)
check(res < 0.01, 'the map is a linear projection of the coordinates (largest residual %.2g px)' % res)
scr = {i: (ax * xy[i][0] + bx, ay * xy[i][1] + by) for i in ids}

(rx0, ry0), (rx1, ry1) = page['rect']
want = sorted(i for i, (x, y) in scr.items() if min(rx0, rx1) < x < max(rx0, rx1) and min(ry0, ry1) < y < max(ry0, ry1))
check(want and page['rectSel'] == want, 'the rectangle lasso selects exactly the %d units inside (%d selected)' % (len(want), len(page['rectSel'])))
check(page['lassoCount'] == len(want), 'the page counts %d lassoed' % page['lassoCount'])
check(all(page['afterMove'][i] == page['dest'] for i in want), 'Move sent the lassoed units to %s' % page['dest'])
check(all(page['afterRebalance'][i] == page['dest'] for i in want), 'Rebalance kept them there (%s)' % page['rebalanced'])

def seg_dist(p, a, b):
    vx, vy = b[0] - a[0], b[1] - a[1]
    t = max(0, min(1, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / (vx * vx + vy * vy)))
    return ((p[0] - a[0] - t * vx) ** 2 + (p[1] - a[1] - t * vy) ** 2) ** 0.5
def in_poly(p, poly):
    c = False
    for k in range(len(poly)):
        (xi, yi), (xj, yj) = poly[k], poly[k - 1]
        if (yi > p[1]) != (yj > p[1]) and p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi:
            c = not c
    return c
tri = page['tri']
near = [i for i, p in scr.items() if min(seg_dist(p, tri[k], tri[k - 1]) for k in range(3)) < 1.5]
want = sorted(i for i, p in scr.items() if in_poly(p, tri) and i not in near)
got = sorted(i for i in page['freeSel'] if i not in near)
check(want and got == want, 'the freehand lasso selects exactly the %d units inside (%d within 1.5 px of its outline not judged)' % (len(want), len(near)))

check(page['savedVersion'] == page['version'], 'Save wrote the plan shown (version %d)' % page['version'])
check(page['staleBefore'] == 0 and page['staleAfter'] == 0, 'the reruns are marked current for that version')
saved = {r['unit_id']: r['territory_id'] for r in csv.DictReader(open(W + '/out/align/assignment.csv'))}
check(saved == page['afterRebalance'], 'the saved assignment is the map shown')
q = {r['territory_id']: float(r['quota']) for r in csv.DictReader(open(W + '/out/quota/quotas.csv'))}
check(sorted(q) == sorted(page['quotas']) and all(abs(q[t] - page['quotas'][t]) <= 0.006 for t in q),
      'the Quotas button shows quota/quotas.csv of the saved plan (%d territories)' % len(q))
summ = {r['scenario']: r for r in csv.DictReader(open(W + '/out/scenarios/scenarios_summary.csv'))}
check(sorted(summ) == sorted(page['scen']), 'the Scenarios button lists the scenarios of scenarios_summary.csv')
n = 0
for s, ms in page['scen'].items():
    for m, v in ms.items():
        f = summ[s][m + '_p50']
        ok = (v is None and f == '') or (v is not None and f != '' and abs(float(f) - v) <= 1e-9 * max(1, abs(v)))
        check(ok, 'scenario %s %s: page %s, scenarios_summary.csv %s' % (s, m, v, f))
        n += 1
print('%d scenario figures compared' % n)
sys.exit(1 if fails else 0)
EOF
echo "serve_polygons: ok"
