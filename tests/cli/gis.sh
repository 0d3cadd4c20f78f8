#!/bin/bash
# GIS input and output (issue 14): vector files as instances, boundaries
# joined to units.csv, rook/queen adjacency from the polygons, territories
# and units written as GeoJSON or GeoPackage. Every check recomputes from
# the files with GDAL's own tools (ogr2ogr, ogrinfo with SQLite/SpatiaLite
# SQL), independently of tqo.
# Usage: gis.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
F=tests/fixtures/gis
if ! command -v ogrinfo >/dev/null || ! command -v ogr2ogr >/dev/null; then
    echo "skip - ogrinfo/ogr2ogr (gdal-bin) not installed"
    exit 77
fi
# sql FILE QUERY: the values of the one result row, space-separated
sql() { ogrinfo -q -ro -dialect sqlite -sql "$2" "$1" 2>/dev/null | sed -n 's/^  [^ ]* ([A-Za-z]*) = //p' | tr '\n' ' '; }

# --- malformed files: the exact message, exit 2, nothing written
bad_case() { # description, expected message, tqo arguments...
    local d=$1 msg=$2; shift 2
    rm -rf "$tmp/out"
    "$TQO" validate "$@" -o "$tmp/out" >"$tmp/o" 2>"$tmp/e"
    local rc=$?
    if [ $rc -eq 2 ] && has "$tmp/e" "$msg" && [ ! -e "$tmp/out" ]; then ok "$d"; else
        bad "$d (exit $rc)"; indent <"$tmp/e"; fi
}
bad_case "missing id" "tqo: error: $F/missing_id.geojson: feature 2 (id ''): no 'unit_id' value" $F/missing_id.geojson
bad_case "duplicate id" "tqo: error: $F/duplicate_id.geojson: feature 3 (id 'A'): duplicate id (first in feature 1)" \
    $F/duplicate_id.geojson
bad_case "point geometry" "tqo: error: $F/point.geojson: feature 2 (id 'B'): a Point, not a polygon" $F/point.geojson
bad_case "empty geometry" "tqo: error: $F/empty.geojson: feature 2 (id 'B'): empty geometry" $F/empty.geojson
bad_case "polygon without unit" \
    "tqo: error: $F/mismatch/boundaries.geojson: feature 3 (id 'E'): no such unit in units.csv" $F/mismatch
bad_case "unit without polygon" "tqo: error: $F/mismatch/boundaries.geojson: unit 'C' of units.csv has no polygon" \
    $F/mismatch
bad_case "unknown --id-field" "tqo: error: $F/good.geojson: no field 'code' for the unit ids" $F/good.geojson \
    --id-field code
ogr2ogr -f "ESRI Shapefile" "$tmp/nocrs.shp" $F/good.geojson && rm -f "$tmp/nocrs.prj"
bad_case "no CRS" "tqo: error: $tmp/nocrs.shp: no coordinate reference system (--assume-crs names one" "$tmp/nocrs.shp"

# an invalid polygon GEOS repairs: a warning naming the unit, valid instance
"$TQO" validate $F/repaired.geojson --adjacency rook >"$tmp/o" 2>"$tmp/e"
rc=$?
if [ $rc -eq 0 ] && has "$tmp/e" "tqo: warning: $F/repaired.geojson: feature 2 (id 'B'): invalid polygon (Self-intersection" \
    && has "$tmp/o" "units        2"; then ok "bow-tie polygon repaired with a warning"; else
    bad "bow-tie polygon repaired (exit $rc)"; indent <"$tmp/e"; fi

# 2x2 squares: rook 4 pairs, queen 6; from a shapefile with --assume-crs and
# from a copy reprojected to Web Mercator (same graph, same locations)
graph() { # description, expected pairs, tqo arguments...
    local d=$1 n=$2; shift 2
    rm -rf "$tmp/g"
    "$TQO" validate "$@" -o "$tmp/g" -q 2>"$tmp/e"
    local got
    got=$(($(wc -l <"$tmp/g/adjacency.csv" 2>/dev/null || echo 0) - 1))
    if [ "$got" = "$n" ]; then ok "$d: $n pairs"; else bad "$d: $got pairs, expected $n"; indent <"$tmp/e"; fi
}
graph "rook on 2x2 squares" 4 $F/good.geojson --adjacency rook
graph "queen on 2x2 squares" 6 $F/good.geojson --adjacency queen
graph "shapefile without CRS, --assume-crs EPSG:4326" 4 "$tmp/nocrs.shp" --assume-crs EPSG:4326 --adjacency rook
ogr2ogr -t_srs EPSG:3857 "$tmp/merc.geojson" $F/good.geojson
graph "reprojected from EPSG:3857" 6 "$tmp/merc.geojson" --adjacency queen
"$TQO" validate "$tmp/merc.geojson" >"$tmp/o" 2>&1
if has "$tmp/o" "bounding box lat 0.50000 .. 1.50000, lon 0.50000 .. 1.50000"; then
    ok "reprojected file: locations back in WGS84 degrees"; else bad "reprojected locations"; indent <"$tmp/o"; fi
