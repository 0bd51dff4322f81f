// SPDX-License-Identifier: Apache-2.0
// The policy model: what a .sfp file or an OCI profile means, independent of how it was written.
// Front ends (the .sfp parser, the OCI JSON importer, the recorder's generator, the builder API)
// produce a Policy; the compiler, the evaluator, the printer and the exporters consume it.
//
// Semantics (shared by every evaluator and by the compiler):
//  - A syscall whose (arch, nr) is not of a listed ABI gets `badarch_action`. On x86_64, a number
//    with the x32 bit set belongs to the x32 ABI, so it gets `badarch_action` unless x32 is listed.
//  - Otherwise the rules naming that syscall are tried in order (includes expanded in place, rules
//    restricted to other ABIs skipped); the first whose condition holds (or that has none) decides.
//    No rule decides → `default_action`. Numbers with no syscall name also get `default_action`,
//    except numbers above the highest the syscall tables know for the ABI: those get
//    UnknownAction(policy) (ENOSYS by default, as runc's stub answers syscalls newer than it knows).
//  - An argument is named by its position on the ABI at hand (Comparison::arg), or by its name
//    (Comparison::arg_name), resolved with that ABI's own signature (syscalls::ArgsOfOn): clone's
//    flags are arg0 on x86_64 and arg1 on s390x.
//  - An argument is 16, 32 or 64 bits wide (syscalls::ArgWidthBits, per ABI). An N-bit argument is
//    its low N bits only (the kernel ignores the rest), compared as an unsigned number against the
//    64-bit value; a value that is a sign-extended N-bit negative (every bit from N-1 up set) is
//    first narrowed to its low N bits, so `fd == -1` means 0xffffffff. All comparisons are unsigned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "core/diagnostic.h"

namespace sysfence::policy {

/// Comparison::arg of a comparison that names its argument (Comparison::arg_name).
inline constexpr int kNamedArgument = -1;

/// A comparison operator on one argument.
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kMaskedEq };

/// `arg OP value`, or `(arg & mask) == value` for kMaskedEq.
struct Comparison {
  /// The argument's position 0..5 on every ABI; kNamedArgument when `arg_name` names it instead.
  int arg = 0;
  CompareOp op = CompareOp::kEq;
  uint64_t value = 0;
  uint64_t mask = ~uint64_t{0};  ///< used by kMaskedEq only
  /// How `value` and `mask` were written ("AF_INET", "PROT_READ|PROT_WRITE"), so the printer keeps
  /// symbolic constants; empty means "print the number". Not part of equality.
  std::string value_spelling;
  std::string mask_spelling;
  /// When not empty: the argument's name in the syscall's signature, resolved per ABI and syscall
  /// (ArgumentPositionOn in policy/arguments.h). Front ends set it only when the name sits at
  /// different positions on the rule's ABIs (clone_flags with s390x), else they store the position.
  std::string arg_name;
  friend bool operator==(const Comparison& a, const Comparison& b) {
    return a.arg == b.arg && a.arg_name == b.arg_name && a.op == b.op && a.value == b.value &&
           (a.op != CompareOp::kMaskedEq || a.mask == b.mask);
  }
};

/// A boolean expression over comparisons.
struct Condition {
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kNot };
  Kind kind = Kind::kCompare;
  Comparison compare;               ///< for kCompare
  std::vector<Condition> children;  ///< two or more for kAnd/kOr, one for kNot
  friend bool operator==(const Condition&, const Condition&) = default;
};

/// One rule: an action for some syscalls, optionally under a condition.
struct Rule {
  Action action = Action::Allow();
  /// Syscall names and "@group" names as written; see ExpandTargets.
  std::vector<std::string> targets;
  std::optional<Condition> condition;
  /// ABIs this rule applies to; empty means all of the policy's ABIs.
  std::vector<Arch> only_arches;
  /// Free text carried along (an OCI rule's comment, a recorder's evidence); printed as a comment.
  std::string comment;
  /// Where the rule was written; not part of equality.
  SourceSpan span;

  friend bool operator==(const Rule& a, const Rule& b) {
    return a.action == b.action && a.targets == b.targets && a.condition == b.condition &&
           a.only_arches == b.only_arches;
  }
};

