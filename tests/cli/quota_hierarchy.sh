#!/bin/bash
# The quota hierarchy (issue 19 parts 1, 2, 5), checked from the files by
# tests/tools/check_quota.py: every node's children add up to its quota x
# (1 + over-assignment), bands and targets hold at every level (recomputed
# from nodes.csv and the growth bounds), the company node is the target;
# reconciled numbers stay within their bands and are no farther from the
# submissions than the top-down plan; conflicts exit 2 naming the node and
# the figures; malformed files give file:line: column 'x'; the vendor
# layouts add up to quotas.csv; tqo plan takes the same settings from
# plan.ini; without a hierarchy the quota files are as before.
# Usage: quota_hierarchy.sh path/to/tqo
. "$(dirname "$0")/lib.sh" "$@"
F=tests/fixtures/hierarchy
I=$F/three
CHECK=tests/tools/check_quota.py
command -v python3 >/dev/null || { echo "# no python3"; exit 77; }
[ -f "$I/territories.csv" ] || { echo "# fixture missing"; exit 77; }
B=(--min-growth -10 --max-growth 30)

"$TQO" quota --help >"$tmp/h" || bad "quota --help"
for opt in --hierarchy --nodes --submissions --export; do
    has "$tmp/h" "$opt" || bad "--help documents $opt"
done

# 1. Three levels from territories.csv's level: columns, top-down only.
"$TQO" quota "$I" -o "$tmp/td" --target 750000 "${B[@]}" >"$tmp/out" || bad "three-level run"
has "$tmp/out" "hierarchy    39 nodes on 4 levels below the company 750000.00" && ok "summary line names the hierarchy" \
    || { bad "summary line"; indent <"$tmp/out"; }
check "top-down: sums, bands, parents recomputed" python3 $CHECK "$tmp/td" --target 750000 --min-growth -10 \
    --max-growth 30 --hierarchy "$I/territories.csv"
check "same quotas from a --hierarchy file as from territories.csv" bash -c \
    "'$TQO' quota '$I' -o '$tmp/td2' --target 750000 ${B[*]} --hierarchy '$I/territories.csv' -q &&
     cmp '$tmp/td/quotas.csv' '$tmp/td2/quotas.csv' && cmp '$tmp/td/quotas_rollup.csv' '$tmp/td2/quotas_rollup.csv'"
sum=$(python3 -c "import csv,sys; print(sum(round(float(r['quota'])*100) for r in csv.DictReader(open(sys.argv[1]))))" \
    "$tmp/td/quotas.csv")
[ "$sum" = 75000000 ] && ok "territory quotas add up to the target to the cent" || bad "quota sum $sum"

# 2. nodes.csv (targets, bands, over-assignment at several levels) and submissions.
"$TQO" quota "$I" -o "$tmp/rec" --growth 8 "${B[@]}" --nodes $F/nodes.csv --submissions $F/submissions.csv \
    -q || bad "nodes + submissions run"
check "reconciled: sums, bands, targets, submissions recomputed" python3 $CHECK "$tmp/rec" --min-growth -10 \
    --max-growth 30 --nodes $F/nodes.csv --submissions $F/submissions.csv
cat >"$tmp/closer.py" <<'PY'
import csv, sys
rows = {r["node_id"]: r for r in csv.DictReader(open(sys.argv[1] + "/quotas_rollup.csv"))}
subs = list(csv.DictReader(open(sys.argv[2])))
def dev(col):
    return sum(float(s["weight"] or 1) * abs(float(rows[s["node_id"]][col]) - float(s["value"])) / float(s["value"])
               for s in subs)
rec, td = dev("reconciled"), dev("top_down")
assert rec <= td + 1e-9, (rec, td)
# over-assignment: company x 1.05 to the areas, EMEA x 1.10 to its regions
c = rows["company"]
kids = sum(float(r["quota"]) for r in rows.values() if r["parent_id"] == "company")
assert abs(kids - 1.05 * float(c["quota"])) < 0.011, (kids, c["quota"])
assert abs(float(rows["AMER-R1-D2"]["quota"]) - 100000) < 0.005
print("weighted relative deviation from the submissions: reconciled %.4f, top-down %.4f" % (rec, td))
PY
check "reconciled is closer to the submissions than top-down; over-assignment and a target at work" \
    python3 "$tmp/closer.py" "$tmp/rec" $F/submissions.csv

