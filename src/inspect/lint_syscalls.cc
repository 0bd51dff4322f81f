// SPDX-License-Identifier: Apache-2.0
// The linter's per-syscall checks: argument halves, dangerous syscalls, the kernel's action cache,
// and what numbers the filter does not name get.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "inspect/arg_conditions.h"
#include "inspect/cache_analysis.h"
#include "inspect/lint_internal.h"
#include "syscalls/syscalls.h"

namespace sysfence::inspect::lint_internal {
namespace {

constexpr uint32_t kCloneNewUser = 0x10000000;

struct Danger {
  const char* name;
  const char* why;
  const char* flags_arg;  // when set: dangerous only with CLONE_NEWUSER in this argument
};

constexpr Danger kDangers[] = {
    {"ptrace", "it lets the process control another one (and its syscalls, which this filter never sees)", nullptr},
    {"process_vm_writev", "it writes another process's memory", nullptr},
    {"bpf", "it loads eBPF programs into the kernel (a large attack surface)", nullptr},
    {"io_uring_setup", "io_uring performs reads, writes, opens and connects without a syscall the filter sees", nullptr},
    {"io_uring_enter", "io_uring performs reads, writes, opens and connects without a syscall the filter sees", nullptr},
    {"io_uring_register", "io_uring performs reads, writes, opens and connects without a syscall the filter sees", nullptr},
    {"kexec_load", "it replaces the running kernel", nullptr},
    {"kexec_file_load", "it replaces the running kernel", nullptr},
    {"userfaultfd", "it stalls the kernel on page faults at chosen moments (a classic exploit primitive)", nullptr},
    {"perf_event_open", "it is a large kernel attack surface and side channels", nullptr},
    {"add_key", "the kernel keyring is shared and rarely needed", nullptr},
    {"keyctl", "the kernel keyring is shared and rarely needed", nullptr},
    {"request_key", "the kernel keyring is shared and rarely needed", nullptr},
    {"unshare", "it creates a user namespace (CLONE_NEWUSER): root inside it reaches much more kernel code", "unshare_flags"},
    {"clone", "it creates a user namespace (CLONE_NEWUSER): root inside it reaches much more kernel code", "clone_flags"},
    {"clone3", "its flags (CLONE_NEWUSER among them) sit in memory the filter cannot read; answer errno ENOSYS so libc falls back to clone", nullptr},
    {"setns", "it joins other namespaces, user namespaces included", nullptr},
};

const Danger* DangerOf(std::string_view name) {
  for (const Danger& d : kDangers) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

int ArgIndexOf(Arch arch, std::string_view syscall, std::string_view arg) {
  const auto args = syscalls::ArgsOfOn(arch, syscall);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == arg) return static_cast<int>(i);
  }
  return -1;
}

struct SyscallView {
  std::vector<Leaf> leaves;
  std::map<uint32_t, std::pair<size_t, uint32_t>> first_jump;  // word -> (filter, pc)
};

Result<SyscallView> Look(const FilterStack& stack, Arch arch, uint32_t nr) {
  SyscallView view;
  Region region = AbiRegion(arch);
  region.words[word::kNr].Add(UINT32_MAX, WordTest::kEq, nr, true);
  ExploreOptions options;
  options.on_word_jump = [&](const WordJump& jump) { view.first_jump.emplace(jump.word, std::make_pair(jump.filter, jump.pc)); };
  auto explored = Explore(stack, region, [&](const Region& r, const StackOutcome& o) {
    view.leaves.push_back({r, o});
    return true;
  }, options);
  if (!explored.ok()) return explored.error();
  return view;
}

// The first leaf that permits on canonical inputs (also inside `extra`, when given).
const Leaf* PermittingLeaf(const SyscallView& view, const Region& canonical, const Region* extra, Region* inside) {
  for (const Leaf& leaf : view.leaves) {
    if (!Action::FromSeccompRet(leaf.outcome.value).Permits()) continue;
    Region both = leaf.region;
    for (uint32_t w = 0; w < kWordCount; ++w) {
      both.words[w].Intersect(canonical.words[w]);
      if (extra != nullptr) both.words[w].Intersect(extra->words[w]);
    }
    if (!both.Satisfiable()) continue;
    *inside = both;
    return &leaf;
  }
  return nullptr;
}

Finding Located(const FilterStack& stack, std::string check, Severity severity, std::string message, std::string fix,
                Arch arch, std::string_view syscall, size_t filter, std::optional<uint32_t> pc,
                std::optional<bpf::SeccompData> witness) {
  Finding f;
  f.check = std::move(check);
  f.severity = severity;
  f.message = std::move(message);
  f.fix = std::move(fix);
  f.arch = arch;
  f.syscall = std::string(syscall);
  f.filter = filter;
  f.witness = witness;
  f.instruction = pc;
  if (!f.instruction && witness) f.instruction = ReturnOffset(stack, filter, *witness);
  return f;
}

void CheckHalves(const FilterStack& stack, Arch arch, const syscalls::SyscallEntry& entry, const SyscallView& view,
                 std::vector<Finding>& findings) {
  const size_t count = syscalls::HasSignature(entry.name) ? syscalls::ArgsOfOn(arch, entry.name).size() : 6;
  for (int i = 0; i < static_cast<int>(count) && i < 6; ++i) {
    const auto lo = view.first_jump.find(word::ArgLo(i)), hi = view.first_jump.find(word::ArgHi(i));
    const int width = syscalls::ArgWidthBits(arch, entry.name, i);
    if (width < 64 && hi != view.first_jump.end()) {
      findings.push_back(Located(stack, "upper-half-compared", Severity::kWarning,
          fmt::format("{} {}: args[{}] is {} bits wide but its upper half is compared too; the kernel ignores that "
                      "half, so a value with garbage above bit {} escapes a rule written for the value (CVE-2019-10063)",
                      ArchName(arch), entry.name, i, width, width - 1),
          "compare only the low half (a policy does this for every 32-bit argument)", arch, entry.name, hi->second.first,
          hi->second.second, std::nullopt));
    }
    if (width == 64 && lo != view.first_jump.end() && hi == view.first_jump.end() && GetArchInfo(arch).is_64bit) {
      findings.push_back(Located(stack, "one-half-compared", Severity::kWarning,
          fmt::format("{} {}: args[{}] is 64 bits wide but only its low half is compared: value + 2^32 passes the same "
                      "way", ArchName(arch), entry.name, i),
          "compare the high half too (a policy compares every 64-bit argument on both halves)", arch, entry.name,
          lo->second.first, lo->second.second, std::nullopt));
    }
  }
}

void CheckDanger(const FilterStack& stack, Arch arch, const syscalls::SyscallEntry& entry, const SyscallView& view,
                 std::vector<Finding>& findings) {
  const Danger* danger = DangerOf(entry.name);
  if (danger == nullptr) return;
  const Region canonical = CanonicalRegion(arch, entry.number, entry.name);
  Region extra, inside;
  const Region* extra_ptr = nullptr;
  if (danger->flags_arg != nullptr) {
    const int index = ArgIndexOf(arch, entry.name, danger->flags_arg);
    if (index < 0) return;
    extra.words[word::ArgLo(index)].Add(kCloneNewUser, WordTest::kSet, kCloneNewUser, true);
    extra_ptr = &extra;
  }
  const Leaf* leaf = PermittingLeaf(view, canonical, extra_ptr, &inside);
  if (leaf == nullptr) return;
  const std::string with = danger->flags_arg != nullptr ? " with CLONE_NEWUSER" : "";
  findings.push_back(Located(stack, "dangerous-syscall", Severity::kWarning,
      fmt::format("{} {}{} is allowed: {}", ArchName(arch), entry.name, with, danger->why),
      danger->flags_arg != nullptr ? fmt::format("deny it when ({} & CLONE_NEWUSER) != 0", danger->flags_arg)
                                   : fmt::format("deny {} unless the program really needs it", entry.name),
      arch, entry.name, leaf->outcome.deciding_filter, std::nullopt, inside.Witness()));
}

// True when every input of this syscall is allowed (whatever the arguments).
bool AlwaysAllowed(const SyscallView& view) {
  for (const Leaf& leaf : view.leaves) {
    if (Action::FromSeccompRet(leaf.outcome.value) != Action::Allow()) return false;
  }
  return true;
}

Result<void> CheckDefault(const FilterStack& stack, Arch arch, std::vector<Finding>& findings) {
  const auto table = syscalls::AllOf(arch);
  if (table.empty()) return {};
  Region region = AbiRegion(arch);
  region.words[word::kNr].Add(UINT32_MAX, WordTest::kGt, table.back().number, true);
  std::optional<Finding> finding;
  auto explored = Explore(stack, region, [&](const Region& r, const StackOutcome& o) {
    if (!Action::FromSeccompRet(o.value).Permits()) return true;
    finding = Located(stack, "default-allows", Severity::kWarning,
        fmt::format("{}: numbers the filter does not name are allowed (it is a deny-list): syscalls added by newer "
                    "kernels run unchecked", ArchName(arch)),
        "deny by default (`default errno EPERM`) and allow what the program needs", arch, "", o.deciding_filter,
        std::nullopt, r.Witness());
    return false;
  });
  if (!explored.ok()) return explored.error();
  if (finding) findings.push_back(std::move(*finding));
  return {};
}

// One finding per (check, syscall, message without its ABI): the ABIs named together.
void MergeAcrossAbis(std::vector<Finding>& per_syscall, std::vector<Finding>& findings) {
  std::vector<std::pair<Finding, std::vector<std::string>>> merged;
  for (Finding& f : per_syscall) {
    const std::string abi = f.arch ? std::string(ArchName(*f.arch)) : std::string();
    const std::string tail = f.message.substr(abi.size());
    auto same = std::find_if(merged.begin(), merged.end(), [&](const auto& m) {
      const std::string other = m.first.arch ? std::string(ArchName(*m.first.arch)) : std::string();
      return m.first.check == f.check && m.first.message.substr(other.size()) == tail;
    });
    if (same != merged.end()) {
      same->second.push_back(abi);
    } else {
      merged.push_back({std::move(f), {abi}});
    }
  }
  for (auto& [finding, abis] : merged) {
    if (abis.size() > 1 && finding.arch) {
      finding.message = fmt::format("{}{}", fmt::join(abis, ", "), finding.message.substr(ArchName(*finding.arch).size()));
    }
    findings.push_back(std::move(finding));
  }
}

}  // namespace

