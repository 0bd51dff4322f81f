// SPDX-License-Identifier: Apache-2.0
// What a recording says about the policy's `caps keep`, `unshare net` and `rlimit NOFILE` lines,
// as commented suggestions under the generated policy: the capabilities its calls needed
// (inferred from syscalls and their arguments with policy/capability_use.h: the kernel's own
// capability checks are not observed, as that needs a kprobe or fentry program on cap_capable,
// which sysfence does not load and which the development VM refuses), whether it opened sockets
// other than AF_UNIX, and the highest file descriptor it was given.
#pragma once

#include <string>
#include <vector>

#include "profile/profile.h"

namespace sysfence::record {

/// The suggestion block: comment lines ("# ..."), each ending in a newline; commented-out policy
/// lines ("# caps keep CAP_NET_RAW") are ready to uncomment.
std::string PrivilegeSuggestions(const profile::Profile& profile);

}  // namespace sysfence::record
