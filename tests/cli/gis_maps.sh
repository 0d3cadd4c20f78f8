#!/bin/bash
# Maps as areas and generated boundaries (issue 14, parts 4 and 5):
# map.svg and report.html draw one polygon per unit with territory outlines
# when the instance has boundaries (dots otherwise), simplified without
# gaps or overlaps between neighbours; tqo generate --boundaries writes
# Voronoi cells that load with the folder, and whose rook graph is the
# Delaunay adjacency.csv less pairs cut away by the hull.
# Every check recomputes from the files (Python's XML and JSON parsers).
# Usage: gis_maps.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"

# svg_check FILE N: the map's units are N <path>s (no circles), valid XML,
# every path's data numbers; prints "units=N areas=A hull=H" where A is the
# sum of the unit areas and H the area of their vertices' convex hull.
svg_check() {
    python3 - "$1" "$2" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
units = root.find(f".//{NS}g[@id='units']")
paths = units.findall(f'.//{NS}path')
if units.findall(f'.//{NS}circle') or len(paths) != int(sys.argv[2]):
    sys.exit(f'units: {len(paths)} paths, {len(units.findall(f".//{NS}circle"))} circles')
if root.find(f".//{NS}path[@id='outlines']") is None:
    sys.exit('no territory outlines')
def area(ring):
    return sum(ring[i][0] * ring[i - 1][1] - ring[i - 1][0] * ring[i][1] for i in range(len(ring))) / 2
total, pts = 0.0, []
for p in paths:
    d = p.get('d')
    if not re.fullmatch(r'(M-?[0-9.]+ -?[0-9.]+( -?[0-9.]+ -?[0-9.]+)*Z)+', d):
        sys.exit('bad path data: ' + d[:80])
    rings = [[tuple(map(float, xy)) for xy in re.findall(r'(-?[0-9.]+) (-?[0-9.]+)', r)] for r in d.split('Z')[:-1]]
    # even-odd: the outer ring counts, holes subtract (a unit here has no holes)
    total += sum(abs(area(r)) for r in rings)
    pts += [q for r in rings for q in r]
P = sorted(set(pts))
def cr(o, a, b): return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
lo, up = [], []
for q in P:
    while len(lo) >= 2 and cr(lo[-2], lo[-1], q) <= 0: lo.pop()
    lo.append(q)
for q in reversed(P):
    while len(up) >= 2 and cr(up[-2], up[-1], q) <= 0: up.pop()
    up.append(q)
print(f'units={len(paths)} areas={total:.0f} hull={abs(area(lo[:-1] + up[:-1])):.0f}')
EOF
}

# --- generate --boundaries: planar and lat/lon instances load with polygons
for kind in planar geo; do
    flag=; [ $kind = geo ] && flag=--geo
    "$TQO" generate --units 600 --territories 6 --periods 0 $flag --boundaries -o "$tmp/g$kind" -q
    n=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["features"]; print(len(f), len({x["properties"]["unit_id"] for x in f}), {x["geometry"]["type"] for x in f})' "$tmp/g$kind/boundaries.geojson" 2>&1)
    if [ "$n" = "600 600 {'Polygon'}" ]; then ok "$kind: boundaries.geojson has 600 polygons, one per unit"; else
        bad "$kind: boundaries.geojson: $n"; fi
    "$TQO" validate "$tmp/g$kind" --adjacency rook -o "$tmp/v$kind" >"$tmp/o" 2>"$tmp/e"
    if [ $? -eq 0 ] && has "$tmp/o" "(rook)" && [ ! -s "$tmp/e" ]; then ok "$kind: loads without flags, rook adjacency"; else
        bad "$kind: validate --adjacency rook"; indent <"$tmp/o"; indent <"$tmp/e"; fi
    # Rook on the cells = the Delaunay graph, but for pairs whose shared
    # Voronoi edge lies outside the convex hull (cut away by the clipping):
    # no extra pair, and every missing one close to the hull.
    python3 - "$tmp/g$kind" "$tmp/v$kind/adjacency.csv" >"$tmp/cmp" 2>&1 <<'EOF'
import csv, math, sys
u = {r['unit_id']: r for r in csv.DictReader(open(sys.argv[1] + '/units.csv'))}
if 'lat' in next(iter(u.values())):
    k = math.cos(math.radians(sum(float(r['lat']) for r in u.values()) / len(u)))
    pts = {i: (float(r['lon']) * k, float(r['lat'])) for i, r in u.items()}
else:
    pts = {i: (float(r['x']), float(r['y'])) for i, r in u.items()}
def cr(o, a, b): return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
P, lo, up = sorted(set(pts.values())), [], []
for q in P:
    while len(lo) >= 2 and cr(lo[-2], lo[-1], q) <= 0: lo.pop()
    lo.append(q)
