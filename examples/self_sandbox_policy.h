// SPDX-License-Identifier: Apache-2.0
// The policy of examples/self_sandbox.cc, shared with its test so the test checks the very filter
// the program installs.
#pragma once

#include <sysfence/sysfence.h>

namespace sysfence_examples {

/// read, write and exit; anything else kills the process. Only the x86_64 ABI is accepted, so
/// i386 syscalls (int 0x80) and x32 syscalls are killed by the architecture check, before any
/// syscall number is looked at.
inline sysfence::StatusOr<sysfence::Policy> SelfSandboxPolicy() {
  return sysfence::PolicyBuilder()
      .Arch("x86_64")
      .Default("kill")
      .BadArch("kill")
      // exit_group is what exit() and _exit() call; rt_sigreturn returns from signal handlers.
      .Allow({"read", "write", "exit", "exit_group", "rt_sigreturn"})
      .Build();
}

}  // namespace sysfence_examples
