#!/usr/bin/env python3
"""Checks a tqo quota run with a hierarchy from its files alone.

Usage: check_quota.py OUT [--target AMOUNT] [--nodes FILE] [--submissions FILE]
                          [--min-growth PCT] [--max-growth PCT] [--hierarchy FILE]

Recomputes, from OUT/quotas_rollup.csv and OUT/quotas.csv (and the input
files when named):
  - every node's children add up to its quota x (1 + over_assign/100), to
    the cent, and children_sum says so;
  - every node's last year is the sum of its territories' last years and
    its growth is quota / last year - 1;
  - bounds hold at every level: each node within [min, max] and at its
    target, the bands recomputed from nodes.csv and the company's growth
    bounds when they are given;
  - the top-down and the reconciled plans are both consistent trees within
    the bands, the reconciled one is the plan (quota) with submissions;
  - the company node equals the target and the territories of quotas.csv
    are the rollup's leaves with the same quotas;
  - the hierarchy file's parent of every node is the rollup's parent.
Prints one line per check; exit 1 on the first failure.
"""
import argparse
import csv
import math
import sys

TOL = 0.011  # a cent, and the float noise around it


def num(s):
    return float(s) if s not in ("", None) else math.nan


def fail(msg):
    print("not ok - " + msg)
    sys.exit(1)


def load_rollup(out):
    rows = list(csv.DictReader(open(out + "/quotas_rollup.csv")))
    nodes = {r["node_id"]: r for r in rows}
    if len(nodes) != len(rows):
        fail("node ids are unique")
    kids = {r["node_id"]: [] for r in rows}
    for r in rows:
        if r["parent_id"]:
            if r["parent_id"] not in nodes:
                fail("parent %s of %s is a node" % (r["parent_id"], r["node_id"]))
            kids[r["parent_id"]].append(r["node_id"])
    roots = [r for r in rows if not r["parent_id"]]
    if len(roots) != 1:
        fail("one root")
    return rows, nodes, kids, roots[0]


def check_tree(col, nodes, kids, label):
    """Each node's children add up to its value x (1 + oa)."""
    n = 0
    for v, r in nodes.items():
        if not kids[v]:
            continue
        q = num(r[col])
        if math.isnan(q):
            fail("%s: node %s has a value" % (label, v))
        oa = num(r["over_assign_pct"])
        s = sum(num(nodes[c][col]) for c in kids[v])
        want = q * (1 + oa / 100)
        if abs(s - want) > TOL * max(1, len(kids[v]) ** 0.5):
            fail("%s: children of %s add up to %.2f, not %.2f x %g = %.2f" % (label, v, s, q, 1 + oa / 100, want))
        if col == "quota" and abs(num(r["children_sum"]) - s) > TOL:
            fail("children_sum of %s: %s, recomputed %.2f" % (v, r["children_sum"], s))
        n += 1
    print("ok - %s: the children of %d nodes add up to their quota x (1 + over-assignment)" % (label, n))


def check_bands(col, nodes, label):
    n = 0
    for v, r in nodes.items():
        q = num(r[col])
        lo, hi, tg = num(r["min"]), num(r["max"]), num(r["target"])
        if not math.isnan(lo) and q < lo - TOL:
            fail("%s: %s = %.2f below its floor %.2f" % (label, v, q, lo))
        if not math.isnan(hi) and q > hi + TOL:
            fail("%s: %s = %.2f above its cap %.2f" % (label, v, q, hi))
        if not math.isnan(tg) and abs(q - tg) > TOL:
            fail("%s: %s = %.2f misses its target %.2f" % (label, v, q, tg))
        n += 1
    print("ok - %s: %d nodes within their bands and at their targets" % (label, n))


