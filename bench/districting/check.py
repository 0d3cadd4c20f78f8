#!/usr/bin/python3
"""Independent check of a `tqo align` plan on a commdis instance.

Everything is recomputed from the commdis file and OUT/assignment.csv; of
OUT/summary.json only the figures tqo claims (diameter, lower bound) are read,
to be compared with the recomputed ones, never used in their place.

Checks: every unit in exactly one district, whole (share 1); exactly p
non-empty districts; each district's total of each activity within
[(1 - tau) mu, (1 + tau) mu], mu = total / p (the literature's balance;
1e-9 relative slack for rounding); each district connected in the file's
graph; the diameter (the largest Euclidean distance between two units of one
district, by brute force over all pairs) equal to the one tqo reports, and
the reported lower bound not above it.

Usage: check.py INSTANCE.in OUT [--json]
Exit status 0 when every check passes, 1 when one fails, 2 on unreadable input.
"""
import argparse
import csv
import json
import math
import os
import sys


def read_commdis(path):
    with open(path) as f:
        lines = [ln.split() for ln in f if ln.strip()]
    n = int(lines[0][0])
    ids, xy, act = [], [], []
    for row in lines[1:1 + n]:
        ids.append(row[0])
        xy.append((float(row[1]), float(row[2])))
        act.append(tuple(float(v) for v in row[3:6]))
    m = int(lines[1 + n][0])
    index = {u: i for i, u in enumerate(ids)}
    edges = [(index[a], index[b]) for a, b in lines[2 + n:2 + n + m]]
    last = lines[2 + n + m]
    return {"n": n, "ids": ids, "xy": xy, "act": act, "edges": edges, "p": int(last[0]),
            "tau": [float(v) for v in last[2:5]]}


def read_assignment(path, inst):
    index = {u: i for i, u in enumerate(inst["ids"])}
    terr = [None] * inst["n"]
    problems = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            i = index.get(row["unit_id"])
            if i is None:
                problems.append("unknown unit %s" % row["unit_id"])
            elif terr[i] is not None:
                problems.append("unit %s is in more than one district (split)" % row["unit_id"])
            elif abs(float(row.get("share", 1)) - 1) > 1e-9:
                problems.append("unit %s has share %s" % (row["unit_id"], row["share"]))
            else:
                terr[i] = row["territory_id"]
    missing = [inst["ids"][i] for i, t in enumerate(terr) if t is None]
    if missing:
        problems.append("%d units unassigned (first %s)" % (len(missing), missing[0]))
    return terr, problems


def diameter(pts):
    """Largest pairwise distance, all pairs (numpy when present)."""
    if len(pts) < 2:
        return 0.0
    try:
        import numpy
        a = numpy.array(pts)
        best = 0.0
        for s in range(0, len(a), 512):  # blocks keep memory small
            d = a[s:s + 512, None, :] - a[None, :, :]
            best = max(best, float(numpy.sqrt((d * d).sum(axis=2)).max()))
        return best
    except ImportError:
        return max(math.dist(p, q) for i, p in enumerate(pts) for q in pts[i + 1:])


def connected(members, adj):
    if not members:
        return False
    inside = set(members)
    seen = {members[0]}
    stack = [members[0]]
    while stack:
        u = stack.pop()
        for v in adj[u]:
            if v in inside and v not in seen:
                seen.add(v)
                stack.append(v)
    return len(seen) == len(inside)


