#!/bin/bash
# report.html in a real browser (headless Chromium, Debian's chromium
# package): the superstore plan's report, a generated plan's (home bases,
# a current plan to measure moves against) and one of hostile ids and
# names load without a console message, and their self-test (the page opened at #selftest) finds one
# map shape per unit, one table row per territory and scenario, a header
# click that sorts, and the tooltip of the first unit. A page with a row
# taken out, and one with a console.error, must fail: the checks can see.
# A plan on polygons (tqo generate --boundaries) renders one path per unit.
#
# Chromium 156 logs every console message, console.error and uncaught
# exceptions included, as "INFO:CONSOLE..." without its level; the report
# never writes to the console, so any CONSOLE line is a fault.
#
# The reports are written by tqo plan, as a planner would make them.
# Usage: report_browser.sh path/to/tqo [chromium]
. "$(dirname "$0")/lib.sh" "$@"
CHROMIUM=${2:-chromium}
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
    echo "skip - no chromium ($CHROMIUM)"
    exit 77
fi

# render PAGE: the DOM after load (and the self-test) in $tmp/dom, the
# browser's log in $tmp/log. Its own profile folder: no clash with other
# runs, nothing left in the home folder.
render() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
        --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom "file://$1#selftest" \
        >"$tmp/dom" 2>"$tmp/log"
}
selftest() { grep -o '<pre id="tqo-selftest"[^>]*>[^<]*</pre>' "$tmp/dom" | sed 's/<[^>]*>//g'; }
console() { grep -E 'CONSOLE|Uncaught' "$tmp/log"; }

# 0. This browser does report a console error and an uncaught exception.
cat >"$tmp/noisy.html" <<'EOF'
<!DOCTYPE html><html><body><script>
console.error("deliberate error");
throw new Error("deliberate exception");
</script></body></html>
EOF
if render "$tmp/noisy.html" && console | grep -q 'deliberate error' && console | grep -q 'Uncaught Error: deliberate exception'
then ok "the browser log shows console errors and exceptions"
else bad "the browser log shows console errors and exceptions"; cat "$tmp/log"; fi

# check NAME PAGE EXPECTED: the self-test's line and a silent console.
check() {
    local name=$1 page=$2 want=$3
    if ! render "$page"; then
        bad "$name: chromium failed"
        tail -20 "$tmp/log"
        return
    fi
    local got
    got=$(selftest)
    if [ "$got" = "$want" ]; then ok "$name: $got"; else bad "$name: '$got', expected '$want'"; fi
    if console >"$tmp/console"; then bad "$name: console messages"; cat "$tmp/console"; else ok "$name: no console messages"; fi
}

# 1. The superstore plan: 12 territories, quotas replayed, 60 scenarios.
if "$TQO" plan instances/superstore -k 12 --balance accounts:10 --starts 1 --potential accounts \
    --history-until 2016Q4 --growth 10 --scenarios instances/superstore_scenarios.csv --replicates 200 \
    -o "$tmp/p_ss" -q >"$tmp/fixture.log" 2>&1 && cp "$tmp/p_ss/report.html" "$tmp/superstore.html"; then
    ok "superstore report written"
    check superstore "$tmp/superstore.html" "PASS units=631 territories=12 scenarios=60 sort=ok tip=ok"
else
    bad "superstore report written"
    cat "$tmp/fixture.log"
fi

# 2. A generated plan: the instance's 40 territories around home bases,
#    moves against its current plan, no quotas.
if "$TQO" generate -o "$tmp/gen" --units 3000 --territories 40 --plan-imbalance 25 --quiet &&
    "$TQO" plan "$tmp/gen" --balance workload:5 --starts 1 -o "$tmp/p_gen" -q >"$tmp/fixture.log" 2>&1 &&
    cp "$tmp/p_gen/report.html" "$tmp/gen.html"; then
    ok "generated report written"
    check generated "$tmp/gen.html" "PASS units=3000 territories=40 scenarios=0 sort=ok tip=ok"
    grep -q '>moved in</th>' "$tmp/gen.html" && ok "generated: moves shown" || bad "generated: moves shown"
else
    bad "generated report written"
    cat "$tmp/fixture.log"
fi

# 3. Ids, names and territories that try to close elements, attributes and
#    the script: the page still loads whole, with its two scripts only.
mkdir -p "$tmp/hostile"
cat >"$tmp/hostile/units.csv" <<'EOF'
unit_id,name,x,y,pop,current
"A&B<""x'>",N<i>&'q',0,0,10,"T<1>&""'"
"</script><script>alert(1)</script>",</SCRIPT>,1,0,12,"T<1>&""'"
<!--c,plain,2,0,9,"T<1>&""'"
"line
break",x,0,1,11,</script>
u5,"comma, name",1,1,10,</script>
u6,,2,1,10,</script>
EOF
if "$TQO" plan "$tmp/hostile" --balance pop:50 -o "$tmp/p_h" -q >"$tmp/fixture.log" 2>&1 &&
    cp "$tmp/p_h/report.html" "$tmp/hostile.html"; then
    ok "hostile report written"
    check hostile "$tmp/hostile.html" "PASS units=6 territories=2 scenarios=0 sort=ok tip=ok"
    n=$(grep -o '<script' "$tmp/dom" | wc -l)
    [ "$n" = 2 ] && ok "hostile: two scripts in the page" || bad "hostile: $n scripts in the page"
else
    bad "hostile report written"
    cat "$tmp/fixture.log"
fi

# 3b. An instance with boundaries (issue 14): the map is drawn as polygons,
#     one path per unit in the rendered page and no dots.
if "$TQO" generate -o "$tmp/gb" --units 600 --territories 6 --periods 0 --seed 3 --boundaries --quiet &&
    "$TQO" plan "$tmp/gb" --balance workload:5 --starts 1 -o "$tmp/p_gb" -q >"$tmp/fixture.log" 2>&1 &&
    cp "$tmp/p_gb/report.html" "$tmp/gb.html"; then
    ok "report with boundaries written"
    check boundaries "$tmp/gb.html" "PASS units=600 territories=6 scenarios=0 sort=ok tip=ok"
    npath=$(grep -o '<path d=' "$tmp/dom" | wc -l)
    ncirc=$(grep -o '<circle' "$tmp/dom" | wc -l)
    if [ "$npath" -ge 600 ] && [ "$ncirc" -eq 0 ]; then
        ok "boundaries: drawn as polygons ($npath paths, no dots)"
    else
        bad "boundaries: drawn as polygons ($npath paths, $ncirc dots)"
    fi
else
    bad "report with boundaries written"
    cat "$tmp/fixture.log"
fi

# 4. The checks can fail: a territory row taken out, a console error added.
if [ -f "$tmp/superstore.html" ]; then
    sed '0,/<tr><td class="t"><span class="sw/{/<tr><td class="t"><span class="sw/d}' "$tmp/superstore.html" \
        >"$tmp/cut.html"
    render "$tmp/cut.html"
    case $(selftest) in
    "FAIL territories 11 (expected 12) units=631 territories=11 scenarios=60 sort=ok tip=ok") ok "a missing row fails" ;;
    *) bad "a missing row fails: '$(selftest)'" ;;
    esac
    sed 's|</body>|<script>console.error("injected")</script></body>|' "$tmp/superstore.html" >"$tmp/noisy2.html"
    render "$tmp/noisy2.html"
    console | grep -q injected && ok "an injected console.error is seen" || bad "an injected console.error is seen"
fi

finish
