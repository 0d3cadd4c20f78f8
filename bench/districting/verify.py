#!/usr/bin/python3
"""Are the regenerated DL instances the authors' own? A published diameter
is the distance between two units of that instance, computed from the
file's coordinates and printed with 4 decimals (MATS, results/full.dat).
So on the very same instance every published MATS value has a pair of
units at that distance within 5e-5; on another point set a value finds such
a pair only by chance. This counts, per instance, the distinct published
MATS values that have a matching pair, and, as the control, how many of
as many values shifted by 0.01 .. 0.1 (the chance rate) do.

Usage: verify.py [--cache bench/cache/districting] [--max-n N] [NAME ...]
Prints one line per instance; exit 1 when an instance has a published value
without a matching pair.
"""
import argparse
import os
import sys

import numpy

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402
import generate  # noqa: E402
import published  # noqa: E402

TOL = 5.01e-5


def sorted_distances(xy):
    a = numpy.array(xy)
    parts = []
    for s in range(0, len(a), 256):
        d = a[s:s + 256, None, :] - a[None, :, :]
        dist = numpy.sqrt((d * d).sum(axis=2))
        rows, cols = numpy.nonzero(numpy.triu(numpy.ones(dist.shape, dtype=bool), k=s + 1))
        parts.append(dist[rows, cols])
    return numpy.sort(numpy.concatenate(parts))


def matched(dists, values):
    v = numpy.array(sorted(values))
    i = numpy.searchsorted(dists, v - TOL)
    ok = (i < len(dists)) & (numpy.abs(dists[numpy.minimum(i, len(dists) - 1)] - v) <= TOL)
    return int(ok.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--cache", default=os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench", "cache",
                                                     "districting"))
    ap.add_argument("--max-n", type=int, default=5000)
    a = ap.parse_args()
    runs = published.load_runs()
    names = a.names or [n for n in generate.published_names() if generate.parse_name(n)[1] <= a.max_n]
    bad = 0
    for name in names:
        path = os.path.join(a.cache, "instances", name + ".in")
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write(generate.instance_text(*generate.parse_name(name)))
        dists = sorted_distances(check.read_commdis(path)["xy"])
        vals = sorted({d for d, _ in runs[("MATS", name)]})
        hit = matched(dists, vals)
        control = sum(matched(dists, [v + s for v in vals]) for s in (0.01, 0.0337, 0.0571, 0.1))
        bad += hit < len(vals)
        print("%-24s %2d of %2d published MATS diameters are distances of the instance (control: %d of %d)"
              % (name, hit, len(vals), control, 4 * len(vals)), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
