// SPDX-License-Identifier: Apache-2.0
#include "inspect/lint.h"

#include <algorithm>

#include <fmt/format.h>

#include "bpf/evaluator.h"
#include "bpf/program.h"
#include "inspect/lint_internal.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect {
namespace lint_internal {

std::optional<uint32_t> ReturnOffset(const FilterStack& stack, size_t filter, const bpf::SeccompData& data) {
  auto result = bpf::Evaluate(stack[filter], data);
  if (!result.ok()) return std::nullopt;
  return static_cast<uint32_t>(result->exit_offset);
}

std::optional<uint32_t> FirstNumberLoad(const FilterStack& stack, size_t filter, const bpf::SeccompData& data) {
  bpf::EvalOptions options;
  options.record_path = true;
  auto result = bpf::Evaluate(stack[filter], data, options);
  if (!result.ok()) return std::nullopt;
  for (uint32_t pc : result->path) {
    const bpf::Instruction& insn = stack[filter][pc];
    if (insn.code == (bpf::op::kLd | bpf::op::kW | bpf::op::kAbs) && insn.k == bpf::offset::kNr) return pc;
  }
  return std::nullopt;
}

}  // namespace lint_internal

namespace {

using lint_internal::Leaf;

Finding Make(std::string check, Severity severity, std::string message, std::string fix) {
  Finding f;
  f.check = std::move(check);
  f.severity = severity;
  f.message = std::move(message);
  f.fix = std::move(fix);
  return f;
}

// The arch check: none at all, or a number deciding before it.
void CheckArch(const FilterStack& one, size_t index, const std::vector<Leaf>& leaves, std::vector<Finding>& findings) {
  const bool checks_arch = std::any_of(leaves.begin(), leaves.end(), [](const Leaf& l) { return !l.region.words[word::kArch].IsFull(); });
  for (const Leaf& leaf : leaves) {
    // Without any arch check every leaf counts; with one, a leaf decided by nr with arch unknown.
    if (checks_arch && (!leaf.region.words[word::kArch].IsFull() || leaf.region.words[word::kNr].IsFull())) continue;
    Finding f = checks_arch
                    ? Make("arch-check-after-nr", Severity::kError,
                           "the syscall number decides before the architecture is checked: a number means a different "
                           "syscall on each ABI (11 is munmap on x86_64 and execve on x86)",
                           "load seccomp_data.arch and reject unknown tokens before the first `ld [nr]`")
                    : Make("no-arch-check", Severity::kError,
                           "the filter never checks seccomp_data.arch: a number means a different syscall on each ABI "
                           "(x86's execve is 11 through `int 0x80`, x86_64's 11 is munmap)",
                           "start with `ld [arch]`, `jeq #AUDIT_ARCH_..., ok, kill` (a policy's `arch` line does this)");
    f.filter = index;
    f.witness = leaf.region.Witness();
    if (f.witness) f.instruction = lint_internal::FirstNumberLoad(one, 0, *f.witness);
    if (!f.instruction) f.instruction = 0;
    findings.push_back(std::move(f));
    break;
  }
}

// x32 numbers under the x86_64 token reaching a permitting return.
void CheckX32(const FilterStack& one, size_t index, const std::vector<Leaf>& leaves, std::vector<Finding>& findings) {
  const uint32_t x86_64_token = GetArchInfo(Arch::kX86_64).audit_arch;
  for (const Leaf& leaf : leaves) {
    if (!Action::FromSeccompRet(leaf.outcome.value).Permits() || !leaf.region.words[word::kArch].Admits(x86_64_token)) continue;
    // Only a leaf that also holds x86_64 numbers decided without looking at the x32 bit.
    WordConstraint native = leaf.region.words[word::kNr];
    native.Add(kX32SyscallBit, WordTest::kSet, kX32SyscallBit, false);
    if (!native.Witness()) continue;
    WordConstraint nr = leaf.region.words[word::kNr];
    nr.Add(kX32SyscallBit, WordTest::kSet, kX32SyscallBit, true);
    nr.Add(UINT32_MAX, WordTest::kGe, 2 * kX32SyscallBit, false);
    // Prefer a named x32 syscall as the example.
    std::optional<uint32_t> example;
    for (const char* name : {"execve", "ptrace", "open", "read"}) {
      auto number = syscalls::NumberOf(Arch::kX32, name);
      if (number && nr.Admits(*number)) {
        example = number;
        break;
      }
    }
    if (!example) example = nr.Witness();
    if (!example) continue;
    Region region = leaf.region;
    region.words[word::kArch] = WordConstraint{};
    region.words[word::kArch].Add(UINT32_MAX, WordTest::kEq, x86_64_token, true);
    region.words[word::kNr] = WordConstraint{};
    region.words[word::kNr].Add(UINT32_MAX, WordTest::kEq, *example, true);
    auto name = syscalls::NameOf(Arch::kX32, *example);
    Finding f = Make("x32-under-x86_64", Severity::kError,
                     fmt::format("x32 syscall numbers reach `{}` under the x86_64 token (e.g. {:#x}{})",
                                 Action::FromSeccompRet(leaf.outcome.value).ToPolicyText(), *example,
                                 name ? ", x32 " + std::string(*name) : ""),
                     "after the arch check, send numbers >= 0x40000000 (the x32 bit) to a deny action, or list x32 "
                     "on the policy's arch line and decide its syscalls");
    f.filter = index;
    f.arch = Arch::kX32;
    if (name) f.syscall = std::string(*name);
    f.witness = region.Witness();
    if (f.witness) f.instruction = lint_internal::ReturnOffset(one, 0, *f.witness);
    findings.push_back(std::move(f));
    break;
  }
}

// Unreachable instructions, as ranges.
void CheckUnreachable(size_t index, const std::vector<bool>& seen, std::vector<Finding>& findings) {
  for (uint32_t pc = 0; pc < seen.size();) {
    if (seen[pc]) {
      ++pc;
      continue;
    }
    uint32_t end = pc;
    while (end + 1 < seen.size() && !seen[end + 1]) ++end;
    Finding f = Make("unreachable", Severity::kWarning,
                     pc == end ? fmt::format("instruction {} is never reached on any input", pc)
                               : fmt::format("instructions {}-{} are never reached on any input", pc, end),
                     "remove them; if they were meant to run, the jumps or returns before them are wrong");
    f.filter = index;
    f.instruction = pc;
    findings.push_back(std::move(f));
    pc = end + 1;
  }
}

// Per filter: the arch check, x32 numbers, unreachable code.
Result<void> LintFilterShape(const FilterStack& stack, size_t index, std::vector<Finding>& findings) {
  const FilterStack one = {stack[index]};
  std::vector<Leaf> leaves;
  std::vector<std::vector<bool>> reached;
  ExploreOptions options;
  options.reached = &reached;
  auto explored = Explore(one, Region{}, [&](const Region& r, const StackOutcome& o) {
    leaves.push_back({r, o});
    return true;
  }, options);
  if (!explored.ok()) return explored.error();
  CheckArch(one, index, leaves, findings);
  CheckX32(one, index, leaves, findings);
  CheckUnreachable(index, reached[0], findings);
  return {};
}

// On the whole stack: allows everything, errno 0, trace.
Result<void> LintDecisions(const FilterStack& stack, const LintOptions& options, std::vector<Finding>& findings) {
  std::vector<Leaf> leaves;
  auto explored = Explore(stack, Region{}, [&](const Region& r, const StackOutcome& o) {
    leaves.push_back({r, o});
    return true;
  });
  if (!explored.ok()) return explored.error();
  const bool all_permit = std::all_of(leaves.begin(), leaves.end(), [](const Leaf& l) {
    return Action::FromSeccompRet(l.outcome.value).Permits();
  });
  if (all_permit) {
    Finding f = Make("allows-everything", Severity::kError, "the filter allows every call on every ABI: it confines nothing",
                     "deny by default (`default errno EPERM`) and allow what the program needs (`sysfence record`)");
    f.filter = leaves.front().outcome.deciding_filter;
    f.witness = leaves.front().region.Witness();
    if (f.witness) f.instruction = lint_internal::ReturnOffset(stack, f.filter, *f.witness);
    findings.push_back(std::move(f));
  }
  bool errno_zero = false, trace = false;
  for (const Leaf& leaf : leaves) {
    const Action action = Action::FromSeccompRet(leaf.outcome.value);
    const bool is_errno_zero = action.kind == ActionKind::kErrno && action.data == 0;
    const bool is_trace = action.kind == ActionKind::kTrace && options.tracer_attached != true;
    if ((!is_errno_zero || errno_zero) && (!is_trace || trace)) continue;
    Finding f = is_errno_zero
                    ? Make("errno-zero", Severity::kWarning,
                           "returns errno 0: the call does not run but reports success (fake success)",
                           "return a real errno (EPERM, ENOSYS) or allow the call")
                    : Make("trace-without-tracer", Severity::kWarning,
                           options.tracer_attached == false
                               ? "returns trace, and no tracer is attached: the call fails with ENOSYS"
                               : "returns trace: without a ptrace tracer the call fails with ENOSYS",
                           "use `errno ENOSYS` if that is the intent, or `notify`/`log` to watch the call");
    (is_errno_zero ? errno_zero : trace) = true;
    f.filter = leaf.outcome.deciding_filter;
    f.witness = leaf.region.Witness();
    if (f.witness) {
      f.instruction = lint_internal::ReturnOffset(stack, f.filter, *f.witness);
      f.arch = ArchOfSyscall(f.witness->arch, static_cast<uint32_t>(f.witness->nr));
      if (f.arch) {
        if (auto name = syscalls::NameOf(*f.arch, static_cast<uint32_t>(f.witness->nr))) f.syscall = std::string(*name);
      }
    }
    findings.push_back(std::move(f));
  }
  return {};
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "note";
}

Result<std::vector<Finding>> LintStack(const FilterStack& stack, const LintOptions& options) {
  if (stack.empty()) return MakeError(ErrorCode::kInvalidInput, "no filter to lint");
  std::vector<Finding> findings;
  for (size_t i = 0; i < stack.size(); ++i) {
    if (auto status = LintFilterShape(stack, i, findings); !status.ok()) return status.error();
  }
  if (auto status = LintDecisions(stack, options, findings); !status.ok()) return status.error();
  // A filter that allows everything needs no list of every dangerous syscall it allows.
  const bool allows_everything = std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.check == "allows-everything";
  });
  if (!allows_everything) {
    if (auto status = lint_internal::LintSyscalls(stack, options, findings); !status.ok()) return status.error();
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.severity, a.filter) < std::tie(b.severity, b.filter);
  });
  return findings;
}

}  // namespace sysfence::inspect
