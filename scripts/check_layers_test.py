#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests scripts/check-layers.py on small trees: it passes a tree whose arrows match its includes
and fails, naming the arrow, each way they can differ (run by CTest)."""
import os
import pathlib
import subprocess
import sys
import tempfile

CHECKER = pathlib.Path(__file__).resolve().parent / "check-layers.py"


def make_tree(root, libraries, files):
    """libraries: {folder: cmake call}; files: {path: text}."""
    for folder, call in libraries.items():
        os.makedirs(root / folder, exist_ok=True)
        (root / folder / "CMakeLists.txt").write_text(call + "\n")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def run(libraries, files):
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        make_tree(root, libraries, files)
        result = subprocess.run([sys.executable, str(CHECKER), "--root", tmp], capture_output=True, text=True)
        return result.returncode, result.stdout


def expect(name, libraries, files, status, needle):
    code, out = run(libraries, files)
    if code != status or needle not in out:
        print(f"FAIL {name}: exit {code} (want {status}), output:\n{out}(want '{needle}')")
        return False
    print(f"ok   {name}")
    return True


def main():
    base = {"src/core": "sysfence_library(sysfence_core)",
            "src/policy": "sysfence_library(sysfence_policy DEPS sysfence_core)"}
    good = {"src/core/a.h": "#pragma once\n", "src/policy/p.cc": '#include "core/a.h"\n#include "policy/p.h"\n',
            "src/policy/p.h": "#pragma once\n"}
    ok = True
    ok &= expect("matching arrows pass", base, good, 0, "every CMake arrow matches")
    ok &= expect("an include without its link fails", {**base, "src/ir": "sysfence_library(sysfence_ir DEPS sysfence_core)"},
                 {**good, "src/ir/i.cc": '#include "policy/p.h"\n#include "core/a.h"\n'}, 1,
                 "sysfence_ir includes sysfence_policy without linking it (src/ir/i.cc: policy/p.h)")
    ok &= expect("a link without an include fails", {**base, "src/ir": "sysfence_library(sysfence_ir DEPS sysfence_core sysfence_policy)"},
                 {**good, "src/ir/i.cc": '#include "core/a.h"\n'}, 1,
                 "sysfence_ir links sysfence_policy but no file of src/ir includes it")
    ok &= expect("a test including an unlinked library fails", base,
                 {**good, "src/core/a_test.cc": '#include "policy/p.h"\n'}, 1,
                 "the tests of sysfence_core include sysfence_policy without linking it")
    ok &= expect("a new library is checked without being listed",
                 {**base, "src/profile": "sysfence_library(sysfence_profile DEPS sysfence_core)"},
                 {**good, "src/profile/x.cc": '#include "policy/p.h"\n'}, 1,
                 "sysfence_profile includes sysfence_policy without linking it")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
