// SPDX-License-Identifier: Apache-2.0
// The bash completion script: one function, _sysfence, with each command's options and positional
// arguments as data, and the syscall tables as word lists.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "tools/sysfence/completion.h"

namespace sysfence::cli {
namespace {

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

// The word _sysfence_values dispatches on (quoted: an option's own words follow "words:").
std::string KindWord(const CommandInfo& command, const OptionInfo& option) {
  switch (KindOf(command, option)) {
    case ValueKind::kNone: return "none";
    case ValueKind::kChoices: return "'words:" + Joined(option.choices) + "'";
    case ValueKind::kFile: return "file";
    case ValueKind::kPolicyFile: return "policy-file";
    case ValueKind::kFilterFile: return "filter-file";
    case ValueKind::kErrnoOrKill: return "default-action";
    case ValueKind::kConstantFilter: return "constant-filter";
    case ValueKind::kPid: return "pid";
    case ValueKind::kCgroup: return "cgroup";
    case ValueKind::kArch: return "arch";
    case ValueKind::kSyscall: return "syscall";
    case ValueKind::kSyscallOrGroup: return "syscall-or-group";
    case ValueKind::kConstant: return "constant";
    case ValueKind::kProgram: return "program";
  }
  return "none";
}

std::vector<std::string> OptionNames(const OptionInfo& option) {
  std::vector<std::string> names;
  for (const std::string& name : option.short_names) names.push_back("-" + name);
  for (const std::string& name : option.long_names) names.push_back("--" + name);
  return names;
}

// One `case` branch: the command's options, the valued options with their kinds, the positionals.
std::string CommandBranch(const CommandInfo& command) {
  std::vector<std::string> options;
  std::string option_kinds;
  for (const OptionInfo& option : command.options) {
    for (const std::string& name : OptionNames(option)) {
      options.push_back(name);
      if (!option.IsFlag()) option_kinds += fmt::format(" [{}]={}", name, KindWord(command, option));
    }
  }
  std::string positional_kinds;
  for (const OptionInfo& positional : command.positionals) positional_kinds += " " + KindWord(command, positional);
  const bool last_repeats = !command.positionals.empty() && command.positionals.back().repeats;
  return fmt::format("    {})\n      opts='{}'\n      option_kinds=({} )\n      positional_kinds=({} )\n"
                     "      last_repeats={}\n      ;;\n",
                     command.name, Joined(options), option_kinds, positional_kinds, last_repeats ? 1 : 0);
}

constexpr const char* kBashBody = R"bash(
_sysfence_files() {  # EXTENSIONS WORD: folders, and the files ending in .EXTENSION (a|b|c)
  local restore
  restore=$(shopt -p extglob)
  shopt -s extglob
  mapfile -t COMPREPLY < <(compgen -d -- "$2"; compgen -f -X "!*.@($1)" -- "$2")
  eval "$restore"
}

_sysfence_values() {  # KIND WORD: the completions of WORD as a value of that kind
  case $1 in
    words:*) mapfile -t COMPREPLY < <(compgen -W "${1#words:}" -- "$2") ;;
    policy-file) _sysfence_files 'sfp|json|yaml|yml' "$2" ;;
    filter-file) _sysfence_files 'bpf|asm|sfp|json|yaml|yml' "$2" ;;
    constant-filter) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_constant_filters" -- "$2") ;;
    default-action) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_default_actions" -- "$2") ;;
    pid)
      local pids=(/proc/[0-9]*)
      mapfile -t COMPREPLY < <(compgen -W "${pids[*]#/proc/}" -- "$2") ;;
    cgroup) mapfile -t COMPREPLY < <(compgen -d -- "${2:-/sys/fs/cgroup/}") ;;
    syscall) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_syscalls" -- "$2") ;;
    syscall-or-group) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_syscalls $_sysfence_groups" -- "$2") ;;
    constant) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_constants" -- "$2") ;;
    arch) mapfile -t COMPREPLY < <(compgen -W "$_sysfence_arches" -- "$2") ;;
    program) mapfile -t COMPREPLY < <(compgen -c -- "$2") ;;
    file) mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    *) COMPREPLY=() ;;
  esac
}

