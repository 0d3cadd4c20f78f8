#!/bin/bash
# The installed library, as another program sees it: libtqo is built (static,
# then shared), installed into a temporary prefix with `cmake --install`, and
# examples/plan_summary.c is built against it twice, through find_package(tqo)
# and through pkg-config, and run on instances/superstore. Its figures must
# equal those of the installed `tqo align` and `tqo quota` on the same
# settings. The shared library must export only tqo_* symbols.
#
# Usage: tests/install/run.sh [STATIC_BUILD]
#   STATIC_BUILD: an existing build folder of the static library (CI passes
#   the one `make test` built) to install from instead of building again.
# Environment: JOBS (parallel build jobs, default 2), KEEP=1 keeps the
# scratch folder.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
[ "${KEEP:-}" = 1 ] && echo "# scratch folder $work" || trap 'rm -rf "$work"' EXIT
jobs=${JOBS:-2}
pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }
indent() { sed 's/^/    # /'; }
# step DESCRIPTION COMMAND...: ok when it succeeds, its output shown if not
step() {
    local d=$1; shift
    if "$@" >"$work/log" 2>&1; then ok "$d"; return 0; fi
    bad "$d"; tail -30 "$work/log" | indent; return 1
}
finish() { echo "# $pass passed, $fail failed"; [ "$fail" -eq 0 ] && exit 0; exit 1; }

