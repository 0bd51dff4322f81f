// SPDX-License-Identifier: Apache-2.0
// Shell completions for bash, zsh and fish, generated from the CLI11 definitions (commands, options,
// positional arguments) and the syscall tables (syscall names, @groups, constants, ABIs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/sysfence/help_model.h"

namespace sysfence::cli {

/// What completes a value: an option's value or a positional argument.
enum class ValueKind {
  kNone,            ///< nothing to offer (a number, a free word)
  kChoices,         ///< one of the option's own words (OptionInfo::choices)
  kFile,            ///< a path
  kPolicyFile,      ///< a policy: *.sfp, *.json, *.yaml, *.yml (and folders, to get there)
  kFilterFile,      ///< a filter or a policy: *.bpf, *.asm and the policy files
  kArch,            ///< an ABI name
  kSyscall,         ///< a syscall name
  kSyscallOrGroup,  ///< a syscall name or an @group
  kConstant,        ///< a named constant (AF_INET, O_RDONLY)
  kConstantFilter,  ///< `syscalls --constants`: "all", a constant family (AF) or a constant
  kErrnoOrKill,     ///< an errno name (EPERM) or "kill": a --default action
  kPid,             ///< a running process's id
  kCgroup,          ///< a cgroup folder under /sys/fs/cgroup
  kProgram,         ///< a program and its arguments
};

/// The words a completion offers for names, from sysfence's own tables.
struct CompletionWords {
  std::vector<std::string> syscalls;
  std::vector<std::string> groups;  ///< with '@'
  std::vector<std::string> constants;
  std::vector<std::string> constant_filters;  ///< "all", the families, then the constants
  std::vector<std::string> arches;
  std::vector<std::string> default_actions;  ///< the errno names and "kill" (ParseDefaultAction's)
};

/// The syscall names, groups, constants, ABIs and errno names sysfence knows.
CompletionWords TableWords();

/// What completes `option` of `command`: its own words when it has them (OneOf), else by name
/// (--arch is an ABI, --pid a process, the eval command's `syscall` a syscall name, a `policy` a
/// policy file, ...); any other value is a path, a number nothing.
ValueKind KindOf(const CommandInfo& command, const OptionInfo& option);

/// The completion script for `shell` ("bash", "zsh" or "fish").
std::string BashCompletion(const ToolInfo& tool, const CompletionWords& words);
std::string ZshCompletion(const ToolInfo& tool, const CompletionWords& words);
std::string FishCompletion(const ToolInfo& tool, const CompletionWords& words);

}  // namespace sysfence::cli