# a gap of ~5 m between two squares: apart without --snap, rook with --snap 20
cat >"$tmp/gap.geojson" <<'EOF'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"unit_id":"L"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
{"type":"Feature","properties":{"unit_id":"R"},"geometry":{"type":"Polygon","coordinates":[[[1.00005,0],[2,0],[2,1],[1.00005,1],[1.00005,0]]]}}]}
EOF
graph "5 m gap without --snap" 0 "$tmp/gap.geojson" --adjacency rook
graph "5 m gap with --snap 20" 1 "$tmp/gap.geojson" --adjacency rook --snap 20

# --- the US counties: the graph of adjacency.csv, territories as layers
US=$DATA/uscounties
if [ -f "$US/counties.geojson" ]; then
    "$TQO" validate "$US/counties.geojson" --adjacency rook -o "$tmp/us" >"$tmp/o" 2>"$tmp/e"
    if has "$tmp/o" "units        3,231" && has "$tmp/o" "(rook)"; then ok "counties.geojson: 3,231 units, rook";
    else bad "counties.geojson validate"; indent <"$tmp/o"; fi
    # Differences from adjacency.csv, each explained in docs/format.md: both
    # polygons of each pair are invalid in the file and GEOS's repair leaves
    # them meeting in a point, not a line.
    python3 - "$US/adjacency.csv" "$tmp/us/adjacency.csv" >"$tmp/cmp" 2>&1 <<'EOF'
import csv, sys
def pairs(p):
    return {tuple(sorted((r['unit_a'], r['unit_b']))) for r in csv.DictReader(open(p))}
ref, got = pairs(sys.argv[1]), pairs(sys.argv[2])
known = {('06001', '06075'), ('06001', '06099')}
print(len(ref), len(got), sorted(ref - got), sorted(got - ref))
sys.exit(0 if ref - got == known and not got - ref else 1)
EOF
    if [ $? -eq 0 ]; then ok "rook = adjacency.csv but for the 2 explained pairs ($(cat "$tmp/cmp"))"; else
        bad "rook against adjacency.csv"; indent <"$tmp/cmp"; fi

    "$TQO" align "$US/counties.geojson" -k 50 --balance places:10 --adjacency rook --starts 1 -o "$tmp/al" -q \
        2>"$tmp/e"
    t=$(sql "$tmp/al/territories.geojson" "SELECT COUNT(*), SUM(ST_IsValid(geometry)), SUM(ST_Area(geometry)) FROM territories")
    u=$(sql "$US/counties.geojson" "SELECT SUM(ST_Area(geometry)) FROM counties")
    read -r n nv ta <<<"$t"
    if [ "$n" = 50 ] && [ "$nv" = 50 ] && python3 -c "import sys; a,b=map(float,sys.argv[1:]); sys.exit(abs(a-b)>1e-6*b)" "$ta" "$u"
    then ok "territories.geojson: 50 valid features, area $ta = counties' $u"; else
        bad "territories.geojson: '$t' against counties' area '$u'"; indent <"$tmp/e"; fi
    # every unit once, with the territory of assignment.csv
    python3 - "$tmp/al" >"$tmp/cmp" 2>&1 <<'EOF'
import csv, json, sys
d = sys.argv[1]
feats = json.load(open(d + '/units.geojson'))['features']
main = {}
for r in csv.DictReader(open(d + '/assignment.csv')):
    s = float(r['share'])
    if s > main.get(r['unit_id'], ('', 0))[1]:
        main[r['unit_id']] = (r['territory_id'], s)
got = {f['properties']['unit_id']: f['properties']['territory_id'] for f in feats}
bad = [u for u in main if got.get(u) != main[u][0]]
print(len(feats), len(main), bad[:5])
sys.exit(0 if len(feats) == len(main) == 3231 and not bad else 1)
EOF
    if [ $? -eq 0 ]; then ok "units.geojson: each county once, in its assignment.csv territory"; else
        bad "units.geojson"; indent <"$tmp/cmp"; fi
else
    skip_part "$US/counties.geojson not present"
fi

# --- a GeoPackage with both layers, and all or nothing
"$TQO" align $F/good.geojson -k 2 --balance pop:50 --adjacency rook --gis-format gpkg -o "$tmp/gp" -q 2>"$tmp/e"
t=$(sql "$tmp/gp/territories.gpkg" "SELECT COUNT(*), SUM(ST_Area(geom)) FROM territories")
u=$(sql "$tmp/gp/territories.gpkg" "SELECT COUNT(*), SUM(ST_Area(geom)) FROM units")
if [ "$t" = "2 4 " ] && [ "$u" = "4 4 " ] && [ ! -e "$tmp/gp/territories.geojson" ]; then
    ok "--gis-format gpkg: layers territories (2) and units (4), area 4"; else
    bad "--gis-format gpkg: territories '$t', units '$u'"; indent <"$tmp/e"; fi
"$TQO" align $F/good.geojson -k 2 --balance pop:50 --gis-format shp -o "$tmp/bad" -q 2>"$tmp/e"
rc=$?
if [ $rc -ne 0 ] && has "$tmp/e" "--gis-format shp: expected geojson or gpkg" && [ ! -e "$tmp/bad" ]; then
    ok "--gis-format shp: an error, nothing written"; else bad "--gis-format shp (exit $rc)"; indent <"$tmp/e"; fi
finish
