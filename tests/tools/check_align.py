#!/usr/bin/env python3
"""Independent checker for the output of `tqo align`.

Usage: check_align.py INSTANCE OUT [--adjacency FILE|none] [--max-exceptions N]
                      [--gap PCT] [--max-splits N] [--max-moved-pct PCT]
                      [--printed STDOUT_FILE] [--json]

Everything is recomputed from the files (INSTANCE/units.csv, territories.csv,
adjacency.csv, locks.csv and OUT/assignment.csv, territories.csv); from
OUT/summary.json only the run's parameters (balanced measures, tolerances,
weight, disruption weight, caps) and the lower bound are taken. The figures
tqo reports (objective, deviations, totals, compactness, moves, splits,
exceptions) are compared with the recomputed ones, never used in their place.

Checks:
 1. assignment: every unit exactly once per territory it is in, no unknown
    unit or territory, shares > 0 summing to 1 (within 1e-9); split units
    (more than one row) counted; none without --allow-splits.
 2. balance: share-weighted totals per territory and balanced measure against
    target = capacity share x total (capacities from INSTANCE/territories.csv
    when its territory ids are the output's, else equal); |dev| <= tol + 1e-6.
 3. compactness: sum of w_i d(i, centre)^2 share over the rows, w = the
    weight measure, d Euclidean (x,y) or haversine with R = 6371.0088 km
    (lat,lon), centres from OUT/territories.csv; plus W x moved measure when a
    disruption weight is used. Must match summary.json's objective within a
    relative 1e-6. gap = (objective - lower_bound) / objective.
 4. contiguity (with adjacency): the pieces (connected components) of each
    territory's units (positive share) in the unit graph. The main piece is
    the largest in the first balanced measure (share-weighted), then in units;
    on a full tie a piece that is not a whole island is preferred. Any other
    piece that is a whole component of the unit graph is an exception, any
    other piece is a violation. violations == 0, exceptions <= components - 1
    (and <= --max-exceptions).
 5. locks: each unit of INSTANCE/locks.csv wholly in its territory; home
    bases: when INSTANCE/territories.csv has the output's territory ids, each
    territory with a home base has its centre there (within 1e-9).
 6. realignment: with a `current` column, the moved share of the first
    balanced measure (in percent), against --max-moved-pct and the run's own
    --max-moves; with --max-distance, no unit beyond it (locked units too:
    a lock beyond the cap must be refused, never kept silently).
 7. claims: summary.json's gap is not negative and its contiguity_exceptions
    list every detached piece (a piece that is not a whole island is accepted
    only when the run has locks or --allow-splits and summary.json lists it);
    a "status" field, when present, is a string or object. With --printed,
    the printed summary (objective, gap, deviations, split units, the
    contiguity line, moves) against the recomputed figures.

Each failed check has a kind (balance, move-cap, move-cap-locked,
distance-cap, distance-cap-locked, contiguity-unreported, contiguity-claim,
lock, gap, figure, ...), listed in --json output as failure_kinds.

Exit status 0 when every check passes, 1 when one fails, 2 on unreadable input.
"""
import argparse
import collections
import csv
import json
import math
import os
import sys

EARTH_RADIUS_KM = 6371.0088
SHARE_TOL = 1e-9
DEV_TOL = 1e-6
OBJ_REL_TOL = 1e-6
CENTRE_TOL = 1e-9

LAT_NAMES = ("lat", "latitude")
LON_NAMES = ("lon", "longitude", "lng", "long")


class InputError(Exception):
    pass


# ---------------------------------------------------------------- reading

