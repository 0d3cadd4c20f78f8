#!/usr/bin/env python3
"""Free centres of an alignment, recomputed from its files: the gap between
summary.json's objective and lower bound, the number of territories (and
that each has units), and each centre inside the bounding box of its
territory's units widened by a margin in degrees (a centre of a territory
split across a curved border may sit a little outside the box).

Usage: check_centres.py INSTANCE OUT [--gap 0.005] [--territories K] [--margin 1e-9]
Exit 0 when all hold; the failures are printed."""
import argparse
import csv
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("instance")
    ap.add_argument("out")
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--territories", type=int)
    ap.add_argument("--margin", type=float, default=1e-9)
    a = ap.parse_args()
    s = json.load(open(a.out + "/summary.json"))
    obj, lb = s["objective"], s["lower_bound"]
    gap = (obj - lb) / obj
    ok = gap < a.gap
    if not ok:
        print("gap", gap)
    pos = {}
    for r in csv.DictReader(open(a.instance + "/units.csv")):
        pos[r["unit_id"]] = (float(r["lon"] if "lon" in r else r["x"]), float(r["lat"] if "lat" in r else r["y"]))
    box = {}
    for r in csv.DictReader(open(a.out + "/assignment.csv")):
        x, y = pos[r["unit_id"]]
        b = box.setdefault(r["territory_id"], [x, x, y, y])
        b[0], b[1], b[2], b[3] = min(b[0], x), max(b[1], x), min(b[2], y), max(b[3], y)
    terr = list(csv.DictReader(open(a.out + "/territories.csv")))
    if a.territories is not None and (len(terr) != a.territories or len(box) != a.territories):
        print("territories", len(terr), "with units", len(box))
        ok = False
    m = a.margin
    for r in terr:
        b = box.get(r["territory_id"])
        cx, cy = float(r["center_lon"]), float(r["center_lat"])
        if not b or not (b[0] - m <= cx <= b[1] + m and b[2] - m <= cy <= b[3] + m):
            print("centre outside its units' box:", r["territory_id"], cx, cy, b)
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
