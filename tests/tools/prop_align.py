#!/usr/bin/env python3
"""Differential property test of `tqo align` against its own exact MIP.

Usage: prop_align.py --tqo PATH [--cases N] [--seed S] [--min-units N] [--max-units N]
                     [-j J] [--exact-time-limit T] [--compare-max-units N]
                     [--run-timeout T] [--keep DIR] [--json FILE] [--csv FILE]

Each case draws a small random instance with `tqo generate` (10..--max-units
units, 2..8 territories, planar or --geo), then changes it at random: home
bases removed (all or some, or territories.csv dropped and -k given),
capacities, locks.csv, the current plan kept or dropped, adjacency.csv
dropped; and a random option set: 1-3 balanced measures with tolerances
2..25%, --max-distance, --max-moves, --disruption-weight, --allow-splits,
contiguity on/off (--no-contiguity, --adjacency delaunay/none), --seed.

For each case one of:
  passed      tqo align exits 0 and tests/tools/check_align.py confirms every
              constraint, every figure of summary.json and of the printed
              summary (and no "tqo: error:" line is printed on success);
  infeasible  tqo align exits 1 and `--exact --time-limit T` on the same
              options exits 1 saying no plan exists (confirmed);
  undecided   tqo exits 1 and the exact run hits its time limit without a
              plan (or the heuristic run exceeds --run-timeout);
  violation   anything else: a check failed (counted by the checker's kind:
              move-cap, distance-cap-locked, contiguity-unreported, ...), or
              "infeasible-but-exact-solves" (tqo exits 1, --exact finds a plan
              that passes the checker), a crash, input rejected (exit 2), or
              an --exact plan that fails the checker ("exact:" + kind).

Comparison with the exact optimum (successful runs of at most
--compare-max-units units): solve_exact in solver/align/align.c chooses the
centres exactly as the heuristic does (align_choose_centres, same --seed)
and then solves the whole assignment as one MIP (GLPK, gap 1e-6) for those
centres, always in whole units. So the two objectives are comparable when
both runs have the same centres (compared in OUT/territories.csv: always so
with home bases; with placed centres only when the choice did not differ),
the exact run proved optimality (exit 0), and --allow-splits is off (the
exact MIP never splits a unit, so a split plan is not measured against it).
Note that with placed centres an "infeasible (confirmed)" case is confirmed
for the centres tqo placed only.

Which cases run, and their instances and options, depend only on --seed,
--cases, --min-units and --max-units; the results are listed in case order
whatever -j is. Time limits (--exact-time-limit, --run-timeout) can turn a
slow case into "undecided" on a loaded machine; nothing else depends on time.

Exit status: 0 when no case is a violation, 1 otherwise, 2 on bad usage.
"""
import argparse
import collections
import concurrent.futures
import csv
import json
import math
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_align.py")
MEASURES = ("workload", "potential", "accounts")
WITHIN = 0.01  # "within 1% of the exact optimum"


# ---------------------------------------------------------------- drawing a case

