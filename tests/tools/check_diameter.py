#!/usr/bin/env python3
"""Checks a `tqo align --objective diameter|center` run on a commdis file
from the output files alone, by brute force:

  check_diameter.py OBJ COMMDIS OUT [--enumerate]

- every unit assigned once, whole; p territories; balance within tau of
  total/p for each activity; each territory connected on the file's edges;
- OBJ diameter: the largest distance between two units of one territory,
  all pairs; OBJ center: the largest distance from a unit to its territory's
  best centre unit (all centres tried), and the centre units written are
  centres that attain each territory's radius;
- summary.json's OBJ.max and per-territory values equal those, its
  lower_bound <= the value and its gap = (value - lower_bound) / value;
- the dispersion bound recomputed (farthest-first from the same starts)
  equals the one written, and the lower bound is the best of the bounds;
- with --enumerate (a dozen or two units, 2 territories): every balanced,
  connected plan is enumerated; the optimum is printed as `optimum X`, and
  lower_bound <= optimum <= the plan's value is checked.
Prints `value X` and `lower_bound Y`; exits 1 with the reason on a failure.
"""
import csv
import itertools
import json
import math
import sys
from collections import defaultdict


def read_commdis(path):
    lines = [l.split() for l in open(path).read().split("\n") if l.strip()]
    n = int(lines[0][0])
    units, order = {}, []
    for l in lines[1:1 + n]:
        units[l[0]] = (float(l[1]), float(l[2]), [float(v) for v in l[3:6]])
        order.append(l[0])
    m = int(lines[1 + n][0])
    edges = [tuple(l[:2]) for l in lines[2 + n:2 + n + m]]
    p, _, *tau = lines[2 + n + m]
    return units, order, edges, int(p), [float(t) for t in tau]


def dist(a, b):
    return math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)


def value(obj, pts):
    """Diameter, or (radius, [centres attaining it]) of a list of points."""
    if len(pts) < 2:
        return 0.0 if obj == "diameter" else (0.0, None)
    if obj == "diameter":
        return max(dist(a, b) for a, b in itertools.combinations(pts, 2))
    ecc = [max(dist(c, v) for v in pts) for c in pts]
    best = min(ecc)
    return best, [k for k, e in enumerate(ecc) if e == best]


def connected(members, adj):
    members = set(members)
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        for w in adj[stack.pop()]:
            if w in members and w not in seen:
                seen.add(w)
                stack.append(w)
    return len(seen) == len(members)


def balanced(groups, units, p, tau):
    for k in range(len(tau)):
        mean = sum(u[2][k] for u in units.values()) / p
        for g in groups:
            tot = sum(units[u][2][k] for u in g)
            if abs(tot - mean) > tau[k] * mean * (1 + 1e-9):
                return False
    return True


