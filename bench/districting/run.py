#!/usr/bin/python3
"""The commercial districting benchmark (issue 18): tqo on the DS, DT and DL
families, beside the published results of MATS and GRASP.

For each instance of the suite (generate.py's suite(): DL under the names the
authors published, DS and DT of ours, n = 500 .. 10,000): generate it once
into the cache, run `tqo align FILE --objective diameter` (or the default
moment objective when this build has no --objective, said in the output),
killed past --cap seconds, check the plan independently (check.py: balance
within tau, connected districts, the diameter by brute force, the bound
below it), and compare with published.csv by instance name.

Writes into --out: RESULTS.md (targets, then the table), results.csv (one
row per instance) and results_authors_layout.dat (the authors' result-file
layout; README.md says what each column holds here).

Usage: run.py [--quick] [--tqo build/tqo] [--out bench/districting]
              [--cache bench/cache/districting] [--cap 90] [--threads 2]
              [--only NAME,...]
"""
import argparse
import csv
import datetime
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import check  # noqa: E402
import generate  # noqa: E402
import published  # noqa: E402

LIMIT_S = 60.0       # target: feasible in under a minute
NEAR_PCT = 3.0       # target: within 3% of the best published for n <= 2500
PUB_HALF_ULP = 5e-5  # the published diameters have 4 decimals: equal within half the last one
FIELDS = ["instance", "family", "n", "p", "objective", "exit", "seconds", "capped", "diameter",
          "lower_bound", "bound_ball", "bound_dispersion", "gap", "max_dev_pct", "balanced", "connected", "check_ok", "failures", "moves", "swaps",
          "evals", "mats_best", "mats_mean", "grasp_best", "grasp_mean", "vs_mats_best_pct", "feasible_60s",
          "diameter_target", "bound_target"]


def cpu_accounting():
    """(wall, busy cpu seconds of the machine, this process's and its
    children's cpu seconds): other engineers' work skews every time."""
    with open("/proc/stat") as f:
        t = [int(x) for x in f.readline().split()[1:]]
    busy = (sum(t[:8]) - t[3] - t[4]) / os.sysconf("SC_CLK_TCK")
    own = sum(getattr(resource.getrusage(w), k) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for k in ("ru_utime", "ru_stime"))
    return time.monotonic(), busy, own


def tqo_label(tqo):
    """The binary, and the commit of the checkout it was built from (with
    '+ local changes' when the tree differs from it)."""
    path = os.path.relpath(tqo, ROOT) if tqo.startswith(ROOT + os.sep) else tqo
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "solver",
                                "include"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return path
    return "%s (checkout %s%s)" % (path, head or "?", " + local changes to solver/ or include/" if dirty else "")


def has_objective_option(tqo):
    r = subprocess.run([tqo, "align", "--help"], capture_output=True, text=True)
    return "--objective" in r.stdout + r.stderr


def run_capped(cmd, cap, log_dir):
    """Runs cmd in its own process group, killed (the group, by its id)
    past cap seconds. Returns (exit code or None when capped, seconds)."""
    with open(os.path.join(log_dir, "stdout.txt"), "w") as out, \
            open(os.path.join(log_dir, "stderr.txt"), "w") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
        while True:
            code = proc.poll()
            if code is not None:
                return code, time.monotonic() - t0
            if time.monotonic() - t0 > cap:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return None, time.monotonic() - t0
            time.sleep(0.02)