# 3. Conflicts named with their figures before solving: exit 2.
"$TQO" quota "$I" -o "$tmp/x" --growth 8 "${B[@]}" --nodes $F/bad/target_outside.csv -q 2>"$tmp/e"
rc=$?
[ $rc -eq 2 ] && has "$tmp/e" "target_outside.csv:3: node 'AMER-R1': target 150000.00 is outside its band 163300.05..195960.06" \
    && ok "target outside its band: exit 2, node and figures" || { bad "target outside band (rc $rc)"; indent <"$tmp/e"; }
"$TQO" quota "$I" -o "$tmp/x" --growth 8 "${B[@]}" --nodes $F/bad/floors_above_cap.csv -q 2>"$tmp/e"
rc=$?
[ $rc -eq 2 ] && has "$tmp/e" "floors_above_cap.csv:2: node 'EMEA-R2': the floors of its 2 children add up to" \
    && has "$tmp/e" "more than its cap 128575.54" \
    && ok "children's floors above the cap: exit 2, node and figures" || { bad "floors above cap (rc $rc)"; indent <"$tmp/e"; }
[ ! -e "$tmp/x" ] && ok "no output after a conflict" || bad "files written after a conflict"

# 4. Malformed hierarchy, nodes and submissions files: file:line: column 'x'.
while IFS='|' read -r opt file want; do
    "$TQO" quota "$I" -o "$tmp/x" --growth 8 "$opt" "$F/bad/$file" -q 2>"$tmp/e"
    rc=$?
    [ $rc -eq 2 ] && has "$tmp/e" "$file:$want" && ok "$file: exit 2, $want" || { bad "$file (rc $rc)"; indent <"$tmp/e"; }
done <<'EOF'
--nodes|nodes_number.csv|2: column 'min_growth': 'abc' is not
--nodes|nodes_column.csv|1: column 'min_grwth': unknown column
--nodes|nodes_unknown.csv|2: column 'id': no node 'ASIA'
--nodes|nodes_level.csv|2: column 'level': node 'AMER' is at level 'area'
--submissions|submissions_value.csv|2: column 'value': '-5' is not
--submissions|submissions_unknown.csv|2: column 'node_id': no node 'T99'
--hierarchy|hierarchy_empty.csv|6: column 'level:region': empty
--hierarchy|hierarchy_two_parents.csv|6: column 'level:district': node 'AMER-R1-D2' is under 'AMER-R2' here but under 'AMER-R1' on line 5
--hierarchy|hierarchy_nolevel.csv|1: column 'level:NAME': missing
EOF

# 5. Vendor layouts: every row a territory and period, adding up to quotas.csv.
cat >"$tmp/export.py" <<'PY'
import csv, sys
out, fmt, name = sys.argv[1:4]
q = {r["territory_id"]: round(float(r["quota"]) * 100) for r in csv.DictReader(open(out + "/quotas.csv"))}
rows = list(csv.DictReader(open(out + "/" + name)))
tid, val, per = {"varicent": ("Territory ID", "Value", "Period"), "xactly": ("Position Name", "Quota Value", "Period Name"),
                 "csv-long": ("territory_id", "value", "period")}[fmt]
got = {}
for r in rows:
    got[r[tid]] = got.get(r[tid], 0) + round(float(r[val]) * 100)
assert got == q, "sums per territory"
assert len(rows) == 4 * len(q), len(rows)
pers = sorted({r[per] for r in rows})
want = {"varicent": ["Q1", "Q2", "Q3", "Q4"], "xactly": ["Q1-2017", "Q2-2017", "Q3-2017", "Q4-2017"],
        "csv-long": ["2017Q1", "2017Q2", "2017Q3", "2017Q4"]}[fmt]
