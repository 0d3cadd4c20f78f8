#!/bin/bash
# --adjacency delaunay on degenerate and spherical point sets (issue 16):
# units all at one point, twins and collinear points give a stated graph
# and a warning that says why; lat/lon is triangulated on the sphere, so
# points across the 180th meridian, around a pole and over the whole globe
# get the spherical Delaunay graph. The expected pairs are recounted here
# by brute force (every triple whose circumcap is empty) in plain Python.
set -u
TQO=${1:?usage: delaunay_degenerate.sh TQO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "python3 missing"; exit 77; }

# pairs and components that validate reports for folder $1
pairs() { python3 -c "import json,sys; a=json.load(open(sys.argv[1]))['adjacency']; print(a['pairs'], a['components'])" "$1/validation.json"; }

# --- 50 units at one point: all neighbours of each other, a warning, and
# align then balances (it said 'could not be balanced ... 188%' before)
mkdir -p "$tmp/one"
{ echo "unit_id,x,y,w"; for i in $(seq 1 50); do echo "u$i,3,4,$((i % 7 + 1))"; done; } >"$tmp/one/units.csv"
"$TQO" validate "$tmp/one" --adjacency delaunay -o "$tmp/v1" >"$tmp/out" 2>"$tmp/err"
if grep -q "all 50 units are at one point" "$tmp/err" && [ "$(pairs "$tmp/v1")" = "1225 1" ]; then
    ok "one point: warning, 1225 pairs (every two units), connected"
else bad "one point: $(cat "$tmp/err") $(pairs "$tmp/v1" 2>&1)"; fi
if "$TQO" align "$tmp/one" -k 5 --balance w:10 --adjacency delaunay -o "$tmp/a1" >"$tmp/out" 2>"$tmp/err" &&
    python3 - "$tmp/one/units.csv" "$tmp/a1/assignment.csv" <<'PY'
import csv, sys
w = {r['unit_id']: float(r['w']) for r in csv.DictReader(open(sys.argv[1]))}
tot, seen = {}, {}
for r in csv.DictReader(open(sys.argv[2])):
    s = float(r.get('share') or 1)
    tot[r['territory_id']] = tot.get(r['territory_id'], 0) + s * w[r['unit_id']]
    seen[r['unit_id']] = seen.get(r['unit_id'], 0) + s
assert all(abs(v - 1) < 1e-9 for v in seen.values()) and len(seen) == 50, 'every unit once'
t = sum(w.values()) / 5
dev = max(abs(v - t) / t * 100 for v in tot.values())
assert len(tot) == 5 and dev <= 10 + 1e-6, f'deviation {dev}'
print(f'5 territories, largest deviation {dev:.2f}%')
PY
then ok "one point: align balances within 10% (recomputed)"; else bad "one point: align: $(tail -3 "$tmp/err")"; fi

# --- collinear points with a twin: a chain along the line, the twin with
# its place's neighbours, and a warning
mkdir -p "$tmp/line"
{ echo "unit_id,x,y,w"; for i in 0 3 1 7 2 6 4 5; do echo "p$i,$((10 + i)),$((1 + 2 * i)),1"; done; echo "twin,13,7,1"; } >"$tmp/line/units.csv"
"$TQO" validate "$tmp/line" --adjacency delaunay -o "$tmp/v2" >"$tmp/out" 2>"$tmp/err"
# 7 links of the chain of 8 places, the twin to p3 and to p3's two neighbours
if grep -q "8 distinct points of the units lie on one line" "$tmp/err" && [ "$(pairs "$tmp/v2")" = "10 1" ]; then
    ok "collinear: warning, 10 pairs"
else bad "collinear: $(cat "$tmp/err") $(pairs "$tmp/v2" 2>&1)"; fi

