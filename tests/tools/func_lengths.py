#!/usr/bin/env python3
"""Lengths of the C functions of solver/: none may run over the limit.

Usage: func_lengths.py [REPO_ROOT] [--limit N] [--top N] [--from-brace]

Reads every solver/**/*.c with a small lexer that blanks comments, string
and character literals and preprocessor lines (so braces in them do not
count), then finds the bodies: a '{' at brace depth 0 whose head (the text
since the previous top-level ';' or '}') ends in ')' and has no '=' outside
parentheses. Struct, union and enum definitions and initializer arrays are
therefore not functions. The name is the identifier before the head's first
top-level '('.

A function's length is counted from its first line (the return type of
its signature) to the line of its closing brace, both included: the count
of issue 12 (alloc_solve_lp 596). --from-brace counts from the line of the
opening brace instead (the body alone; a signature of two lines and the
brace on a line of its own make the difference 2).

Data tables: a function whose comment block directly above its first line
(the return type) contains the words "data table", e.g.
    /* data table: the default settings, one line each */
is listed but never fails the check (a long list of assignments has no seam
to split along).

Prints every function over the limit (default 150) as
    file:line: name N lines (limit L)
and exits 1 if any that is not a data table is over, else 0.
--top N also prints the N longest functions, longest first.
"""
import argparse
import os
import re
import sys

IDENT_RE = re.compile(r"([A-Za-z_]\w*)\s*$")


def blank(text):
    """The text with comments, literals and preprocessor lines replaced by
    spaces; newlines kept so that offsets map to the same lines."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            # a directive, with its backslash continuations
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out[i] = " "
                    i += 2
                    continue
                out[i] = " "
                i += 1
            continue
        line_start = False
        if c == "\n":
            line_start = True
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            for k in range(i, end):
                if out[k] != "\n":
                    out[k] = " "
            i = end
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        elif c in "\"'":
            out[i] = " "
            i += 1
            while i < n and text[i] != c and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n:
                    if text[i + 1] != "\n":
                        out[i + 1] = " "
                    out[i] = " "
                    i += 2
                    continue
                out[i] = " "
                i += 1
            if i < n and text[i] == c:
                out[i] = " "
                i += 1
        else:
            i += 1
    return "".join(out)


def function_head(head):
    """The function's name if the head is a function definition's, else None."""
    h = head.strip()
    if not h.endswith(")"):
        return None
    depth = 0
    name = None
    for i, c in enumerate(h):
        if c == "(":
            if depth == 0 and name is None:
                m = IDENT_RE.search(h[:i])
                if not m:
                    return None
                name = m.group(1)
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "=" and depth == 0:
            return None
    if name in ("if", "for", "while", "switch", "return", "sizeof"):
        return None
    return name


def is_data_table(raw_lines, first_line):
    """True when the comment block right above line first_line (1-based)
    says "data table"."""
    k = first_line - 2
    block = []
    while k >= 0:
        s = raw_lines[k].strip()
        if not s or not (s.startswith(("/*", "*", "//")) or s.endswith("*/")):
            break
        block.append(s)
        k -= 1
    return re.search(r"data\s+table", " ".join(block), re.I) is not None


def functions(path, from_brace=False):
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read()
    code = blank(raw)
    raw_lines = raw.split("\n")
    found = []
    depth = 0
    head_start = 0
    open_at = None
    name = None
    for i, c in enumerate(code):
        if c == "{":
            if depth == 0:
                name = function_head(code[head_start:i])
                open_at = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                depth = 0  # unbalanced (an #if branch): resynchronise
            if depth == 0:
                if name:
                    start = code.count("\n", 0, open_at) + 1
                    end = code.count("\n", 0, i) + 1
                    head = code[head_start:open_at]
                    first = code.count("\n", 0, head_start + len(head) - len(head.lstrip())) + 1
                    n = end - (start if from_brace else first) + 1
                    found.append((name, first, n, is_data_table(raw_lines, first)))
                name = None
                head_start = i + 1
        elif c == ";" and depth == 0:
            head_start = i + 1
    return found


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="C function lengths in solver/")
    ap.add_argument("root", nargs="?", default=os.path.join(here, "..", ".."))
    ap.add_argument("--limit", type=int, default=150)
    ap.add_argument("--top", type=int, default=0, metavar="N")
    ap.add_argument("--from-brace", action="store_true",
                    help="count from the opening brace, not the signature's first line")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    solver = os.path.join(root, "solver")
    if not os.path.isdir(solver):
        sys.stderr.write("func_lengths.py: %s: no solver/ folder\n" % root)
        return 2
    allf = []
    for path, dirs, files in os.walk(solver):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".c"):
                full = os.path.join(path, name)
                rel = os.path.relpath(full, root)
                allf.extend((rel, fn, line, n, table) for fn, line, n, table in functions(full, args.from_brace))
    over = [f for f in allf if f[3] > args.limit]
    over.sort(key=lambda f: -f[3])
    failing = 0
    for rel, fn, line, n, table in over:
        note = " [data table: allowed]" if table else ""
        print("%s:%d: %s %d lines (limit %d)%s" % (rel, line, fn, n, args.limit, note))
        failing += not table
    if args.top > 0:
        print("--- the %d longest of %d functions" % (min(args.top, len(allf)), len(allf)))
        for rel, fn, line, n, table in sorted(allf, key=lambda f: (-f[3], f[0], f[2]))[:args.top]:
            print("%5d  %s  %s:%d%s" % (n, fn, rel, line, "  [data table]" if table else ""))
    if failing:
        print("func_lengths: %d function(s) over %d lines (of %d)" % (failing, args.limit, len(allf)))
        return 1
    print("func_lengths: %d functions, none over %d lines outside data tables" % (len(allf), args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
