#!/usr/bin/env python3
"""Lists the longest functions and the longest files of C++ sources, for the
size limits of issue #13 (no function over 80 lines, no .cpp over 450).

  scripts/function_sizes.py src/stats/*.cpp src/report/*.cpp ...

A function's length runs from the line of its opening brace to its closing
brace (lambdas count inside their function). Braces of namespaces, classes,
structs and brace-initialised data are not functions. Comments and string
literals are skipped, so braces inside them do not count."""
import re, sys

def strip(text):
    # Remove comments and string/char literals (keeps newlines).
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i); i = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2); seg = text[i:j + 2]; out.append('\n' * seg.count('\n')); i = j + 2
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:]); end = ')' + m.group(1) + '"'
            j = text.find(end, i); seg = text[i:j + len(end)]; out.append('""' + '\n' * seg.count('\n')); i = j + len(end)
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append('""'); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)

def functions(path):
    text = strip(open(path).read())
    lines = text.split('\n')
    res, stack = [], []  # stack of (kind, start_line)
    for ln, line in enumerate(lines, 1):
        for m in re.finditer(r'[{}]', line):
            if m.group() == '{':
                before = ' '.join(lines[max(0, ln - 4):ln - 1]) + ' ' + line[:m.start()]
                head = before.strip()
                in_func = any(k == 'f' for k, _ in stack)
                if in_func:
                    kind = 'b'
                elif re.search(r'\b(namespace|class|struct|enum|union)\b[^;{}()]*$', head) or re.search(r'=\s*$', head) or re.search(r'\bextern\s+"C"\s*$', head):
                    kind = 'n'
                elif re.search(r'\)\s*(const|noexcept|override|final|->\s*[\w:<>]+|\s)*$', head) or re.search(r'\)\s*:\s*.*$', head):
                    kind = 'f'
                else:
                    kind = 'n'
                stack.append((kind, ln))
            else:
                if not stack: continue
                kind, start = stack.pop()
                if kind == 'f':
                    # the declaration may begin a line or two above the brace
                    res.append((ln - start + 1, start, path))
    return res, len(open(path).read().split('\n')) - 1

allf, files = [], []
for p in sys.argv[1:]:
    f, n = functions(p); allf += f; files.append((n, p))
allf.sort(reverse=True); files.sort(reverse=True)
print('longest functions (lines, file:line):')
for n, ln, p in allf[:8]: print(f'  {n:4} {p}:{ln}')
print('longest files:')
for n, p in files[:5]: print(f'  {n:4} {p}')