# --- lat/lon: brute-force spherical Delaunay against tqo's count
cat >"$tmp/sphere.py" <<'PY'
import math, random, sys
def unit(lat, lon):
    f, l = math.radians(lat), math.radians(lon)
    return (math.cos(f) * math.cos(l), math.cos(f) * math.sin(l), math.sin(f))
def sub(a, b): return (a[0] - b[0], a[1] - b[1], a[2] - b[2])
def dot(a, b): return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
def cross(a, b): return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
def expected(pts):
    """Spherical Delaunay pairs as docs/reliability.md defines them: within
    a hemisphere of the mean direction c, the triangles with an empty
    circumcap that leaves out -c (the stereographic image's Delaunay
    triangles); wider, the hull facets of the points and the origin that
    do not pass through the origin."""
    P = [unit(a, b) for a, b in pts]
    s = [sum(p[d] for p in P) for d in range(3)]
    L = math.sqrt(dot(s, s))
    c = tuple(x / L for x in s) if L > 1e-9 * len(P) else None
    wide = c is None or min(dot(p, c) for p in P) < 1e-6
    far = (0.0, 0.0, 0.0) if wide else tuple(-x for x in c)
    E = set()
    n = len(P)
    for i in range(n):
        for j in range(i + 1, n):
            for k in range(j + 1, n):
                nv = cross(sub(P[j], P[i]), sub(P[k], P[i]))
                side = [dot(nv, sub(P[q], P[i])) for q in range(n) if q not in (i, j, k)]
                o = dot(nv, sub(far, P[i]))
                for sg in (1, -1):  # the cap on side sg empty, far point not in it
                    if all(sg * v < 0 for v in side) and sg * o < 0:
                        E |= {(i, j), (i, k), (j, k)}
    return E, P
def crosses(pts, E):
    return sum(1 for i, j in E if (pts[i][1] > 0) != (pts[j][1] > 0) and abs(pts[i][1] - pts[j][1]) > 180)
kind, path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(seed)
if kind == 'fiji':       # both sides of the 180th meridian
    pts = [(-16 - 3 * rnd.random(), 177 + 6 * rnd.random()) for _ in range(30)]
elif kind == 'aleutians':
    pts = [(51 + 3 * rnd.random(), 172 + 20 * rnd.random()) for _ in range(30)]
elif kind == 'pole':     # around the north pole, one at it
    pts = [(84 + 5.5 * rnd.random(), 360 * rnd.random() - 180) for _ in range(29)] + [(90, 0)]
else:                    # the whole globe
    pts = [(math.degrees(math.asin(2 * rnd.random() - 1)), 360 * rnd.random() - 180) for _ in range(30)]
pts = [(a, b - 360 if b >= 180 else b) for a, b in pts]
with open(path, 'w') as f:
    f.write('unit_id,lat,lon,w\n')
    for i, (a, b) in enumerate(pts):
        f.write(f'u{i},{a:.6f},{b:.6f},1\n')
pts = [(float(f'{a:.6f}'), float(f'{b:.6f}')) for a, b in pts]
E, P = expected(pts)
print(len(E), crosses(pts, E))
PY
for kind in fiji aleutians pole globe; do
    mkdir -p "$tmp/$kind"
    read -r want cross < <(python3 "$tmp/sphere.py" $kind "$tmp/$kind/units.csv" 7)
    "$TQO" validate "$tmp/$kind" --adjacency delaunay -o "$tmp/v_$kind" >"$tmp/out" 2>"$tmp/err"
    got=$(pairs "$tmp/v_$kind" 2>&1)
    if [ "$got" = "$want 1" ]; then
        ok "$kind: $want pairs as the brute-force spherical Delaunay ($cross across the 180th meridian)"
    else bad "$kind: tqo says '$got', the sphere '$want 1' $(cat "$tmp/err")"; fi
done
[ "$fails" -eq 0 ] && echo "delaunay_degenerate: all passed" && exit 0
echo "delaunay_degenerate: $fails failed"
exit 1