def run_one(a, name, path, objective):
    """One instance: tqo, then the check. A dict of FIELDS."""
    fam, n, p, _ = generate.parse_name(name)
    rundir = os.path.join(a.cache, "runs", name)
    os.makedirs(rundir, exist_ok=True)
    for f in ("assignment.csv", "summary.json"):
        if os.path.exists(os.path.join(rundir, f)):
            os.remove(os.path.join(rundir, f))
    cmd = [a.tqo, "align", path, "-o", rundir, "--threads", str(a.threads), "--seed", "1"]
    if objective == "diameter":
        # the default three centre starts: each start's moment plan is a
        # layout the tabu search screens with its first round (README)
        cmd += ["--objective", "diameter"]
    code, sec = run_capped(cmd, a.cap, rundir)
    row = {"instance": name, "family": fam, "n": n, "p": p, "objective": objective,
           "exit": "capped" if code is None else code, "seconds": sec, "capped": code is None,
           "command": " ".join(os.path.relpath(c, ROOT) if os.path.isabs(c) else c for c in cmd)}
    if os.path.exists(os.path.join(rundir, "assignment.csv")):
        res = check.check(path, rundir)
        lb = res.get("lower_bound")
        counts = res.get("counts") or {}
        if objective == "diameter" and res.get("objective") != "diameter":
            res["failures"].append("summary.json says objective %s" % res.get("objective"))
            res["ok"] = False
        bounds = res.get("bounds") or {}
        row.update(diameter=res["diameter"], lower_bound=lb, max_dev_pct=res["max_dev_pct"],
                   bound_ball=bounds.get("ball"), bound_dispersion=bounds.get("dispersion"),
                   balanced=res["balanced"], connected=res["connected"], check_ok=res["ok"],
                   failures="; ".join(res["failures"]), moves=counts.get("moves"), swaps=counts.get("swaps"),
                   evals=counts.get("evals", counts.get("evaluations")))
        if lb is not None and res["diameter"] > 0:
            row["gap"] = (res["diameter"] - lb) / res["diameter"]
    else:
        row.update(check_ok=False, failures="no plan written (exit %s)" % row["exit"])
    return row


def compare(row, pub):
    """Published figures and the three targets for one row."""
    ok = bool(row.get("check_ok")) and row["exit"] == 0
    row["feasible_60s"] = "yes" if ok and row["seconds"] < LIMIT_S else "no"
    lb = row.get("lower_bound")
    row["bound_target"] = "yes" if lb is not None and math.isfinite(lb) and lb > 0 else "no"
    mine = pub.get(row["instance"], {})
    for m in ("MATS", "GRASP"):
        s = mine.get(m) or {}
        row[m.lower() + "_best"], row[m.lower() + "_mean"] = s.get("best"), s.get("mean")
    best = row.get("mats_best")
    if best is None or not ok:
        row["diameter_target"] = "no published figure" if best is None else \
            "no (no plan within the cap)" if row["capped"] else "no (no feasible plan)"
        return
    pct = 100.0 * (row["diameter"] / best - 1.0)
    row["vs_mats_best_pct"] = pct
    # "at or below" at the published precision (a value printed 252.2405 may be
    # up to 252.24055; tqo's is compared as the authors would print it)
    allow = best * (1 + NEAR_PCT / 100.0) if row["n"] <= 2500 else best + PUB_HALF_ULP
    row["diameter_target"] = "yes" if row["diameter"] <= allow + 1e-9 else "no"


def fnum(v, d=1):
    if v is None or v == "":
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "%.*f" % (d, v)
    return str(v)


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def targets(rows):
    """[(target, measured, verdict)] of the issue's three targets."""
    n = len(rows)
    feas = [r for r in rows if r["feasible_60s"] == "yes"]
    miss = [r["instance"] for r in rows if r["feasible_60s"] != "yes"]
    matched = [r for r in rows if r.get("mats_best") is not None]
    small = [r for r in matched if r["n"] <= 2500]
    large = [r for r in matched if r["n"] >= 5000]
    s_ok = [r for r in small if r["diameter_target"] == "yes"]
    l_ok = [r for r in large if r["diameter_target"] == "yes"]
    bound = [r for r in rows if r["bound_target"] == "yes"]
    verdict = lambda ok, tot: "met" if tot and ok == tot else ("not met" if tot else "not measured")
    t = [("every instance feasible (balance within tau, connected, independent check) in under 60 s",
          "%d of %d%s" % (len(feas), n, (" (missed: %s)" % ", ".join(miss[:8]) + (" ..." if len(miss) > 8 else ""))
                          if miss else ""), verdict(len(feas), n)),
         ("diameter within 3% of the best published (MATS) for n <= 2,500",
          "%d of %d matched instances%s" % (len(s_ok), len(small), worst(small)), verdict(len(s_ok), len(small))),
         ("diameter at or below the best published (MATS) for n >= 5,000",
          "%d of %d matched instances%s" % (len(l_ok), len(large), worst(large)), verdict(len(l_ok), len(large))),
         ("a lower bound and gap on every instance", "%d of %d" % (len(bound), n), verdict(len(bound), n))]
    return t