def expected_bands(a, nodes, kids):
    """The bands recomputed from nodes.csv and the company's bounds."""
    spec = {}
    if a.nodes:
        for r in csv.DictReader(open(a.nodes)):
            spec[r["id"]] = r
    for v, r in nodes.items():
        last = num(r["last_year"])
        s = spec.get(v, {})
        mn, mx = num(s.get("min_growth", "")), num(s.get("max_growth", ""))
        if not kids[v]:
            mn = a.min_growth if math.isnan(mn) and a.min_growth is not None else mn
            mx = a.max_growth if math.isnan(mx) and a.max_growth is not None else mx
        lo = last * (1 + mn / 100) if last > 0 and not math.isnan(mn) else math.nan
        hi = last * (1 + mx / 100) if last > 0 and not math.isnan(mx) else math.nan
        tg = num(s.get("target", ""))
        if not math.isnan(tg):
            lo = hi = tg
        if not math.isnan(lo) and lo > 0 and (math.isnan(num(r["min"])) or abs(lo - num(r["min"])) > TOL):
            fail("floor of %s: %s in the rollup, %.2f from the inputs" % (v, r["min"], lo))
        if not math.isnan(hi) and (math.isnan(num(r["max"])) or abs(hi - num(r["max"])) > TOL):
            fail("cap of %s: %s in the rollup, %.2f from the inputs" % (v, r["max"], hi))
        oa = num(s.get("over_assignment", ""))
        if not math.isnan(oa) and abs(oa - num(r["over_assign_pct"])) > 1e-9:
            fail("over-assignment of %s" % v)
    print("ok - the bands of %d nodes recomputed from the inputs" % len(nodes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--target", type=float)
    ap.add_argument("--nodes")
    ap.add_argument("--submissions")
    ap.add_argument("--hierarchy")
    ap.add_argument("--min-growth", type=float)
    ap.add_argument("--max-growth", type=float)
    a = ap.parse_args()
    rows, nodes, kids, root = load_rollup(a.out)
    if a.target is not None and abs(num(root["quota"]) - a.target) > TOL:
        fail("the company node %.2f is the target %.2f" % (num(root["quota"]), a.target))
    # leaves = quotas.csv
    q = {r["territory_id"]: r for r in csv.DictReader(open(a.out + "/quotas.csv"))}
    leaves = {v for v in nodes if not kids[v]}
    if set(q) != leaves:
        fail("the rollup's leaves are the territories of quotas.csv")
    for t, r in q.items():
        if abs(num(r["quota"]) - num(nodes[t]["quota"])) > 1e-9:
            fail("quota of %s in quotas.csv and the rollup" % t)
        if abs(num(r["last_year"]) - num(nodes[t]["last_year"])) > TOL:
            fail("last year of %s" % t)
    # last years and growth roll up
    def last(v):
        return num(nodes[v]["last_year"]) if not kids[v] else sum(last(c) for c in kids[v])
    for v, r in nodes.items():
        L = last(v)
        if abs(L - num(r["last_year"])) > TOL * (1 + len(leaves)):
            fail("last year of %s: %s, recomputed %.2f" % (v, r["last_year"], L))
        g = num(r["growth_pct"])
        if L > 0 and abs(g - 100 * (num(r["quota"]) / L - 1)) > 1e-3:
            fail("growth of %s" % v)
    print("ok - last years and growth of %d nodes roll up from %d territories" % (len(nodes), len(leaves)))
    sum_leaves = sum(num(nodes[v]["quota"]) for v in leaves)
    print("ok - company %.2f, territories add up to %.2f" % (num(root["quota"]), sum_leaves))
    check_tree("quota", nodes, kids, "plan")
    check_tree("top_down", nodes, kids, "top-down")
    check_bands("quota", nodes, "plan")
    check_bands("top_down", nodes, "top-down")
    expected_bands(a, nodes, kids)
    if a.hierarchy:
        for r in csv.DictReader(open(a.hierarchy)):
            levels = [c for c in r if c.lower().startswith("level:")]
            path = [r[c] for c in levels] + [r["territory_id"]]
            if r["territory_id"] not in nodes:
                continue
            for up, down in zip(["company"] + path[:-1], path):
                if nodes[down]["parent_id"] != up:
                    fail("parent of %s is %s in the hierarchy file" % (down, up))
        print("ok - every parent as in %s" % a.hierarchy)
    if a.submissions:
        subs = {r["node_id"]: num(r["value"]) for r in csv.DictReader(open(a.submissions))}
        for v, s in subs.items():
            r = nodes[v]
            if abs(num(r["submitted"]) - s) > 1e-6:
                fail("submitted value of %s" % v)
            if abs(num(r["reconciled"]) - num(r["quota"])) > 1e-9:
                fail("the plan is the reconciled one at %s" % v)
            if abs(num(r["gap_to_submitted"]) - (num(r["quota"]) - s)) > TOL:
                fail("gap of %s" % v)
        check_tree("reconciled", nodes, kids, "reconciled")
        check_bands("reconciled", nodes, "reconciled")
        print("ok - %d submissions shown with their gaps" % len(subs))
    print("# checked %d nodes" % len(nodes))


if __name__ == "__main__":
    main()
