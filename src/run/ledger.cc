// SPDX-License-Identifier: Apache-2.0
#include "run/ledger.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include "core/arch.h"

#include "syscalls/arg_meanings.h"
#include "syscalls/syscalls.h"

namespace sysfence::run {

int KeyArgIndex(std::string_view syscall) {
  // Syscalls whose meaning depends on one constant argument (socket families, ioctl requests, prctl
  // options...: the table of argument meanings marks them). For others (rt_sigaction's signal,
  // clock ids) a per-value rule would be needlessly narrow.
  const auto signature = syscalls::ArgsOf(syscall);
  for (size_t i = 0; i < signature.size(); ++i) {
    const std::optional<syscalls::ArgMeaning> meaning = syscalls::TableMeaningOf(syscall, signature[i].name);
    if (meaning && meaning->suggestion_key) return static_cast<int>(i);
  }
  return -1;
}

std::string SuggestRule(std::string_view syscall, const std::vector<DecodedArg>& args) {
  if (syscall.empty()) return {};
  const int key = KeyArgIndex(syscall);
  if (key >= 0 && static_cast<size_t>(key) < args.size() && args[key].kind == DecodedArg::Kind::kConstant) {
    return fmt::format("allow {} if {} == {}", syscall, args[key].name, args[key].text);
  }
  return fmt::format("allow {}", syscall);
}

uint64_t Ledger::Count(const CallShape& shape) {
  ++total_;
  return ++shapes_[shape];
}

void Ledger::NoteFirst(std::string_view syscall, const std::vector<DecodedArg>& args, bool needs_allow) {
  if (!needs_allow || syscall.empty()) return;
  Allowance& allowance = allowances_[std::string(syscall)];
  const int key = KeyArgIndex(syscall);
  if (key >= 0 && static_cast<size_t>(key) < args.size() && args[key].kind == DecodedArg::Kind::kConstant) {
    allowance.arg_name = args[key].name;
    allowance.constants.insert(args[key].text);
  } else {
    allowance.unconditional = true;
  }
}

void Ledger::NoteMissingArch(std::string_view arch) { missing_arches_.insert(std::string(arch)); }

std::vector<std::string> Ledger::SuggestedLines() const {
  std::vector<std::string> lines;
  for (const auto& [name, allowance] : allowances_) {
    if (allowance.unconditional || allowance.constants.empty()) {
      lines.push_back("allow " + name);
    } else if (allowance.constants.size() == 1) {
      lines.push_back(fmt::format("allow {} if {} == {}", name, allowance.arg_name, *allowance.constants.begin()));
    } else {
      lines.push_back(fmt::format("allow {} if {} in {{{}}}", name, allowance.arg_name,
                                  fmt::join(allowance.constants, ", ")));
    }
  }
  for (const std::string& arch : missing_arches_) {
    lines.push_back(fmt::format("# the program used the {} ABI: add {} to the policy's arch line", arch, arch));
  }
  return lines;
}

std::vector<std::pair<std::string, uint64_t>> Ledger::CountsBySyscall() const {
  std::map<std::string, uint64_t> by_name;
  for (const auto& [shape, count] : shapes_) {
    const auto arch = ArchOfSyscall(shape.audit_arch, static_cast<uint32_t>(shape.nr));
    std::optional<std::string_view> name;
    if (arch) name = syscalls::NameOf(*arch, static_cast<uint32_t>(shape.nr));
    std::string key = name ? std::string(*name)
                           : fmt::format("{}:#{}", arch ? ArchName(*arch) : std::string_view("?"), shape.nr);
    by_name[key] += count;
  }
  std::vector<std::pair<std::string, uint64_t>> counts(by_name.begin(), by_name.end());
  std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return counts;
}

}  // namespace sysfence::run
