#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An independent probe of this machine: prints the test features it LACKS, one name a line.
#
# sysfence's tests name what they need in their skip reasons as "[feature: NAME]". Under
# SYSFENCE_REQUIRE_FEATURES=1 (CI), a skip is a failure unless one NAME it gives is printed here.
# This script deliberately shares no code with sysfence (src/os/ has the product's own probes): it
# asks the kernel through files, shell tools, python3's ctypes and a hand-made i386 program, so a
# broken product probe cannot turn tests into skips without CI failing.
#
# Usage: scripts/probe-machine.sh        the missing features (nothing printed: nothing missing)
#        scripts/probe-machine.sh -v     every feature with "present" or "missing" (to stderr too)
# docs/testing.md lists the features and how to add one.
set -euo pipefail
verbose=0
[ "${1:-}" = -v ] && verbose=1

missing=()
# check NAME CONDITION...: NAME is present when the command CONDITION succeeds.
check() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then
    [ "$verbose" = 1 ] && printf '%-22s present\n' "$name"
  else
    [ "$verbose" = 1 ] && printf '%-22s missing\n' "$name"
    missing+=("$name")
  fi
  return 0
}

is_root() { [ "$(id -u)" = 0 ]; }
kernel_at_least() {  # kernel_at_least MAJOR MINOR
  local release major minor
  release=$(uname -r)
  major=${release%%.*}
  minor=${release#*.}
  minor=${minor%%[!0-9]*}
  [ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "$minor" -ge "$2" ]; }
}
kernel_config() {  # kernel_config NAME: prints y, m or nothing
  local config
  config=/boot/config-$(uname -r)
  if [ -r /proc/config.gz ]; then
    zcat /proc/config.gz 2>/dev/null | sed -n "s/^$1=//p"
  elif [ -r "$config" ]; then
    sed -n "s/^$1=//p" "$config"
  fi
}

# Landlock: the kernel's own answer to landlock_create_ruleset(NULL, 0, VERSION) (syscall 444 on
# every Linux ABI), through python3's ctypes; 0 when Landlock is off.
landlock_abi() {
  if [ -r /sys/kernel/security/lsm ] && ! grep -qw landlock /sys/kernel/security/lsm; then
    echo 0
    return
  fi
  if command -v python3 >/dev/null; then
    python3 -c 'import ctypes; r = ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1); print(max(r, 0))'
    return
  fi
  # Without python3: the kernel's configuration and release (Landlock ABI n arrived in Linux ...).
  if [ "$(kernel_config CONFIG_SECURITY_LANDLOCK)" != y ]; then echo 0; return; fi
  local abi=0 pair
  for pair in 1:5.13 2:5.19 3:6.2 4:6.7 5:6.10 6:6.12 7:6.15; do
    local version=${pair#*:}
    kernel_at_least "${version%.*}" "${version#*.}" && abi=${pair%%:*}
  done
  echo "$abi"
}

# IA-32: can this kernel run a 32-bit i386 program? A 96-byte static ELF that calls exit(42)
# through int 0x80 (no libc, no compiler needed). Off with CONFIG_IA32_EMULATION=n or
# ia32_emulation=0 (the kernel then refuses to exec it).
runs_i386() {
  local dir status=0
  dir=$(mktemp -d)
  printf '\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00\x01\x00\x00\x00\x54\x80\x04\x08'\
'\x34\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x34\x00\x20\x00\x01\x00\x00\x00\x00\x00\x00\x00'\
'\x01\x00\x00\x00\x00\x00\x00\x00\x00\x80\x04\x08\x00\x80\x04\x08\x60\x00\x00\x00\x60\x00\x00\x00'\
'\x05\x00\x00\x00\x00\x10\x00\x00\xb8\x01\x00\x00\x00\xbb\x2a\x00\x00\x00\xcd\x80' >"$dir/exit42"
  chmod +x "$dir/exit42"
  "$dir/exit42" 2>/dev/null || status=$?
  rm -rf "$dir"
  [ "$status" = 42 ]
}

seccomp_actions() { cat /proc/sys/kernel/seccomp/actions_avail 2>/dev/null; }
has_seccomp_action() { seccomp_actions | tr ' ' '\n' | grep -qx "$1"; }
outer_seccomp_mode() { awk '/^Seccomp:/ {print $2}' /proc/self/status; }
device_nodes_work() {
  local dir ok=1
  is_root || return 1
  dir=$(mktemp -d)
  if mknod "$dir/null" c 1 3 2>/dev/null && : >"$dir/null" 2>/dev/null; then ok=0; fi
  rm -rf "$dir"
  return "$ok"
}

abi=$(landlock_abi)

check root is_root
check x86_64 test "$(uname -m)" = x86_64
check ia32 runs_i386
check two-cpus test "$(nproc)" -ge 2
check kernel-6.6 kernel_at_least 6 6
check seccomp-filter test -r /proc/sys/kernel/seccomp/actions_avail
check user-notif has_seccomp_action user_notif
check pidfd-open kernel_at_least 5 3
check no-outer-seccomp test "$(outer_seccomp_mode)" = 0
# PTRACE_SECCOMP_GET_FILTER is built with CONFIG_CHECKPOINT_RESTORE, which also makes
# /proc/PID/map_files; it needs CAP_SYS_ADMIN.
check ptrace-get-filter sh -c "[ \"\$(id -u)\" = 0 ] && [ -d /proc/self/map_files ]"
check landlock test "$abi" -ge 1
for n in 2 3 4 5 6 7; do check "landlock-abi-$n" test "$abi" -ge "$n"; done
check landlock-abi-below-8 test "$abi" -lt 8
check ebpf sh -c "[ \"\$(id -u)\" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] && grep -qw tracefs /proc/filesystems"
check ebpf-toolchain sh -c 'command -v clang && { command -v bpftool || [ -x /usr/sbin/bpftool ]; }'
check mknod device_nodes_work
check dev-full test -c /dev/full
check python3 test -x /usr/bin/python3
check curl test -x /usr/bin/curl
check unshare test -x /usr/bin/unshare
check setpriv test -x /usr/bin/setpriv
check scmp_sys_resolver command -v scmp_sys_resolver
check chromium test -x /usr/bin/chromium
# runc and a static busybox build the container tests' bundles (root runs them).
check runc sh -c "[ \"\$(id -u)\" = 0 ] && command -v runc && dpkg -s busybox-static"
check crun command -v crun
check podman command -v podman

if [ "$verbose" = 1 ]; then
  printf 'landlock ABI: %s\n' "$abi" >&2
  exit 0
fi
[ "${#missing[@]}" = 0 ] || printf '%s\n' "${missing[@]}"
