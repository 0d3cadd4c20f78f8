#!/usr/bin/python3
"""Solves the quota LP of a tqo quota run independently with HiGHS (Debian's
python3-scipy) from the run's own files (fair shares, last years, growth
bounds, total) and compares the optimum with quota_summary.json.
Usage: /usr/bin/python3 bench/quota_lp_check.py OUT  (no region targets)"""
import csv
import json
import math
import sys

import numpy as np
from scipy.optimize import linprog

out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/quotas.csv")))
s = json.load(open(out + "/quota_summary.json"))
par = s["parameters"]
p = len(rows)
f = np.array([float(r["fair_share"]) for r in rows])
L = np.array([float(r["last_year"]) for r in rows])
total = s["quota_total"]
ming, maxg = par.get("min_growth_pct"), par.get("max_growth_pct")
minimax = par["fairness"] == "minimax"
floor = 1e-3 * f.mean()
w = np.maximum(f, floor)
# variables: q (p), d (p), [t]
n = 2 * p + (1 if minimax else 0)
c = np.zeros(n)
c[p:2 * p] = 1e-6 if minimax else 1.0
if minimax:
    c[-1] = 1.0
A_ub, b_ub = [], []
for j in range(p):
    r1 = np.zeros(n); r1[j] = 1; r1[p + j] = -w[j]; A_ub.append(r1); b_ub.append(f[j])     # q - f <= w d
    r2 = np.zeros(n); r2[j] = -1; r2[p + j] = -w[j]; A_ub.append(r2); b_ub.append(-f[j])   # f - q <= w d
    if minimax:
        r3 = np.zeros(n); r3[p + j] = 1; r3[-1] = -1; A_ub.append(r3); b_ub.append(0)
A_eq = [np.concatenate([np.ones(p), np.zeros(n - p)])]
b_eq = [total]
bounds = []
for j in range(p):
    lo = L[j] * (1 + ming / 100) if (ming is not None and L[j] > 0) else 0
    up = L[j] * (1 + maxg / 100) if (maxg is not None and L[j] > 0) else None
    bounds.append((max(lo, 0), up))
bounds += [(0, None)] * (n - p)
res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=np.array(A_eq), b_eq=b_eq, bounds=bounds, method="highs")
q = res.x[:p]
devs = np.abs(q - f) / w
obj = devs.max() if minimax else devs.sum()
print("HiGHS optimum %.9g, tqo %.9g, difference %.2e" % (obj, s["objective"], abs(obj - s["objective"])))
sys.exit(0 if abs(obj - s["objective"]) <= 1e-6 * max(1, abs(obj)) else 1)
