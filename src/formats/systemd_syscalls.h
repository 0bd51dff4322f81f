// SPDX-License-Identifier: Apache-2.0
// A first-match seccomp policy seen the way systemd filters: one action per syscall name for every
// ABI at once, no argument conditions, and only "allow", "errno N" or "kill". Every syscall a rule
// names gets the most permissive action any of its rules (or the default) can give it there,
// together with what that widening loses; socket's family conditions are kept apart, for
// RestrictAddressFamilies=.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/action.h"
#include "core/diagnostic.h"
#include "policy/policy.h"

namespace sysfence::formats::systemd {

/// What systemd can make of a syscall.
struct SdAction {
  enum class Kind : uint8_t { kAllow, kErrno, kKill };
  Kind kind = Kind::kKill;
  uint16_t errno_value = 0;  ///< for kErrno
  bool log = false;          ///< also listed in SystemCallLog=
  bool Permits() const { return kind == Kind::kAllow; }
  /// "allow", "errno EPERM", "kill".
  std::string ToString() const;
  /// Same outcome, ignoring `log`.
  bool SameOutcome(const SdAction& other) const {
    return kind == other.kind && (kind != Kind::kErrno || errno_value == other.errno_value);
  }
};

/// `action` as systemd can give it: allow and log allow (log also logs), errno stays, kill and
/// kill-thread kill the process, trap kills (systemd's SIGSYS cannot be caught), trace and notify
/// become errno ENOSYS (the kernel's answer when no tracer or supervisor is attached). Sets
/// `approximation` to a sentence when the result is not the same.
SdAction ToSystemd(const Action& action, std::string* approximation);

/// One syscall a rule names, as systemd will treat it.
struct SyscallVerdict {
  std::string name;
  SdAction action;
  /// Each thing lost by giving `action` for every argument and ABI, one line each
  /// ("allow mmap if (prot & PROT_EXEC) == 0 (web.sfp:17:1)").
  std::vector<std::string> lost;
  /// Where the first rule naming it was written.
  SourceSpan span;
};

/// The socket() families the policy may allow and how faithfully.
struct FamilyPlan {
  bool restricted = false;        ///< some family is surely denied: write RestrictAddressFamilies=
  std::set<uint32_t> allowed;     ///< families socket() may be allowed for (0..kAddressFamilyCount-1)
  bool exact = false;             ///< the family alone decides socket() (no other argument counts)
};

/// Every syscall some rule names on one of `policy`'s ABIs (that exists there), sorted by name,
/// widened as described at the top of this file. socket is widened without its family
/// conditions when `families.restricted` (they go to RestrictAddressFamilies=).
std::vector<SyscallVerdict> SyscallVerdicts(const policy::Policy& policy, const FamilyPlan& families);

/// Which families socket() may be allowed for, from its rules: comparisons on the family
/// argument are decided for each family, any other comparison may hold either way.
FamilyPlan PlanFamilies(const policy::Policy& policy);

}  // namespace sysfence::formats::systemd