Result<void> LintSyscalls(const FilterStack& stack, const LintOptions& options, std::vector<Finding>& findings) {
  const std::vector<Arch> cached = CachedArches(options.kernel_arch);
  std::vector<Finding> per_syscall;  // merged across ABIs below
  bool default_reported = false;
  for (Arch arch : AllArches()) {
    // Only ABIs the stack accepts (some input of the ABI is permitted).
    bool accepted = false;
    auto probe = Explore(stack, AbiRegion(arch), [&](const Region&, const StackOutcome& o) {
      accepted = Action::FromSeccompRet(o.value).Permits();
      return !accepted;
    });
    if (!probe.ok()) return probe.error();
    if (!accepted) continue;
    if (!default_reported) {
      const size_t before = findings.size();
      if (auto status = CheckDefault(stack, arch, findings); !status.ok()) return status.error();
      default_reported = findings.size() > before;
    }
    const bool kernel_caches = std::find(cached.begin(), cached.end(), arch) != cached.end();
    std::vector<std::string> uncached;
    size_t uncached_filter = 0;
    for (const syscalls::SyscallEntry& entry : syscalls::AllOf(arch)) {
      auto view = Look(stack, arch, entry.number);
      if (!view.ok()) return view.error();
      CheckHalves(stack, arch, entry, *view, per_syscall);
      CheckDanger(stack, arch, entry, *view, per_syscall);
      if (!kernel_caches || !AlwaysAllowed(*view) || IsKernelFilterException(arch, static_cast<int32_t>(entry.number))) continue;
      for (size_t f = 0; f < stack.size(); ++f) {
        if (IsConstantAllow(stack[f], GetArchInfo(arch).audit_arch, static_cast<int32_t>(entry.number))) continue;
        uncached.emplace_back(entry.name);
        uncached_filter = f;
        break;
      }
    }
    if (!uncached.empty()) {
      findings.push_back(Located(stack, "uncacheable-allow", Severity::kNote,
          fmt::format("{}: {} always-allowed syscall{} the kernel's action cache cannot skip (the filter runs on every "
                      "call): {}", ArchName(arch), uncached.size(), uncached.size() == 1 ? "" : "s",
                      fmt::join(uncached, " ")),
          "decide those syscalls from nr and arch alone before loading an argument (sysfence's compiler does)", arch, "",
          uncached_filter, std::nullopt, std::nullopt));
    }
  }
  MergeAcrossAbis(per_syscall, findings);
  return {};
}

}  // namespace sysfence::inspect::lint_internal
