// SPDX-License-Identifier: Apache-2.0
#include "policy/lint.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/lint_bypass.h"
#include "policy/targets.h"
#include "syscalls/syscalls.h"

namespace sysfence::policy {
namespace {

constexpr std::string_view kIoUring[] = {"io_uring_setup", "io_uring_enter", "io_uring_register"};
// Syscalls whose work an io_uring operation can do without the filter seeing a syscall.
constexpr std::string_view kIoUringProxies[] = {
    "openat", "openat2", "close", "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv2",
    "pwritev2", "fsync", "fdatasync", "sync_file_range", "statx", "fadvise64", "madvise", "connect",
    "accept", "accept4", "bind", "listen", "socket", "sendto", "sendmsg", "recvfrom", "recvmsg",
    "shutdown", "unlinkat", "renameat2", "mkdirat", "symlinkat", "linkat", "ftruncate", "fallocate",
    "splice", "tee", "fsetxattr", "setxattr", "fgetxattr", "getxattr", "epoll_ctl", "futex_wait",
    "futex_wake", "waitid"};
constexpr std::string_view kTracing[] = {"ptrace", "process_vm_writev"};

// What happens to one syscall of one ABI, from walking the rules that name it in order.
struct SyscallOutcome {
  bool may_permit = false;     // some reachable rule, or the default, lets it run
  bool may_deny = false;       // some reachable rule, or the default, stops it
  int first_permit = -1;       // first reachable rule that permits (-1: the default does)
  bool has_condition = false;  // a reachable rule with a condition names it
  bool default_reached = true;
  std::optional<Action> unconditional;  // the first unconditional decision (a rule or the default)
};

class Linter {
 public:
  Linter(const Policy& policy, Diagnostics& diagnostics) : policy_(policy), diagnostics_(diagnostics) {
    for (const Rule& rule : policy.rules) expanded_.push_back(ExpandTargets(rule));
  }

  void Run() {
    LintKillThread();
    LintUnknown();
    LintRules();
    LintIoUring();
    LintTracing();
    LintBypasses(policy_, diagnostics_);
    LintFs();
  }

 private:
  std::string Where(int rule) const {
    return rule < 0 ? "the default" : "the rule at " + policy_.rules[static_cast<size_t>(rule)].span.ToString();
  }
  const SourceSpan& SpanOf(int rule) const {
    return rule < 0 ? policy_.default_span : policy_.rules[static_cast<size_t>(rule)].span;
  }
  bool Names(size_t rule, const std::string& name) const {
    return std::binary_search(expanded_[rule].begin(), expanded_[rule].end(), name);
  }

  SyscallOutcome Outcome(Arch arch, const std::string& name) const {
    SyscallOutcome outcome;
    if (!syscalls::NumberOf(arch, name)) {
      outcome.default_reached = false;
      return outcome;
    }
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      const Rule& rule = policy_.rules[i];
      if (!RuleAppliesToArch(rule, arch) || !Names(i, name)) continue;
      if (rule.action.Permits()) {
        if (!outcome.may_permit) outcome.first_permit = static_cast<int>(i);
        outcome.may_permit = true;
      } else {
        outcome.may_deny = true;
      }
      if (rule.condition) {
        outcome.has_condition = true;
        continue;
      }
      outcome.unconditional = rule.action;
      outcome.default_reached = false;
      return outcome;
    }
    outcome.unconditional = policy_.default_action;
    if (policy_.default_action.Permits()) {
      if (!outcome.may_permit) outcome.first_permit = -1;
      outcome.may_permit = true;
    } else {
      outcome.may_deny = true;
    }
    return outcome;
  }

  // `unknown allow` (or log) under a denying default lets every syscall newer than the tables
  // through: exactly the calls nobody reviewed.
  void LintUnknown() {
    if (!policy_.unknown_action || !policy_.unknown_action->Permits() || policy_.default_action.Permits()) return;
    diagnostics_.Warning(policy_.unknown_span,
                         "'unknown " + policy_.unknown_action->ToPolicyText() +
                             "' lets through every syscall newer than sysfence's tables while the default denies",
                         "answer them with 'unknown errno ENOSYS' (the C library then falls back) or 'unknown default'");
  }

  void LintKillThread() {
    const std::string hint = "prefer 'kill' (kill-process): the other threads go on running without the killed one";
    if (policy_.default_action.kind == ActionKind::kKillThread) {
      diagnostics_.Warning(policy_.default_span, "the default action kill-thread ends only the calling thread", hint);
    }
    if (policy_.badarch_action.kind == ActionKind::kKillThread) {
      diagnostics_.Warning(policy_.badarch_span, "the badarch action kill-thread ends only the calling thread", hint);
    }
    for (const Rule& rule : policy_.rules) {
      if (rule.action.kind == ActionKind::kKillThread) {
        diagnostics_.Warning(rule.span, "kill-thread ends only the calling thread", hint);
      }
    }
  }