/// Landlock file-system access rights, as policy `fs` rules grant them.
enum FsAccess : uint32_t {
  kFsExecute = 1u << 0,
  kFsWriteFile = 1u << 1,
  kFsReadFile = 1u << 2,
  kFsReadDir = 1u << 3,
  kFsRemoveDir = 1u << 4,
  kFsRemoveFile = 1u << 5,
  kFsMakeChar = 1u << 6,
  kFsMakeDir = 1u << 7,
  kFsMakeReg = 1u << 8,
  kFsMakeSock = 1u << 9,
  kFsMakeFifo = 1u << 10,
  kFsMakeBlock = 1u << 11,
  kFsMakeSym = 1u << 12,
  kFsRefer = 1u << 13,     ///< Landlock ABI 2
  kFsTruncate = 1u << 14,  ///< Landlock ABI 3
  kFsIoctlDev = 1u << 15,  ///< Landlock ABI 5
};

/// `fs ACCESS PATH...`: grants `access` (FsAccess bits) beneath each path.
struct FsRule {
  uint32_t access = 0;
  std::vector<std::string> paths;
  SourceSpan span;
  /// Free text printed as a comment above the rule; not part of equality.
  std::string comment;
  friend bool operator==(const FsRule& a, const FsRule& b) { return a.access == b.access && a.paths == b.paths; }
};

/// `net bind|connect tcp PORT`: a Landlock network rule (ABI 4).
struct NetRule {
  enum class Kind : uint8_t { kBind, kConnect };
  Kind kind = Kind::kConnect;
  uint16_t port = 0;
  SourceSpan span;
  /// Free text printed as a comment above the rule; not part of equality.
  std::string comment;
  friend bool operator==(const NetRule& a, const NetRule& b) { return a.kind == b.kind && a.port == b.port; }
};

/// Linux namespaces an `unshare` line can ask for (bits of UnshareRule::namespaces), in the
/// canonical order the printer writes them.
enum Namespace : uint32_t {
  kNsNet = 1u << 0,
  kNsIpc = 1u << 1,
  kNsUts = 1u << 2,
  kNsPid = 1u << 3,
  kNsMount = 1u << 4,
  kNsUser = 1u << 5,
  kNsCgroup = 1u << 6,
};

/// `caps keep CAP...` (or `caps keep none`): the capabilities the program keeps; every other one is
/// dropped from its bounding, permitted, effective, inheritable and ambient sets.
struct CapsRule {
  /// Capability numbers (CAP_CHOWN = 0 ...), sorted, each once; empty for `caps keep none`.
  std::vector<int> keep;
  SourceSpan span;
  /// Free text printed as a comment above the line; not part of equality.
  std::string comment;
  friend bool operator==(const CapsRule& a, const CapsRule& b) { return a.keep == b.keep; }
};

/// `unshare NS...`: the program starts in new namespaces of these kinds (Namespace bits).
struct UnshareRule {
  uint32_t namespaces = 0;
  SourceSpan span;
  /// Free text printed as a comment above the line; not part of equality.
  std::string comment;
  friend bool operator==(const UnshareRule& a, const UnshareRule& b) { return a.namespaces == b.namespaces; }
};

/// The resources an `rlimit` line can limit; the values are Linux's RLIMIT_* numbers on every ABI
/// sysfence knows (the generic numbering).
enum class Resource : uint8_t {
  kCpu = 0,
  kFsize = 1,
  kData = 2,
  kStack = 3,
  kCore = 4,
  kRss = 5,
  kNproc = 6,
  kNofile = 7,
  kMemlock = 8,
  kAs = 9,
  kLocks = 10,
  kSigpending = 11,
  kMsgqueue = 12,
  kNice = 13,
  kRtprio = 14,
  kRttime = 15,
};

/// An rlimit value meaning "no limit" (RLIM_INFINITY).
inline constexpr uint64_t kRlimitUnlimited = ~uint64_t{0};

/// `rlimit NAME SOFT [HARD]`: the soft and hard limits the program starts with (HARD omitted: the
/// same as SOFT). kRlimitUnlimited is `unlimited`.
struct RlimitRule {
  Resource resource = Resource::kNofile;
  uint64_t soft = kRlimitUnlimited;
  uint64_t hard = kRlimitUnlimited;
  SourceSpan span;
  /// Free text printed as a comment above the line; not part of equality.
  std::string comment;
  friend bool operator==(const RlimitRule& a, const RlimitRule& b) {
    return a.resource == b.resource && a.soft == b.soft && a.hard == b.hard;
  }
};