def read_csv(path):
    """Header (lower-cased, stripped) and rows as dicts keyed by it.
    Blank lines are skipped; cells are stripped of surrounding spaces."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror or e))
    except UnicodeDecodeError:
        raise InputError("%s: not UTF-8" % path)
    if not rows:
        raise InputError("%s: empty file (no header)" % path)
    header = [h.strip().lower() for h in rows[0]]
    if len(set(header)) != len(header):
        raise InputError("%s: repeated column names in the header" % path)
    out = []
    for k, r in enumerate(rows[1:], start=2):
        if len(r) > len(header):
            raise InputError("%s: data row %d has %d fields, header has %d" % (path, k, len(r), len(header)))
        r = [c.strip() for c in r] + [""] * (len(header) - len(r))
        out.append(dict(zip(header, r)))
    return header, out


def number(text, where):
    try:
        v = float(text)
    except ValueError:
        raise InputError("%s: '%s' is not a number" % (where, text))
    if not math.isfinite(v):
        raise InputError("%s: '%s' is not a finite number" % (where, text))
    return v


def find_col(header, names):
    for n in names:
        if n in header:
            return n
    return None


def coord_columns(header, prefix=""):
    """('xy', xcol, ycol), ('latlon', loncol, latcol) or (None, None, None)."""
    if prefix + "x" in header and prefix + "y" in header:
        return "xy", prefix + "x", prefix + "y"
    lat = find_col(header, [prefix + n for n in LAT_NAMES])
    lon = find_col(header, [prefix + n for n in LON_NAMES])
    if lat and lon:
        return "latlon", lon, lat
    return None, None, None


def dist2(kind, x1, y1, x2, y2):
    """Squared distance in km^2; for lat/lon x is the longitude, y the latitude."""
    if kind == "latlon":
        rad = math.pi / 180.0
        dlat = (y2 - y1) * rad
        dlon = (x2 - x1) * rad
        a = math.sin(dlat / 2) ** 2 + math.cos(y1 * rad) * math.cos(y2 * rad) * math.sin(dlon / 2) ** 2
        a = min(1.0, max(0.0, a))
        d = 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
        return d * d
    return (x2 - x1) ** 2 + (y2 - y1) ** 2


# ---------------------------------------------------------------- checking

class Report:
    def __init__(self):
        self.checks = []  # (name, ok, detail)
        self.notes = []

    def check(self, name, ok, detail="", kind=None):
        self.checks.append((name, bool(ok), detail, kind or kind_of(name)))
        return ok

    def note(self, text):
        self.notes.append(text)

    @property
    def failures(self):
        return [(n, d) for n, ok, d, _ in self.checks if not ok]

    @property
    def failure_kinds(self):
        return sorted(set(k for _, ok, _, k in self.checks if not ok))


# The kind of a failed check, for counting violations by kind (prop_align.py);
# checks that compare a reported figure with the recomputed one are "figure".
KIND_PREFIXES = (
    ("balance ", "balance"),
    ("no unit beyond --max-distance", "distance-cap"),
    ("contiguity: no territory piece", "contiguity-unreported"),
    ("contiguity: exceptions", "contiguity"),
    ("contiguity claim", "contiguity-claim"),
    ("locks:", "lock"),
    ("home bases:", "home-base"),
    ("lower bound <= objective", "gap"),
    ("gap is not negative", "gap"),
    ("no split units", "splits"),
    ("every unit", "assignment"),
    ("no unknown unit", "assignment"),
    ("territory ids of", "assignment"),
    ("shares ", "assignment"),
    ("no (unit", "assignment"),
    ("status", "status"),
)


def kind_of(name):
    for prefix, kind in KIND_PREFIXES:
        if name.startswith(prefix):
            return kind
    return "figure"


def close_rel(a, b, rel, abs_floor=0.0):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_floor


def run(args):
    rep = Report()
    fig = collections.OrderedDict()
    inst, out = args.instance, args.out

    # --- summary.json: parameters only (plus lower bound and reported figures to compare)
    try:
        with open(os.path.join(out, "summary.json"), encoding="utf-8-sig") as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError("%s: %s" % (os.path.join(out, "summary.json"), e))
    params = summary.get("parameters") or {}
    balance = params.get("balance") or []
    if not balance:
        raise InputError("summary.json: parameters.balance lists no balanced measure")
    measures = [b["measure"] for b in balance]
    tols = [float(b["tolerance_pct"]) for b in balance]
    weight = params.get("weight") or measures[0]
    W = float(params.get("disruption_weight") or 0)
    allow_splits = params.get("allow_splits")
    max_distance = float(params.get("max_distance_km") or 0)
    run_max_moves = params.get("max_moves_pct")
    run_max_moves = float(run_max_moves) if run_max_moves is not None else -1.0

    # --- units
    uh, urows = read_csv(os.path.join(inst, "units.csv"))
    if "unit_id" not in uh:
        raise InputError("units.csv: no unit_id column")
    kind, xcol, ycol = coord_columns(uh)
    if kind is None:
        raise InputError("units.csv: no x,y or lat,lon columns")
    need = list(dict.fromkeys(measures + [weight]))
    for m in need:
        if m.lower() not in uh:
            raise InputError("units.csv: no column '%s' (named in summary.json)" % m)
    units = []
    index = {}
    ux, uy = [], []
    meas = {m: [] for m in need}
    current = []
    has_current = "current" in uh
    for k, r in enumerate(urows, start=2):
        u = r["unit_id"]
        if u in index:
            raise InputError("units.csv:%d: unit '%s' repeated" % (k, u))
        index[u] = len(units)
        units.append(u)
        ux.append(number(r[xcol], "units.csv:%d: %s" % (k, xcol)))
        uy.append(number(r[ycol], "units.csv:%d: %s" % (k, ycol)))
        for m in need:
            meas[m].append(number(r[m.lower()], "units.csv:%d: %s" % (k, m)))
        current.append(r["current"] if has_current else "")
    n = len(units)
    fig["n_units"] = n
    fig["coordinates"] = kind
    # locked units, to tell a cap broken by a lock from one broken otherwise
    locked = set()
    if os.path.exists(os.path.join(inst, "locks.csv")):
        for r in read_csv(os.path.join(inst, "locks.csv"))[1]:
            if r.get("unit_id", "") in index:
                locked.add(index[r["unit_id"]])

    # --- output territories
    th, trows = read_csv(os.path.join(out, "territories.csv"))
    okind, ocx, ocy = coord_columns(th, "center_")
    if okind is None or "territory_id" not in th:
        raise InputError("OUT/territories.csv: no territory_id or centre columns")
    rep.check("output centres use the instance's coordinates (%s)" % kind, okind == kind,
              "units.csv has %s, OUT/territories.csv has %s" % (kind, okind))
    terr = []
    tindex = {}
    cx, cy = [], []
    for k, r in enumerate(trows, start=2):
        t = r["territory_id"]
        if t in tindex:
            raise InputError("OUT/territories.csv:%d: territory '%s' repeated" % (k, t))
        tindex[t] = len(terr)
        terr.append(t)
        cx.append(number(r[ocx], "OUT/territories.csv:%d: %s" % (k, ocx)))
        cy.append(number(r[ocy], "OUT/territories.csv:%d: %s" % (k, ocy)))
    p = len(terr)
    fig["n_territories"] = p
    if "territories" in summary:
        rep.check("summary territories == rows of OUT/territories.csv", summary["territories"] == p,
                  "summary says %s, file has %d" % (summary["territories"], p))

    # --- instance territories (capacities, home bases)
    cap = [1.0] * p
    inst_terr_path = os.path.join(inst, "territories.csv")
    ids_match = False
    home = {}
    if os.path.exists(inst_terr_path):
        ih, irows = read_csv(inst_terr_path)
        iids = [r.get("territory_id", "") for r in irows]
        ids_match = "territory_id" in ih and set(iids) == set(terr) and len(iids) == p
        if ids_match:
            hkind, hx, hy = coord_columns(ih)
            for k, r in enumerate(irows, start=2):
                j = tindex[r["territory_id"]]
                if "capacity" in ih and r["capacity"] != "":
                    cap[j] = number(r["capacity"], "territories.csv:%d: capacity" % k)
                if hkind and r[hx] != "" and r[hy] != "":
                    home[j] = (number(r[hx], "territories.csv:%d" % k), number(r[hy], "territories.csv:%d" % k))
        else:
            rep.note("INSTANCE/territories.csv ids differ from the output's: equal capacities, no home bases")
    fig["capacities_from_instance"] = ids_match

    # --- assignment
    ah, arows = read_csv(os.path.join(out, "assignment.csv"))
    rep.check("assignment.csv header is unit_id,territory_id,share",
              ah == ["unit_id", "territory_id", "share"], "header is %s" % ",".join(ah))
    rows_of = [[] for _ in range(n)]  # (territory index, share)
    unknown_u, unknown_t, bad_share, dup = [], [], [], []
    for k, r in enumerate(arows, start=2):
        u, t = r.get("unit_id", ""), r.get("territory_id", "")
        s = number(r.get("share", ""), "assignment.csv:%d: share" % k)
        if u not in index:
            unknown_u.append(u)
            continue
        if t not in tindex:
            unknown_t.append(t)
            continue
        if not (s > 0) or s > 1 + SHARE_TOL:
            bad_share.append("%s->%s %r" % (u, t, s))
        i, j = index[u], tindex[t]
        if any(jj == j for jj, _ in rows_of[i]):
            dup.append("%s->%s" % (u, t))
        rows_of[i].append((j, s))
    missing = [units[i] for i in range(n) if not rows_of[i]]
    bad_sum = []
    for i in range(n):
        if rows_of[i]:
            tot = math.fsum(s for _, s in rows_of[i])
            if abs(tot - 1.0) > SHARE_TOL:
                bad_sum.append("%s (%.17g)" % (units[i], tot))

    def few(lst):
        return ", ".join(lst[:5]) + (" ... (%d in all)" % len(lst) if len(lst) > 5 else "")

    rep.check("every unit assigned", not missing, "missing: " + few(missing))
    rep.check("no unknown unit in assignment.csv", not unknown_u, "unknown: " + few(unknown_u))
    rep.check("territory ids of assignment.csv are in OUT/territories.csv", not unknown_t,
              "unknown: " + few(unknown_t))
    rep.check("shares in (0, 1]", not bad_share, few(bad_share))
    rep.check("no (unit, territory) row repeated", not dup, few(dup))
    rep.check("shares of each unit sum to 1 (within 1e-9)", not bad_sum, few(bad_sum))
    n_split = sum(1 for i in range(n) if len(rows_of[i]) > 1)
    fig["n_split"] = n_split
    if allow_splits is False:
        rep.check("no split units without --allow-splits", n_split == 0, "%d split units" % n_split)
    if args.max_splits is not None:
        rep.check("split units <= %d" % args.max_splits, n_split <= args.max_splits, "%d split units" % n_split)
    rs = (summary.get("splits") or {}).get("result")
    if rs is not None:
        rep.check("summary splits.result matches", rs == n_split, "summary %s, recomputed %d" % (rs, n_split))

    # --- balance
    capsum = math.fsum(cap)
    a0 = meas[measures[0]]
    fig["max_dev_pct"] = collections.OrderedDict()
    fig["tolerance_pct"] = collections.OrderedDict()
    totals = {}
    for m, tol in zip(measures, tols):
        a = meas[m]
        grand = math.fsum(a)
        acc = [[] for _ in range(p)]
        for i in range(n):
            for j, s in rows_of[i]:
                acc[j].append(s * a[i])
        tot = [math.fsum(x) for x in acc]
        totals[m] = tot
        worst, worst_t, devs = 0.0, None, []
        for j in range(p):
            target = cap[j] / capsum * grand if capsum > 0 else 0.0
            if target > 0:
                dev = 100.0 * (tot[j] - target) / target
            else:
                dev = 0.0 if tot[j] == 0 else math.inf
            devs.append(dev)
            if abs(dev) > worst or worst_t is None:
                worst, worst_t = abs(dev), terr[j]
        fig["max_dev_pct"][m] = worst
        fig["tolerance_pct"][m] = tol
        rep.check("balance %s: largest |dev| %.6g%% <= %g%%" % (m, worst, tol), worst <= tol + DEV_TOL,
                  "territory %s deviates %.9g%% (tolerance %g%%)" % (worst_t, worst, tol))
        # compare with OUT/territories.csv and summary
        mcol, dcol = m.lower(), m.lower() + "_dev_pct"
        if mcol in th and dcol in th:
            bad = []
            for r in trows:
                j = tindex[r["territory_id"]]
                rt = number(r[mcol], "OUT/territories.csv: %s" % mcol)
                rd = number(r[dcol], "OUT/territories.csv: %s" % dcol)
                if not close_rel(rt, tot[j], 1e-9, 1e-9 * (abs(grand) / max(p, 1))):
                    bad.append("%s total %.17g vs %.17g" % (terr[j], rt, tot[j]))
                if not abs(rd - devs[j]) <= DEV_TOL:
                    bad.append("%s dev %.17g%% vs %.17g%%" % (terr[j], rd, devs[j]))
            rep.check("OUT/territories.csv %s totals and deviations match" % m, not bad, few(bad))
        else:
            rep.check("OUT/territories.csv has columns %s, %s" % (mcol, dcol), False, "missing")
        sdev = (summary.get("max_abs_dev_pct") or {}).get(m)
        if sdev is not None:
            rep.check("summary max_abs_dev_pct %s matches" % m, abs(float(sdev) - worst) <= DEV_TOL,
                      "summary %.17g, recomputed %.17g" % (float(sdev), worst))

    # units column of OUT/territories.csv
    if "units" in th:
        cnt = [0] * p
        for i in range(n):
            for j, s in rows_of[i]:
                cnt[j] += 1
        bad = ["%s: %s vs %d" % (r["territory_id"], r["units"], cnt[tindex[r["territory_id"]]])
               for r in trows if r["units"] != str(cnt[tindex[r["territory_id"]]])]
        rep.check("OUT/territories.csv units = units with a positive share", not bad, few(bad))

    # --- realignment (moves against the current plan)
    moved_abs = None
    if has_current:
        cur_ids = set(c for c in current if c != "")
        if cur_ids <= set(tindex):
            acc = []
            moved_units = 0
            for i in range(n):
                if current[i] == "":
                    continue
                mv = [s for j, s in rows_of[i] if terr[j] != current[i]]
                if mv:
                    moved_units += 1
                    acc.append(math.fsum(mv) * a0[i])
            moved_abs = math.fsum(acc)
            grand0 = math.fsum(a0)
            fig["moved_pct"] = 100.0 * moved_abs / grand0 if grand0 > 0 else 0.0
            fig["moved_units"] = moved_units
            sm = summary.get("moved") or {}
            if "share_pct" in sm:
                rep.check("summary moved.share_pct matches", abs(float(sm["share_pct"]) - fig["moved_pct"]) <= 1e-6,
                          "summary %.17g, recomputed %.17g" % (float(sm["share_pct"]), fig["moved_pct"]))
            if "units" in sm:
                rep.check("summary moved.units matches", sm["units"] == moved_units,
                          "summary %s, recomputed %d" % (sm["units"], moved_units))
            caps = []
            if args.max_moved_pct is not None:
                caps.append(("--max-moved-pct", args.max_moved_pct))
            if run_max_moves >= 0:
                caps.append(("the run's --max-moves", run_max_moves))
            for what, c in caps:
                rep.check("moved %.6g%% <= %g%% (%s)" % (fig["moved_pct"], c, what), fig["moved_pct"] <= c + 1e-6,
                          "moved %.9g%% of %s" % (fig["moved_pct"], measures[0]),
                          kind="move-cap-locked" if locked else "move-cap")
        else:
            fig["moved_pct"] = None
            rep.note("current plan names territories not in the output: moves not measured")
            if args.max_moved_pct is not None:
                rep.check("moved share measurable for --max-moved-pct", False,
                          "the current plan's territories are not the output's")
    else:
        fig["moved_pct"] = None
        if args.max_moved_pct is not None:
            rep.check("moved share measurable for --max-moved-pct", False, "units.csv has no current column")

    # --- compactness / objective
    w = meas[weight]
    per_t = [[] for _ in range(p)]
    far = []
    far_locked = False
    for i in range(n):
        for j, s in rows_of[i]:
            d2 = dist2(kind, ux[i], uy[i], cx[j], cy[j])
            per_t[j].append(w[i] * d2 * s)
            if max_distance > 0 and math.sqrt(d2) > max_distance * (1 + 1e-9) + 1e-9:
                far.append("%s->%s %.6g km%s" % (units[i], terr[j], math.sqrt(d2), " (locked)" if i in locked else ""))
                far_locked = far_locked or i in locked
    comp = [math.fsum(x) for x in per_t]
    compact = math.fsum(comp)
    obj = compact
    if W > 0:
        if moved_abs is None:
            rep.check("disruption weight needs a measurable current plan", False, "cannot add W x moved")
        else:
            obj = compact + W * moved_abs
    fig["weight"] = weight
    fig["compactness_recomputed"] = compact
    fig["objective_recomputed"] = obj
    reported = summary.get("objective")
    fig["objective_reported"] = reported
    if reported is not None:
        rel = abs(obj - float(reported)) / max(abs(float(reported)), 1e-300) if obj != float(reported) else 0.0
        fig["objective_rel_diff"] = rel
        rep.check("objective matches summary.json (relative diff %.3g <= 1e-6)" % rel, rel <= OBJ_REL_TOL,
                  "recomputed %.17g, reported %.17g" % (obj, float(reported)))
    else:
        fig["objective_rel_diff"] = None
        rep.check("summary.json has an objective", False, "missing")
    if "compactness" in th:
        bad = []
        for r in trows:
            j = tindex[r["territory_id"]]
            rc = number(r["compactness"], "OUT/territories.csv: compactness")
            if not close_rel(rc, comp[j], OBJ_REL_TOL, 1e-9 * abs(compact)):
                bad.append("%s %.17g vs %.17g" % (terr[j], rc, comp[j]))
        rep.check("OUT/territories.csv compactness matches", not bad, few(bad))
    if max_distance > 0:
        rep.check("no unit beyond --max-distance %g km" % max_distance, not far, few(far),
                  kind="distance-cap-locked" if far_locked else "distance-cap")
    lb = summary.get("lower_bound")
    fig["lower_bound"] = lb
    if lb is not None:
        lb = float(lb)
        gap = (obj - lb) / obj if obj != 0 else 0.0
        fig["gap_pct"] = 100.0 * gap
        rep.check("lower bound <= objective", lb <= obj * (1 + 1e-9) + 1e-9,
                  "lower bound %.17g, objective %.17g" % (lb, obj))
        if "gap" in summary and summary["gap"] is not None:
            rep.check("gap is not negative (summary.json gap %.6g)" % float(summary["gap"]),
                      float(summary["gap"]) >= -1e-9, "summary gap %.17g" % float(summary["gap"]))
            rep.check("summary gap matches", abs(float(summary["gap"]) - gap) <= 1e-6,
                      "summary %.17g, recomputed %.17g" % (float(summary["gap"]), gap))
        if args.gap is not None:
            rep.check("gap %.4g%% <= %g%%" % (fig["gap_pct"], args.gap), fig["gap_pct"] <= args.gap + 1e-9,
                      "gap %.9g%%" % fig["gap_pct"])
    else:
        fig["gap_pct"] = None
        if args.gap is not None:
            rep.check("summary.json has a lower bound for --gap", False, "missing")

    # --- contiguity
    adj_path = None
    if args.adjacency is not None:
        if args.adjacency.lower() != "none":
            adj_path = args.adjacency
    else:
        src = params.get("adjacency")
        if params.get("contiguity") is False:
            rep.note("contiguity not requested (--no-contiguity): not checked")
        elif src in ("delaunay", "none"):
            rep.note("the run used --adjacency %s: contiguity not checked (give --adjacency FILE)" % src)
        elif os.path.exists(os.path.join(inst, "adjacency.csv")):
            adj_path = os.path.join(inst, "adjacency.csv")
    fig["adjacency"] = adj_path
    fig["exceptions"] = None
    fig["violations"] = None
    fig["graph_components"] = None
    if adj_path is not None:
        nb = [[] for _ in range(n)]
        adh, adrows = read_csv(adj_path)
        if "unit_a" not in adh or "unit_b" not in adh:
            raise InputError("%s: needs unit_a,unit_b columns" % adj_path)
        for k, r in enumerate(adrows, start=2):
            a, b = r["unit_a"], r["unit_b"]
            if a not in index or b not in index:
                raise InputError("%s:%d: unknown unit '%s'" % (adj_path, k, a if a not in index else b))
            ia, ib = index[a], index[b]
            if ia != ib:
                nb[ia].append(ib)
                nb[ib].append(ia)
        comp_of = [-1] * n
        comp_size = []
        for s0 in range(n):
            if comp_of[s0] >= 0:
                continue
            c = len(comp_size)
            comp_of[s0] = c
            stack, size = [s0], 0
            while stack:
                u = stack.pop()
                size += 1
                for v in nb[u]:
                    if comp_of[v] < 0:
                        comp_of[v] = c
                        stack.append(v)
            comp_size.append(size)
        ncomp = len(comp_size)
        fig["graph_components"] = ncomp
        members = [dict() for _ in range(p)]  # unit -> share
        for i in range(n):
            for j, s in rows_of[i]:
                if s > 0:
                    members[j][i] = s
        exceptions, loose = [], []
        for j in range(p):
            mem = members[j]
            seen = set()
            pieces = []
            for s0 in sorted(mem):
                if s0 in seen:
                    continue
                seen.add(s0)
                stack, piece = [s0], []
                while stack:
                    u = stack.pop()
                    piece.append(u)
                    for v in nb[u]:
                        if v in mem and v not in seen:
                            seen.add(v)
                            stack.append(v)
                size = math.fsum(mem[u] * a0[u] for u in piece)
                island = len(piece) == comp_size[comp_of[piece[0]]]
                pieces.append((size, len(piece), 0 if island else 1, min(piece), island))
            if len(pieces) <= 1:
                continue
            core = max(range(len(pieces)), key=lambda q: (pieces[q][0], pieces[q][1], pieces[q][2], -pieces[q][3]))
            for q, pc in enumerate(pieces):
                if q == core:
                    continue
                desc = "%s: %d units from %s" % (terr[j], pc[1], units[pc[3]])
                (exceptions if pc[4] else loose).append((j, desc))
        # A piece that is not a whole island is allowed only where the user
        # allowed it (locks or --allow-splits) and summary.json lists it as
        # an exception of that territory; any other is a violation.
        sx = summary.get("contiguity_exceptions")
        listed = collections.Counter()
        if isinstance(sx, list):
            for e in sx:
                if isinstance(e, dict):
                    listed[e.get("territory")] += 1
        detached = collections.Counter(terr[j] for j, _ in exceptions + loose)
        excused = bool(locked) or bool(allow_splits)
        reported, violations = [], []
        for j, desc in loose:
            (reported if excused and listed[terr[j]] >= detached[terr[j]] else violations).append(desc)
        exceptions = [d for _, d in exceptions]
        fig["exceptions"] = len(exceptions)
        fig["reported_pieces"] = len(reported)
        fig["violations"] = len(violations)
        fig["exception_list"] = exceptions
        fig["reported_list"] = reported
        fig["violation_list"] = violations
        rep.check("contiguity: no territory piece apart from its main one except whole islands "
                  "(or pieces forced by locks or splits and listed in summary.json)",
                  not violations, "%d violations: %s" % (len(violations), few(violations)))
        rep.check("contiguity: exceptions %d <= graph components - 1 (%d)" % (len(exceptions), ncomp - 1),
                  len(exceptions) <= ncomp - 1, few(exceptions))
        if args.max_exceptions is not None:
            rep.check("contiguity: exceptions %d <= %d" % (len(exceptions), args.max_exceptions),
                      len(exceptions) <= args.max_exceptions, few(exceptions))
        src = params.get("adjacency")
        same_graph = args.adjacency is None or args.same_graph or (
            src and os.path.abspath(src) == os.path.abspath(adj_path))
        fig["contiguity_checked_graph_is_runs"] = bool(same_graph)
        n_detached = len(exceptions) + len(reported) + len(violations)
        if isinstance(sx, list) and same_graph:
            rep.check("contiguity claim: summary contiguity_exceptions lists every detached piece",
                      len(sx) >= n_detached, "summary lists %d, recomputed %d detached pieces: %s"
                      % (len(sx), n_detached, few(violations + reported + exceptions)))
            if len(sx) >= n_detached:  # too few is the claim above
                rep.check("summary contiguity_exceptions count matches", len(sx) == n_detached,
                          "summary %d, recomputed %d" % (len(sx), n_detached))

    # --- locks
    locks_path = os.path.join(inst, "locks.csv")
    fig["locks_checked"] = 0
    if os.path.exists(locks_path):
        lh, lrows = read_csv(locks_path)
        bad = []
        for k, r in enumerate(lrows, start=2):
            u, t = r.get("unit_id", ""), r.get("territory_id", "")
            if u not in index:
                bad.append("locks.csv:%d: unknown unit %s" % (k, u))
                continue
            got = [(terr[j], s) for j, s in rows_of[index[u]]]
            if got != [(t, 1.0)] and not (len(got) == 1 and got[0][0] == t and abs(got[0][1] - 1) <= SHARE_TOL):
                bad.append("%s locked to %s, has %s" % (u, t, " ".join("%s:%.6g" % g for g in got) or "nothing"))
            fig["locks_checked"] += 1
        rep.check("locks: %d locked units wholly in their territory" % len(lrows), not bad, few(bad))

    # --- home bases
    fig["home_bases_checked"] = len(home)
    if home:
        bad = []
        for j, (hx, hy) in sorted(home.items()):
            if abs(cx[j] - hx) > CENTRE_TOL * max(1.0, abs(hx)) or abs(cy[j] - hy) > CENTRE_TOL * max(1.0, abs(hy)):
                bad.append("%s centre (%.17g, %.17g), home (%.17g, %.17g)" % (terr[j], cx[j], cy[j], hx, hy))
        rep.check("home bases: %d centres at the rep's home base" % len(home), not bad, few(bad))

    # --- summary.json status (when tqo writes one) and the printed summary
    status = summary.get("status")
    fig["status"] = status
    if status is not None:
        rep.check("status: summary.json status is a string or an object", isinstance(status, (str, dict)),
                  "status is %r" % (status,))
    if args.printed:
        check_printed(rep, fig, args.printed)

    fig["ok"] = not rep.failures
    fig["failure_kinds"] = rep.failure_kinds
    return rep, fig


def parse_printed_number(text):
    return float(text.replace(",", ""))


def check_printed(rep, fig, path):
    """The summary tqo printed on standard output (saved to PATH), each
    figure against the recomputed one at the precision it is printed with."""
    import re
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror or e))
    devs = fig.get("max_dev_pct") or {}
    seen = set()
    for line in lines:
        m = re.match(r"^objective\s+(-?[\d,.]+(?:e[-+]?\d+)?)\s*$", line)
        if m and fig.get("objective_recomputed") is not None:
            v, r = parse_printed_number(m.group(1)), fig["objective_recomputed"]
            tol = 0.51 if abs(r) >= 1000 else 1e-3 * abs(r) + 1e-12
            rep.check("printed objective matches", abs(v - r) <= tol, "printed %s, recomputed %.10g" % (m.group(1), r))
            seen.add("objective")
            continue
        m = re.match(r"^gap\s+(-?[\d.]+)%\s*$", line)
        if m:
            v = float(m.group(1))
            rep.check("gap is not negative (printed gap %s%%)" % m.group(1), v >= 0, line.strip())
            if fig.get("gap_pct") is not None:
                rep.check("printed gap matches", abs(v - fig["gap_pct"]) <= 0.0051,
                          "printed %s%%, recomputed %.6g%%" % (m.group(1), fig["gap_pct"]))
            continue
        m = re.match(r"^(?:balance)?\s+(\S+)\s+largest deviation\s+(-?[\d.]+)%", line)
        if m:
            name = next((k for k in devs if k.lower() == m.group(1).lower()), None)
            rep.check("printed balance line names a balanced measure (%s)" % m.group(1), name is not None, line)
            if name is not None:
                rep.check("printed largest deviation of %s matches" % name,
                          abs(float(m.group(2)) - devs[name]) <= 0.0051,
                          "printed %s%%, recomputed %.6g%%" % (m.group(2), devs[name]))
            continue
        m = re.match(r"^splits\s+(\d+) units? shared", line)
        if m:
            rep.check("printed split units match", int(m.group(1)) == fig["n_split"],
                      "printed %s, recomputed %d" % (m.group(1), fig["n_split"]))
            continue
        m = re.match(r"^contiguity\s+(.*?)\s*$", line)
        if m and fig.get("violations") is not None:
            text = m.group(1)
            detached = fig["exceptions"] + fig["reported_pieces"] + fig["violations"]
            if text.startswith("every territory connected"):
                rep.check("contiguity claim: printed 'every territory connected' holds", detached == 0,
                          "%d detached pieces: %s" % (detached, ", ".join(
                              (fig["violation_list"] + fig["reported_list"] + fig["exception_list"])[:5])))
            else:
                e = re.match(r"^(\d+) exceptions?", text)
                if e:
                    k = int(e.group(1))
                    rep.check("contiguity claim: printed %d exceptions covers every detached piece" % k,
                              k >= detached, "printed %d, recomputed %d detached pieces" % (k, detached))
                    if k >= detached:
                        rep.check("printed exception count matches", k == detached,
                                  "printed %d, recomputed %d" % (k, detached))
            continue
        m = re.match(r"^moved\s+(\d+) units, (-?[\d.]+)% of", line)
        if m and fig.get("moved_pct") is not None:
            rep.check("printed moved units match", int(m.group(1)) == fig.get("moved_units"),
                      "printed %s, recomputed %s" % (m.group(1), fig.get("moved_units")))
            rep.check("printed moved share matches", abs(float(m.group(2)) - fig["moved_pct"]) <= 0.0051,
                      "printed %s%%, recomputed %.6g%%" % (m.group(2), fig["moved_pct"]))
            continue
    fig["printed_checked"] = True


def main():
    ap = argparse.ArgumentParser(description="Independently check the output of `tqo align`.")
    ap.add_argument("instance")
    ap.add_argument("out")
    ap.add_argument("--adjacency", help="adjacency CSV to check contiguity against, or 'none' "
                    "(default: INSTANCE/adjacency.csv when the run kept territories connected)")
    ap.add_argument("--same-graph", action="store_true", help="the --adjacency FILE given is the graph the run "
                    "used (e.g. the Delaunay graph of a --adjacency delaunay run): its reported exceptions are "
                    "compared too")
    ap.add_argument("--max-exceptions", type=int)
    ap.add_argument("--gap", type=float, help="largest allowed gap in percent")
    ap.add_argument("--max-splits", type=int)
    ap.add_argument("--max-moved-pct", type=float)
    ap.add_argument("--printed", metavar="FILE", help="the standard output of the tqo align run: each printed "
                    "figure and claim (objective, gap, deviations, splits, contiguity, moves) is checked too")
    ap.add_argument("--json", action="store_true", help="print a JSON object with all figures")
    args = ap.parse_args()
    try:
        rep, fig = run(args)
    except InputError as e:
        if args.json:
            print(json.dumps({"ok": False, "error": str(e)}))
        print("check_align: error: %s" % e, file=sys.stderr)
        return 2
    if args.json:
        fig["checks"] = len(rep.checks)
        fig["failures"] = ["%s: %s" % f for f in rep.failures]
        fig["failed_checks"] = [{"kind": k, "check": n, "detail": d} for n, ok, d, k in rep.checks if not ok]
        fig["notes"] = rep.notes
        print(json.dumps(fig, indent=2))
        for name, detail in rep.failures:
            print("FAILED: %s: %s" % (name, detail), file=sys.stderr)
    else:
        print("units %d, territories %d, split units %d, coordinates %s"
              % (fig["n_units"], fig["n_territories"], fig["n_split"], fig["coordinates"]))
        for m, v in fig["max_dev_pct"].items():
            print("balance %-12s largest |dev| %.4f%% (tolerance %g%%)" % (m, v, fig["tolerance_pct"][m]))
        od = fig.get("objective_rel_diff")
        print("objective %.10g recomputed, %s reported (rel. diff %s)"
              % (fig["objective_recomputed"], fig["objective_reported"], "n/a" if od is None else "%.2g" % od))
        if fig.get("gap_pct") is not None:
            print("lower bound %.10g, gap %.4f%%" % (fig["lower_bound"], fig["gap_pct"]))
        if fig["exceptions"] is not None:
            print("contiguity: %d graph components, %d exceptions, %d violations"
                  % (fig["graph_components"], fig["exceptions"], fig["violations"]))
        if fig["moved_pct"] is not None:
            print("moved %.4f%% of %s (%d units)" % (fig["moved_pct"], next(iter(fig["max_dev_pct"])),
                                                     fig.get("moved_units", 0)))
        if fig["locks_checked"] or fig["home_bases_checked"]:
            print("locks checked %d, home bases checked %d" % (fig["locks_checked"], fig["home_bases_checked"]))
        for t in rep.notes:
            print("note: " + t)
        for name, detail in rep.failures:
            print("FAILED: %s: %s" % (name, detail))
        print("%d checks, %d failed: %s" % (len(rep.checks), len(rep.failures), "ok" if fig["ok"] else "NOT OK"))
    return 0 if fig["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
