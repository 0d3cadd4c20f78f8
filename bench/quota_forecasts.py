#!/usr/bin/env python3
"""The forecast bench of issue 19: every forecast method against the naive
quota on superstore and on generated histories of 5 and 10 years.

Usage: quota_forecasts.py path/to/tqo [WORKDIR]

For each data set it runs `tqo quota --forecast auto` with the last year held
out (--history-until the year before), reads quota_summary.json and prints a
markdown table: the pooled backtest MAPE of every method (territory-years of
the years used), auto's choice and whether it is at or below the naive
quota's (the target), and the replay of the held-out year: MAPE of tqo's
quotas and of the naive quota (last year x the company growth) against what
was sold. The commands are printed under the table. Figures, met or not.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return " ".join(cmd)


def main():
    tqo = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else "/tmp/tqo-quota-forecasts"
    os.makedirs(work, exist_ok=True)
    cmds = []
    sets = []
    ss = os.path.join(ROOT, "instances", "superstore")
    al = os.path.join(work, "ss-align")
    cmds.append(run([tqo, "align", ss, "-k", "12", "--balance", "accounts:10", "-o", al, "-q"]))
    sets.append(("superstore (12 territories, 2014-2016 -> 2017)", ss,
                 ["--assignment", al + "/assignment.csv", "--potential", "accounts", "--history-until", "2016Q4",
                  "--growth", "10"]))
    for years in (5, 10):
        d = os.path.join(work, "gen%d" % years)
        cmds.append(run([sys.executable, os.path.join(HERE, "quota_histories.py"), d, "--years", str(years)]))
        sets.append(("generated %d years (60 territories, 6 regions)" % years, d,
                     ["--history-until", "%dQ4" % (2010 + years - 2), "--growth", "5"]))
    rows = []
    for name, inst, args in sets:
        out = os.path.join(work, os.path.basename(inst) + "-quota")
        cmds.append(run([tqo, "quota", inst] + args + ["--forecast", "auto", "-o", out, "-q"]))
        js = json.load(open(out + "/quota_summary.json"))
        fc, rp = js["forecast"], js.get("replay", {})
        pool = fc["pooled_backtest"]
        rows.append((name, fc, pool, rp, js["forecast"]["complete_years"], fc["pooled_backtest_terms"]))
    methods = [m["method"] for m in rows[0][2]]
    print("| data set | years | territory-years | " + " | ".join(methods) +
          " | auto chose | chosen <= naive | replay MAPE: tqo | replay MAPE: naive |")
    print("|---" * (len(methods) + 7) + "|")
    for name, fc, pool, rp, years, terms in rows:
        mape = {m["method"]: m["mape_pct"] for m in pool}
        chosen = [m["method"] for m in pool if m["auto_choice"]][0]
        met = mape[chosen] <= mape["naive"]
        cells = ["%.2f" % mape[m] if mape[m] is not None else "-" for m in methods]
        print("| %s | %d | %d | %s | %s | %s | %.2f%% | %.2f%% |" % (
            name, years, terms, " | ".join(cells), chosen, "met" if met else "NOT met",
            rp.get("mape_quota_pct", float("nan")), rp.get("mape_naive_pct", float("nan"))))
    print()
    print("MAPE in %, pooled over territory-years; each method's forecasts scaled to the year's company total.")
    print()
    print("Commands (from the repository root):")
    print()
    for c in cmds:
        print("    " + c.replace(tqo, "TQO").replace(sys.executable, "python3").replace(ROOT + "/", "")
              .replace(work, "WORK"))


if __name__ == "__main__":
    main()
