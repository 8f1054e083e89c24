#!/usr/bin/env python3
"""Lines per .cpp file and per function (a function: a line at column 0 that
opens a body, up to the matching '}' at column 0; clang-format keeps that
shape). Prints the longest first; --max-function N / --max-file N make it
fail (exit 1) above those limits. Usage: function_sizes.py [limits] FILES..."""
import argparse
import re
import sys

OPENER = re.compile(r"^[A-Za-z_].*\)\s*(const\s*)?(noexcept\s*)?(override\s*)?(->\s*[^{]+)?\{\s*$")
SKIP = re.compile(r"^(namespace|struct|class|enum|union|extern|template\s*<[^>]*>\s*(struct|class))\b")


def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        start = i
        # A signature may wrap: join continuation lines up to the opening brace.
        if re.match(r"^[A-Za-z_]", line) and not SKIP.match(line) and not line.rstrip().endswith(";"):
            sig = line
            j = i
            while not sig.rstrip().endswith("{") and j + 1 < len(lines) and j - i < 4:
                if lines[j].rstrip().endswith(";") or lines[j + 1][:1] not in (" ", "\t"):
                    break
                j += 1
                sig += " " + lines[j].strip()
            if sig.rstrip().endswith("{") and "(" in sig and not SKIP.match(sig):
                k = j + 1
                while k < len(lines) and lines[k] != "}":
                    k += 1
                name = re.sub(r"\(.*", "", sig).split()[-1]
                yield name, k - start + 1, start + 1
                i = k
        i += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-function", type=int, default=0)
    parser.add_argument("--max-file", type=int, default=0)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    found = []
    files = []
    for path in args.files:
        files.append((sum(1 for _ in open(path, encoding="utf-8")), path))
        for name, length, line in functions(path):
            found.append((length, f"{path}:{line} {name}"))
    found.sort(reverse=True)
    files.sort(reverse=True)
    print("longest functions:")
    for length, where in found[:8]:
        print(f"  {length:4d}  {where}")
    print("longest files:")
    for length, path in files[:5]:
        print(f"  {length:4d}  {path}")
    bad = [f for f in found if args.max_function and f[0] > args.max_function]
    bad += [f for f in files if f[1].endswith(".cpp") and args.max_file and f[0] > args.max_file]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
