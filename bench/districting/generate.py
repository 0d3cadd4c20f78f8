#!/usr/bin/python3
"""Instances of the commercial districting families DS, DT and DL, in the
commdis format tqo reads (docs/format.md).

The rules are those of the public generator of Gliesch, Ritt and Moreira
(EvoCOP 2018; repository AlexGliesch/commdis, instance-generator/, see
README.md here), re-implemented from its description, not copied:

- n + 3 points uniform in [0, 1000]^2 (the last three are drawn and then
  overwritten by the triangulation's super-triangle), the first n sorted by
  x: unit i is the i-th point from the left;
- the graph: the Delaunay triangulation of the n points together with the
  super-triangle (xmid -+ 20 dmax, ymid - dmax) and (xmid, ymid + 20 dmax),
  less its three corners (that is what the incremental Bowyer-Watson method
  with a super-triangle yields: the Delaunay graph, bar a few long hull
  edges);
- activities per unit, drawn after the points:
    DS: a1 ~ U[4, 20], a2 ~ U[15, 400], a3 ~ U[15, 100] (Rios-Mercado and
        Fernandez 2009's uniform family);
    DT: 68 draws; each draw adds 0, 1 or 3 to a1 (probabilities 0.15, 0.35,
        0.15 in that order, else 0) and, when it added something, one value
        in 1..12 (a discrete bell, mode 5) to a2 and another to a3
        (Rios-Mercado and Fernandez 2009's non-uniform family, as that
        generator encodes it);
- the last line: p, 50 (unused), tau = 0.05 on each activity.
Random numbers: the C++ std::mt19937 seeded with the 16-bit seed, doubles as
libstdc++'s uniform_real_distribution makes them (two 32-bit words, low
word first). Numbers are printed with 6 significant digits, as a C++ stream
prints them. With these rules the DL instances whose names the authors
published (del-nN-kP-sSEED) are regenerated under those names; DL uses the
generator's default activities (DT).

Usage:
  generate.py FAMILY N P SEED [-o FILE]     one instance (FAMILY: ds dt del)
  generate.py --suite full|quick -d DIR     the bench suite (see suite())
  generate.py --list full|quick             the suite's names
"""
import argparse
import os
import random
import sys

TAU = 0.05
SIDE = 1000.0
SIZES = (500, 1000, 2500, 5000, 10000)
HERE = os.path.dirname(os.path.abspath(__file__))

# DT's two discrete laws, in the key order of the reference generator's
# std::map (a duplicated key 1 in its source keeps one entry).
DT_A1 = ((0, 0.15), (1, 0.35), (3, 0.15))
DT_A23 = ((1, 0.01), (2, 0.03), (3, 0.06), (4, 0.10), (5, 0.21), (6, 0.18),
          (7, 0.18), (8, 0.12), (9, 0.10), (10, 0.06), (11, 0.03), (12, 0.01))


class Mt19937Doubles:
    """std::mt19937 seeded with s (init_genrand), through Python's own
    Mersenne Twister, which has the same recurrence: only the seeding
    differs, so the state is built here and handed over."""

    def __init__(self, seed):
        mt = [seed & 0xFFFFFFFF]
        for i in range(1, 624):
            mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
        self.r = random.Random()
        self.r.setstate((3, tuple(mt + [624]), None))

    def canonical(self):
        # libstdc++ generate_canonical<double, 53> with a 32-bit engine:
        # (w1 + w2 * 2^32) / 2^64 in double arithmetic, kept below 1.
        lo = float(self.r.getrandbits(32))
        hi = float(self.r.getrandbits(32))
        v = (lo + hi * 4294967296.0) / 18446744073709551616.0
        return v if v < 1.0 else 1.0 - 2.0 ** -53

    def uniform(self, a, b):
        return self.canonical() * (b - a) + a


def points(rng, n):
    pts = [(rng.uniform(0.0, SIDE), rng.uniform(0.0, SIDE)) for _ in range(n + 3)]
    return sorted(pts[:n], key=lambda p: p[0])


def delaunay_edges(pts):
    """Edges between units of the triangulation of pts plus the
    super-triangle (see the module's docstring)."""
    import numpy
    from scipy.spatial import Delaunay
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    dmax = max(max(xs) - min(xs), max(ys) - min(ys))
    xm = (max(xs) + min(xs)) / 2.0
    ym = (max(ys) + min(ys)) / 2.0
    sup = [(xm - 20 * dmax, ym - dmax), (xm, ym + 20 * dmax), (xm + 20 * dmax, ym - dmax)]
    n = len(pts)
    tri = Delaunay(numpy.array(pts + sup))
    edges = set()
    for s in tri.simplices:
        s = [int(v) for v in s]
        for i in range(3):
            u, v = s[i], s[(i + 1) % 3]
            if u < n and v < n:
                edges.add((min(u, v), max(u, v)))
    return sorted(edges)


