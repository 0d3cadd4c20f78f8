#!/usr/bin/env python3
"""Recomputes each rep's odds and the best/base/worst cases of a scenario run
from its files alone, and compares them with what tqo wrote.

Usage: check_odds.py SCENARIOS_DIR
       check_odds.py --plan PLAN_OUT   (quota/quota_summary.json's "odds")

scenarios.json holds every replicate's outcomes as blocks: replicate r's
outcome of territory j is territories[j].block_outcome[k] for the block k
it resamples, and outcome_model.block_replicates[k] replicates resample
block k. From these and scenarios_detail.csv's quotas this script counts,
per scenario and territory:
  prob_at_quota      share of replicates with outcome / quota >= 100%
  prob_first_paying  share reaching the payout curve's first paying point
  expected_payout    mean payout (an independent check that the blocks are
                     the replicates the Monte Carlo summed)
and per scenario the P10/P50/P90 over the replicates of company attainment,
cost of sales and share at quota, against scenarios_summary.csv.
Prints one line per failure and a summary; exits 1 on any failure.
"""
import csv
import json
import math
import sys


def curve_parse(text):
    pts = [tuple(float(v) for v in part.split(":")) for part in text.split(";") if part]
    return [p[0] for p in pts], [p[1] for p in pts]


def payout_eval(xs, ys, a):
    # nothing before the first point; a step pays its upper value; flat after the last
    if a < xs[0]:
        return 0.0
    k = 0
    while k + 1 < len(xs) and xs[k + 1] <= a:
        k += 1
    if k + 1 == len(xs):
        return ys[k]
    x0, x1 = xs[k], xs[k + 1]
    return ys[k] + (ys[k + 1] - ys[k]) * (a - x0) / (x1 - x0) if x1 > x0 else ys[k + 1]


def first_paying(xs, ys):
    for k in range(len(xs)):
        if ys[k] > 0:
            return xs[k - 1] if k > 0 and ys[k - 1] == 0 and xs[k] > xs[k - 1] else xs[k]
    return math.inf


def quantile(sorted_vals, q):
    m = len(sorted_vals)
    if m == 0:
        return math.nan
    pos = q * (m - 1)
    k = int(math.floor(pos))
    if k + 1 >= m:
        return sorted_vals[m - 1]
    return sorted_vals[k] + (pos - k) * (sorted_vals[k + 1] - sorted_vals[k])


def weighted_quantiles(values, counts, qs):
    # the R replicate values, expanded from (value, count) pairs
    expanded = []
    for v, c in sorted(zip(values, counts)):
        if math.isfinite(v):
            expanded.extend([v] * c)
    return [quantile(expanded, q) for q in qs]


def close(a, b, rel=1e-9, absol=1e-9):
    if a == "" or b == "":
        return a == b
    a, b = float(a), float(b)
    return abs(a - b) <= absol + rel * max(abs(a), abs(b))


def main():
    out = sys.argv[1]
    js = json.load(open(out + "/scenarios.json"))
    R = js["settings"]["replicates"]
    counts = js["outcome_model"]["block_replicates"]
    terr = [t["territory_id"] for t in js["territories"]]
    outcome = [t["block_outcome"] for t in js["territories"]]
    nb = len(counts)
    fails = []
    checks = 0
    if sum(counts) != R:
        fails.append("block_replicates add up to %d, not the %d replicates" % (sum(counts), R))
    if nb != len(js["outcome_model"]["error_blocks"]) or any(len(o) != nb for o in outcome):
        fails.append("one outcome per error block and territory expected")
    detail = {}
    for row in csv.DictReader(open(out + "/scenarios_detail.csv")):
        detail[(row["scenario"], row["territory_id"])] = row
    summary = {row["scenario"]: row for row in csv.DictReader(open(out + "/scenarios_summary.csv"))}
    for sc in js["scenarios"]:
        name = sc["scenario"]
        xs, ys = curve_parse(sc["parameters"]["payout_curve"])
        inc = sc["parameters"]["target_incentive"]
        thr = first_paying(xs, ys)
        quotas = []
        for j, tid in enumerate(terr):
            row = detail[(name, tid)]
            q = float(row["quota"]) if row["quota"] else math.nan
            quotas.append(q)
            if not q > 0:
                if row["prob_at_quota"] != "" or row["prob_first_paying"] != "":
                    fails.append("%s %s: odds without a quota" % (name, tid))
                continue
            att = [100.0 * outcome[j][k] / q for k in range(nb)]
            p_at = sum(c for a, c in zip(att, counts) if a >= 100.0 - 1e-9) / R
            p_pay = sum(c for a, c in zip(att, counts) if not a < thr) / R
            pay = sum(c * inc * payout_eval(xs, ys, a) / 100.0 for a, c in zip(att, counts)) / R
            checks += 3
            if not close(row["prob_at_quota"], p_at, 1e-12, 1e-12):
                fails.append("%s %s: prob_at_quota %s, the replicates give %r" % (name, tid, row["prob_at_quota"], p_at))
            if not close(row["prob_first_paying"], p_pay, 1e-12, 1e-12):
                fails.append("%s %s: prob_first_paying %s, the replicates give %r"
                             % (name, tid, row["prob_first_paying"], p_pay))
            if not close(row["expected_payout"], pay, 1e-9, 0.0051):
                fails.append("%s %s: expected_payout %s, the replicates give %.4f" % (name, tid, row["expected_payout"], pay))
        if not all(q > 0 for q in quotas):
            continue
        # per block: company attainment, cost of sales, share at quota
        comp, cos, share = [], [], []
        qsum = sum(quotas)
        for k in range(nb):
            rev = sum(outcome[j][k] for j in range(len(terr)))
            paid = sum(inc * payout_eval(xs, ys, 100.0 * outcome[j][k] / quotas[j]) / 100.0 for j in range(len(terr)))
            comp.append(100.0 * rev / qsum)
            cos.append(100.0 * paid / rev if rev > 0 else math.nan)
            share.append(100.0 * sum(1 for j in range(len(terr)) if 100.0 * outcome[j][k] / quotas[j] >= 100.0 - 1e-9)
                         / len(terr))
        srow = summary[name]
        for stem, vals in (("company_attainment", comp), ("cost_of_sales", cos), ("pct_at_quota", share)):
            got = weighted_quantiles(vals, counts, (0.1, 0.5, 0.9))
            for q, g in zip(("p10", "p50", "p90"), got):
                checks += 1
                # quotas in the file are to the cent, as in memory; sums may round differently
                if not close(srow["%s_%s" % (stem, q)], g, 1e-7, 1e-7):
                    fails.append("%s: %s_%s %s, the replicates give %r" % (name, stem, q, srow["%s_%s" % (stem, q)], g))
    for f in fails[:20]:
        print("FAIL " + f)
    print("%d checks against %d replicates in %d blocks, %d scenarios: %d failed"
          % (checks, R, nb, len(js["scenarios"]), len(fails)))
    return 1 if fails or checks == 0 else 0


