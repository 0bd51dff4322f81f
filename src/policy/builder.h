// SPDX-License-Identifier: Apache-2.0
// Building a Policy in code, for programs that sandbox themselves through the library:
//
//   using namespace sysfence::policy;
//   Result<Policy> policy = PolicyBuilder()
//       .SetArches({Arch::kX86_64})
//       .SetDefault(Action::Errno(EPERM))
//       .Allow({"read", "write", "close", "exit_group", "@signal"})
//       .AddRule(Action::Allow(), {"mmap"}, Arg(2).MaskedEq(PROT_EXEC, 0))
//       .AddRule(Action::Errno(ENOSYS), {"clone3"})
//       .AllowFs(kFsReadFile | kFsReadDir, {"/etc"})
//       .Build();
//
// Every call checks what it can at once; the first mistake is kept (later calls are ignored) and
// Build() returns it, so a chain needs one check at the end (as sandbox2's PolicyBuilder does).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/action.h"
#include "core/arch.h"
#include "core/result.h"
#include "policy/policy.h"

namespace sysfence::policy {

/// One syscall argument (arg0..arg5) as the left side of a comparison.
class ArgRef {
 public:
  /// Refers to argument `index`; out-of-range indexes are reported by PolicyBuilder::AddRule.
  explicit constexpr ArgRef(int index) : index_(index) {}

  /// `arg == value` (and likewise below). Values follow policy.h's argument-width semantics.
  Condition Eq(uint64_t value) const { return Make(CompareOp::kEq, value); }
  Condition Ne(uint64_t value) const { return Make(CompareOp::kNe, value); }
  Condition Lt(uint64_t value) const { return Make(CompareOp::kLt, value); }
  Condition Le(uint64_t value) const { return Make(CompareOp::kLe, value); }
  Condition Gt(uint64_t value) const { return Make(CompareOp::kGt, value); }
  Condition Ge(uint64_t value) const { return Make(CompareOp::kGe, value); }
  /// `(arg & mask) == value`.
  Condition MaskedEq(uint64_t mask, uint64_t value) const;
  /// `arg in {values...}`: one value is `==`, more are an `||` of `==`.
  Condition In(std::initializer_list<uint64_t> values) const;

  /// The argument index.
  constexpr int index() const { return index_; }

 private:
  Condition Make(CompareOp op, uint64_t value) const;
  int index_;
};

/// Argument `index` (0..5) of the syscall, for building conditions.
constexpr ArgRef Arg(int index) { return ArgRef(index); }

/// All of `conditions` must hold (one condition is returned as it is).
Condition AllOf(std::vector<Condition> conditions);
/// Any of `conditions` must hold (one condition is returned as it is).
Condition AnyOf(std::vector<Condition> conditions);
/// `condition` must not hold.
Condition Not(Condition condition);

/// Builds a Policy step by step, keeping the first error.
class PolicyBuilder {
 public:
  /// The ABIs the filter accepts (replaces earlier calls).
  PolicyBuilder& SetArches(std::vector<Arch> arches);
  /// What syscalls no rule decides get (default: errno EPERM).
  PolicyBuilder& SetDefault(Action action);
  /// What syscalls of unlisted ABIs get (default: kill).
  PolicyBuilder& SetBadArch(Action action);
  /// Appends `allow TARGETS...` (syscall names and "@group" names).
  PolicyBuilder& Allow(std::initializer_list<std::string_view> targets);
  /// Appends a rule; `condition` optional, `only_arches` empty for all of the policy's ABIs.
  PolicyBuilder& AddRule(Action action, std::vector<std::string> targets, std::optional<Condition> condition = {},
                         std::vector<Arch> only_arches = {});
  /// Appends a rule built elsewhere (checked like AddRule).
  PolicyBuilder& AddRule(Rule rule);
  /// Grants FsAccess bits `access` beneath each of `paths` (absolute).
  PolicyBuilder& AllowFs(uint32_t access, std::vector<std::string> paths);
  /// Allows binding (or connecting) TCP `port`.
  PolicyBuilder& AllowNet(NetRule::Kind kind, uint16_t port);

  /// The first error so far, if any.
  const std::optional<Error>& error() const { return error_; }

  /// The policy, or the first error: the first one recorded by a call, else the first CheckPolicy
  /// finds in the whole policy (such as a value too wide for a 32-bit argument on a listed ABI).
  Result<Policy> Build() const;

 private:
  bool Failed() const { return error_.has_value(); }
  void SetError(std::string message);

  Policy policy_;
  std::optional<Error> error_;
};

}  // namespace sysfence::policy
