// SPDX-License-Identifier: Apache-2.0
// Which capability a system call needs, from its name and argument values: the table `run
// --monitor` checks observed calls against a `caps keep` line with, and `record` infers the
// capabilities a program used from. It reads registers only (no memory): a bind(2) to a port below
// 1024 (CAP_NET_BIND_SERVICE) is in the sockaddr and cannot be told from the arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/arch.h"

namespace sysfence::policy {

/// How sure the table is that the call needs the capability.
enum class CapabilityNeed : uint8_t {
  kAlways,    ///< the call fails with EPERM without it (socket(AF_PACKET), mount, chroot)
  kSometimes  ///< only for some targets or amounts (chown to another owner, ptrace of another user)
};

/// A capability a call needs and why.
struct CapabilityUse {
  int capability = 0;  ///< CAP_* number
  CapabilityNeed need = CapabilityNeed::kAlways;
  std::string reason;  ///< "socket(AF_PACKET)", "chown (to another owner)"
};

/// The capability `syscall` needs on `arch` with `args` (its six argument registers; empty when
/// the values are unknown, which answers only the calls whose need does not depend on them), or
/// nullopt when it needs none the table knows of.
std::optional<CapabilityUse> CapabilityNeededBy(Arch arch, std::string_view syscall, std::span<const uint64_t> args);

}  // namespace sysfence::policy
