# Shared by the shell tests: source it first, with the script's arguments:
#   . "$(dirname "$0")/lib.sh" "$@"
# It gives:
#   TQO    a private copy of the binary given as $1 (a rebuild during the run
#          cannot swap programs between two runs that must agree)
#   tmp    a scratch folder, removed on exit
#   DATA   the shared real data sets ($TQO_SHARED_DATA, set by ctest)
#   ok, bad, check, has, indent    record and show results
#   need_data NAME...   exit 77 (skipped) unless $DATA/NAME exists for each
#   skip_part REASON    a part could not run: the script ends skipped, not
#                       passed, unless something failed
#   finish   the summary line, then exit 0 (all passed), 1 (a failure) or
#            77 (nothing failed, but a part was skipped)
# and runs from the repository root, which the tests name paths from.
set -u
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/tqo [...]" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TQO=$tmp/tqo
cp "$1" "$TQO" || { echo "not ok - copy $1"; echo "# 0 passed, 1 failed"; exit 1; }
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
DATA=${TQO_SHARED_DATA:-../shared/data}
pass=0 fail=0 skipped=0

ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }
indent() { sed 's/^/    # /'; }
# has FILE TEXT: FILE contains TEXT (fixed string)
has() { grep -qF -- "$2" "$1"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds; its output is
# kept in $tmp/log and shown on failure.
check() {
    local d=$1; shift
    if "$@" >"$tmp/log" 2>&1; then ok "$d"; else bad "$d"; indent <"$tmp/log"; fi
}
need_data() {
    local d
    for d in "$@"; do
        if [ ! -d "$DATA/$d" ]; then
            echo "skip - $DATA/$d not present"
            exit 77
        fi
    done
}
skip_part() { echo "skip - $1"; skipped=$((skipped + 1)); }
finish() {
    local also=""
    [ "$skipped" -eq 0 ] || also=", $skipped skipped"
    echo "# $pass passed, $fail failed$also"
    if [ "$fail" -ne 0 ]; then exit 1; fi
    if [ "$skipped" -ne 0 ]; then exit 77; fi
    exit 0
}
