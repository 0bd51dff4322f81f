// SPDX-License-Identifier: Apache-2.0
// Amending a policy's `fs`/`net` rules with the Landlock accesses a run reported (the `landlock`
// events of `sysfence run --events`), so that record -> monitor -> merge -> enforce converges for
// paths and ports as it does for syscalls. `sysfence merge POLICY EVENTS` writes the result.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "policy/amend.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// One Landlock access a run reported: the rights missing beneath a path, or a TCP port.
struct ObservedAccess {
  enum class Kind : uint8_t { kFs, kNet };
  Kind kind = Kind::kFs;
  uint32_t fs_access = 0;  ///< kFs: the missing rights (FsAccess bits), never 0
  std::string path;        ///< kFs: the object (for a creation or removal, its directory), absolute
  NetRule::Kind net = NetRule::Kind::kConnect;  ///< kNet: bind or connect
  uint16_t port = 0;                            ///< kNet: the TCP port
  std::string origin;  ///< the comment of the rule it leads to ("reported at ev.jsonl:4 (monitor, cat)")
  friend bool operator==(const ObservedAccess&, const ObservedAccess&) = default;
};

/// Reads the line a Landlock event suggests ("fs read-file /etc/shadow", "fs write make-reg
/// \"/srv/my data\"", "net bind tcp 8123") with the policy parser: exactly one `fs` rule with one
/// path, or one `net` rule with one port. kInvalidInput otherwise, saying what is wrong (the
/// parser's message and hint, or what the line holds instead). `origin` is left empty.
Result<ObservedAccess> ObservedAccessFromLine(std::string_view line);

/// The rights `policy`'s fs rules grant beneath `path`: the union of the rules naming `path` or one
/// of its ancestors. Compared as text (trailing slashes aside): a rule whose path reaches `path`
/// only through a symlink or a bind mount is not counted, so the answer may be less than Landlock
/// grants, never more.
uint32_t GrantedFsAccess(const Policy& policy, std::string_view path);

/// Adds to `amendment` (its policy, lines and notes) the `fs`/`net` rules that let `accesses`
/// through, appended after the policy's own: per path one `fs` rule with the union of its missing
/// rights, less what the policy or another added rule on an ancestor already grants (nothing when
/// that is all); per (bind/connect, port) one `net` rule unless the policy has it. Each rule's
/// comment names its origins (OriginsComment). Accesses of a kind the policy does not restrict
/// (fs accesses with no `fs` rule in the policy, net ones with no `net` rule) become notes
/// instead: a first such rule would make Landlock deny everything it does not name.
void AmendLandlock(std::span<const ObservedAccess> accesses, Amendment& amendment);

/// AmendPolicy(policy, calls), then AmendLandlock(accesses): what `sysfence merge POLICY EVENTS`
/// writes.
Amendment AmendPolicy(const Policy& policy, std::span<const ObservedCall> calls,
                      std::span<const ObservedAccess> accesses);

}  // namespace sysfence::policy
