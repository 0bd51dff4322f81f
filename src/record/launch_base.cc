// SPDX-License-Identifier: Apache-2.0
#include "record/launch_base.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "syscalls/syscalls.h"

namespace sysfence::record {
namespace {

// Derived by recording `int main(void){return 0;}` and `setlocale(LC_ALL, ""); puts("x");` (what
// nearly every C program does first), each built static and dynamic (glibc 2.36, x86_64), with
// `sysfence record --backend ptrace`, and uniting what they did before main's own work (puts'
// write is left out); argument values are those of the condition arguments (mmap and mprotect
// `prot`, ioctl `cmd`: stdio asks whether a stream is a terminal).
struct BaseCall {
  std::string_view syscall;
  int index;  // condition argument, or -1
  std::array<uint64_t, 3> values;
  std::array<std::string_view, 3> spellings;
  size_t count;
};

constexpr uint64_t kRead = 0x1, kWrite = 0x2, kExec = 0x4;

constexpr BaseCall kBase[] = {
    {"execve", -1, {}, {}, 0},
    {"brk", -1, {}, {}, 0},
    {"mmap", 2, {kRead, kRead | kWrite, kRead | kExec}, {"PROT_READ", "PROT_READ|PROT_WRITE", "PROT_READ|PROT_EXEC"}, 3},
    {"mprotect", 2, {kRead}, {"PROT_READ"}, 1},
    {"munmap", -1, {}, {}, 0},
    {"access", -1, {}, {}, 0},
    {"newfstatat", -1, {}, {}, 0},
    {"openat", -1, {}, {}, 0},
    {"close", -1, {}, {}, 0},
    {"pread64", -1, {}, {}, 0},
    {"read", -1, {}, {}, 0},
    {"readlink", -1, {}, {}, 0},
    {"arch_prctl", -1, {}, {}, 0},
    {"getrandom", -1, {}, {}, 0},
    {"prlimit64", -1, {}, {}, 0},
    {"rseq", -1, {}, {}, 0},
    {"set_robust_list", -1, {}, {}, 0},
    {"set_tid_address", -1, {}, {}, 0},
    {"futex", -1, {}, {}, 0},
    {"ioctl", 1, {0x5401}, {"TCGETS"}, 1},
    {"exit_group", -1, {}, {}, 0},
};

constexpr const char* kOrigin = "a launch needs it (--launchable): execve and the loader's and libc's start-up";

}  // namespace

std::vector<policy::ObservedCall> LaunchBaseCalls(Arch arch) {
  std::vector<policy::ObservedCall> calls;
  for (const BaseCall& base : kBase) {
    if (!syscalls::NumberOf(arch, base.syscall)) continue;  // not on this ABI (arch_prctl, access, ...)
    policy::ObservedCall call;
    call.arch = arch;
    call.syscall = std::string(base.syscall);
    call.origin = kOrigin;
    call.conditionable = base.index >= 0;
    if (base.index < 0) {
      calls.push_back(std::move(call));
      continue;
    }
    for (size_t i = 0; i < base.count; ++i) {
      call.args = {policy::ObservedArg{base.index, base.values[i], std::string(base.spellings[i])}};
      calls.push_back(call);
    }
  }
  return calls;
}

bool SawLaunch(const profile::Profile& recording) {
  for (const profile::SyscallRecord& record : recording.syscalls) {
    if (record.name == "execve" || record.name == "execveat") return true;
  }
  return false;
}

std::string LaunchNote(const profile::Profile& recording, bool base_added) {
  if (base_added) {
    return fmt::format("Attached to pid {}; the launch base was added (--launchable): it can start the program.",
                       recording.attached_pid);
  }
  if (SawLaunch(recording)) {
    return fmt::format("Attached to pid {}; an execve was recorded: it can start the program.", recording.attached_pid);
  }
  return fmt::format(
      "Attached to pid {}: no execve was recorded, so this policy cannot start the program; it fits a filter\n"
      "installed in the running program. Record with --launchable to add what a launch needs.",
      recording.attached_pid);
}

}  // namespace sysfence::record