assert pers == want, pers
print(fmt, len(rows), "rows")
PY
for fmt in varicent:quotas_varicent.csv xactly:quotas_xactly.csv csv-long:quotas_long.csv; do
    "$TQO" quota "$I" -o "$tmp/ex_${fmt%%:*}" --target 750000 "${B[@]}" --export "${fmt%%:*}" -q \
        && check "--export ${fmt%%:*}: periods add up to quotas.csv" python3 "$tmp/export.py" "$tmp/ex_${fmt%%:*}" \
            "${fmt%%:*}" "${fmt#*:}" || bad "--export ${fmt%%:*} run"
done
"$TQO" quota "$I" -o "$tmp/x" --target 750000 --export sap -q 2>"$tmp/e"
[ $? -eq 2 ] && has "$tmp/e" "--export 'sap'" && ok "unknown export layout: exit 2" || bad "unknown --export"

# 6. Deterministic: the same files twice.
"$TQO" quota "$I" -o "$tmp/rec2" --growth 8 "${B[@]}" --nodes $F/nodes.csv --submissions $F/submissions.csv -q
cmp -s "$tmp/rec/quotas_rollup.csv" "$tmp/rec2/quotas_rollup.csv" && cmp -s "$tmp/rec/quotas.csv" "$tmp/rec2/quotas.csv" \
    && ok "same files on a second run" || bad "second run differs"

# 7. tqo plan: the same settings from plan.ini, the report's new section.
cat >"$tmp/plan.ini" <<EOF
[quota]
growth = 8
min_growth = -10
max_growth = 30
nodes = $F/nodes.csv
submissions = $F/submissions.csv
export = csv-long
EOF
if "$TQO" plan "$I" -o "$tmp/plan" --config "$tmp/plan.ini" --balance accounts:20 --starts 1 -q >/dev/null; then
    check "plan: quota hierarchy checked" python3 $CHECK "$tmp/plan/quota" --min-growth -10 --max-growth 30 \
        --nodes $F/nodes.csv --submissions $F/submissions.csv
    has "$tmp/plan/plan.ini" "submissions = $F/submissions.csv" && [ -f "$tmp/plan/quota/quotas_long.csv" ] \
        && ok "plan.ini keeps the hierarchy keys; the export is written" || bad "plan.ini keys / export"
    has "$tmp/plan/report.html" '<section id="hierarchy">' && has "$tmp/plan/report.html" ">EMEA-R1-D1<" \
        && ok "report: the hierarchy section with a submitted node" || bad "report section"
else
    bad "plan run"
fi

# 8. Without a hierarchy nothing changes: no roll-up, the same three files.
mkdir -p "$tmp/noh" && cp "$I/units.csv" "$I/history.csv" "$tmp/noh/"
"$TQO" quota "$tmp/noh" -o "$tmp/none" --target 750000 "${B[@]}" -q || bad "run without a hierarchy"
[ "$(ls "$tmp/none" | tr '\n' ' ')" = "quota_summary.json quotas.csv quotas_by_period.csv " ] \
    && ok "without a hierarchy: the three quota files only" || bad "files without a hierarchy: $(ls "$tmp/none")"
# the region column as a one-level hierarchy, with a node file naming a region
printf 'territory_id,region\n' >"$tmp/noh/territories.csv"
awk -F, 'NR>1{print $1","$2}' "$I/territories.csv" >>"$tmp/noh/territories.csv"
printf 'id,max_growth\nEMEA,5\n' >"$tmp/reg_nodes.csv"
"$TQO" quota "$tmp/noh" -o "$tmp/reg" --target 750000 "${B[@]}" --nodes "$tmp/reg_nodes.csv" -q \
    && check "region column as one level: sums and bands" python3 $CHECK "$tmp/reg" --target 750000 \
        --min-growth -10 --max-growth 30 --nodes "$tmp/reg_nodes.csv" || bad "region hierarchy run"
finish
