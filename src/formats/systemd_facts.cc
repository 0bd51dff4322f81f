// SPDX-License-Identifier: Apache-2.0
#include "formats/systemd_facts.h"

#include <algorithm>
#include <array>

#include "syscalls/syscalls.h"

namespace sysfence::formats::systemd {
namespace {

// systemd 252's @default set (`systemd-analyze syscall-filter @default`), sorted.
constexpr std::array<std::string_view, 63> kAlwaysAllowed = {
    "arch_prctl",
    "brk",
    "cacheflush",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "execve",
    "exit",
    "exit_group",
    "futex",
    "futex_time64",
    "futex_waitv",
    "get_robust_list",
    "get_thread_area",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "getsid",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "membarrier",
    "mmap",
    "mmap2",
    "mprotect",
    "munmap",
    "nanosleep",
    "pause",
    "prlimit64",
    "restart_syscall",
    "riscv_flush_icache",
    "riscv_hwprobe",
    "rseq",
    "rt_sigreturn",
    "sched_getaffinity",
    "sched_yield",
    "set_robust_list",
    "set_thread_area",
    "set_tid_address",
    "set_tls",
    "sigreturn",
    "time",
    "ugetrlimit",
    "uretprobe",
};

}  // namespace

std::string_view ArchName(Arch arch) {
  switch (arch) {
    case Arch::kX86_64: return "x86-64";
    case Arch::kX86: return "x86";
    case Arch::kX32: return "x32";
    case Arch::kAarch64: return "arm64";
    case Arch::kArm: return "arm";
    case Arch::kRiscv64: return "riscv64";
    case Arch::kPpc64le: return "ppc64-le";
    case Arch::kS390x: return "s390x";
  }
  return "native";
}

std::span<const std::string_view> AlwaysAllowed() { return kAlwaysAllowed; }

bool IsAlwaysAllowed(std::string_view name) {
  return std::binary_search(kAlwaysAllowed.begin(), kAlwaysAllowed.end(), name);
}

std::string AddressFamilyName(uint32_t value) {
  if (value == 0) return {};
  std::vector<std::string_view> names = syscalls::ConstantNamesFor("AF", value);
  // Aliases systemd's own list does not print: prefer the canonical name.
  for (std::string_view preferred : {"AF_UNIX", "AF_NETLINK"}) {
    if (std::find(names.begin(), names.end(), preferred) != names.end()) return std::string(preferred);
  }
  for (std::string_view name : names) {
    if (name != "AF_LOCAL" && name != "AF_FILE" && name != "AF_ROUTE") return std::string(name);
  }
  return {};
}

std::string QuotePath(std::string_view path) {
  std::string escaped;
  bool quote = false;
  for (char c : path) {
    if (c == '%') {
      escaped += "%%";
      continue;
    }
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\\') quote = true;
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return quote ? "\"" + escaped + "\"" : escaped;
}

}  // namespace sysfence::formats::systemd