# The one version: project() of CMakeLists.txt.
version=$(sed -n 's/^project(tqo VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || { bad "version in project()"; finish; }
SS=$src/instances/superstore
ARGS=(12 accounts:10 2016Q4 10)

# check_example KIND PREFIX: builds the example both ways, runs it and
# compares with the installed command line's files.
check_example() {
    local kind=$1 prefix=$2 out=$work/$1
    mkdir -p "$out"
    local libdir
    libdir=$(dirname "$(find "$prefix" -name 'libtqo.*' -print -quit)")
    step "$kind: find_package(tqo) builds the example" \
        cmake -S "$src/examples" -B "$out/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release &&
        step "$kind: cmake --build" cmake --build "$out/cmake" -j "$jobs"
    # the one line a Makefile would have
    step "$kind: pkg-config builds the example" bash -c "cc -std=c11 -Wall -Wextra -Werror '$src/examples/plan_summary.c' \
        -o '$out/plan_summary_pc' \$(PKG_CONFIG_PATH='$libdir/pkgconfig' pkg-config --cflags --libs --static tqo)"
    [ "$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --modversion tqo)" = "$version" ] \
        && ok "$kind: tqo.pc says version $version" || bad "$kind: tqo.pc version"

    export LD_LIBRARY_PATH=$libdir  # the pkg-config build has no run path
    step "$kind: the find_package build runs" "$out/cmake/plan_summary" "$SS" "${ARGS[@]}" \
        && cp "$work/log" "$out/cmake.txt"
    step "$kind: the pkg-config build runs" "$out/plan_summary_pc" "$SS" "${ARGS[@]}" \
        && cp "$work/log" "$out/pc.txt"
    cmp -s "$out/cmake.txt" "$out/pc.txt" && [ -s "$out/pc.txt" ] \
        && ok "$kind: both builds print the same" || bad "$kind: both builds print the same"
    grep -qx "tqo $version" "$out/pc.txt" && ok "$kind: TQO_VERSION is $version" || bad "$kind: TQO_VERSION"

    # The same plan from the installed binary, and its files against the
    # example's figures: territory sizes, the largest deviation, quotas.
    step "$kind: installed tqo align" "$prefix/bin/tqo" align "$SS" -k 12 --balance accounts:10 --starts 1 -q \
        -o "$out/align" &&
        step "$kind: installed tqo quota" "$prefix/bin/tqo" quota "$SS" --assignment "$out/align/assignment.csv" \
            --history-until 2016Q4 --growth 10 -q -o "$out/quota"
    step "$kind: the example's plan equals tqo's files" python3 - "$out/pc.txt" "$out/align" "$out/quota" "$SS" <<'PY'
import csv, json, sys
text, align, quota = sys.argv[1:4]
lines = open(text).read().splitlines()
terr = {l.split()[1]: (int(l.split()[3]), float(l.split()[5])) for l in lines if l.startswith("  territory ")}
quotas = {l.split()[1]: float(l.split()[2]) for l in lines if l.startswith("  quota ")}
total = float([l for l in lines if l.startswith("quota total ")][0].split()[2])
dev = float([l for l in lines if l.startswith("align: ")][0].split()[-1].rstrip("%"))
assert len(terr) == 12 and len(quotas) == 12, (len(terr), len(quotas))
rows = list(csv.DictReader(open(align + "/territories.csv", newline="")))
assert {r["territory_id"]: int(r["units"]) for r in rows} == {t: v[0] for t, v in terr.items()}, "territories differ"
units = {r["unit_id"]: float(r["accounts"]) for r in csv.DictReader(open(sys.argv[4] + "/units.csv", newline=""))}
acc = {}
for r in csv.DictReader(open(align + "/assignment.csv", newline="")):
    acc[r["territory_id"]] = acc.get(r["territory_id"], 0) + float(r["share"]) * units[r["unit_id"]]
assert all(abs(acc[t] - terr[t][1]) < 0.51 for t in terr), "accounts differ"
s = json.load(open(align + "/summary.json"))
assert abs(s["max_abs_dev_pct"]["accounts"] - dev) < 0.006 and dev <= 10, (s["max_abs_dev_pct"], dev)
q = {r["territory_id"]: float(r["quota"]) for r in csv.DictReader(open(quota + "/quotas.csv", newline=""))}
assert q.keys() == quotas.keys() and all(abs(q[t] - quotas[t]) < 0.006 for t in q), "quotas differ"
assert abs(sum(quotas.values()) - total) < 0.01 * len(quotas), (sum(quotas.values()), total)
PY
    unset LD_LIBRARY_PATH
}

# install_checks KIND PREFIX: what cmake --install must have put there.
install_checks() {
    local kind=$1 prefix=$2
    [ -f "$prefix/include/tqo.h" ] && [ -f "$prefix/include/tqo_version.h" ] \
        && ok "$kind: tqo.h and tqo_version.h installed" || bad "$kind: headers installed"
    ls "$prefix"/lib*/cmake/tqo/tqoConfig.cmake "$prefix"/lib*/cmake/tqo/tqoConfigVersion.cmake \
        "$prefix"/lib*/pkgconfig/tqo.pc >/dev/null 2>&1 && ok "$kind: CMake package and tqo.pc installed" \
        || bad "$kind: CMake package and tqo.pc installed"
    [ "$(LD_LIBRARY_PATH="$prefix/lib" "$prefix/bin/tqo" --version)" = "tqo $version" ] \
        && ok "$kind: installed tqo --version says $version" || bad "$kind: installed tqo --version"
    if [ -f "$src/doc/tqo.1" ]; then
        cmp -s "$src/doc/tqo.1" "$prefix/share/man/man1/tqo.1" && ok "$kind: man page installed" \
            || bad "$kind: man page installed"
    else
        echo "# no doc/tqo.1 in the source tree: no man page to install"
    fi
}

# 1. The static library (the default).
static_build=${1:-}
if [ -z "$static_build" ]; then
    static_build=$work/build-static
    step "static: configure" cmake -S "$src" -B "$static_build" -DCMAKE_BUILD_TYPE=Release &&
        step "static: build libtqo and tqo" cmake --build "$static_build" -j "$jobs" --target tqo tqo_cli
fi
if step "static: cmake --install" cmake --install "$static_build" --prefix "$work/static"; then
    [ -f "$work/static/lib/libtqo.a" ] && ok "static: libtqo.a installed" || bad "static: libtqo.a installed"
    install_checks static "$work/static"
    check_example static "$work/static"
fi

# 2. The shared library: only the public API exported.
b=$work/build-shared
if step "shared: configure" cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON &&
    step "shared: build libtqo and tqo" cmake --build "$b" -j "$jobs" --target tqo tqo_cli &&
    step "shared: cmake --install" cmake --install "$b" --prefix "$work/shared"; then
    so=$work/shared/lib/libtqo.so
    [ -L "$so" ] && [ -f "$(readlink -f "$so")" ] && ok "shared: libtqo.so installed" || bad "shared: libtqo.so installed"
    nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^tqo_' | grep -vxE '_init|_fini|_edata|_end|__bss_start' \
        >"$work/extra"
    n=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -c '^tqo_')
    if [ -s "$work/extra" ]; then
        bad "shared: exports only tqo_* symbols"; head -20 "$work/extra" | indent
    elif [ "$n" -lt 50 ]; then
        bad "shared: exports only tqo_* symbols (but only $n of them?)"
    else
        ok "shared: exports only tqo_* symbols ($n)"
    fi
    install_checks shared "$work/shared"
    check_example shared "$work/shared"
fi
finish