  void LintRules() {
    // For every (ABI, syscall): the first rule that decides it unconditionally.
    std::map<std::pair<Arch, std::string>, size_t> decided;
    std::unordered_multimap<size_t, size_t> by_fingerprint;  // first rule of each kind, by Fingerprint
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      const Rule& rule = policy_.rules[i];
      const std::vector<Arch> arches = RuleArches(policy_, rule);
      // Duplicates: only rules with the same fingerprint are compared, so this stays linear.
      bool duplicate = false;
      const size_t fingerprint = Fingerprint(rule);
      for (auto [j, end] = by_fingerprint.equal_range(fingerprint); j != end && !duplicate; ++j) {
        if (policy_.rules[j->second] == rule) {
          diagnostics_.Warning(rule.span, "duplicate of the rule at " + policy_.rules[j->second].span.ToString(),
                               "remove one of them");
          duplicate = true;
        }
      }
      if (!duplicate) by_fingerprint.emplace(fingerprint, i);
      // Targets named twice, or existing on none of the rule's ABIs.
      std::set<std::string> seen;
      for (const std::string& target : rule.targets) {
        if (!seen.insert(target).second) {
          diagnostics_.Warning(rule.span, "'" + target + "' is named twice in this rule");
        }
        if (target.front() == '@') continue;
        const bool exists = std::any_of(arches.begin(), arches.end(),
                                        [&](Arch arch) { return syscalls::NumberOf(arch, target).has_value(); });
        if (!exists) {
          std::string abis;
          for (Arch arch : arches) abis += (abis.empty() ? "" : ", ") + std::string(ArchName(arch));
          diagnostics_.Warning(rule.span, "'" + target + "' does not exist on " + abis +
                                              ": the rule never applies to it");
        }
      }
      // A duplicate decides nothing its first copy did not: skip the rest (and its cost).
      if (duplicate) continue;
      // Reachability.
      size_t covered = 0;
      size_t reachable = 0;
      std::map<std::string, size_t> shadowed_by;  // syscalls already decided on some ABI
      std::map<std::string, size_t> reachable_on;  // syscalls this rule can still decide, by ABI count
      for (Arch arch : arches) {
        for (const std::string& name : expanded_[i]) {
          if (!syscalls::NumberOf(arch, name)) continue;
          ++covered;
          auto it = decided.find({arch, name});
          if (it != decided.end()) {
            shadowed_by.emplace(name, it->second);
            continue;
          }
          ++reachable;
          ++reachable_on[name];
          if (!rule.condition) decided.emplace(std::make_pair(arch, name), i);
        }
      }
      if (duplicate || covered == 0) continue;
      if (reachable == 0) {
        const size_t first = shadowed_by.begin()->second;
        diagnostics_.Warning(rule.span,
                             "unreachable rule: every syscall it names is already decided by earlier rules",
                             "for example '" + shadowed_by.begin()->first + "' by the rule at " +
                                 policy_.rules[first].span.ToString());
        continue;
      }
      for (const std::string& target : rule.targets) {
        auto it = shadowed_by.find(target);
        if (target.front() == '@' || it == shadowed_by.end() || reachable_on.count(target) != 0) continue;
        diagnostics_.Warning(rule.span, "'" + target + "' is already decided by the rule at " +
                                            policy_.rules[it->second].span.ToString() +
                                            "; this rule never applies to it");
      }
      LintSameAsDefault(i, arches);
      if (rule.condition) LintCondition(*rule.condition, rule.span);
    }
  }

  // Fills last_naming_: for every ABI some rule applies to and every syscall a rule names there, the
  // last such rule.
  void IndexLastNaming() {
    std::set<Arch> arches(policy_.arches.begin(), policy_.arches.end());
    for (const Rule& rule : policy_.rules) arches.insert(rule.only_arches.begin(), rule.only_arches.end());
    for (size_t j = 0; j < policy_.rules.size(); ++j) {
      for (Arch arch : arches) {
        if (!RuleAppliesToArch(policy_.rules[j], arch)) continue;
        for (const std::string& name : expanded_[j]) last_naming_[{arch, name}] = j;
      }
    }
    last_naming_indexed_ = true;
  }