def dispersion(pts, p):
    """Farthest-first from units 0, n/3, 2n/3 and the farthest from 0."""
    n = len(pts)
    if n < p + 1:
        return 0.0
    far0 = max(range(n), key=lambda v: (dist(pts[0], pts[v]), -v))
    best = 0.0
    for s in (0, n // 3, 2 * n // 3, far0):
        mind = [dist(pts[s], q) for q in pts]
        delta = math.inf
        for _ in range(p):
            far = max(range(n), key=lambda v: (mind[v], -v))
            delta = min(delta, mind[far])
            mind = [min(mind[v], dist(pts[far], pts[v])) for v in range(n)]
        best = max(best, delta)
    return best


def candidate_masks(units, rest, p, tau):
    """Every mask whose plan may be balanced: a numpy prefilter on the
    activity sums with a looser tolerance than balanced(), which still
    decides each one (all masks without numpy)."""
    try:
        import numpy as np
    except ImportError:
        return range(1 << len(rest))
    ok = None
    for k in range(len(tau)):
        total = sum(u[2][k] for u in units.values())
        mean, tb = total / p, np.zeros(1)
        for u in rest:  # tb[mask] = the activity of the units in mask
            tb = np.concatenate([tb, tb + units[u][2][k]])
        lim = tau[k] * abs(mean) * (1 + 1e-6) + 1e-9 * abs(mean)
        good = (np.abs(tb - mean) <= lim) & (np.abs(total - tb - mean) <= lim)
        ok = good if ok is None else ok & good
    return [int(m) for m in np.nonzero(ok)[0]]


def enumerate_optimum(obj, units, order, adj, p, tau):
    assert p == 2 and len(order) <= 22, "enumeration: 2 territories, at most 22 units"
    best = math.inf
    first, rest = order[0], order[1:]
    for mask in candidate_masks(units, rest, p, tau):
        a = [first] + [u for k, u in enumerate(rest) if not mask >> k & 1]
        b = [u for k, u in enumerate(rest) if mask >> k & 1]
        if not b or not balanced([a, b], units, p, tau) or not connected(a, adj) or not connected(b, adj):
            continue
        vals = []
        for g in (a, b):
            v = value(obj, [units[u] for u in g])
            vals.append(v if obj == "diameter" else v[0])
        best = min(best, max(vals))
    return best


def main():
    obj, path, out = sys.argv[1:4]
    units, order, edges, p, tau = read_commdis(path)
    adj = defaultdict(list)
    for u, v in edges:
        adj[u].append(v)
        adj[v].append(u)
    terr = {}
    for r in csv.DictReader(open(out + "/assignment.csv")):
        assert r["unit_id"] not in terr, ("assigned twice", r["unit_id"])
        assert float(r["share"]) == 1.0, ("split", r["unit_id"])
        terr[r["unit_id"]] = r["territory_id"]
    assert set(terr) == set(units), "every unit assigned"
    s = json.load(open(out + "/summary.json"))
    ids = sorted(set(terr.values()))
    assert len(ids) == p == s["territories"], (len(ids), p)
    groups = {t: [u for u in order if terr[u] == t] for t in ids}
    assert balanced(groups.values(), units, p, tau), "balance within tau"
    for t, g in groups.items():
        assert connected(g, adj), ("territory not connected", t)
    d = s[obj]
    tids = [r["territory_id"] for r in csv.DictReader(open(out + "/territories.csv"))]
    vals = []
    for k, t in enumerate(tids):
        pts = [units[u] for u in groups.get(t, [])]
        v = value(obj, pts)
        if obj == "center":
            v, centres = v
            if centres is not None:
                cu = d["centre_units"][k]
                assert cu in groups[t] and groups[t].index(cu) in centres, ("centre unit", t, cu)
        vals.append(v)
        assert abs(d["territories"][k] - v) <= 1e-9 * max(v, 1), ("territory value", t, d["territories"][k], v)
    val = max(vals)
    assert abs(d["max"] - val) <= 1e-9 * val, ("value", d["max"], val)
    lb, gap = d["lower_bound"], d["gap"]
    assert lb <= val * (1 + 1e-12), ("lower bound above the value", lb, val)
    assert abs(gap - (val - lb) / val) <= 1e-9, ("gap", gap, (val - lb) / val)
    disp = dispersion([units[u] for u in order], p) / (2 if obj == "center" else 1)
    assert abs(d["bounds"]["dispersion"] - disp) <= 1e-9 * max(disp, 1), ("dispersion", d["bounds"], disp)
    want = max(d["bounds"].values())
    assert abs(lb - want) <= 1e-12 * max(want, 1), ("best of the bounds", lb, d["bounds"])
    print("value %.12g" % val)
    print("lower_bound %.12g" % lb)
    if "--enumerate" in sys.argv:
        opt = enumerate_optimum(obj, units, order, adj, p, tau)
        assert lb <= opt * (1 + 1e-12) and opt <= val * (1 + 1e-12), ("bound <= optimum <= value", lb, opt, val)
        print("optimum %.12g" % opt)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("check_diameter: %s" % (e,))
        sys.exit(1)
