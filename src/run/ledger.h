// SPDX-License-Identifier: Apache-2.0
// The ledger of reported calls: which call shapes were seen and how often (monitor mode reports the
// first of each shape, then counts), and the policy lines that would let them all pass.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/arch.h"
#include "policy/amend.h"
#include "run/arg_decoder.h"

namespace sysfence::run {

/// Index of the argument that tells call shapes apart for `syscall` (for socket, socketpair, ioctl,
/// prctl, fcntl, arch_prctl, seccomp and personality: the first argument that takes a single
/// constant, such as socket's family or ioctl's cmd), or -1 when there is none.
int KeyArgIndex(std::string_view syscall);

/// A call shape: what makes two reported calls "the same" for counting.
struct CallShape {
  uint32_t audit_arch = 0;
  int32_t nr = 0;
  uint64_t key_value = 0;  ///< the key argument's value, mixed with the condition arguments' (ConditionShapeKey)
  int decided_by = 0;      ///< rule index, or -1 for default, -2 for badarch, -3 for unknown
  auto operator<=>(const CallShape&) const = default;
};

/// Counts calls per shape and gathers suggestions.
class Ledger {
 public:
  /// Counts one call of `shape`; returns how many of that shape there have been (1 = first).
  uint64_t Count(const CallShape& shape);

  /// Records the first call of a shape (syscall `syscall` of ABI `arch`, decoded `args`; empty
  /// when unknown), to be allowed by SuggestedLines. `needs_allow` is false for calls that already
  /// pass (log).
  void NoteFirst(std::optional<Arch> arch, std::string_view syscall, const std::vector<DecodedArg>& args,
                 bool needs_allow);

  /// Records that an ABI not listed in the policy was used.
  void NoteMissingArch(std::string_view arch);

  /// The lines that, added to `policy`, let every noted call pass: policy::AmendPolicy's lines
  /// (what `sysfence merge POLICY EVENTS` adds), then its notes and one for each missing ABI.
  std::vector<std::string> SuggestedLines(const policy::Policy& policy) const;

  /// Calls per syscall ("name", or "ABI:#nr" for numbers without a name), most frequent first.
  std::vector<std::pair<std::string, uint64_t>> CountsBySyscall() const;

  /// Total calls counted.
  uint64_t total() const { return total_; }
  /// Distinct shapes counted.
  uint64_t distinct() const { return shapes_.size(); }

 private:
  std::map<CallShape, uint64_t> shapes_;
  std::vector<policy::ObservedCall> calls_;
  std::set<std::string> missing_arches_;
  uint64_t total_ = 0;
};

}  // namespace sysfence::run