def worst(rows):
    vals = [r["vs_mats_best_pct"] for r in rows if r.get("vs_mats_best_pct") is not None]
    if not vals:
        return ""
    return "; tqo vs best: median %+.1f%%, range %+.1f%% .. %+.1f%%" % (
        sorted(vals)[len(vals) // 2], min(vals), max(vals))


def write_results_md(a, rows, meta):
    L = ["# Commercial districting benchmark (DS, DT, DL)\n",
         "Written by `bench/districting/run.py` (issue 18); how it works and where the published figures come "
         "from: [README.md](README.md).\n",
         "- Suite: **%s** (%d instances)%s; run %s UTC, %.0f s in all." % (
             meta["suite"], len(rows), "; only %s" % a.only if a.only else "", meta["date"], meta["wall"]),
         "- Command: `%s`" % meta["command"],
         "- tqo: `%s`, `--threads %d --seed 1`, each run killed past %g s." % (meta["tqo"], a.threads, a.cap),
         "- Objective: **%s**%s" % (meta["objective"], "" if meta["objective"] == "diameter" else
                                    " — this build of tqo has no `--objective` option, so the plans minimise the "
                                    "default weighted moment and only their diameter is compared; no diameter "
                                    "lower bound is reported, so the bound target cannot be met by this run."),
         "- Machine: %d cores shared with other work (loaded): other work used %.2f cores on average during the "
         "run (from /proc/stat less this run's own CPU time). Seconds are wall seconds of the whole command."
         % (os.cpu_count(), meta["other"]), ""]
    L += ["## Targets\n", md_table(["target", "measured", "verdict"], targets(rows))]
    L += ["## By family and size\n", group_table(rows)]
    L += ["## Per instance\n",
          "diameter: the largest distance between two units of one district, recomputed by `check.py`; bound: "
          "the lower bound tqo proves; gap = (diameter - bound) / diameter; dev: the largest deviation of a "
          "district's activity from total/p (tau = 5%); MATS and GRASP: best / mean over the published runs with a "
          "feasible plan (`published.csv`, matched by instance name; `-`: no published figure); vs best: tqo's "
          "diameter against the best MATS one; search: the diameter search's moves / swaps / distance evaluations "
          "(work counts, independent of the machine's load).\n"]
    head = ["instance", "n", "p", "s", "diameter", "bound", "gap", "dev %", "feasible", "search", "MATS best",
            "MATS mean", "GRASP best", "GRASP mean", "vs best", "target"]
    body = []
    for r in rows:
        feas = "yes" if r.get("check_ok") and r["exit"] == 0 else ("capped" if r["capped"] else "NO")
        gap = "-" if r.get("gap") is None else "%.1f%%" % (100 * r["gap"])
        vs = "-" if r.get("vs_mats_best_pct") is None else "%+.1f%%" % r["vs_mats_best_pct"]
        body.append([r["instance"], r["n"], r["p"], fnum(r["seconds"]), fnum(r.get("diameter")),
                     fnum(r.get("lower_bound")), gap, fnum(r.get("max_dev_pct"), 2), feas, counts(r),
                     fnum(r.get("mats_best")),
                     fnum(r.get("mats_mean")), fnum(r.get("grasp_best")), fnum(r.get("grasp_mean")), vs,
                     r["diameter_target"]])
    L.append(md_table(head, body))
    bad = [r for r in rows if r.get("failures")]
    if bad:
        L += ["## Check failures\n"] + ["- %s: %s" % (r["instance"], r["failures"]) for r in bad] + [""]
    with open(os.path.join(a.out, "RESULTS.md"), "w") as f:
        f.write("\n".join(L))


def counts(r):
    """The search's work: moves / swaps / distance evaluations."""
    if r.get("evals") is None:
        return "-"
    ev = r["evals"]
    ev = "%.1fM" % (ev / 1e6) if ev >= 1e6 else "%.0fk" % (ev / 1e3) if ev >= 1e3 else str(ev)
    return "%s / %s / %s" % (r.get("moves"), r.get("swaps"), ev)


def group_table(rows):
    """Per family, n and p: instances, mean seconds, mean gap, and tqo
    against the best MATS diameter (geometric mean of the ratios)."""
    groups = {}
    for r in rows:
        groups.setdefault((r["family"], r["n"], r["p"]), []).append(r)
    body = []
    for (fam, n, p), rs in groups.items():
        done = [r for r in rs if r.get("check_ok") and r["exit"] == 0]
        gaps = [r["gap"] for r in done if r.get("gap") is not None]
        ratios = [r["diameter"] / r["mats_best"] for r in done if r.get("mats_best")]
        geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios)) if ratios else None
        body.append([fam, n, p, "%d of %d" % (len(done), len(rs)), fnum(sum(r["seconds"] for r in rs) / len(rs)),
                     "%.1f%%" % (100 * sum(gaps) / len(gaps)) if gaps else "-",
                     "%+.1f%%" % (100 * (geo - 1)) if geo else "-"])
    return md_table(["family", "n", "p", "feasible", "mean s", "mean gap", "vs MATS best (geo. mean)"], body)


