#!/bin/bash
# Issue 11, defects 3 and 6: placed centres under --max-distance, and units
# of zero weight.
#  3. s1 (generate --units 150 --territories 4 --periods 8 --seed 11) without
#     territories.csv and without the current column, -k 4 --balance
#     workload:5: a cap of 33.1, 34 or 35 km has a plan (the farthest unit of
#     one is 33.01 km from its centre) and must find one; a cap that does not
#     bind (37 km, the uncapped plan's farthest unit being 36.96 km) must not
#     make the plan worse; a successful run prints no "error:" line; a cap no
#     placement meets is an error naming the cap and the units.
#  6. uscounties -k 50 --balance places:10: Puerto Rico's municipios and the
#     other places of zero places go to the territory with the nearest
#     centre they may join (skipped without ../shared/data or
#     $TQO_SHARED_DATA).
# Every figure is recomputed from the output files (tests/tools/check_align.py
# and the checks below).
# Usage: align_centres.sh path/to/tqo   (run from the repository root)
. "$(dirname "$0")/lib.sh" "$@"
CHECK="python3 tests/tools/check_align.py"

# facts INSTANCE OUT: prints "objective farthest_km" recomputed from the
# files (planar or lat/lon distances, as the instance's coordinates).
facts() {
    python3 - "$1" "$2" <<'EOF'
import csv, json, math, sys
inst, out = sys.argv[1], sys.argv[2]
units = {r["unit_id"]: r for r in csv.DictReader(open(inst + "/units.csv"))}
summary = json.load(open(out + "/summary.json"))
weight = summary.get("parameters", {}).get("weight") or summary.get("weight")
terr = {r["territory_id"]: r for r in csv.DictReader(open(out + "/territories.csv"))}
latlon = "lat" in next(iter(units.values()))
def dist(u, t):
    if latlon:
        la1, lo1 = math.radians(float(u["lat"])), math.radians(float(u["lon"]))
        la2, lo2 = math.radians(float(t["center_lat"])), math.radians(float(t["center_lon"]))
        h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
        return 2 * 6371.0088 * math.asin(min(1, math.sqrt(h)))
    return math.hypot(float(u["x"]) - float(t["center_x"]), float(u["y"]) - float(t["center_y"]))
obj, far = 0.0, 0.0
for r in csv.DictReader(open(out + "/assignment.csv")):
    u, t, sh = units[r["unit_id"]], terr[r["territory_id"]], float(r["share"])
    d = dist(u, t)
    far = max(far, d)
    obj += sh * float(u[weight]) * d * d
print("%.9f %.9f" % (obj, far))
EOF
}

# --- defect 3
S1=$tmp/s1
if "$TQO" generate -o "$S1" --units 150 --territories 4 --periods 8 --seed 11 >/dev/null 2>"$tmp/gen.err" &&
    rm "$S1/territories.csv" &&
    python3 - "$S1/units.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
k = rows[0].index("current")
csv.writer(open(sys.argv[1], "w", newline="")).writerows([[c for i, c in enumerate(r) if i != k] for r in rows])
EOF
then
    ok "s1 generated, territories.csv and the current column removed"
else
    bad "s1 generated"
    indent <"$tmp/gen.err"
fi

# run NAME OUT [options]: tqo align s1 -k 4 --balance workload:5 [options]
run() {
    local name=$1 out=$2; shift 2
    "$TQO" align "$S1" -o "$out" -k 4 --balance workload:5 "$@" >"$out.stdout" 2>"$out.stderr"
    echo $? >"$out.rc"
}
run "uncapped" "$tmp/o_free"
read -r obj_free far_free < <(facts "$S1" "$tmp/o_free" 2>/dev/null) || true
if [ "$(cat "$tmp/o_free.rc")" = 0 ] && $CHECK "$S1" "$tmp/o_free" >"$tmp/chk" 2>&1; then
    ok "uncapped: exit 0, checked (objective ${obj_free:-?}, farthest unit ${far_free:-?} km)"
else
    bad "uncapped: exit $(cat "$tmp/o_free.rc")"
    indent <"$tmp/o_free.stderr"
    indent <"$tmp/chk"
fi