def main_plan(plan):
    """tqo plan's quota_summary.json "odds": the quota step's own quotas
    (quota/quotas.csv) judged against the scenario step's replicates
    (scenarios/scenarios.json) under the plan's pay plan (plan.ini)."""
    js = json.load(open(plan + "/scenarios/scenarios.json"))
    odds = json.load(open(plan + "/quota/quota_summary.json"))["odds"]
    ini = {}
    for line in open(plan + "/plan.ini"):
        if "=" in line and not line.lstrip().startswith((";", "#")):
            k, v = line.split("=", 1)
            ini[k.strip()] = v.strip()
    R = js["settings"]["replicates"]
    counts = js["outcome_model"]["block_replicates"]
    nb = len(counts)
    outcome = {t["territory_id"]: t["block_outcome"] for t in js["territories"]}
    quotas = [(r["territory_id"], float(r["quota"])) for r in csv.DictReader(open(plan + "/quota/quotas.csv"))]
    xs, ys = curve_parse(ini["payout_curve"])
    inc = float(ini["target_incentive"])
    thr = first_paying(xs, ys)
    fails, checks = [], 0
    for key, want in (("replicates", R), ("error_blocks", nb), ("payout_curve", ini["payout_curve"]),
                      ("target_incentive", inc), ("first_paying_pct", thr)):
        checks += 1
        if odds[key] != want:
            fails.append("odds.%s %r, expected %r" % (key, odds[key], want))
    got = {t["territory_id"]: t for t in odds["territories"]}
    if [t for t, _ in quotas] != [t["territory_id"] for t in odds["territories"]]:
        fails.append("odds.territories are not quotas.csv's territories in order")
    comp, cos, share = [0.0] * nb, [0.0] * nb, [0] * nb
    for tid, q in quotas:
        o = got.get(tid, {})
        att = [100.0 * outcome[tid][k] / q for k in range(nb)]
        pay = [inc * payout_eval(xs, ys, a) / 100.0 for a in att]
        want = {"quota": q,
                "prob_at_quota": sum(c for a, c in zip(att, counts) if a >= 100.0 - 1e-9) / R,
                "prob_first_paying": sum(c for a, c in zip(att, counts) if not a < thr) / R,
                "expected_payout": sum(c * p for p, c in zip(pay, counts)) / R}
        for key, w in want.items():
            checks += 1
            if not close(o.get(key, ""), w, 1e-9, 0.0051 if key == "expected_payout" else 1e-12):
                fails.append("%s: odds %s %r, the replicates give %r" % (tid, key, o.get(key), w))
        for k in range(nb):
            cos[k] += pay[k]
            share[k] += att[k] >= 100.0 - 1e-9
    qsum = sum(q for _, q in quotas)
    rev = [sum(outcome[t][k] for t, _ in quotas) for k in range(nb)]
    comp = [100.0 * rev[k] / qsum for k in range(nb)]
    cos = [100.0 * cos[k] / rev[k] if rev[k] > 0 else math.nan for k in range(nb)]
    share = [100.0 * share[k] / len(quotas) for k in range(nb)]
    for stem, vals in (("company_attainment_pct", comp), ("cost_of_sales_pct", cos), ("pct_at_quota", share)):
        for q, g in zip(("p10", "p50", "p90"), weighted_quantiles(vals, counts, (0.1, 0.5, 0.9))):
            checks += 1
            if not close(odds[stem][q], g, 1e-7, 1e-7):
                fails.append("odds.%s.%s %r, the replicates give %r" % (stem, q, odds[stem][q], g))
    for f in fails[:20]:
        print("FAIL " + f)
    print("quota_summary.json odds: %d checks against %d replicates in %d blocks, %d territories: %d failed"
          % (checks, R, nb, len(quotas), len(fails)))
    return 1 if fails or checks == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--plan":
        sys.exit(main_plan(sys.argv[2]))
    sys.exit(main())
