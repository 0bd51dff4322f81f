// SPDX-License-Identifier: Apache-2.0
// Amending a policy with calls a run reported: the lines that let them through, keeping argument
// conditions as the values observed, each placed where it takes effect (before any rule that
// would shadow it), with fallback twins kept consistent. `sysfence merge POLICY EVENTS` writes the
// amended policy; `sysfence run` prints the same lines as its suggestions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/arch.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// One argument value of an observed call that a rule should keep as a condition.
struct ObservedArg {
  int index = 0;         ///< 0..5
  uint64_t value = 0;    ///< as the kernel saw it (32-bit arguments: their low half)
  std::string spelling;  ///< how to print `value` ("AF_UNIX", "PROT_READ|PROT_EXEC"); "" = a number
  friend bool operator==(const ObservedArg&, const ObservedArg&) = default;
};

/// A call a run reported (denied in enforce mode, or continued in monitor mode).
struct ObservedCall {
  Arch arch = Arch::kX86_64;
  std::string syscall;
  /// The values of the arguments worth a condition. Empty with `args_known` false (an audit
  /// record carries no arguments): then a syscall that has such arguments gets no rule, only a note.
  std::vector<ObservedArg> args;
  bool args_known = true;
  /// Whether the syscall has arguments worth a condition at all (so unknown ones matter).
  bool conditionable = false;
  std::string origin;  ///< the comment of the rule it leads to ("reported at ev.jsonl:12 (monitor, git)")
};

/// What AmendPolicy did.
struct Amendment {
  Policy policy;                   ///< the amended policy
  std::vector<std::string> lines;  ///< the lines added, in policy syntax (the suggestions)
  std::vector<std::string> notes;  ///< what could not be added, as comment lines ("# ...")
};

/// The rule allowing `calls` (all of one syscall): `allow NAME` with, per argument of
/// ObservedArg, `ARG in {values}` (`==` for one value), conjoined. `only_arches` names the
/// ABIs seen when they are fewer than `policy_arches`.
Rule RuleAllowing(std::span<const ObservedCall> calls, const std::vector<Arch>& policy_arches);

/// Adds to `policy` what lets every call of `calls` through that it does not let through
/// already (the reference evaluator decides). Per syscall one rule (RuleAllowing), inserted
/// before the first rule that names the syscall and does not permit it (say the generated
/// `errno ENOSYS clone3`), else after the last rule naming it, else before the first denying
/// rule; its comment is the calls' origins (the first three). Calls of ABIs the policy does not list become notes, as do
/// syscalls with conditionable arguments reported without them. Then ReconcileCloneTwins.
Amendment AmendPolicy(const Policy& policy, std::span<const ObservedCall> calls);

/// The comment of a rule added for reported calls or accesses: the first three distinct non-empty
/// `origins` joined by "; ", then " and N more"; "reported by a run" when there are none.
std::string OriginsComment(std::span<const std::string> origins);

/// Keeps clone and clone3 consistent (clone3 passes its flags in memory no filter can read):
/// where clone is allowed unconditionally and `clone3_used`, clone3 is allowed too; where clone
/// is allowed only under conditions, clone3 is answered with ENOSYS (rules allowing it are
/// dropped) so the C library falls back to clone, and when `clone3_used` clone also gets the flag
/// sets glibc's fallback passes (pthread_create, posix_spawn). Returns the lines added.
std::vector<std::string> ReconcileCloneTwins(Policy& policy, bool clone3_used);

/// The clone flags glibc passes when clone3 answers ENOSYS: pthread_create's thread flags and
/// posix_spawn's CLONE_VM|CLONE_VFORK|SIGCHLD.
std::span<const uint64_t> GlibcCloneFallbackFlags();

}  // namespace sysfence::policy
