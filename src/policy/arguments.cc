// SPDX-License-Identifier: Apache-2.0
#include "policy/arguments.h"

#include <span>

#include "syscalls/syscalls.h"

namespace sysfence::policy {

std::optional<int> NamedArgumentPosition(std::string_view name, Arch arch, std::string_view syscall) {
  const std::span<const syscalls::ArgInfo> args = syscalls::ArgsOfOn(arch, syscall);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<int> ArgumentPositionOn(const Comparison& compare, Arch arch, std::string_view syscall) {
  if (compare.arg_name.empty()) return compare.arg;
  return NamedArgumentPosition(compare.arg_name, arch, syscall);
}

bool HasNamedArguments(const Condition& condition) {
  if (condition.kind == Condition::Kind::kCompare) return !condition.compare.arg_name.empty();
  for (const Condition& child : condition.children) {
    if (HasNamedArguments(child)) return true;
  }
  return false;
}

Condition ResolveArgumentsOn(const Condition& condition, Arch arch, std::string_view syscall) {
  Condition out;
  out.kind = condition.kind;
  out.compare = condition.compare;
  if (condition.kind == Condition::Kind::kCompare && !condition.compare.arg_name.empty()) {
    if (std::optional<int> position = NamedArgumentPosition(condition.compare.arg_name, arch, syscall)) {
      out.compare.arg = *position;
      out.compare.arg_name.clear();
    } else {
      out.compare.arg = kNamedArgument;
    }
  }
  out.children.reserve(condition.children.size());
  for (const Condition& child : condition.children) out.children.push_back(ResolveArgumentsOn(child, arch, syscall));
  return out;
}

}  // namespace sysfence::policy
