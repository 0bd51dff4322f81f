// SPDX-License-Identifier: Apache-2.0
// Runs a piece of a test in a forked child, so that what it does to itself (a filter, Landlock,
// dropped capabilities, new namespaces) never reaches the test process.
#pragma once

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>

namespace sysfence::testsupport {

/// Runs `body` in a forked child: its exit status, 1000 + the signal that killed it, or -1 when it
/// could not be waited for. The child leaves with the raw exit syscall: the only exit strict mode
/// permits, and one that runs none of the parent's atexit handlers.
inline int RunInChild(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) syscall(SYS_exit, body());
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

}  // namespace sysfence::testsupport
