// SPDX-License-Identifier: Apache-2.0
// The parts every shell's completion shares: which words complete what.
#include "tools/sysfence/completion.h"

#include <algorithm>
#include <string>

#include "core/arch.h"
#include "syscalls/syscalls.h"

namespace sysfence::cli {
namespace {

bool HasLongName(const OptionInfo& option, std::string_view name) {
  return std::find(option.long_names.begin(), option.long_names.end(), name) != option.long_names.end();
}

}  // namespace

CompletionWords TableWords() {
  CompletionWords words;
  for (std::string_view name : syscalls::AllNames()) words.syscalls.emplace_back(name);
  for (const syscalls::Group& group : syscalls::AllGroups()) words.groups.emplace_back(group.name);
  for (const syscalls::Constant& constant : syscalls::AllConstants()) words.constants.emplace_back(constant.name);
  for (Arch arch : AllArches()) words.arches.emplace_back(ArchName(arch));
  return words;
}

ValueKind KindOf(const CommandInfo& command, const OptionInfo& option) {
  if (option.IsFlag()) return ValueKind::kNone;
  if (HasLongName(option, "arch")) return ValueKind::kArch;
  const std::string& positional = option.positional_name;
  if (positional == "syscall") return ValueKind::kSyscall;
  if (positional == "query" && command.name == "syscalls") return ValueKind::kSyscallOrGroup;
  if (positional == "args" && command.name == "eval") return ValueKind::kConstant;
  if (positional == "command") return ValueKind::kProgram;
  if (option.value_name == "INT" || option.value_name == "UINT" || option.value_name == "FLOAT") return ValueKind::kNone;
  return ValueKind::kFile;
}

}  // namespace sysfence::cli
