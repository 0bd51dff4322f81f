// SPDX-License-Identifier: Apache-2.0
#include "os/strict_mode.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace sysfence::os {

Result<void> EnterStrictMode() {
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0) {
    const int err = errno;
    const char* name = strerrorname_np(err);
    std::string why = std::string(name ? name : "errno") + ": " + strerror(err);
    if (err == EINVAL) why += " (the kernel lacks seccomp, or this thread already runs under a seccomp filter)";
    return MakeError(ErrorCode::kOs, "strict mode: prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT): " + why);
  }
  return Ok();
}

}  // namespace sysfence::os
