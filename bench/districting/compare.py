#!/usr/bin/python3
"""Two runs of the districting bench side by side, by instance.

compare.py OLD.csv NEW.csv [--value diameter|radius] [--quiet]

OLD and NEW are results.csv files of run.py (value: diameter) or the --out
files of center_compare.py (value: radius); an earlier run is at hand with
git, e.g. `git show 14b03d9~1:bench/districting/results.csv > old.csv`.
Prints each instance whose value changed, then the counts lower, higher and
equal, the largest fall and rise, the geometric mean of NEW / OLD, and the
median and range of the seconds' ratio.
"""
import argparse
import csv
import math
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--value", choices=("diameter", "radius"), default="diameter")
    ap.add_argument("--quiet", action="store_true", help="only the summary")
    a = ap.parse_args()
    old = {r["instance"]: r for r in csv.DictReader(open(a.old))}
    new = {r["instance"]: r for r in csv.DictReader(open(a.new))}
    both = [k for k in new if k in old and old[k].get(a.value) and new[k].get(a.value)]
    if not both:
        print("compare.py: no instance with a %s in both files" % a.value, file=sys.stderr)
        return 2
    ratios, secs, lower, higher = [], [], [], []
    for k in both:
        x, y = float(old[k][a.value]), float(new[k][a.value])
        ch = 100.0 * (y / x - 1.0)
        ratios.append(y / x)
        secs.append(float(new[k]["seconds"]) / float(old[k]["seconds"]))
        if ch < -1e-6:
            lower.append((ch, k))
        elif ch > 1e-6:
            higher.append((ch, k))
        if abs(ch) > 1e-6 and not a.quiet:
            print("%-24s %10.4f %10.4f %+7.2f%%" % (k, x, y, ch))
    secs.sort()
    print("%d instances: lower on %d, higher on %d, equal on %d" % (
        len(both), len(lower), len(higher), len(both) - len(lower) - len(higher)))
    if lower:
        print("largest fall %.2f%% (%s)" % min(lower))
    if higher:
        print("largest rise %+.2f%% (%s)" % max(higher))
    print("geometric mean new/old %.4f" % math.exp(sum(map(math.log, ratios)) / len(ratios)))
    print("seconds new/old: median %.2f, range %.2f .. %.2f" % (secs[len(secs) // 2], secs[0], secs[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
