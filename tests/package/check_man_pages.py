#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The generated man pages against the CLI they document (CTest: man_pages_match_help).

- every command `sysfence --help` lists has a page sysfence-COMMAND(1), and sysfence(1) and
  sysfence.sfp(5) exist;
- every page formats without a warning (groff -ww, and man --warnings as man(1) shows it);
- every option and positional of `sysfence COMMAND --help` is in the page, and so is all of the
  command's prose (the text after the options), word for word;
- sysfence.sfp(5) holds every heading and every code line of docs/policy-language.md;
- every option that takes one of a set of words (`sysfence help-export --value-sets`, the words the
  CLI accepts) lists them all, as {a,b,c} on its line, in its command's --help and in the OPTIONS
  of its page (sysfence(1) for the global options).

Usage: check_man_pages.py SYSFENCE_BINARY MAN_DIR DOCS_POLICY_LANGUAGE_MD
"""
import os
import re
import subprocess
import sys

FAILURES = []
# What groff's UTF-8 output turns typed ASCII into: minus signs, hyphens, curly quotes.
TYPED = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2018": "`", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def fail(message):
    FAILURES.append(message)


def run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, env=env)


def normalized(text):
    return " ".join(text.split())


def rendered(page):
    """The page as plain text: no hyphenation, long lines, typographic dashes and quotes as typed."""
    result = run(["groff", "-t", "-man", "-Tutf8", "-rHY=0", "-rLL=300n", "-P-cbou", page])
    if result.returncode != 0:
        fail("%s: groff failed: %s" % (page, result.stderr))
    return result.stdout.translate(TYPED)


def section(text, title):
    """The body of one section (TITLE at the start of a line, up to the next such heading)."""
    match = re.search(r"^%s\n(.*?)(?=^[A-Z][A-Z ]+\n|\Z)" % title, text, re.M | re.S)
    return match.group(1) if match else ""


def check_warnings(page):
    result = run(["groff", "-t", "-man", "-ww", "-z", page])
    if result.stderr.strip() or result.returncode != 0:
        fail("%s: groff -ww warns:\n%s" % (page, result.stderr))
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    result = run(["man", "--warnings", "-l", page], env=env)
    if result.stderr.strip() or result.returncode != 0:
        fail("%s: man --warnings warns:\n%s" % (page, result.stderr))


def commands(sysfence):
    """The commands `sysfence --help` lists (CLI11's "Subcommands:" section)."""
    help_text = run([sysfence, "--help"]).stdout
    section = help_text.split("Subcommands:", 1)[1]
    names = []
    for line in section.splitlines()[1:]:
        match = re.match(r"^  (\S+)\s", line)
        if not match:
            break
        names.append(match.group(1))
    return names, help_text


def help_parts(help_text):
    """(option names, positional names, prose) of one --help text."""
    options, positionals = set(), set()
    lines = help_text.splitlines()
    prose_start = len(lines)
    section = None
    for index, line in enumerate(lines):
        if re.match(r"^(Options|Positionals|Subcommands):$", line):
            section = line[:-1]
            continue
        if section and line.startswith("  "):
            head = line.strip().split("  ")[0]
            if section == "Options":
                options.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", head))
            elif section == "Positionals":
                positionals.add(head.split()[0])
            prose_start = index + 1
        elif section and not line.strip():
            section = None
        elif section is None and line.strip() and index > 2 and prose_start <= index:
            break
    # The prose is what follows the last option line.
    prose = "\n".join(lines[prose_start:])
    return options, positionals, prose


def check_command_page(sysfence, man_dir, command):
    page = os.path.join(man_dir, "man1", "sysfence-%s.1" % command)
    if not os.path.exists(page):
        fail("no man page for '%s' (%s)" % (command, page))
        return
    check_warnings(page)
    text = rendered(page)
    options, positionals, prose = help_parts(run([sysfence, command, "--help"]).stdout)
    # Options must be listed in OPTIONS and positionals in ARGUMENTS, not just named in the prose.
    words = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", section(text, "OPTIONS")))
    for option in sorted(options - words):
        fail("%s: option %s of --help is not in the page's OPTIONS" % (page, option))
    for positional in sorted(positionals):
        if not re.search(r"\b%s\b" % re.escape(positional), section(text, "ARGUMENTS")):
            fail("%s: positional %s of --help is not in the page's ARGUMENTS" % (page, positional))
    if normalized(prose) not in normalized(text):
        fail("%s: the --help prose is not in the page word for word:\n--- help ---\n%s\n--- page ---\n%s"
             % (page, normalized(prose), normalized(text)))
    return len(options)


def check_language_page(man_dir, markdown_path):
    page = os.path.join(man_dir, "man5", "sysfence.sfp.5")
    if not os.path.exists(page):
        fail("no sysfence.sfp(5)")
        return
    check_warnings(page)
    text = normalized(rendered(page))
    with open(markdown_path, encoding="utf-8") as f:
        markdown = f.read()
    in_code = False
    checked = 0
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        wanted = None
        if in_code and line.strip():
            wanted = line
        elif re.match(r"^#{2,} ", line):
            wanted = re.sub(r"[`*]", "", line.lstrip("#"))
        if wanted is not None:
            checked += 1
            if normalized(wanted) not in text and normalized(wanted).upper() not in text:
                fail("sysfence.sfp(5) lacks %r of %s" % (wanted.strip(), markdown_path))
    return checked


def check_value_sets(sysfence, man_dir):
    """Each option's accepted words, in its --help line and in its man page's OPTIONS."""
    lines = run([sysfence, "help-export", "--value-sets"]).stdout.splitlines()
    if len(lines) < 10:
        fail("help-export --value-sets lists only %d options" % len(lines))
    for line in lines:
        command, option, *words = line.split()
        listed = "{%s}" % ",".join(words)
        help_argv = [sysfence, "--help"] if command == "sysfence" else [sysfence, command, "--help"]
        help_text = run(help_argv).stdout
        if not any(option in help_line and listed in help_line for help_line in help_text.splitlines()):
            fail("%s %s: --help does not list its values %s on its line" % (command, option, listed))
        page_name = "sysfence.1" if command == "sysfence" else "sysfence-%s.1" % command
        page = os.path.join(man_dir, "man1", page_name)
        if not os.path.exists(page):
            continue  # reported by the page checks
        options_text = section(rendered(page), "OPTIONS")
        if not any(option in page_line and listed in page_line for page_line in options_text.splitlines()):
            fail("%s %s: %s does not list its values %s in OPTIONS" % (command, option, page_name, listed))
    return len(lines)


def main():
    sysfence, man_dir, markdown_path = sys.argv[1:4]
    names, _ = commands(sysfence)
    if len(names) < 10:
        fail("sysfence --help lists only %d commands: %s" % (len(names), names))
    pages = {f[len("sysfence-"):-2] for f in os.listdir(os.path.join(man_dir, "man1")) if f.startswith("sysfence-")}
    for extra in sorted(pages - set(names)):
        fail("man page sysfence-%s.1 documents no command --help lists" % extra)
    root = os.path.join(man_dir, "man1", "sysfence.1")
    if os.path.exists(root):
        check_warnings(root)
        root_text = rendered(root)
        for name in names:
            if "sysfence-%s(1)" % name not in root_text:
                fail("sysfence(1) does not refer to sysfence-%s(1)" % name)
    else:
        fail("no sysfence(1)")
    options = sum(check_command_page(sysfence, man_dir, name) or 0 for name in names)
    lines = check_language_page(man_dir, markdown_path)
    value_sets = check_value_sets(sysfence, man_dir)
    for failure in FAILURES:
        print("FAIL:", failure)
    if not FAILURES:
        print("%d command pages (%d options) match --help; sysfence.sfp(5) holds %d headings and code lines; "
              "%d options list their values" % (len(names), options, lines, value_sets))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
