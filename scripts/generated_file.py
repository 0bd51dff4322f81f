# SPDX-License-Identifier: Apache-2.0
"""What every generator under scripts/ does with its output: write it, or with --check compare it."""
import sys


def write_or_check(path, text, command, check):
    """Writes `text` to `path`, or when `check` only compares: 1 (naming `command`, the way to
    regenerate) when the checked-in file differs, else 0."""
    if check:
        if path.read_text() != text:
            print(f"{path} is stale: run {command}", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    return 0
