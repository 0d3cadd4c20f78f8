#!/usr/bin/python3
"""Solves an LP in free MPS format (as GLPK writes it) with HiGHS through
Debian's python3-scipy, for side-by-side timing against tqo. Prints one
line: solver, status, objective, seconds (the solve alone, not the read).
Usage: /usr/bin/python3 bench/highs_mps.py MODEL.mps [--method highs|highs-ds|highs-ipm]
Integer markers are ignored: this solves the LP relaxation."""
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix


def read_mps(path):
    rows, rtype, obj_row = {}, [], None
    cols, cost = {}, []
    ri, ci, vals = [], [], []
    rhs, rng, bounds = {}, {}, {}
    section = None
    with open(path) as f:
        for line in f:
            if line.startswith("*") or not line.strip():
                continue
            if not line[0].isspace():
                section = line.split()[0]
                continue
            t = line.split()
            if section == "ROWS":
                if t[0] == "N" and obj_row is None:
                    obj_row = t[1]
                elif t[0] != "N":
                    rows[t[1]] = len(rtype)
                    rtype.append(t[0])
            elif section == "COLUMNS":
                if "'MARKER'" in t:
                    continue
                c = cols.get(t[0])
                if c is None:
                    c = cols[t[0]] = len(cost)
                    cost.append(0.0)
                for k in range(1, len(t) - 1, 2):
                    r, v = t[k], float(t[k + 1])
                    if r == obj_row:
                        cost[c] = v
                    else:
                        ri.append(rows[r])
                        ci.append(c)
                        vals.append(v)
            elif section == "RHS":
                for k in range(1, len(t) - 1, 2):
                    if t[k] != obj_row:
                        rhs[rows[t[k]]] = float(t[k + 1])
            elif section == "RANGES":
                for k in range(1, len(t) - 1, 2):
                    rng[rows[t[k]]] = float(t[k + 1])
            elif section == "BOUNDS":
                kind, c = t[0], cols[t[2]]
                v = float(t[3]) if len(t) > 3 else 0.0
                lo, up = bounds.get(c, (0.0, None))
                if kind == "UP":
                    up = v
                elif kind == "LO":
                    lo = v
                elif kind == "FX":
                    lo = up = v
                elif kind == "FR":
                    lo, up = None, None
                elif kind == "MI":
                    lo = None
                elif kind == "BV":
                    lo, up = 0.0, 1.0
                bounds[c] = (lo, up)
    m, n = len(rtype), len(cost)
    A = csr_matrix((vals, (ri, ci)), shape=(m, n))
    lo = np.full(m, -np.inf)
    up = np.full(m, np.inf)
    for r, kind in enumerate(rtype):
        b = rhs.get(r, 0.0)
        if kind == "E":
            lo[r] = up[r] = b
            if r in rng:
                lo[r], up[r] = (b, b + abs(rng[r])) if rng[r] > 0 else (b - abs(rng[r]), b)
        elif kind == "L":
            up[r] = b
            if r in rng:
                lo[r] = b - abs(rng[r])
        elif kind == "G":
            lo[r] = b
            if r in rng:
                up[r] = b + abs(rng[r])
    bnd = [bounds.get(c, (0.0, None)) for c in range(n)]
    return np.array(cost), A, lo, up, bnd


def main():
    path = sys.argv[1]
    method = "highs"
    if "--method" in sys.argv:
        method = sys.argv[sys.argv.index("--method") + 1]
    c, A, lo, up, bnd = read_mps(path)
    eq = lo == up
    A_eq, b_eq = A[eq], lo[eq]
    ub_rows = ~eq & np.isfinite(up)
    lb_rows = ~eq & np.isfinite(lo)
    from scipy.sparse import vstack
    A_ub = vstack([A[ub_rows], -A[lb_rows]]).tocsr()
    b_ub = np.concatenate([up[ub_rows], -lo[lb_rows]])
    t0 = time.process_time()
    w0 = time.time()
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bnd, method=method)
    cpu, wall = time.process_time() - t0, time.time() - w0
    print("highs(%s) status=%s objective=%.10g cpu_s=%.3f wall_s=%.3f rows=%d cols=%d"
          % (method, res.status, res.fun if res.status == 0 else float("nan"), cpu, wall, A.shape[0], A.shape[1]))


if __name__ == "__main__":
    main()
