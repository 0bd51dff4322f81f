// SPDX-License-Identifier: Apache-2.0
// The `--summary` table, in the spirit of `strace -c`: calls, errors and share per syscall.
#pragma once

#include <string>

#include "profile/profile.h"

namespace sysfence::profile {

/// A table sorted by calls (most first, then by name): "% calls", "calls", "errors", "syscall",
/// and a total line. Errors show "-" when the backend cannot see return values.
std::string RenderSummary(const Profile& profile);

}  // namespace sysfence::profile
