#!/usr/bin/python3
"""Writes a commdis instance in the style of the commercial districting
literature's uniform family (Rios-Mercado and Fernandez, 2009): n points
uniform in [0, 1000]^2, Delaunay edges, activities a1 ~ U[4, 20],
a2 ~ U[15, 400], a3 ~ U[15, 100] (rounded to integers), p districts,
tolerance tau on all three. The same arguments give the same file.

Usage: bench/commdis_uniform.py N P [--tau 0.05] [--seed S] > FILE
"""
import argparse
import random

from scipy.spatial import Delaunay


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("p", type=int)
    ap.add_argument("--tau", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pts = [(round(rng.uniform(0, 1000), 3), round(rng.uniform(0, 1000), 3)) for _ in range(a.n)]
    act = [(rng.randint(4, 20), rng.randint(15, 400), rng.randint(15, 100)) for _ in range(a.n)]
    edges = set()
    for s in Delaunay(pts).simplices:
        for i in range(3):
            u, v = sorted((int(s[i]), int(s[(i + 1) % 3])))
            edges.add((u, v))
    print(a.n)
    for i, ((x, y), (a1, a2, a3)) in enumerate(zip(pts, act)):
        print(i, x, y, a1, a2, a3)
    print(len(edges))
    for u, v in sorted(edges):
        print(u, v)
    print(a.p, 0, a.tau, a.tau, a.tau)


if __name__ == "__main__":
    main()
