#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the CMake arrows between sysfence libraries are the arrows the includes draw.

Every `sysfence_library(NAME DEPS ... TEST_DEPS ...)` in the tree is one library made of the *.cc and
*.h files of its folder. For each library:

  - its production files (names without "test" or "fuzz") may include headers only of itself and of
    the sysfence libraries in its DEPS, and every sysfence library in its DEPS must be included by at
    least one of them (a declared arrow nothing uses is an error too);
  - its test files may include headers of itself, its DEPS, its TEST_DEPS and what those link in
    turn, and every sysfence library in TEST_DEPS must be included by one of its test files.

The graph comes from the tree (no list of libraries here), so a new library is checked as soon as
its folder has a CMakeLists.txt. A header belongs to the library whose folder holds it, found the way the
compiler finds it ("policy/x.h" is src/policy/x.h, "bpf/record_types.h" the eBPF program's bpf/
folder when src/bpf has no such file). Headers outside every library's folder (fmt/, nlohmann/, the
public sysfence/ header, bpf/) are not sysfence libraries and are ignored.

Usage: scripts/check-layers.py [--root DIR] [--table]
  --table  prints each library's direct dependencies (what docs/architecture.md draws) and exits 0.
Exit status: 0 when the arrows match, 1 with one line per mismatch.
"""
import argparse
import os
import re
import sys

LIBRARY_CALL = re.compile(r"sysfence_library\(\s*(sysfence_\w+)(.*?)\)", re.S)
LINK_CALL = re.compile(r"target_link_libraries\(\s*(sysfence_\w+)(.*?)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SKIPPED_DIRS = {".git", "build", "third_party"}


def strip_comments(cmake_text):
    return "\n".join(line.split("#", 1)[0] for line in cmake_text.splitlines())


def parse_arguments(text):
    """Splits the words of a sysfence_library call into its DEPS and TEST_DEPS keywords."""
    groups = {"DEPS": set(), "TEST_DEPS": set()}
    current = None
    for word in text.split():
        if word in groups:
            current = word
        elif word in ("PUBLIC", "PRIVATE", "INTERFACE"):
            continue
        elif current and word.startswith("sysfence_"):
            groups[current].add(word)
    return groups


def find_libraries(root):
    """Returns {name: {"folder", "deps", "test_deps"}} for every sysfence_library in the tree."""
    libraries = {}
    links = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("build"))
        if "CMakeLists.txt" not in files:
            continue
        with open(os.path.join(folder, "CMakeLists.txt"), encoding="utf-8") as f:
            text = strip_comments(f.read())
        for match in LIBRARY_CALL.finditer(text):
            groups = parse_arguments(match.group(2))
            libraries[match.group(1)] = {"folder": os.path.relpath(folder, root), "deps": groups["DEPS"],
                                         "test_deps": groups["TEST_DEPS"]}
        for match in LINK_CALL.finditer(text):
            links.append((match.group(1), match.group(2)))
    # Extra target_link_libraries on a library count as its DEPS.
    for name, arguments in links:
        if name in libraries:
            libraries[name]["deps"] |= {w for w in arguments.split() if w.startswith("sysfence_") and w != name}
    return libraries


def header_owners(libraries):
    """Maps a folder of the tree ("src/policy/", "tests/support/") to the library made of it."""
    return {library["folder"] + "/": name for name, library in libraries.items()}


def owner_of(include, including_folder, root, owners):
    """The library owning the file `include` names, searched as the compiler does: beside the
    including file, then in src/, include/ and the top of the tree."""
    for base in (including_folder, os.path.join(root, "src"), os.path.join(root, "include"), root):
        path = os.path.join(base, include)
        if os.path.isfile(path):
            return owners.get(os.path.relpath(os.path.dirname(path), root) + "/")
    return None


def is_test_file(filename):
    return "test" in filename or "fuzz" in filename


def included_libraries(root, library, owners, tests):
    """{library: first file including it} for the production (tests=False) or test files."""
    found = {}
    folder = os.path.join(root, library["folder"])
    for filename in sorted(os.listdir(folder)):
        if not filename.endswith((".cc", ".h")) or is_test_file(filename) != tests:
            continue
        with open(os.path.join(folder, filename), encoding="utf-8") as f:
            for include in INCLUDE.findall(f.read()):
                owner = owner_of(include, folder, root, owners)
                if owner:
                    found.setdefault(owner, os.path.join(library["folder"], filename) + ": " + include)
    return found


def closure(name, libraries):
    """Every library `name` links, directly or through its DEPS."""
    seen, stack = set(), [name]
    while stack:
        current = stack.pop()
        if current in seen or current not in libraries:
            continue
        seen.add(current)
        stack.extend(libraries[current]["deps"])
    return seen


def check(root, libraries):
    owners = header_owners(libraries)
    problems = []
    for name in sorted(libraries):
        library = libraries[name]
        uses = included_libraries(root, library, owners, tests=False)
        uses.pop(name, None)
        for used in sorted(set(uses) - library["deps"]):
            problems.append(f"{name} includes {used} without linking it ({uses[used]})")
        for unused in sorted(d for d in library["deps"] - set(uses) if d in libraries):
            problems.append(f"{name} links {unused} but no file of {library['folder']} includes it")
        test_uses = included_libraries(root, library, owners, tests=True)
        reachable = closure(name, libraries)
        for test_dep in library["test_deps"]:
            reachable |= closure(test_dep, libraries)
        for used in sorted(set(test_uses) - reachable):
            problems.append(f"the tests of {name} include {used} without linking it ({test_uses[used]})")
        for unused in sorted(d for d in library["test_deps"] - set(test_uses) if d in libraries):
            problems.append(f"the tests of {name} link {unused} but none includes it")
    return problems


def print_table(libraries):
    def short(name):
        return name[len("sysfence_"):]
    for name in sorted(libraries, key=lambda n: (len(closure(n, libraries)), n)):
        deps = sorted(short(d) for d in libraries[name]["deps"] if d in libraries)
        print(f"{short(name):12} {libraries[name]['folder']:16} {', '.join(deps) or '-'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--table", action="store_true")
    arguments = parser.parse_args()
    root = os.path.abspath(arguments.root)
    libraries = find_libraries(root)
    if not libraries:
        print(f"check-layers: no sysfence_library() found under {root}", file=sys.stderr)
        return 1
    if arguments.table:
        print_table(libraries)
        return 0
    problems = check(root, libraries)
    for problem in problems:
        print("check-layers: " + problem)
    if not problems:
        print(f"check-layers: {len(libraries)} libraries, every CMake arrow matches the includes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