def draw(rng, law):
    r, c = rng.canonical(), 0.0
    for value, prob in law:
        c += prob
        if r < c:
            return value
    return 0


def activities(rng, n, family):
    out = []
    for _ in range(n):
        if family == "ds":
            out.append((rng.uniform(4, 20), rng.uniform(15, 400), rng.uniform(15, 100)))
            continue
        a = [0, 0, 0]
        for _ in range(68):
            d1 = draw(rng, DT_A1)
            if d1 > 0:
                a[0] += d1
                a[1] += draw(rng, DT_A23)
                a[2] += draw(rng, DT_A23)
        out.append(tuple(float(v) for v in a))
    return out


def g6(v):
    """A double as a C++ ostream prints it by default (%g, 6 digits)."""
    return "%.6g" % v


def instance_text(family, n, p, seed):
    rng = Mt19937Doubles(seed)
    pts = points(rng, n)
    edges = delaunay_edges(pts)
    act = activities(rng, n, "ds" if family == "ds" else "dt")
    lines = [str(n)]
    for i, ((x, y), a) in enumerate(zip(pts, act)):
        lines.append(" ".join([str(i), g6(x), g6(y)] + [g6(v) for v in a]))
    lines.append(str(len(edges)))
    lines.extend("%d %d" % e for e in edges)
    lines.append("%d 50 %s %s %s" % (p, g6(TAU), g6(TAU), g6(TAU)))
    return "\n".join(lines) + "\n"


def name(family, n, p, seed):
    return "%s-n%d-k%d-s%d" % (family, n, p, seed)


def parse_name(s):
    fam, n, k, seed = s.split("-")
    return fam, int(n[1:]), int(k[1:]), int(seed[1:])


def published_names():
    names = []
    with open(os.path.join(HERE, "published_runs.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                nm = line.split()[1]
                if nm.startswith("del-") and nm not in names:
                    names.append(nm)
    return names


def suite(which):
    """The bench's instances: DL under every name the authors published
    (n >= 1000, 4 seeds per (n, p)) plus one of ours per p at n = 500; DS and
    DT, one of ours per (n, p). p = floor(n/200), n/100, floor(n/62.5).
    Our seeds: the family's base (DL 0, DS 100, DT 200: one seed gives the
    same points in every family) + 1 + the index of (n, p) in the grid.
    quick: n <= 1000."""
    out = list(published_names())
    for fam, base in (("del", 0), ("ds", 100), ("dt", 200)):
        k = 0
        for n in SIZES:
            for p in (n // 200, n // 100, int(n / 62.5)):
                k += 1
                if fam != "del" or n == 500:
                    out.append(name(fam, n, p, base + k))
    if which == "quick":
        out = [s for s in out if parse_name(s)[1] <= 1000]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("args", nargs="*", help="FAMILY N P SEED")
    ap.add_argument("-o", help="output file (default: stdout)")
    ap.add_argument("--suite", choices=("full", "quick"))
    ap.add_argument("--list", choices=("full", "quick"))
    ap.add_argument("-d", default=".", help="folder for --suite")
    a = ap.parse_args()
    if a.list:
        print("\n".join(suite(a.list)))
        return 0
    if a.suite:
        os.makedirs(a.d, exist_ok=True)
        for s in suite(a.suite):
            path = os.path.join(a.d, s + ".in")
            if not os.path.exists(path):
                with open(path + ".tmp", "w") as f:
                    f.write(instance_text(*parse_name(s)))
                os.replace(path + ".tmp", path)
        return 0
    if len(a.args) != 4 or a.args[0] not in ("ds", "dt", "del"):
        ap.error("expected FAMILY N P SEED with FAMILY one of ds, dt, del")
    fam, n, p, seed = a.args[0], int(a.args[1]), int(a.args[2]), int(a.args[3])
    if not (3 <= n and 1 <= p <= n and 0 < seed < 65536):
        ap.error("need n >= 3, 1 <= p <= n and 0 < seed < 65536 (a 16-bit seed)")
    text = instance_text(fam, n, p, seed)
    if a.o:
        with open(a.o, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