for cap in 33.1 34 35 37; do
    o=$tmp/o_$cap
    run "cap $cap" "$o" --max-distance "$cap"
    rc=$(cat "$o.rc")
    if [ "$rc" != 0 ]; then
        bad "--max-distance $cap: exit $rc (a plan within 33.01 km exists)"
        indent <"$o.stderr"
        continue
    fi
    if $CHECK "$S1" "$o" --printed "$o.stdout" >"$tmp/chk" 2>&1; then
        ok "--max-distance $cap: exit 0, balance, contiguity, cap and printed figures checked"
    else
        bad "--max-distance $cap: check_align.py"
        indent <"$tmp/chk"
    fi
    read -r obj far < <(facts "$S1" "$o")
    if python3 -c "import sys; sys.exit(not float('$far') <= $cap)"; then
        ok "--max-distance $cap: farthest unit $far km"
    else
        bad "--max-distance $cap: farthest unit $far km is beyond the cap"
    fi
    if grep -q "error:" "$o.stderr"; then
        bad "--max-distance $cap: a successful run prints an error line"
        indent <"$o.stderr"
    else
        ok "--max-distance $cap: no error line"
    fi
    # a cap the uncapped plan meets cannot make the plan worse
    if [ -n "${far_free:-}" ] && python3 -c "import sys; sys.exit(not float('$far_free') <= $cap)"; then
        if python3 -c "import sys; sys.exit(not float('$obj') <= float('$obj_free') * (1 + 1e-9))"; then
            ok "--max-distance $cap does not bind: objective $obj, uncapped $obj_free"
        else
            bad "--max-distance $cap does not bind, yet objective $obj > uncapped $obj_free"
        fi
    fi
done

# a cap no placement meets: an error naming the cap and units, not a crash
o=$tmp/o_10
run "cap 10" "$o" --max-distance 10
rc=$(cat "$o.rc")
if [ "$rc" = 1 ] && grep -q -- "--max-distance 10 km" "$o.stderr" && grep -q "unit" "$o.stderr"; then
    ok "--max-distance 10: exit 1, the error names the cap"
else
    bad "--max-distance 10: exit $rc"
    indent <"$o.stderr"
fi

# --- defect 6
US=$DATA/uscounties
if [ ! -d "$US" ]; then
    echo "skip - $US not present"
    skipped=1
else
    o=$tmp/us
    "$TQO" align "$US" -o "$o" -k 50 --balance places:10 >"$o.stdout" 2>"$o.stderr"
    rc=$?
    if [ "$rc" = 0 ] && $CHECK "$US" "$o" >"$tmp/chk" 2>&1; then
        ok "uscounties -k 50 --balance places:10: exit 0, checked"
    else
        bad "uscounties: exit $rc"
        indent <"$o.stderr"
        indent <"$tmp/chk"
    fi
    # every unit of zero places in a whole island of such units (Puerto
    # Rico, Guam, Samoa, ...) sits in the territory of the nearest centre
    # (no cap, no locks: it may join any; islands are contiguity exceptions)
    if python3 - "$US" "$o" >"$tmp/zero" 2>&1 <<'EOF'; then
import csv, math, sys, collections
inst, out = sys.argv[1], sys.argv[2]
units = {r["unit_id"]: r for r in csv.DictReader(open(inst + "/units.csv"))}
asg = {r["unit_id"]: r["territory_id"] for r in csv.DictReader(open(out + "/assignment.csv"))}
cen = {r["territory_id"]: (float(r["center_lat"]), float(r["center_lon"]))
       for r in csv.DictReader(open(out + "/territories.csv"))}
nb = collections.defaultdict(list)
for r in csv.DictReader(open(inst + "/adjacency.csv")):
    nb[r["unit_a"]].append(r["unit_b"])
    nb[r["unit_b"]].append(r["unit_a"])
def d(u, c):
    la1, lo1 = math.radians(float(u["lat"])), math.radians(float(u["lon"]))
    la2, lo2 = map(math.radians, c)
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1, math.sqrt(h)))
zero = {u for u in units if float(units[u]["places"]) == 0}
seen, bad, checked = set(), 0, 0
for s in sorted(zero):
    if s in seen:
        continue
    comp, stack = [], [s]
    seen.add(s)
    while stack:
        u = stack.pop()
        comp.append(u)
        for v in nb[u]:
            if v not in seen and v in zero:
                seen.add(v)
                stack.append(v)
    if any(v not in zero for u in comp for v in nb[u]):
        continue  # zero-weight units among others: contiguity may hold them
    near = min(cen, key=lambda t: (sum(d(units[u], cen[t]) ** 2 for u in comp), t))
    for u in comp:
        checked += 1
        if asg[u] != near:
            bad += 1
            print("%s (%s, %s) in %s; nearest centre %s" % (u, units[u]["name"], units[u]["state"], asg[u], near))
pr = [u for u in zero if units[u]["state"] == "Puerto Rico"]
pr_t = sorted({asg[u] for u in pr})
pr_near = sorted({min(cen, key=lambda t: d(units[u], cen[t])) for u in pr})
print("%d units of zero places in islands of their own checked, %d misplaced; Puerto Rico (%d) in %s, nearest %s"
      % (checked, bad, len(pr), pr_t, pr_near))
sys.exit(1 if bad or not pr or pr_t != pr_near else 0)
EOF
        ok "uscounties: $(tail -1 "$tmp/zero")"
    else
        bad "uscounties: zero-weight units away from the nearest centre"
        indent <"$tmp/zero"
    fi
    if grep -q "error:" "$o.stderr"; then
        bad "uscounties: a successful run prints an error line"
        indent <"$o.stderr"
    fi
fi

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ] || exit 1
[ "$skipped" -eq 0 ] || exit 77
exit 0
