#!/bin/bash
# The allocation LP for given centres (rep home bases): tqo against HiGHS
# (Debian's python3-scipy) on the same model, exported by tqo --write-mps,
# and on the usual sparse-candidate version of it (8 nearest centres per
# unit). Peers are used only here, never in tests.
# Usage: bench/alloc_vs_highs.sh [path/to/tqo]   (from the repository root)
# Environment: UNITS (20000), TERRITORIES (100), SKIP_FULL=1 skips HiGHS on
# the full model (several minutes).
set -eu
TQO=${1:-build/tqo}
UNITS=${UNITS:-20000}
P=${TERRITORIES:-100}
CACHE=bench/cache/alloc-$UNITS-$P
PY=/usr/bin/python3
mkdir -p "$CACHE"
[ -f "$CACHE/inst/units.csv" ] || "$TQO" generate --units "$UNITS" --territories "$P" --periods 0 --seed 1 -o "$CACHE/inst" --quiet
# --allow-splits: the model is the LP itself; no contiguity: only the LP.
"$TQO" align "$CACHE/inst" --balance workload:5 --allow-splits --no-contiguity -o "$CACHE/out" -q \
    --write-mps "$CACHE/model.mps"
$PY - "$CACHE/out/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("tqo   full model (all %s pairs): objective=%.10g lower_bound=%.10g lp_s=%.3f (wall)"
      % ("n x p", d["objective"], d["lower_bound"], d["seconds"]["lp"]))
PY
$PY bench/mps_candidates.py "$CACHE/model.mps" "$CACHE/model8.mps" 8
echo -n "HiGHS 8-candidate model: "
$PY bench/highs_mps.py "$CACHE/model8.mps"
if [ "${SKIP_FULL:-0}" != 1 ]; then
    echo -n "HiGHS full model:        "
    $PY bench/highs_mps.py "$CACHE/model.mps"
fi
