#!/usr/bin/python3
"""--objective center on the districting instances: one build's radius, bound, gap, counts and seconds.

center_compare.py [--tqo build/tqo] [--label NAME] [--cache bench/cache/districting] [--quick]
    [--only NAME,...] [--out FILE.csv] [--starts N]

Runs `tqo align FILE --objective center --starts N --threads 2 --seed 1` (N: 1 unless given; 3, tqo's
default, screens three layouts: docs/objectives.md) per instance (into
CACHE/center/LABEL/NAME/) and reads the radius, bound, gap and search counts from summary.json; one row per
instance, labelled, to set two builds side by side (docs/objectives.md compares the descent of checkout
6f29cc6 with the tabu search). Instances are generated into the cache as run.py does.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402


def instance(cache, name):
    path = os.path.join(cache, "instances", name + ".in")
    if not os.path.exists(path):
        fam, n, k, s = name.split("-")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), fam, n[1:], k[1:], s[1:], "-o", path],
                       check=True)
    return path


def run(a, name, path):
    out = os.path.join(a.cache, "center", a.label, name)
    cmd = [a.tqo, "align", path, "--objective", "center", "--starts", str(a.starts), "--threads", "2", "--seed", "1",
           "-o", out, "-q"]
    t = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True)
    sec = time.time() - t
    row = {"instance": name, "label": a.label, "exit": r.returncode, "seconds": "%.1f" % sec}
    if r.returncode == 0:
        c = json.load(open(os.path.join(out, "summary.json")))["center"]
        row.update({"radius": c["max"], "bound": c["lower_bound"], "gap": c["gap"],
                    "moves": c["search"]["moves"], "swaps": c["search"]["swaps"],
                    "evals": c["search"]["distance_evaluations"]})
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tqo", default="build/tqo")
    ap.add_argument("--cache", default="bench/cache/districting")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--label", default="tqo")
    ap.add_argument("--out")
    ap.add_argument("--starts", type=int, default=1)
    a = ap.parse_args()
    names = a.only.split(",") if a.only else generate.suite("quick" if a.quick else "full")
    rows = []
    for name in names:
        path = instance(a.cache, name)
        row = run(a, name, path)
        rows.append(row)
        print(" ".join("%s=%s" % kv for kv in row.items()), flush=True)
    if a.out:
        keys = ["instance", "label", "exit", "seconds", "radius", "bound", "gap", "moves", "swaps", "evals"]
        with open(a.out, "w", newline="") as f:
            w = csv.DictWriter(f, keys)
            w.writeheader()
            w.writerows(rows)
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
