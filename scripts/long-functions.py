#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lists C++ functions longer than a limit (the style guide's ~80 lines), longest first.

A function is a brace block at namespace or class scope whose header ends like a function
declarator (`...)`, `...) const`, `...) -> T`, a constructor's initializer list); lambdas and blocks
inside a function count towards it. Comments and string literals are skipped. Its length runs from
the first line of its signature to its closing brace. Generated files (*_gen.cc) are skipped.

This is a heuristic reader, not a compiler (macros that open blocks would fool it), so it reports
and does not fail the build.

Usage: scripts/long-functions.py [--limit N] [--exclude DIR]... [PATH...]   (default: src tools)
"""
import argparse
import os
import re
import sys

CONTROL = re.compile(r"^(if|for|while|switch|catch|do|else|try)\b")
SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b[^()]*$|^extern\s+\"C\"")
FUNCTION_TAIL = re.compile(
    r"\)\s*(const|noexcept|override|final|mutable|&|&&|\s)*(->\s*[^{;]+)?$|\)\s*:\s*[\s\S]*\)$")


def blank_comments_and_strings(text):
    """Replaces comments and string/char literals by spaces, keeping newlines (and so line numbers)."""
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
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j, n - 1) + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """Yields (first_line, last_line, name) of every function defined in `path`."""
    with open(path, encoding="utf-8") as f:
        text = blank_comments_and_strings(f.read())
    stack = []  # per open brace: "scope", "function" or "block"
    header_start = 0
    for index, c in enumerate(text):
        if c in ";":
            header_start = index + 1
        elif c == "{":
            header = text[header_start:index].strip()
            header_line = text.count("\n", 0, header_start + len(text[header_start:index]) -
                                     len(text[header_start:index].lstrip())) + 1
            in_function = "function" in stack
            flat = " ".join(header.split())
            if not in_function and SCOPE.search(flat) and "(" not in flat.split("{")[0][-1:]:
                kind = "scope"
            elif not in_function and flat and not CONTROL.match(flat) and FUNCTION_TAIL.search(flat) \
                    and not flat.startswith("#") and "=" not in flat.split("(")[0]:
                kind = "function"
                name_match = re.search(r"([~\w:]+)\s*\(", flat)
                stack.append((kind, header_line, name_match.group(1) if name_match else "?"))
                header_start = index + 1
                continue
            else:
                kind = "block"
            stack.append((kind, 0, ""))
            header_start = index + 1
        elif c == "}":
            if stack:
                kind, first, name = stack.pop()
                if kind == "function":
                    yield first, text.count("\n", 0, index) + 1, name
            header_start = index + 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["src", "tools"])
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("--exclude", action="append", default=[])
    arguments = parser.parse_args()
    found = []
    for root in arguments.paths:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            if any(os.path.normpath(folder).startswith(os.path.normpath(e)) for e in arguments.exclude):
                continue
            for filename in sorted(files):
                if not filename.endswith((".cc", ".h")) or filename.endswith("_gen.cc"):
                    continue
                path = os.path.join(folder, filename)
                for first, last, name in functions(path):
                    if last - first + 1 > arguments.limit:
                        found.append((last - first + 1, path, first, name))
    for length, path, first, name in sorted(found, reverse=True):
        print(f"{length:5} {path}:{first} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
