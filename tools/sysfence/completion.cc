// SPDX-License-Identifier: Apache-2.0
// The parts every shell's completion shares: which words complete what.
#include "tools/sysfence/completion.h"

#include <algorithm>
#include <set>
#include <string>

#include "core/arch.h"
#include "core/errno_names.h"
#include "syscalls/syscalls.h"

namespace sysfence::cli {
namespace {

bool HasLongName(const OptionInfo& option, std::string_view name) {
  return std::find(option.long_names.begin(), option.long_names.end(), name) != option.long_names.end();
}

// Past the largest errno value (4095: the kernel's MAX_ERRNO).
constexpr int kMaxErrno = 4096;

}  // namespace

CompletionWords TableWords() {
  CompletionWords words;
  for (std::string_view name : syscalls::AllNames()) words.syscalls.emplace_back(name);
  for (const syscalls::Group& group : syscalls::AllGroups()) words.groups.emplace_back(group.name);
  std::set<std::string> families;
  for (const syscalls::Constant& constant : syscalls::AllConstants()) {
    words.constants.emplace_back(constant.name);
    families.emplace(constant.family);
  }
  words.constant_filters.emplace_back("all");
  words.constant_filters.insert(words.constant_filters.end(), families.begin(), families.end());
  words.constant_filters.insert(words.constant_filters.end(), words.constants.begin(), words.constants.end());
  for (Arch arch : AllArches()) words.arches.emplace_back(ArchName(arch));
  for (int value = 1; value < kMaxErrno; ++value) {
    if (!ErrnoName(value).empty()) words.default_actions.emplace_back(ErrnoName(value));
  }
  words.default_actions.emplace_back("kill");
  return words;
}

ValueKind KindOf(const CommandInfo& command, const OptionInfo& option) {
  if (option.IsFlag()) return ValueKind::kNone;
  if (!option.choices.empty()) return ValueKind::kChoices;
  if (HasLongName(option, "arch")) return ValueKind::kArch;
  if (HasLongName(option, "pid")) return ValueKind::kPid;
  if (HasLongName(option, "cgroup")) return ValueKind::kCgroup;
  if (HasLongName(option, "default")) return ValueKind::kErrnoOrKill;
  if (HasLongName(option, "policy")) return ValueKind::kPolicyFile;
  if (HasLongName(option, "constants")) return ValueKind::kConstantFilter;
  const std::string& positional = option.positional_name;
  if (positional == "syscall") return ValueKind::kSyscall;
  if (positional == "query" && command.name == "syscalls") return ValueKind::kSyscallOrGroup;
  if (positional == "args" && command.name == "eval") return ValueKind::kConstant;
  if (positional == "command") return ValueKind::kProgram;
  if (positional == "policy") return ValueKind::kPolicyFile;
  if (positional == "file") return ValueKind::kFilterFile;
  if (option.value_name == "INT" || option.value_name == "UINT" || option.value_name == "FLOAT") return ValueKind::kNone;
  return ValueKind::kFile;
}

}  // namespace sysfence::cli