def draw_case(seed, index, min_units, max_units):
    """The recipe of case INDEX: a dict of generator options, instance edits
    and align options, from its own random stream (independent of -j)."""
    rng = random.Random("%d/%d" % (seed, index))
    c = {"index": index}
    n = rng.randint(min_units, max_units)
    p = rng.randint(2, max(2, min(8, n // 5)))
    c["gen"] = {"units": n, "territories": p, "seed": rng.randint(1, 999999), "geo": rng.random() < 0.4,
                "imbalance": rng.choice([None, None, 5, 15, 30])}
    c["centres"] = rng.choices(["homes", "free", "partial", "no-territories"], [45, 20, 10, 25])[0]
    c["keep_current"] = rng.random() < 0.7
    c["capacity"] = c["centres"] != "no-territories" and rng.random() < 0.3
    c["cap_values"] = [rng.choice([0.5, 1, 1, 1.5, 2]) for _ in range(p)]
    c["partial_mask"] = [rng.random() < 0.5 for _ in range(p)]
    ids_known = c["centres"] != "no-territories" or c["keep_current"]
    nlocks = rng.randint(1, max(1, min(4, n // 8))) if ids_known and rng.random() < 0.35 else 0
    c["locks"] = [(rng.randrange(n), rng.randrange(p)) for _ in range(nlocks)]
    c["contiguity"] = rng.choices(["file", "delaunay", "off", "none", "no-file"], [45, 15, 15, 10, 15])[0]
    k = rng.randint(1, 3)
    c["balance"] = [(m, rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25])) for m in rng.sample(MEASURES, k)]
    c["max_distance_frac"] = rng.uniform(0.2, 0.8) if rng.random() < 0.25 else None
    c["max_moves"] = rng.choice([1, 2, 5, 10, 20, 40]) if c["keep_current"] and rng.random() < 0.35 else None
    c["disruption"] = (rng.choice([0.1, 1, 10, 100, 1000]) if c["keep_current"] and rng.random() < 0.2
                       else None)
    c["splits"] = rng.random() < 0.2
    c["seed"] = rng.randint(1, 1000) if rng.random() < 0.5 else None
    return c


def run(cmd, timeout, **kw):
    """(exit code, stdout, stderr); exit code None on a timeout."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace", **kw)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, out, err


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def extent_km(inst):
    """The diagonal of the units' bounding box in km (the scale of --max-distance)."""
    h, rows = read_rows(os.path.join(inst, "units.csv"))
    if "x" in h:
        xs = [float(r[h.index("x")]) for r in rows]
        ys = [float(r[h.index("y")]) for r in rows]
        return math.hypot(max(xs) - min(xs), max(ys) - min(ys))
    lat = [float(r[h.index("lat")]) for r in rows]
    lon = [float(r[h.index("lon")]) for r in rows]
    dlat = math.radians(max(lat) - min(lat))
    dlon = math.radians(max(lon) - min(lon)) * math.cos(math.radians(sum(lat) / len(lat)))
    return 6371.0088 * math.hypot(dlat, dlon)


def build_instance(tqo, c, inst):
    """Generates the instance and applies the case's edits; returns the
    align options that depend on it (-k) and its territory ids."""
    g = c["gen"]
    cmd = [tqo, "generate", "-o", inst, "--units", str(g["units"]), "--territories", str(g["territories"]),
           "--periods", "0", "--seed", str(g["seed"]), "--quiet"]
    if g["geo"]:
        cmd.append("--geo")
    if g["imbalance"] is not None:
        cmd += ["--plan-imbalance", str(g["imbalance"])]
    rc, out, err = run(cmd, 120)
    if rc != 0:
        raise RuntimeError("tqo generate failed (exit %s): %s" % (rc, err.strip()[-300:]))
    th, trows = read_rows(os.path.join(inst, "territories.csv"))
    tids = [r[0] for r in trows]
    extra = []
    cx, cy = (th.index("x"), th.index("y")) if "x" in th else (th.index("lat"), th.index("lon"))
    if c["centres"] == "free":
        for r in trows:
            r[cx] = r[cy] = ""
    elif c["centres"] == "partial":
        for r, blank in zip(trows, c["partial_mask"]):
            if blank:
                r[cx] = r[cy] = ""
    if c["capacity"]:
        ci = th.index("capacity")
        for r, v in zip(trows, c["cap_values"]):
            r[ci] = str(v)
    write_rows(os.path.join(inst, "territories.csv"), th, trows)
    if c["centres"] == "no-territories":
        os.remove(os.path.join(inst, "territories.csv"))
        if not c["keep_current"]:
            extra += ["-k", str(g["territories"])]
    uh, urows = read_rows(os.path.join(inst, "units.csv"))
    if c["keep_current"]:
        present = sorted(set(r[uh.index("current")] for r in urows))
    else:
        ci = uh.index("current")
        uh = uh[:ci] + uh[ci + 1:]
        urows = [r[:ci] + r[ci + 1:] for r in urows]
        write_rows(os.path.join(inst, "units.csv"), uh, urows)
        present = tids
    if c["centres"] == "no-territories":
        tids = present  # the territories are the current plan's
    if c["locks"]:
        seen, rows = set(), []
        for ui, tj in c["locks"]:
            u = urows[ui % len(urows)][0]
            if u not in seen:
                seen.add(u)
                rows.append([u, tids[tj % len(tids)]])
        write_rows(os.path.join(inst, "locks.csv"), ["unit_id", "territory_id"], rows)
    if c["contiguity"] in ("no-file", "delaunay"):
        # delaunay: the checker gets the generator's Delaunay graph instead
        # (see ref_adjacency); the run must not see it
        os.replace(os.path.join(inst, "adjacency.csv"), os.path.join(os.path.dirname(inst), "delaunay.csv"))
    return extra


def align_options(c, inst):
    o = []
    for m, tol in c["balance"]:
        o += ["--balance", "%s:%g" % (m, tol)]
    if c["max_distance_frac"] is not None:
        o += ["--max-distance", "%.3f" % (c["max_distance_frac"] * extent_km(inst))]
    if c["max_moves"] is not None:
        o += ["--max-moves", str(c["max_moves"])]
    if c["disruption"] is not None:
        o += ["--disruption-weight", "%g" % c["disruption"]]
    if c["splits"]:
        o.append("--allow-splits")
    if c["contiguity"] == "off":
        o.append("--no-contiguity")
    elif c["contiguity"] in ("delaunay", "none"):
        o += ["--adjacency", c["contiguity"]]
    if c["seed"] is not None:
        o += ["--seed", str(c["seed"])]
    return o


# ---------------------------------------------------------------- one case

def check(inst, out, printed, ref_adj):
    cmd = [sys.executable, CHECKER, inst, out, "--json", "--printed", printed]
    if ref_adj:
        cmd += ["--adjacency", ref_adj, "--same-graph"]
    rc, so, se = run(cmd, 300)
    try:
        fig = json.loads(so)
    except ValueError:
        fig = {"ok": False, "error": (se or so).strip()[-300:]}
    if rc == 2 or "error" in fig:
        fig["failed_checks"] = [{"kind": "unreadable-output", "check": "checker", "detail": fig.get("error", "")}]
    for f in fig.get("failed_checks") or []:
        # checked against the generator's triangulation of the unrounded
        # points: in a near-degenerate spot it can differ from the one tqo
        # builds from units.csv, so these are told apart
        if ref_adj and f["kind"].startswith("contiguity"):
            f["kind"] += "@delaunay"
    fig["failure_kinds"] = sorted(set(f["kind"] for f in fig.get("failed_checks") or []))
    fig["details"] = ["[%s] %s: %s" % (f["kind"], f["check"], f["detail"]) for f in fig.get("failed_checks") or []]
    return fig


def centres(out):
    try:
        h, rows = read_rows(os.path.join(out, "territories.csv"))
    except OSError:
        return None
    return sorted((r[0], r[1], r[2]) for r in rows)


def run_case(tqo, c, work, args):
    d = os.path.join(work, "case-%05d" % c["index"])
    os.makedirs(d)
    inst = os.path.join(d, "inst")
    res = {"index": c["index"], "units": c["gen"]["units"], "territories": c["gen"]["territories"],
           "kinds": [], "details": [], "outcome": None}
    try:
        extra = build_instance(tqo, c, inst)
    except (RuntimeError, OSError, ValueError) as e:
        res.update(outcome="violation", kinds=["generate-failed"], details=[str(e)])
        return res, d
    opts = extra + align_options(c, inst)
    # the Delaunay graph of a --adjacency delaunay run: the generator's, the
    # same qhull triangulation of the unrounded points (see delaunay.c)
    ref_adj = os.path.join(d, "delaunay.csv") if c["contiguity"] == "delaunay" else None
    res["fixed_centres"] = c["centres"] == "homes"
    res["command"] = "tqo align %s -o OUT %s" % (shlex.quote(inst), " ".join(shlex.quote(x) for x in opts))
    out = os.path.join(d, "out")
    t0 = time.monotonic()
    rc, so, se = run([tqo, "align", inst, "-o", out] + opts, args.run_timeout)
    res["seconds"] = round(time.monotonic() - t0, 3)  # reported only, never decides an outcome
    res["exit"] = rc
    with open(os.path.join(d, "stdout.txt"), "w") as f:
        f.write(so)
    with open(os.path.join(d, "stderr.txt"), "w") as f:
        f.write(se)
    exact_opts = opts + ["--exact", "--time-limit", "%g" % args.exact_time_limit]
    res["exact_command"] = res["command"] + " --exact --time-limit %g" % args.exact_time_limit
    if rc is None:
        res.update(outcome="undecided", why="heuristic run over %g s" % args.run_timeout)
        return res, d
    if rc == 0:
        fig = check(inst, out, os.path.join(d, "stdout.txt"), ref_adj)
        res["kinds"] = list(fig["failure_kinds"])
        res["details"] = list(fig["details"])
        errs = [ln for ln in se.splitlines() if ln.startswith("tqo: error:")]
        if errs:
            res["kinds"].append("error-printed-on-success")
            res["details"] += ["[error-printed-on-success] " + e for e in errs[:3]]
        if fig.get("status") is not None:
            res["status"] = fig["status"]
        res["objective"] = fig.get("objective_recomputed")
        res["contiguity_checked"] = fig.get("adjacency") is not None
        if (not res["kinds"] and not c["splits"] and c["gen"]["units"] <= args.compare_max_units):
            compare_exact(tqo, inst, d, exact_opts, ref_adj, res, args)
        res["outcome"] = "violation" if res["kinds"] else "passed"
        return res, d
    if rc not in (1, 2):
        kind = "crash"
        res.update(outcome="violation", kinds=[kind], details=["[%s] exit %s: %s" % (kind, rc, se.strip()[-400:])])
        return res, d
    # exit 1 (no plan) or 2 (the input contradicts itself, e.g. a lock beyond
    # --max-distance): --exact must agree, or hit a limit
    res["heuristic_error"] = next((ln for ln in se.splitlines() if ln.startswith("tqo: error:")), se.strip()[-200:])
    res["failure_status"] = summary_status(out)
    xo = os.path.join(d, "exact")
    xrc, xso, xse = run([tqo, "align", inst, "-o", xo] + exact_opts, args.exact_time_limit + args.run_timeout)
    with open(os.path.join(d, "exact_stdout.txt"), "w") as f:
        f.write(xso)
    res["exact_exit"] = xrc
    has_plan = xrc == 0 or (xrc == 1 and "stopped at a limit" in xso)
    if xrc is None:
        res.update(outcome="undecided", why="exact run did not stop")
    elif has_plan:
        fig = check(inst, xo, os.path.join(d, "exact_stdout.txt"), ref_adj)
        if fig.get("ok"):
            res.update(outcome="violation", kinds=["infeasible-but-exact-solves"],
                       details=["[infeasible-but-exact-solves] %s; --exact exits %d with a plan that passes the "
                                "checker (objective %.10g)"
                                % (res["heuristic_error"], xrc, fig.get("objective_recomputed") or float("nan"))])
        else:
            res.update(outcome="violation", kinds=["exact:" + k for k in fig["failure_kinds"]],
                       details=["[exact:" + d[1:] for d in fig["details"]])
    elif xrc == 1 and ("time limit" in xse or "limit" in xso):
        res.update(outcome="undecided", why=xse.strip().splitlines()[-1] if xse.strip() else "limit")
    elif xrc in (1, 2):
        res.update(outcome="infeasible", why=next((ln for ln in xse.splitlines() if "error" in ln), ""))
    else:
        kind = "exact-crash" if xrc != 2 else "exact-rejected-input"
        res.update(outcome="violation", kinds=[kind], details=["[%s] --exact exit %s: %s" % (kind, xrc, xse.strip()[-300:])])
    return res, d


def summary_status(out):
    try:
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            return json.load(f).get("status", "absent")
    except (OSError, ValueError):
        return None


def compare_exact(tqo, inst, d, exact_opts, ref_adj, res, args):
    xo = os.path.join(d, "exact")
    xrc, xso, xse = run([tqo, "align", inst, "-o", xo] + exact_opts, args.exact_time_limit + args.run_timeout)
    with open(os.path.join(d, "exact_stdout.txt"), "w") as f:
        f.write(xso)
    res["exact_exit"] = xrc
    if xrc == 1 and "stopped at a limit" not in xso:
        if "limit" in xse:
            res["compare"] = "exact hit its time limit"
        elif res.get("fixed_centres"):
            # the heuristic found a plan that passes every check for these
            # centres: --exact, for the same centres, must find one too
            res["kinds"].append("exact-fails-where-heuristic-solves")
            res["details"].append("[exact-fails-where-heuristic-solves] --exact exit 1: %s" % xse.strip()[-300:])
        else:
            res["compare"] = "exact infeasible for the centres it placed"
        return
    if xrc not in (0, 1):
        if xrc is not None:
            res["kinds"].append("exact-crash")
            res["details"].append("[exact-crash] --exact exit %s: %s" % (xrc, xse.strip()[-300:]))
        return
    if not os.path.exists(os.path.join(xo, "summary.json")):
        res["kinds"].append("exact-no-output")
        res["details"].append("[exact-no-output] --exact exit %s wrote no summary.json: %s | %s"
                              % (xrc, xso.strip()[-200:], xse.strip()[-200:]))
        return
    fig = check(inst, xo, os.path.join(d, "exact_stdout.txt"), ref_adj)
    if not fig.get("ok"):
        res["kinds"] += ["exact:" + k for k in fig["failure_kinds"]]
        res["details"] += ["[exact:" + d[1:] for d in fig["details"]]
        return
    if xrc != 0:
        return  # a plan at the time limit: no proven optimum to compare with
    if centres(xo) != centres(os.path.join(d, "out")):
        res["compare"] = "centres differ"
        return
    h, x = res["objective"], fig.get("objective_recomputed")
    if h is None or x is None:
        return
    res["exact_objective"] = x
    res["excess_pct"] = 100.0 * (h - x) / x if x > 0 else 0.0
    res["within_1pct"] = h <= x * (1 + WITHIN) + 1e-9


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="Differential property test of tqo align against --exact.")
    ap.add_argument("--tqo", required=True, help="the tqo binary")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-units", type=int, default=10)
    ap.add_argument("--max-units", type=int, default=40)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--exact-time-limit", type=float, default=10.0, help="--time-limit of the exact runs (s)")
    ap.add_argument("--compare-max-units", type=int, default=60,
                    help="compare with the exact optimum up to this many units")
    ap.add_argument("--run-timeout", type=float, default=60.0, help="a heuristic run longer than this is undecided")
    ap.add_argument("--keep", metavar="DIR", help="keep each violating case's folder here")
    ap.add_argument("--keep-all", action="store_true", help="with --keep: keep every case")
    ap.add_argument("--json", metavar="FILE", help="write the summary and every violation as JSON")
    ap.add_argument("--csv", metavar="FILE", help="write one row per case")
    ap.add_argument("--only", type=int, action="append", metavar="I",
                    help="run only case I of the drawn cases (repeatable): the reproduction of one case")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if args.cases < 0 or not (1 <= args.min_units <= args.max_units) or args.jobs < 1:
        ap.error("need --cases >= 0, 1 <= --min-units <= --max-units and -j >= 1")
    tqo = os.path.abspath(args.tqo)
    work = tempfile.mkdtemp(prefix="prop_align.")
    cases = [draw_case(args.seed, i, args.min_units, args.max_units) for i in range(args.cases)
             if not args.only or i in args.only]
    results = {}
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            futs = {ex.submit(run_case, tqo, c, work, args): c["index"] for c in cases}
            for fut in concurrent.futures.as_completed(futs):
                i = futs[fut]
                res, d = fut.result()
                results[i] = res
                if args.keep and (res["outcome"] == "violation" or args.keep_all):
                    dest = os.path.join(args.keep, os.path.basename(d))
                    shutil.rmtree(dest, ignore_errors=True)
                    shutil.copytree(d, dest)
                    res["kept"] = dest
                    for key in ("command", "exact_command"):
                        if key in res:
                            res[key] = res[key].replace(d, dest)
                shutil.rmtree(d, ignore_errors=True)
                if not args.quiet and res["outcome"] == "violation":
                    print("case %d: VIOLATION %s" % (i, ",".join(res["kinds"])), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = [results[c["index"]] for c in cases]
    for r in results:
        r["repro"] = ("tests/tools/prop_align.py --tqo TQO --seed %d --min-units %d --max-units %d --cases %d "
                      "--only %d --keep DIR" % (args.seed, args.min_units, args.max_units, r["index"] + 1, r["index"]))
    summary = summarize(args, results)
    report(summary, results, args)
    return 1 if summary["violations"] else 0


def summarize(args, results):
    by_kind = collections.Counter()
    example = {}
    for r in results:
        for k in sorted(set(r["kinds"])):
            by_kind[k] += 1
            example.setdefault(k, r["index"])
    outcome = collections.Counter(r["outcome"] for r in results)
    compared = [r for r in results if "within_1pct" in r]
    within = sum(1 for r in compared if r["within_1pct"])
    fail_status = collections.Counter(str(r.get("failure_status")) for r in results if r.get("exit") == 1)
    return collections.OrderedDict([
        ("seed", args.seed), ("cases", len(results)), ("min_units", args.min_units), ("max_units", args.max_units),
        ("passed", outcome["passed"]), ("violations", outcome["violation"]),
        ("infeasible_confirmed", outcome["infeasible"]), ("undecided", outcome["undecided"]),
        ("violations_by_kind", dict(sorted(by_kind.items()))),
        ("example_case_by_kind", dict(sorted(example.items()))),
        ("contiguity_checked", sum(1 for r in results if r.get("contiguity_checked"))),
        ("exact_compared", len(compared)), ("exact_within_1pct", within),
        ("share_within_1pct", within / len(compared) if compared else None),
        ("worst_excess_pct", max((r["excess_pct"] for r in compared), default=None)),
        ("summary_status_on_exit_1", dict(fail_status)),
    ])


def report(summary, results, args):
    viol = [r for r in results if r["outcome"] == "violation"]
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "violations": viol}, f, indent=2)
    if args.csv:
        cols = ["index", "units", "territories", "outcome", "exit", "exact_exit", "kinds", "objective",
                "exact_objective", "excess_pct", "command"]
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(cols)
            for r in results:
                w.writerow([";".join(r[c]) if c == "kinds" else r.get(c, "") for c in cols])
    s = summary
    print("cases %d (seed %d, %d..%d units): passed %d, violations %d, infeasible (confirmed by --exact) %d, "
          "undecided %d" % (s["cases"], s["seed"], s["min_units"], s["max_units"], s["passed"], s["violations"],
                            s["infeasible_confirmed"], s["undecided"]))
    for k, v in s["violations_by_kind"].items():
        r = next(x for x in results if x["index"] == s["example_case_by_kind"][k])
        detail = next((d for d in r["details"] if d.startswith("[%s]" % k)), (r["details"] or [""])[0])
        print("  %-30s %4d cases, e.g. case %d: %s" % (k, v, r["index"], detail[:300]))
        print("      case: %s" % r.get("command", ""))
        print("      repro: %s%s" % (r["repro"], "  (kept: %s)" % r["kept"] if r.get("kept") else ""))
    if s["exact_compared"]:
        print("exact comparison: %d cases, %d within 1%% of the exact optimum (%.1f%%), worst %.2f%% above"
              % (s["exact_compared"], s["exact_within_1pct"], 100.0 * s["share_within_1pct"], s["worst_excess_pct"]))
    else:
        print("exact comparison: no comparable case")
    print("contiguity checked independently in %d cases; summary.json status after exit 1: %s"
          % (s["contiguity_checked"], s["summary_status_on_exit_1"] or "-"))


if __name__ == "__main__":
    sys.exit(main())