def write_csv(a, rows):
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS + ["command"])
        for r in rows:
            w.writerow([fnum(r.get(k), 6) if isinstance(r.get(k), float) else fnum(r.get(k)) for k in FIELDS]
                       + [r["command"]])


def write_authors_layout(a, rows):
    """The layout of the authors' results/full.dat: one whitespace-aligned
    row per run. tqo makes one run per instance (seed 1)."""
    head = ["instance", "n", "k", "time", "ttb", "cons_bal", "cons_cmp", "bal", "cmp", "repl", "feas", "seed"]
    lines = []
    for r in rows:
        bal = "NA" if r.get("diameter") is None else "%.4f" % (0.0 if r.get("balanced") else
                                                             max(r.get("max_dev_pct", 0) - 5.0, 0.0) / 100)
        cmp_ = "NA" if r.get("diameter") is None or not r.get("connected") else "%.4f" % r["diameter"]
        lines.append([r["instance"], str(r["n"]), str(r["p"]), "%.4f" % r["seconds"], "NA", "NA", "NA", bal, cmp_,
                      "NA", "NA", "1"])
    widths = [max(len(x) for x in col) for col in zip(head, *lines)] if lines else [len(h) for h in head]
    with open(os.path.join(a.out, "results_authors_layout.dat"), "w") as f:
        for line in [head] + lines:
            f.write(" ".join(x.rjust(w) for x, w in zip(line, widths)) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="only n <= 1000")
    ap.add_argument("--tqo", default=os.path.join(ROOT, "build", "tqo"))
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--cache", default=os.path.join(ROOT, "bench", "cache", "districting"))
    ap.add_argument("--cap", type=float, default=90.0, help="seconds before a run is killed")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", help="comma-separated instance names")
    a = ap.parse_args()
    a.tqo = os.path.abspath(a.tqo)
    if not os.access(a.tqo, os.X_OK):
        print("run.py: no tqo at %s (build it, or give --tqo)" % a.tqo, file=sys.stderr)
        return 2
    names = generate.suite("quick" if a.quick else "full")
    if a.only:
        want = a.only.split(",")
        unknown = [w for w in want if w not in names]
        if unknown:
            print("run.py: not in the suite: %s" % ", ".join(unknown), file=sys.stderr)
            return 2
        names = [n for n in names if n in want]
    objective = "diameter" if has_objective_option(a.tqo) else "moment"
    if objective != "diameter":
        print("run.py: this tqo has no --objective: running the moment objective (see RESULTS.md)")
    pub = published.summarise(published.load_runs())
    os.makedirs(os.path.join(a.cache, "instances"), exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    start, date = cpu_accounting(), datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")
    rows = []
    for i, name in enumerate(names):
        path = os.path.join(a.cache, "instances", name + ".in")
        if not os.path.exists(path):
            with open(path + ".tmp", "w") as f:
                f.write(generate.instance_text(*generate.parse_name(name)))
            os.replace(path + ".tmp", path)
        row = run_one(a, name, path, objective)
        compare(row, pub)
        rows.append(row)
        print("[%d/%d] %-24s %6.1f s  diameter %s  bound %s  %s  vs MATS best %s" % (
            i + 1, len(names), name, row["seconds"], fnum(row.get("diameter")), fnum(row.get("lower_bound")),
            "ok" if row.get("check_ok") else "CHECK FAILED", fnum(row.get("vs_mats_best_pct"))), flush=True)
    end = cpu_accounting()
    wall = end[0] - start[0]
    other = max(0.0, ((end[1] - start[1]) - (end[2] - start[2])) / wall) if wall > 0 else 0.0
    meta = {"suite": "quick (n <= 1,000)" if a.quick else "full", "date": date, "wall": wall, "other": other,
            "objective": objective, "tqo": tqo_label(a.tqo),
            "command": " ".join(["/usr/bin/python3 bench/districting/run.py"] + sys.argv[1:])}
    write_csv(a, rows)
    write_authors_layout(a, rows)
    write_results_md(a, rows, meta)
    for t, measured, verdict in targets(rows):
        print("target: %s: %s: %s" % (t, measured, verdict))
    return 0


if __name__ == "__main__":
    sys.exit(main())
