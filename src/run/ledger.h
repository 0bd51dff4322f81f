// SPDX-License-Identifier: Apache-2.0
// The ledger of reported calls: which call shapes were seen and how often (monitor mode reports the
// first of each shape, then counts), and the policy lines that would let them all pass.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "run/arg_decoder.h"

namespace sysfence::run {

/// Index of the argument that tells call shapes apart for `syscall` (for socket, socketpair, ioctl,
/// prctl, fcntl, arch_prctl, seccomp and personality: the first argument that takes a single
/// constant, such as socket's family or ioctl's cmd), or -1 when there is none.
int KeyArgIndex(std::string_view syscall);

/// The policy line that allows this call: "allow socket if family == AF_NETLINK" when the key
/// argument decodes to a constant, else "allow NAME". Empty when `syscall` is empty (unknown number).
std::string SuggestRule(std::string_view syscall, const std::vector<DecodedArg>& args);

/// A call shape: what makes two reported calls "the same" for counting.
struct CallShape {
  uint32_t audit_arch = 0;
  int32_t nr = 0;
  uint64_t key_value = 0;  ///< value of the key argument (0 when there is none)
  int decided_by = 0;      ///< rule index, or -1 for default, -2 for badarch
  auto operator<=>(const CallShape&) const = default;
};

/// Counts calls per shape and gathers suggestions.
class Ledger {
 public:
  /// Counts one call of `shape`; returns how many of that shape there have been (1 = first).
  uint64_t Count(const CallShape& shape);

  /// Records what would allow the first call of a shape: the syscall name, and the key argument's
  /// name and constant when it has one. `needs_allow` is false for calls that already pass (log).
  void NoteFirst(std::string_view syscall, const std::vector<DecodedArg>& args, bool needs_allow);

  /// Records that an ABI not listed in the policy was used.
  void NoteMissingArch(std::string_view arch);

  /// Policy lines that would let every noted call pass, sorted: one `allow` line per syscall
  /// (with `in {...}` over the constants seen), and an `arch` note for missing ABIs.
  std::vector<std::string> SuggestedLines() const;

  /// Calls per syscall ("name", or "ABI:#nr" for numbers without a name), most frequent first.
  std::vector<std::pair<std::string, uint64_t>> CountsBySyscall() const;

  /// Total calls counted.
  uint64_t total() const { return total_; }
  /// Distinct shapes counted.
  uint64_t distinct() const { return shapes_.size(); }

 private:
  struct Allowance {
    std::string arg_name;
    std::set<std::string> constants;
    bool unconditional = false;
  };
  std::map<CallShape, uint64_t> shapes_;
  std::map<std::string, Allowance> allowances_;
  std::set<std::string> missing_arches_;
  uint64_t total_ = 0;
};

}  // namespace sysfence::run
