#!/usr/bin/env python3
"""Size limits of nperf's product code (issue #13): no function in src/ longer
than 80 lines, no .cpp file longer than 450 lines.

Reads C++ as text: comments, strings and character literals are blanked, then
braces are matched. A brace block counts as a function body when the text
before it (back to the previous ';', '{' or '}') ends in a ')' - optionally
followed by qualifiers such as const, noexcept, override or a trailing return
type - and every block around it is a namespace, class, struct or extern
block. Lambdas and local blocks therefore count towards the function they sit
in; brace initialisers of data tables ('= {') are not functions. A function's
length runs from the first line of its signature to its closing brace.

Usage: scripts/check_shape.py [--report] [--max-function N] [--max-file N] [ROOT]
Exit 0 when every file and function is within the limits, 1 otherwise.
--report lists the longest functions and files even when all is well.
"""
import argparse
import pathlib
import re
import sys

CONTAINER_RE = re.compile(r"\b(namespace|class|struct|union|enum)\b|extern\s*$")
SIGNATURE_TAIL_RE = re.compile(
    r"\)\s*(const|noexcept(\([^)]*\))?|override|final|mutable|&|&&|->\s*[\w:<>,\s*&]+|\s)*$")


def blank_comments_and_strings(text):
    """Returns text of the same length and line structure with comments,
    string literals and character literals replaced by spaces."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and (text[i - 1].isalnum()):  # digit separator 1'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions_in(text):
    """Yields (name, first_line, last_line) for each function body."""
    code = blank_comments_and_strings(text)
    code = re.sub(r"^[ \t]*#[^\n]*", lambda m: " " * len(m.group(0)), code, flags=re.M)
    stack = []  # (kind, start_line, name)
    last_stop = 0  # index after the previous ';', '{' or '}'
    for i, c in enumerate(code):
        if c == "{":
            head = code[last_stop:i]
            in_function = any(kind == "function" for kind, _, _ in stack)
            if in_function:
                kind = "block"
            elif CONTAINER_RE.search(head) and "(" not in head:
                kind = "container"
            elif re.search(r"=\s*$", head) or re.search(r"=\s*[\w:<>]*\s*$", head):
                kind = "data"
            elif SIGNATURE_TAIL_RE.search(head.rstrip()) or re.search(r"\)\s*:\s*[\s\S]*\)\s*$", head.rstrip()):
                kind = "function"
            else:
                kind = "block"
            stripped = head.lstrip()
            start_offset = i - len(stripped) if kind == "function" else i
            start_line = code.count("\n", 0, start_offset) + 1
            name_match = re.search(r"([\w:~<>]+)\s*\(", head)
            stack.append((kind, start_line, name_match.group(1) if name_match else "?"))
            last_stop = i + 1
        elif c == "}":
            if stack:
                kind, start_line, name = stack.pop()
                if kind == "function":
                    yield name, start_line, code.count("\n", 0, i) + 1
            last_stop = i + 1
        elif c == ";":
            last_stop = i + 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default=str(pathlib.Path(__file__).resolve().parent.parent))
    parser.add_argument("--max-function", type=int, default=80)
    parser.add_argument("--max-file", type=int, default=450)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    src = pathlib.Path(args.root) / "src"
    functions, files = [], []
    for path in sorted(src.rglob("*.cpp")) + sorted(src.rglob("*.hpp")):
        text = path.read_text()
        rel = path.relative_to(args.root)
        if path.suffix == ".cpp":
            files.append((text.count("\n"), str(rel)))
        for name, first, last in functions_in(text):
            functions.append((last - first + 1, f"{rel}:{first}", name))
    functions.sort(reverse=True)
    files.sort(reverse=True)
    long_functions = [f for f in functions if f[0] > args.max_function]
    long_files = [f for f in files if f[0] > args.max_file]
    for length, where, name in long_functions:
        print(f"function over {args.max_function} lines: {where} {name} ({length} lines)")
    for length, where in long_files:
        print(f"file over {args.max_file} lines: {where} ({length} lines)")
    if args.report:
        print("longest functions:")
        for length, where, name in functions[:8]:
            print(f"  {length:4d}  {where}  {name}")
        print("longest .cpp files:")
        for length, where in files[:5]:
            print(f"  {length:4d}  {where}")
    print(f"check_shape: {len(functions)} functions in {len(files)} .cpp files; "
          f"{len(long_functions)} over {args.max_function} lines, {len(long_files)} files over {args.max_file}")
    return 1 if long_functions or long_files else 0


if __name__ == "__main__":
    sys.exit(main())
