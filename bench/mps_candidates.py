#!/usr/bin/python3
"""Keeps, for each unit of a tqo allocation model in free MPS, only the K
cheapest columns (its K nearest centres): the sparse-candidate LP that
HiGHS is usually given. Usage: mps_candidates.py IN.mps OUT.mps [K]"""
import sys
from collections import defaultdict

src, dst = sys.argv[1], sys.argv[2]
K = int(sys.argv[3]) if len(sys.argv) > 3 else 8
head, tail, cols = [], [], defaultdict(list)
order = []
section = None
obj = None
with open(src) as f:
    for line in f:
        if not line[0].isspace() and not line.startswith("*"):
            section = line.split()[0]
        if section == "ROWS" and line.startswith(" N") and obj is None:
            obj = line.split()[1]
        if section == "COLUMNS" and line[0].isspace():
            t = line.split()
            if t[0] not in cols:
                order.append(t[0])
            cols[t[0]].append(line)
        elif section in (None, "NAME", "ROWS") or (section == "COLUMNS" and not line[0].isspace()):
            head.append(line)
        else:
            tail.append(line)
by_unit = defaultdict(list)
for c in order:
    cost, unit = 0.0, None
    for line in cols[c]:
        t = line.split()
        for k in range(1, len(t) - 1, 2):
            if t[k] == obj:
                cost = float(t[k + 1])
            elif t[k].startswith("assign_"):
                unit = t[k]
    by_unit[unit].append((cost, c))
keep = set()
for unit, lst in by_unit.items():
    lst.sort()
    keep.update(c for _, c in lst[:K])
with open(dst, "w") as f:
    f.writelines(head)
    for c in order:
        if c in keep:
            f.writelines(cols[c])
    # bounds of dropped columns must go too
    for line in tail:
        t = line.split()
        if len(t) >= 3 and t[0] in ("UP", "LO", "FX", "BV", "MI", "FR") and t[2] not in keep:
            continue
        f.write(line)
