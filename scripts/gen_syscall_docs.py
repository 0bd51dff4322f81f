#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the generated sections of docs/syscalls.md from the built tables.

Runs `sysfence syscalls --groups --json` and `sysfence syscalls --constants --json` and replaces the
text between the BEGIN/END GENERATED markers, so the groups documented are exactly the groups built.

Usage: scripts/gen_syscall_docs.py BUILD_DIR [--check]
"""
import collections
import json
import pathlib
import subprocess
import sys

from generated_file import write_or_check

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "syscalls.md"


def run(binary, *args):
    return json.loads(subprocess.run([binary, "syscalls", *args], check=True, capture_output=True, text=True).stdout)


def groups_section(binary):
    lines = []
    for group in run(binary, "--groups", "--json"):
        lines.append(f"### `{group['name']}`")
        lines.append("")
        lines.append(group["description"] + ".")
        lines.append("")
        nested = [m for m in group["direct"] if m.startswith("@")]
        if nested:
            lines.append("Includes " + ", ".join(f"`{n}`" for n in nested) + ". Expanded:")
            lines.append("")
        lines.append(" ".join(f"`{m}`" for m in group["members"]))
        lines.append("")
    return lines


def constants_section(binary):
    families = collections.OrderedDict()
    for constant in run(binary, "--constants", "--json"):
        families.setdefault(constant["family"], []).append(constant["name"])
    lines = ["| family | count | examples |", "| --- | --- | --- |"]
    for family in sorted(families, key=str.lower):
        names = families[family]
        lines.append(f"| `{family}` | {len(names)} | " + ", ".join(f"`{n}`" for n in names[:6])
                     + (", ..." if len(names) > 6 else "") + " |")
    lines.append("")
    return lines


def replace(text, marker, lines):
    begin = f"<!-- BEGIN GENERATED {marker} -->"
    end = f"<!-- END GENERATED {marker} -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + "\n".join(lines) + end + tail


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = str(pathlib.Path(sys.argv[1]) / "tools" / "sysfence" / "sysfence")
    text = DOC.read_text()
    new = replace(text, "GROUPS", groups_section(binary))
    new = replace(new, "CONSTANTS", constants_section(binary))
    return write_or_check(DOC, new, "scripts/gen_syscall_docs.py BUILD_DIR", "--check" in sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