  // A hash of what rule equality compares (action, targets, ABIs, condition), so that only rules
  // that may be equal are compared. Walks the condition without recursion.
  static size_t Fingerprint(const Rule& rule) {
    size_t hash = std::hash<uint32_t>()(rule.action.ToSeccompRet());
    auto mix = [&hash](size_t value) { hash = (hash ^ value) * 0x100000001b3ull; };
    for (const std::string& target : rule.targets) mix(std::hash<std::string>()(target));
    for (Arch arch : rule.only_arches) mix(static_cast<size_t>(arch));
    if (!rule.condition) return hash;
    std::vector<const Condition*> pending = {&*rule.condition};
    while (!pending.empty()) {
      const Condition* condition = pending.back();
      pending.pop_back();
      mix(static_cast<size_t>(condition->kind));
      if (condition->kind == Condition::Kind::kCompare) {
        mix(static_cast<size_t>(condition->compare.arg) * 31 + static_cast<size_t>(condition->compare.op));
        mix(std::hash<uint64_t>()(condition->compare.value));
        mix(std::hash<std::string>()(condition->compare.arg_name));
      }
      mix(condition->children.size());
      for (const Condition& child : condition->children) pending.push_back(&child);
    }
    return hash;
  }

  // A rule whose action is the default's and after which no rule names its syscalls changes nothing.
  void LintSameAsDefault(size_t index, const std::vector<Arch>& arches) {
    const Rule& rule = policy_.rules[index];
    if (rule.action != policy_.default_action) return;
    if (!last_naming_indexed_) IndexLastNaming();
    for (Arch arch : arches) {
      for (const std::string& name : expanded_[index]) {
        auto last = last_naming_.find({arch, name});
        if (last != last_naming_.end() && last->second > index) return;
      }
    }
    diagnostics_.Warning(rule.span,
                         "the rule has the same effect as the default ('" + policy_.default_action.ToPolicyText() + "')",
                         "remove it, or move it before a rule it should take precedence over");
  }

  void LintCondition(const Condition& condition, const SourceSpan& span) {
    if (condition.kind == Condition::Kind::kCompare) {
      const Comparison& compare = condition.compare;
      if (compare.op == CompareOp::kMaskedEq && (compare.value & ~compare.mask) != 0) {
        diagnostics_.Warning(span, "masked comparison on " +
                                       (compare.arg_name.empty() ? "arg" + std::to_string(compare.arg)
                                                                 : "'" + compare.arg_name + "'") +
                                       " can never hold: the value has bits outside the mask");
      }
      return;
    }
    for (const Condition& child : condition.children) LintCondition(child, span);
  }

  void LintIoUring() {
    for (Arch arch : policy_.arches) {
      for (std::string_view io_uring : kIoUring) {
        const SyscallOutcome outcome = Outcome(arch, std::string(io_uring));
        if (!outcome.may_permit) continue;
        std::vector<std::string> denied;
        for (std::string_view proxy : kIoUringProxies) {
          if (Outcome(arch, std::string(proxy)).may_deny) denied.emplace_back(proxy);
        }
        if (denied.empty()) continue;
        std::string list;
        for (size_t k = 0; k < denied.size() && k < 4; ++k) list += (k ? ", " : "") + denied[k];
        if (denied.size() > 4) list += ", ...";
        diagnostics_.Warning(SpanOf(outcome.first_permit),
                             std::string(io_uring) + " is allowed (by " + Where(outcome.first_permit) + ") while " +
                                 list + " " + (denied.size() == 1 ? "is" : "are") +
                                 " denied: io_uring does that work without a syscall the filter sees",
                             "answer io_uring_setup, io_uring_enter and io_uring_register with 'errno ENOSYS'");
        return;  // one warning says it
      }
    }
  }

  void LintTracing() {
    for (std::string_view name : kTracing) {
      for (Arch arch : policy_.arches) {
        const SyscallOutcome outcome = Outcome(arch, std::string(name));
        if (!outcome.may_permit) continue;
        diagnostics_.Warning(SpanOf(outcome.first_permit),
                             std::string(name) + " is allowed (by " + Where(outcome.first_permit) +
                                 "): it lets this process change what another process does, outside this filter",
                             "deny it unless the program is a debugger: 'kill " + std::string(name) + "'");
        break;
      }
    }
  }

  void LintFs() {
    for (const FsRule& fs : policy_.fs_rules) {
      if ((fs.access & kFsWriteFile) != 0 && (fs.access & kFsTruncate) == 0) {
        diagnostics_.Warning(fs.span, "write-file without truncate: opening these files with O_TRUNC will fail",
                             "grant 'write' (which includes truncate), or add 'truncate'");
      }
    }
  }

  const Policy& policy_;
  Diagnostics& diagnostics_;
  std::vector<std::vector<std::string>> expanded_;
  std::map<std::pair<Arch, std::string>, size_t> last_naming_;  // see IndexLastNaming
  bool last_naming_indexed_ = false;  // built on first use: most policies never need it
};

}  // namespace

void LintPolicy(const Policy& policy, Diagnostics& diagnostics) { Linter(policy, diagnostics).Run(); }

}  // namespace sysfence::policy
