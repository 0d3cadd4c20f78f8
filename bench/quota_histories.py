#!/usr/bin/env python3
"""Generated sales histories for the forecast bench (issue 19).

Usage: quota_histories.py OUT --years N [--territories P] [--regions R] [--seed S]

Writes a tqo instance OUT/ (units.csv, territories.csv, history.csv): one unit
per territory (its `current` territory), P territories under R regions, and N
years of quarterly sales from 2010Q1 on. Each quarter's sales of territory j
in region r, year t, quarter q:

    level_j x (1 + g_r + d_j)^t x season_r[q] x shock_jt x noise_jtq

  level_j     lognormal around 100,000 a year (sigma 0.6): territories of
              very different sizes
  g_r         the region's yearly growth, normal(4%, 3%)
  d_j         the territory's lasting deviation from it, normal(0, 2%)
  season_r    the region's quarter shares: 0.85, 0.95, 1.0, 1.2 each
              times normal(1, 0.05), normalised to mean 1
  shock_jt    a yearly shock, lognormal(sigma 0.06): a good or bad year
  noise_jtq   quarterly noise, lognormal(sigma 0.10)

so there is trend (regional and individual), seasonality and noise, and the
honest answer to "which forecast splits next year's number best" is not known
in advance. The same arguments give the same files (Python's random with the
seed). Python's standard library only.
"""
import argparse
import math
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--years", type=int, required=True)
    ap.add_argument("--territories", type=int, default=60)
    ap.add_argument("--regions", type=int, default=6)
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    if a.years < 2 or a.territories < 2 or a.regions < 1:
        ap.error("need --years >= 2, --territories >= 2, --regions >= 1")
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    regions = []
    for r in range(a.regions):
        s = [x * rng.gauss(1.0, 0.05) for x in (0.85, 0.95, 1.0, 1.2)]
        m = sum(s) / 4
        regions.append({"name": "R%02d" % (r + 1), "g": rng.gauss(0.04, 0.03), "season": [x / m for x in s]})
    terr = []
    for j in range(a.territories):
        reg = regions[j % a.regions]
        terr.append({"id": "T%03d" % (j + 1), "region": reg, "level": 100000 * math.exp(rng.gauss(0, 0.6)),
                     "d": rng.gauss(0, 0.02)})
    with open(os.path.join(a.out, "units.csv"), "w") as f:
        f.write("unit_id,lat,lon,accounts,region,current\n")
        for j, t in enumerate(terr):
            f.write("U%03d,%.4f,%.4f,%d,%s,%s\n" % (j + 1, 40 + (j % 10) * 0.5, -100 + (j // 10) * 0.5,
                                                 1 + int(t["level"] / 20000), t["region"]["name"], t["id"]))
    with open(os.path.join(a.out, "territories.csv"), "w") as f:
        f.write("territory_id,region\n")
        for t in terr:
            f.write("%s,%s\n" % (t["id"], t["region"]["name"]))
    with open(os.path.join(a.out, "history.csv"), "w") as f:
        f.write("unit_id,period,sales\n")
        for j, t in enumerate(terr):
            g = t["region"]["g"] + t["d"]
            for y in range(a.years):
                shock = math.exp(rng.gauss(0, 0.06))
                for q in range(4):
                    v = t["level"] / 4 * (1 + g) ** y * t["region"]["season"][q] * shock * math.exp(rng.gauss(0, 0.10))
                    f.write("U%03d,%dQ%d,%.2f\n" % (j + 1, 2010 + y, q + 1, v))


if __name__ == "__main__":
    main()