/// A whole policy.
struct Policy {
  /// ABIs the filter accepts; never empty after a front end ran.
  std::vector<Arch> arches;
  Action default_action = Action::Errno(1);  // EPERM
  Action badarch_action = Action::KillProcess();
  std::vector<Rule> rules;
  std::vector<FsRule> fs_rules;
  std::vector<NetRule> net_rules;
  /// The `caps` line; nullopt: capabilities are left as the caller has them.
  std::optional<CapsRule> caps;
  /// The `unshare` line; nullopt: no new namespaces.
  std::optional<UnshareRule> unshare;
  /// The `rlimit` lines, one per resource, in the order written; unnamed resources are inherited.
  std::vector<RlimitRule> rlimits;
  /// Where `default` was written (for events that name the default); not part of equality.
  SourceSpan default_span;
  /// Where `badarch` was written; not part of equality.
  SourceSpan badarch_span;
  /// The `unknown` line: what numbers past the syscall table get. Unwritten (nullopt, and
  /// unknown_follows_default false): see UnknownAction.
  std::optional<Action> unknown_action;
  /// `unknown default`: numbers past the table get default_action.
  bool unknown_follows_default = false;
  /// Where `unknown` was written; not part of equality.
  SourceSpan unknown_span;
  /// seccomp filter flags carried from an OCI profile ("SECCOMP_FILTER_FLAG_LOG", ...), in the
  /// order written, for exporters and the installer; not part of equality (.sfp cannot write them).
  std::vector<std::string> flags;
  /// Free text printed as a comment at the top of the policy (a file's leading comment block);
  /// not part of equality.
  std::string comment;

  friend bool operator==(const Policy& a, const Policy& b) {
    return a.arches == b.arches && a.default_action == b.default_action &&
           a.badarch_action == b.badarch_action && a.rules == b.rules && a.fs_rules == b.fs_rules &&
           a.net_rules == b.net_rules && a.caps == b.caps && a.unshare == b.unshare &&
           a.rlimits == b.rlimits && a.unknown_action == b.unknown_action &&
           a.unknown_follows_default == b.unknown_follows_default;
  }
};

/// What a syscall number above the highest one the tables know for its ABI gets: the `unknown`
/// line's action; unwritten, `errno ENOSYS` when the default denies (a program probing a syscall
/// newer than the policy learns it is missing, as under runc) and the default when it permits.
inline Action UnknownAction(const Policy& policy) {
  if (policy.unknown_follows_default) return policy.default_action;
  if (policy.unknown_action) return *policy.unknown_action;
  constexpr uint16_t kEnosys = 38;  // ENOSYS on every ABI sysfence knows
  return policy.default_action.Permits() ? policy.default_action : Action::Errno(kEnosys);
}

/// The low `width_bits` bits set (all 64 for 64 or more).
constexpr uint64_t WidthMask(int width_bits) {
  return width_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << width_bits) - 1;
}

/// The value a comparison on an argument of `width_bits` uses: a sign-extended `width_bits`-bit
/// negative (every bit from width_bits-1 up set) narrowed to its low `width_bits` bits; any other
/// value unchanged (one above the width's range then never equals the argument).
constexpr uint64_t EffectiveValue(uint64_t value, int width_bits) {
  if (width_bits >= 64) return value;
  const uint64_t sign_and_above = ~WidthMask(width_bits - 1);
  if ((value & sign_and_above) == sign_and_above) return value & WidthMask(width_bits);
  return value;
}

/// Whether `compare` holds for argument value `arg` of an argument `width_bits` wide, under the
/// semantics described at the top of this file.
constexpr bool ComparisonHolds(const Comparison& compare, uint64_t arg, int width_bits) {
  const uint64_t a = arg & WidthMask(width_bits);
  const uint64_t v = EffectiveValue(compare.value, width_bits);
  switch (compare.op) {
    case CompareOp::kEq: return a == v;
    case CompareOp::kNe: return a != v;
    case CompareOp::kLt: return a < v;
    case CompareOp::kLe: return a <= v;
    case CompareOp::kGt: return a > v;
    case CompareOp::kGe: return a >= v;
    case CompareOp::kMaskedEq: return (a & compare.mask) == v;
  }
  return false;
}

}  // namespace sysfence::policy
