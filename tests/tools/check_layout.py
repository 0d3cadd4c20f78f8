#!/usr/bin/env python3
"""The module layout of solver/: include arrows, include paths, file placement.

Usage: check_layout.py REPO_ROOT

Reads every `#include "..."` of solver/**/*.c and *.h (includes in comments
are passed over; <...> includes are system headers and not checked) and fails
(exit 1) on any of:

 1. a forbidden arrow. The allowed arrows (issue 12):
        util <- instance <- alloc <- align
        instance <- quota <- scenarios
        report may use all of the above
        cli uses include/tqo.h and its own cli/ headers only
    taken transitively (align may include util and instance). Every library
    module may include itself, util and the public headers (include/*.h and
    the headers CMake generates from cmake/*.h.in, e.g. tqo_version.h). The
    command line is the exception: not even util, since it must stand on the
    public API alone.
        file:line: module X may not include Y (X may use: ...)
 2. a bare include: a private header must be named by its module path
    ("align/align_internal.h", never "align_internal.h"); also an include of
    an unknown module or of a header that does not exist.
 3. a file of solver/ that is not directly in one module folder (solver/x.c,
    solver/foo/x.c, solver/align/sub/x.c).
 4. a .c file of a module folder that its CMakeLists.txt does not list, or a
    listed .c file that does not exist.

Warning only (printed, exit status unchanged): a .c file elsewhere in the
repository outside the folders that build .c files: solver/<module>/,
tests/unit/, bench/, examples/ (build trees, i.e. folders holding a
CMakeCache.txt, and hidden folders are skipped). Such a file is probably
dead code, but may be a scratch file of someone's work in progress, so it
does not fail the test.
"""
import os
import re
import sys

# Direct arrows: module -> the modules it may include (besides itself).
DIRECT = {
    "util": [],
    "instance": ["util"],
    "alloc": ["instance"],
    "align": ["alloc"],
    "quota": ["instance"],
    "scenarios": ["quota"],
    "report": ["util", "instance", "alloc", "align", "quota", "scenarios"],
    "cli": [],
}
# Modules whose sources the command line target builds (not libtqo): no util.
PUBLIC_ONLY = {"cli"}
# Folders besides solver/<module>/ where a .c file is expected.
OTHER_C_FOLDERS = ("tests/unit", "bench", "examples")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def allowed_modules(module):
    """Transitive closure of DIRECT, plus the module itself and util."""
    seen = {module}
    todo = list(DIRECT[module])
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(DIRECT[m])
    if module not in PUBLIC_ONLY:
        seen.add("util")
    return seen


def strip_comments(lines):
    """Yields (line number, text without comments); strings are rare on
    #include lines, so only comment state is tracked."""
    in_block = False
    for no, line in enumerate(lines, 1):
        out = []
        i = 0
        while i < len(line):
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    i = len(line)
                else:
                    in_block = False
                    i = end + 2
            elif line.startswith("/*", i):
                in_block = True
                i += 2
            elif line.startswith("//", i):
                break
            else:
                out.append(line[i])
                i += 1
        yield no, "".join(out)


def public_headers(root):
    names = set()
    inc = os.path.join(root, "include")
    if os.path.isdir(inc):
        names.update(f for f in os.listdir(inc) if f.endswith(".h"))
    cm = os.path.join(root, "cmake")
    if os.path.isdir(cm):
        # configure_file(cmake/x.h.in ...) -> x.h in the build tree
        names.update(f[:-3] for f in os.listdir(cm) if f.endswith(".h.in"))
    return names


def cmake_listed_sources(cmakelists):
    """The .c names a module's CMakeLists.txt lists (comments dropped)."""
    if not os.path.isfile(cmakelists):
        return None
    listed = set()
    with open(cmakelists, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0]
            listed.update(re.findall(r"[\w./${}-]+\.c\b", line))
    return {os.path.basename(p) for p in listed}


def check_includes(root, rel, module, public, errors):
    allowed = allowed_modules(module)
    may_use = ", ".join(sorted(allowed - {module})) or "nothing"
    if module in PUBLIC_ONLY:
        may_use = "include/tqo.h and its own headers only"
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for no, text in strip_comments(lines):
        m = INCLUDE_RE.match(text)
        if not m:
            continue
        target = m.group(1)
        where = "%s:%d: " % (rel, no)
        if "/" not in target:
            if target in public:
                continue
            errors.append(where + 'bare include "%s": name its module path '
                          '("%s/%s" if it is %s\'s)' % (target, module, target, module))
            continue
        dep = target.split("/", 1)[0]
        if dep not in DIRECT:
            errors.append(where + 'include "%s" names no module (%s)'
                          % (target, ", ".join(DIRECT)))
            continue
        if not os.path.isfile(os.path.join(root, "solver", target)):
            errors.append(where + 'include "%s": no such header solver/%s' % (target, target))
        if dep not in allowed:
            errors.append(where + "module %s may not include %s (%s may use: %s)"
                          % (module, target, module, may_use))


def skip_dir(path, name):
    return name.startswith(".") or os.path.isfile(os.path.join(path, name, "CMakeCache.txt"))


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: check_layout.py REPO_ROOT\n")
        return 2
    root = os.path.abspath(sys.argv[1])
    solver = os.path.join(root, "solver")
    if not os.path.isdir(solver):
        sys.stderr.write("check_layout.py: %s: no solver/ folder\n" % root)
        return 2
    public = public_headers(root)
    errors, warnings = [], []
    sources = {}  # module -> set of .c names found in its folder
    nfiles = 0
    for path, dirs, files in os.walk(solver):
        dirs[:] = sorted(d for d in dirs if not skip_dir(path, d))
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.relpath(os.path.join(path, name), root)
            parts = rel.split(os.sep)  # solver, module, file
            if len(parts) != 3 or parts[1] not in DIRECT:
                errors.append("%s:1: not directly in one module folder (solver/{%s}/)"
                              % (rel, ",".join(DIRECT)))
                continue
            module = parts[1]
            nfiles += 1
            if name.endswith(".c"):
                sources.setdefault(module, set()).add(name)
            check_includes(root, rel, module, public, errors)

    for module in DIRECT:
        cml = os.path.join("solver", module, "CMakeLists.txt")
        listed = cmake_listed_sources(os.path.join(root, cml))
        found = sources.get(module, set())
        if listed is None:
            if found:
                errors.append("%s:1: missing, so %s is built by nothing"
                              % (cml, ", ".join(sorted(found))))
            continue
        for name in sorted(found - listed):
            errors.append("solver/%s/%s:1: not listed in %s" % (module, name, cml))
        for name in sorted(listed - found):
            errors.append("%s:1: lists %s, which is not in solver/%s/" % (cml, name, module))

    for path, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not skip_dir(path, d))
        relpath = os.path.relpath(path, root)
        if relpath == "solver" or relpath.startswith("solver" + os.sep):
            continue  # checked above
        if any(relpath == d or relpath.startswith(d + os.sep) for d in OTHER_C_FOLDERS):
            continue
        for name in sorted(files):
            if name.endswith(".c"):
                warnings.append("%s:1: warning: .c file outside solver/<module>/, %s"
                                % (os.path.join(relpath, name), ", ".join(OTHER_C_FOLDERS)))

    for w in warnings:
        print(w)
    for e in errors:
        print(e)
    if errors:
        print("check_layout: %d violation(s) in %d files of solver/" % (len(errors), nfiles))
        return 1
    print("check_layout: %d files of solver/ in %d modules, every include allowed"
          % (nfiles, len(DIRECT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
