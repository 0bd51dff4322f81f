// SPDX-License-Identifier: Apache-2.0
// A program outside the sysfence tree that sandboxes itself through the installed library: uname(2)
// works before ApplySandbox and fails with EPERM after it, everything else still runs. Prints what
// it saw and exits 0 only when the filter did exactly that (tests/package/install_test.sh).
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sysfence/sysfence.h>

int main() {
  struct utsname name {};
  if (uname(&name) != 0) {
    std::printf("uname failed before the sandbox: %s\n", std::strerror(errno));
    return 1;
  }
  sysfence::StatusOr<sysfence::Policy> policy =
      sysfence::PolicyBuilder().Default("allow").Rule("errno EPERM", {"uname"}).Build();
  if (!policy.ok()) {
    std::printf("build: %s\n", policy.status().message().c_str());
    return 2;
  }
  sysfence::StatusOr<sysfence::SandboxReport> report = sysfence::ApplySandbox(*policy);
  if (!report.ok()) {
    std::printf("sandbox: %s\n", report.status().message().c_str());
    return 3;
  }
  errno = 0;
  const int result = uname(&name);
  const int error = errno;
  std::printf("filter of %zu instructions installed; uname after it: %d (%s)\n", report->filter_instructions, result,
              error == 0 ? "ok" : strerrorname_np(error));
  return result == -1 && error == EPERM ? 0 : 1;
}
