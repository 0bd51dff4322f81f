#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_man_pages.py must catch drift: on copies of the generated pages, each kind of damage (a
missing page, a dropped option, changed prose, an option's accepted values dropped, a groff
warning, a line of the language missing from sysfence.sfp(5)) makes it fail with a message naming it, and the intact copy passes.

Usage: check_man_pages_test.py CHECK_MAN_PAGES_PY SYSFENCE_BINARY MAN_DIR POLICY_LANGUAGE_MD
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def check(script, sysfence, man_dir, markdown):
    result = subprocess.run([sys.executable, script, sysfence, man_dir, markdown], capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def edit(path, transform):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    changed = transform(text)
    assert changed != text, "the damage changed nothing in %s" % path
    with open(path, "w", encoding="utf-8") as f:
        f.write(changed)


def misspell_description(page):
    """The page with the first "policy" of its DESCRIPTION misspelt."""
    head, description = page.split(".SH DESCRIPTION\n", 1)
    return head + ".SH DESCRIPTION\n" + description.replace("policy", "polizy", 1)


def main():
    script, sysfence, man_dir, markdown = sys.argv[1:5]
    damages = {
        "a command without a page": (lambda d: os.remove(os.path.join(d, "man1", "sysfence-eval.1")),
                                     "no man page for 'eval'"),
        "an option dropped": (lambda d: edit(os.path.join(d, "man1", "sysfence-compile.1"),
                                             lambda t: t.replace("\\fB\\-\\-weights\\fR", "\\fB\\-\\-wieghts\\fR")),
                              "option --weights of --help is not in the page's OPTIONS"),
        "prose changed": (lambda d: edit(os.path.join(d, "man1", "sysfence-check.1"), misspell_description),
                          "the --help prose is not in the page"),
        "a value set dropped": (lambda d: edit(os.path.join(d, "man1", "sysfence-record.1"),
                                               lambda t: t.replace("unotify,ptrace}", "unotify}")),
                                "record --backend: sysfence-record.1 does not list its values"),
        "a groff warning": (lambda d: edit(os.path.join(d, "man1", "sysfence-fmt.1"),
                                           lambda t: t.replace(".SH OPTIONS", ".SH OPTIONS\n.XYZZY")),
                            "groff -ww warns"),
        "a language line missing": (lambda d: edit(os.path.join(d, "man5", "sysfence.sfp.5"),
                                                   lambda t: t.replace("net connect tcp 5432\n", "", 1)),
                                    "sysfence.sfp(5) lacks 'net connect tcp 5432'"),
    }
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        intact = os.path.join(work, "intact")
        shutil.copytree(man_dir, intact)
        status, output = check(script, sysfence, intact, markdown)
        if status != 0:
            print("FAIL: the intact pages do not pass:\n" + output)
            failures += 1
        for name, (damage, message) in damages.items():
            copy = os.path.join(work, re.sub(r"\W", "_", name))
            shutil.copytree(man_dir, copy)
            damage(copy)
            status, output = check(script, sysfence, copy, markdown)
            if status == 0 or message not in output:
                print("FAIL: %s: status %d, expected a failure saying %r:\n%s" % (name, status, message, output[:2000]))
                failures += 1
            else:
                print("ok: %s is caught" % name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