for q in reversed(P):
    while len(up) >= 2 and cr(up[-2], up[-1], q) <= 0: up.pop()
    up.append(q)
ring = lo[:-1] + up[:-1]
def dseg(p, a, b):
    dx, dy = b[0]-a[0], b[1]-a[1]; l2 = dx*dx + dy*dy
    t = max(0, min(1, ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / l2)) if l2 else 0
    return math.hypot(a[0] + t*dx - p[0], a[1] + t*dy - p[1])
def to_hull(p): return min(dseg(p, ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring)))
def pairs(p): return {tuple(sorted((r['unit_a'], r['unit_b']))) for r in csv.DictReader(open(p))}
ref, got = pairs(sys.argv[1] + '/adjacency.csv'), pairs(sys.argv[2])
L = sorted(math.dist(pts[a], pts[b]) for a, b in ref)
med = L[len(L) // 2]
miss = ref - got
far = max((min(to_hull(pts[a]), to_hull(pts[b])) / med for a, b in miss), default=0)
print(f'delaunay {len(ref)}, rook {len(got)}, missing {len(miss)} (all within {far:.1f} median edges of the hull), extra {len(got - ref)}')
sys.exit(0 if not got - ref and far < 6 and len(miss) < 0.03 * len(ref) else 1)
EOF
    if [ $? -eq 0 ]; then ok "$kind: rook = Delaunay but near the hull: $(cat "$tmp/cmp")"; else
        bad "$kind: rook against adjacency.csv"; indent <"$tmp/cmp"; fi
done

# --- map.svg: polygons that tile the area without gaps or overlaps
"$TQO" align "$tmp/ggeo" -k 6 --balance potential:10 -o "$tmp/al" -q 2>"$tmp/e"
if svg_check "$tmp/al/map.svg" 600 >"$tmp/s" 2>&1; then
    # the cells cover the hull of the units once: the unit areas add up to it
    if python3 -c 'import re,sys; a,h=map(float,re.findall(r"areas=(\d+) hull=(\d+)",open(sys.argv[1]).read())[0]); sys.exit(abs(a-h)>0.01*h)' "$tmp/s"
    then ok "map.svg: 600 unit polygons and outlines, areas add up to the hull ($(cat "$tmp/s"))"
    else bad "map.svg: the unit areas are not the hull's ($(cat "$tmp/s"))"; fi
else bad "map.svg of a GIS instance"; indent <"$tmp/s"; fi
size=$(wc -c <"$tmp/al/map.svg")
if [ "$size" -gt 20000 ] && [ "$size" -lt 400000 ]; then ok "map.svg size $size bytes"; else bad "map.svg size $size"; fi

# --- dots remain for instances without boundaries
"$TQO" generate --units 300 --territories 4 --periods 0 -o "$tmp/plain" -q
"$TQO" align "$tmp/plain" -k 4 --balance potential:10 -o "$tmp/alp" -q 2>"$tmp/e"
c=$(grep -c '<circle' "$tmp/alp/map.svg"); o=$(grep -c 'id="outlines"' "$tmp/alp/map.svg")
if [ "$c" -eq 300 ] && [ "$o" -eq 0 ]; then ok "without boundaries: 300 dots, no outlines"; else
    bad "without boundaries: $c circles, $o outlines"; fi

# --- the report of the 3,231 counties: polygons, under 3 MB
US=$DATA/uscounties
if [ "${TQO_SKIP_SLOW:-0}" = 1 ]; then
    skip_part "the counties report (TQO_SKIP_SLOW)"
elif [ -f "$US/counties.geojson" ]; then
    "$TQO" plan "$US/counties.geojson" -k 50 --balance places:10 --adjacency rook --starts 1 -o "$tmp/pl" -q \
        >/dev/null 2>"$tmp/e"
    size=$(wc -c <"$tmp/pl/report.html" 2>/dev/null || echo 0)
    n=$(python3 -c 'import re,sys; s=open(sys.argv[1]).read(); g=s[s.index("<g id=\"tqo-units\">"):s.index("<g id=\"tqo-centres\">")]; print(len(re.findall("<path[ >]", g)), g.count("<circle"))' "$tmp/pl/report.html" 2>&1)
    if [ "$n" = "3232 0" ] && [ "$size" -gt 100000 ] && [ "$size" -lt 3000000 ]; then
        ok "counties report: 3,231 unit polygons and the outlines, $size bytes"
    else bad "counties report: paths/circles '$n', $size bytes"; indent <"$tmp/e"; fi
else
    skip_part "no $US/counties.geojson"
fi
finish
