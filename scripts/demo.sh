#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, end to end on bundled examples: what this kernel offers; a policy compiled,
# disassembled and evaluated; a real program recorded, its generated policy checked and compiled,
# the program run under it in monitor mode and then enforced; a call outside the recording denied
# and reported as a JSON event; the policy exported to the formats people deploy; and last, one
# HTML page drawing the recording, its policy's rules with their evidence and the denials.
# Usage: scripts/demo.sh [BUILD_DIR]   (everything it writes goes to BUILD_DIR/demo)
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
sf="$PWD/$build/tools/sysfence/sysfence"
out="$PWD/$build/demo"
rm -rf "$out"
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "1. What this kernel offers"
show "$sf" features

step "2. A hand-written policy (examples/web.sfp): check, compile, inspect"
show "$sf" check examples/web.sfp
show "$sf" compile examples/web.sfp --stats -o "$out/web.bpf"
# Whole outputs go to files first: `| head` under pipefail would fail the demo whenever the writer
# is still writing when head has had its lines (SIGPIPE).
"$sf" disasm "$out/web.bpf" > "$out/web.asm"
head -24 "$out/web.asm"
echo "  ..."
show "$sf" eval "$out/web.bpf" read
show "$sf" eval "$out/web.bpf" ptrace
show "$sf" eval "$out/web.bpf" socket AF_INET
show "$sf" eval "$out/web.bpf" socket AF_PACKET
show "$sf" eval "$out/web.bpf" mprotect 0 4096 PROT_READ\|PROT_EXEC

step "3. Record a real program and generate its least-privilege policy"
show "$sf" record --summary --json "$out/tar.json" -o "$out/tar.sfp" -- tar -czf "$out/doc.tgz" -C /usr/share/doc coreutils
echo "--- the generated policy (first lines) ---"
head -30 "$out/tar.sfp"
echo "  ..."
show "$sf" check "$out/tar.sfp"
show "$sf" compile "$out/tar.sfp" --stats -o "$out/tar.bpf"

step "4. Run it under its policy: monitor first, then enforced"
show "$sf" run --policy "$out/tar.sfp" --monitor -- tar -czf "$out/doc2.tgz" -C /usr/share/doc coreutils
show "$sf" run --policy "$out/tar.sfp" --events "$out/events.jsonl" -- tar -czf "$out/doc3.tgz" -C /usr/share/doc coreutils
cmp <(tar -tzf "$out/doc.tgz") <(tar -tzf "$out/doc3.tgz") && echo "same archive contents under enforcement"

step "5. Something the recording never did is denied, and becomes an event"
# tar extracting would need mkdir, fchown, utimensat, ... which creating an archive never asked for.
mkdir -p "$out/extract"
set +e
"$sf" run --policy "$out/tar.sfp" --events "$out/events.jsonl" -- tar -xzf "$out/doc.tgz" -C "$out/extract"
status=$?
set -e
echo "tar exited with status $status under enforcement; the first denial, as a JSON event:"
grep -m1 '"type":"syscall"' "$out/events.jsonl"

step "6. The formats people deploy"
show "$sf" compile "$out/tar.sfp" --format json -o "$out/tar-seccomp.json"
head -12 "$out/tar-seccomp.json"
echo "  ..."
"$sf" compile "$out/tar.sfp" --format k8s -o "$out/tar-k8s.json"
head -12 "$out/tar-k8s.json"
echo "  ..."
# systemd's SystemCallFilter= has no argument conditions: `--format systemd` refuses such a
# policy rather than widen it (try it on a policy without `if`).

step "7. A report to look at: what tar did, its policy rule by rule, and what extracting tried"
show "$sf" report "$out/tar.json" "$out/tar.sfp" "$out/events.jsonl" -o "$out/report.html"
printf '\nEverything the demo wrote is in %s\n' "$out"
printf 'Open the report in a browser (one file, works offline): file://%s/report.html\n' "$out"
