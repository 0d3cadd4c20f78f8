#!/usr/bin/env python3
"""Recomputes `--forecast shrink` from an instance's files alone and compares
it with the forecast column of quotas.csv.

Usage: check_shrink.py INSTANCE QUOTA_DIR MODE
  MODE  hierarchy: each territory's parent is its innermost level: column
        of territories.csv (the node just above it in the quota hierarchy)
        region: no hierarchy; territories.csv's region column, else one
        group of all territories (every region empty)

The territories are the units.csv 'current' column (quota's default
assignment), the history is summed into calendar years (complete years
only), and for each territory:
  own    = damped trend forecast of its yearly totals, one year ahead
  g      = its parent's damped growth (the parent's totals: the sum of its
           territories')
  w      = tau2 / (tau2 + s2 / n), James-Stein: tau2 the spread of the
           territories' mean growth deviations from their parent's, s2 the
           pooled within-territory variance of those deviations
  value  = last * (1 + g + w * (own / last - 1 - g))
Prints the parents used and exits 1 on any forecast that differs by more
than a cent (quotas.csv has cents).
"""
import csv
import math
import sys
from collections import OrderedDict

PHI = (0.8, 0.9, 0.95, 0.98)


def damped_with(y, h, a, b, phi):
    lvl, tr, sse = y[0], (y[1] - y[0]) if len(y) > 1 else 0.0, 0.0
    for t in range(1, len(y)):
        f = lvl + phi * tr
        if t >= 2:
            sse += (y[t] - f) ** 2
        ln = a * y[t] + (1 - a) * f
        tr = b * (ln - lvl) + (1 - b) * phi * tr
        lvl = ln
    return lvl + sum(phi ** i for i in range(1, h + 1)) * tr, sse


def damped(y, h=1):
    a, b, ph = 0.5, 0.3, 0.9  # below 4 years the defaults stand
    if len(y) >= 4:
        best = math.inf
        for i in range(1, 11):
            for j in range(0, 6):
                for phi in PHI:
                    sse = damped_with(y, 1, 0.1 * i, 0.1 * j, phi)[1]
                    if sse < best - 1e-12 * best:
                        best, a, b, ph = sse, 0.1 * i, 0.1 * j, phi
    return damped_with(y, h, a, b, ph)[0]


def main():
    inst, qdir, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    unit_terr = {r["unit_id"]: r["current"] for r in csv.DictReader(open(inst + "/units.csv"))}
    years = {}
    for r in csv.DictReader(open(inst + "/history.csv")):
        yr, q = r["period"].split("Q")
        key = (unit_terr[r["unit_id"]], int(yr))
        years.setdefault(int(yr), set()).add(int(q))
        years[key] = years.get(key, 0.0) + float(r["sales"])
    full = sorted(y for y in years if isinstance(y, int) and len(years[y]) == 4)
    terr = list(OrderedDict((r["territory_id"], 1) for r in csv.DictReader(open(qdir + "/quotas.csv"))))
    rows = {r["territory_id"]: r for r in csv.DictReader(open(inst + "/territories.csv"))}
    levels = [c for c in next(csv.reader(open(inst + "/territories.csv"))) if c.startswith("level:")]
    if mode == "hierarchy":
        parent = {t: rows[t][levels[-1]] for t in terr}
    else:
        parent = {t: rows.get(t, {}).get("region", "") or "" for t in terr}
    ty = {t: [years.get((t, y), 0.0) for y in full] for t in terr}
    py = {}
    for t in terr:
        acc = py.setdefault(parent[t], [0.0] * len(full))
        for k, v in enumerate(ty[t]):
            acc[k] += v
    gp = {g: (damped(v) / v[-1] - 1 if v[-1] > 0 else 0.0) for g, v in py.items()}
    # the shrinkage weights
    mean, n, ss = {}, {}, 0.0
    for t in terr:
        dev = [ty[t][k] / ty[t][k - 1] - py[parent[t]][k] / py[parent[t]][k - 1]
               for k in range(1, len(full)) if ty[t][k - 1] > 0 and py[parent[t]][k - 1] > 0]
        n[t] = len(dev)
        mean[t] = sum(dev) / len(dev) if dev else 0.0
        ss += sum((d - mean[t]) ** 2 for d in dev)
    seen = [t for t in terr if n[t] > 0]
    dof = sum(n[t] - 1 for t in seen)
    s2 = ss / dof if dof > 0 else math.nan
    tau2 = (max(0.0, sum(mean[t] ** 2 for t in seen) / len(seen) - s2 * sum(1.0 / n[t] for t in seen) / len(seen))
            if seen and math.isfinite(s2) else math.nan)
    got = {r["territory_id"]: float(r["forecast"]) for r in csv.DictReader(open(qdir + "/quotas.csv"))}
    fails = 0
    for t in terr:
        if not math.isfinite(tau2) or n[t] == 0:
            w = 0.0 if math.isfinite(tau2) else 0.5
        else:
            w = tau2 / (tau2 + s2 / n[t]) if tau2 + s2 / n[t] > 0 else 1.0
        y = ty[t]
        own = damped(y)
        want = y[-1] * (1 + gp[parent[t]] + w * (own / y[-1] - 1 - gp[parent[t]])) if y[-1] > 0 else own
        want = max(want, 0.0)
        if abs(want - got[t]) > 0.0051:
            fails += 1
            print("FAIL %s (parent %r): forecast %.2f, recomputed %.4f" % (t, parent[t], got[t], want))
    print("%s: %d territories under %d parents (%s), years %s, %d forecasts differ"
          % (mode, len(terr), len(py), ", ".join(sorted(py)), full, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