_sysfence() {
  local cur=${COMP_WORDS[COMP_CWORD]} command="" command_at=0 i word expect="" name
  # bash splits --format=json into "--format" "=" "json" (COMP_WORDBREAKS): "=" joins a value.
  [[ $cur == = ]] && cur=""
  # The command is the first word that is neither an option nor a global option's value.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n $expect ]]; then [[ $word == = ]] || expect=""; continue; fi
    if [[ $word == -* ]]; then
      [[ -n ${_sysfence_root_kinds[$word]+set} ]] && expect=$word
      continue
    fi
    command=$word; command_at=$i; break
  done
  if [[ -z $command ]]; then
    if [[ -n $expect ]]; then _sysfence_values "${_sysfence_root_kinds[$expect]}" "$cur"; return; fi
    mapfile -t COMPREPLY < <(compgen -W "$_sysfence_root_options $_sysfence_commands" -- "$cur")
    return
  fi
  local opts="" last_repeats=0
  local -A option_kinds=()
  local -a positional_kinds=()
  case $command in
@BRANCHES@    *) return ;;
  esac
  # Global options work after the command too.
  for name in "${!_sysfence_root_kinds[@]}"; do option_kinds[$name]=${_sysfence_root_kinds[$name]}; done
  opts+=" $_sysfence_root_options"
  # Walk the words typed after the command: option values, positionals, and what follows `--`.
  local positionals=0 after_dashdash=-1
  expect=""
  for ((i = command_at + 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n $expect ]]; then [[ $word == = ]] || expect=""; continue; fi
    if ((after_dashdash >= 0)); then after_dashdash=$((after_dashdash + 1)); continue; fi
    case $word in
      --) after_dashdash=0 ;;
      --*=*) ;;
      -*) [[ -n ${option_kinds[$word]+set} ]] && expect=$word ;;
      *) positionals=$((positionals + 1)) ;;
    esac
  done
  if [[ -n $expect ]]; then _sysfence_values "${option_kinds[$expect]}" "$cur"; return; fi
  if ((after_dashdash >= 0)); then
    if ((after_dashdash == 0)); then _sysfence_values program "$cur"; else _sysfence_values file "$cur"; fi
    return
  fi
  if [[ $cur == --*=* ]]; then
    name=${cur%%=*}
    _sysfence_values "${option_kinds[$name]:-none}" "${cur#*=}"
    return
  fi
  if [[ $cur == -* ]]; then mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur"); return; fi
  local count=${#positional_kinds[@]}
  if ((count == 0)); then COMPREPLY=(); return; fi
  if ((positionals >= count)); then
    ((last_repeats)) || { COMPREPLY=(); return; }
    positionals=$((count - 1))
  fi
  _sysfence_values "${positional_kinds[$positionals]}" "$cur"
}
complete -o filenames -F _sysfence sysfence
)bash";

}  // namespace

std::string BashCompletion(const ToolInfo& tool, const CompletionWords& words) {
  std::vector<std::string> commands;
  std::string branches;
  for (const CommandInfo& command : tool.commands) {
    commands.push_back(command.name);
    branches += CommandBranch(command);
  }
  std::vector<std::string> root_options;
  std::string root_kinds;
  for (const OptionInfo& option : tool.root.options) {
    for (const std::string& name : OptionNames(option)) {
      root_options.push_back(name);
      if (!option.IsFlag()) root_kinds += fmt::format(" [{}]={}", name, KindWord(tool.root, option));
    }
  }
  std::string body = kBashBody;
  body.replace(body.find("@BRANCHES@"), 10, branches);
  return fmt::format("# bash completion for sysfence. Generated by `sysfence help-export --completion bash` from\n"
                     "# the --help definitions and the syscall tables: do not edit.\n"
                     "_sysfence_commands='{}'\n_sysfence_root_options='{}'\n_sysfence_syscalls='{}'\n"
                     "_sysfence_groups='{}'\n_sysfence_constants='{}'\n_sysfence_arches='{}'\n"
                     "_sysfence_default_actions='{}'\n_sysfence_constant_filters='{}'\ndeclare -gA _sysfence_root_kinds=({} )\n{}",
                     Joined(commands), Joined(root_options), Joined(words.syscalls), Joined(words.groups),
                     Joined(words.constants), Joined(words.arches), Joined(words.default_actions), Joined(words.constant_filters), root_kinds, body);
}

}  // namespace sysfence::cli