def check(inst_path, out_dir):
    """The recomputed figures and the list of failures."""
    inst = read_commdis(inst_path)
    terr, fails = read_assignment(os.path.join(out_dir, "assignment.csv"), inst)
    groups = {}
    for i, t in enumerate(terr):
        if t is not None:
            groups.setdefault(t, []).append(i)
    if len(groups) != inst["p"]:
        fails.append("%d non-empty districts, p = %d" % (len(groups), inst["p"]))
    totals = [sum(a[k] for a in inst["act"]) for k in range(3)]
    mu = [t / inst["p"] for t in totals]
    worst_dev, excess = 0.0, 0.0
    for t, members in sorted(groups.items()):
        for k in range(3):
            dev = abs(sum(inst["act"][i][k] for i in members) - mu[k]) / mu[k]
            worst_dev = max(worst_dev, dev)
            if dev > inst["tau"][k] * (1 + 1e-9):
                excess = max(excess, dev - inst["tau"][k])
                fails.append("district %s: activity a%d off its mean by %.4f%% (tau %g%%)"
                             % (t, k + 1, 100 * dev, 100 * inst["tau"][k]))
    adj = [[] for _ in range(inst["n"])]
    for u, v in inst["edges"]:
        adj[u].append(v)
        adj[v].append(u)
    disconnected = [t for t, members in sorted(groups.items()) if not connected(members, adj)]
    for t in disconnected:
        fails.append("district %s is not connected" % t)
    diam = {t: diameter([inst["xy"][i] for i in members]) for t, members in groups.items()}
    res = {"n": inst["n"], "p": inst["p"], "districts": len(groups),
           "diameter": max(diam.values()) if diam else float("nan"),
           "max_dev_pct": 100 * worst_dev, "balance_excess_pct": 100 * excess,
           "balanced": excess == 0 and not any("activity" in f for f in fails),
           "connected": not disconnected and len(groups) == inst["p"]}
    claimed = claims(os.path.join(out_dir, "summary.json"))
    res.update(claimed)
    if claimed.get("reported_diameter") is not None and res["diameter"] > 0:
        rel = abs(claimed["reported_diameter"] - res["diameter"]) / res["diameter"]
        if rel > 1e-6:
            fails.append("reported diameter %.6f, recomputed %.6f" % (claimed["reported_diameter"], res["diameter"]))
    lb = claimed.get("lower_bound")
    if lb is not None and lb > res["diameter"] * (1 + 1e-9):
        fails.append("lower bound %.6f above the plan's diameter %.6f" % (lb, res["diameter"]))
    res["failures"] = fails
    res["ok"] = not fails
    return res


def claims(summary_path):
    """What tqo claims for the diameter objective: the diameter, the lower
    bound and the gap, wherever this build's summary.json keeps them
    (objective 'diameter' runs), and the search's counts when given."""
    try:
        with open(summary_path) as f:
            s = json.load(f)
    except (OSError, ValueError):
        return {"objective": None}
    par = s.get("parameters", {})
    obj = par.get("objective", s.get("objective_kind", "moment"))
    out = {"objective": obj if isinstance(obj, str) else "moment", "seconds_reported": s.get("seconds", {}).get("total")}
    d = s.get("diameter")
    if isinstance(d, dict):
        out["reported_diameter"] = d.get("max", d.get("value"))
    for key in ("minmax", "diameter_objective", "objective_diameter"):
        block = s.get(key)
        if isinstance(block, dict):
            out["reported_diameter"] = block.get("value", block.get("max", out.get("reported_diameter")))
            out["lower_bound"] = block.get("lower_bound")
            out["gap"] = block.get("gap")
            out["bounds"] = {k: v for k, v in block.items() if "bound" in k and k != "lower_bound"}
            out["counts"] = {k: v for k, v in block.items() if k in ("moves", "swaps", "evals", "evaluations")}
            break
    else:
        if isinstance(d, dict) and "lower_bound" in d:
            out["lower_bound"], out["gap"] = d.get("lower_bound"), d.get("gap")
            out["bounds"] = d.get("bounds", {})
            search = d.get("search", {})
            out["counts"] = {"moves": search.get("moves"), "swaps": search.get("swaps"),
                             "evals": search.get("distance_evaluations")}
        elif out["objective"] == "diameter":
            out["lower_bound"], out["gap"] = s.get("lower_bound"), s.get("gap")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instance")
    ap.add_argument("out")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    try:
        res = check(a.instance, a.out)
    except (OSError, ValueError, KeyError, IndexError) as e:
        print("check.py: cannot read %s / %s: %s" % (a.instance, a.out, e), file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(res, indent=1, sort_keys=True))
    else:
        for f in res["failures"]:
            print("FAIL: " + f)
        print("diameter %.4f, largest deviation %.3f%%, %s, %s"
              % (res["diameter"], res["max_dev_pct"], "balanced" if res["balanced"] else "NOT balanced",
                 "connected" if res["connected"] else "NOT connected"))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
