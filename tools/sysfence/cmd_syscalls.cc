// SPDX-License-Identifier: Apache-2.0
// `sysfence syscalls`: list and resolve the built-in tables: syscall names and numbers per ABI,
// argument signatures and widths, groups, and symbolic constants.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/arch.h"
#include "core/suggest.h"
#include "syscalls/syscalls.h"
#include "tools/sysfence/cli_util.h"
#include "tools/sysfence/command.h"

namespace sysfence::cli {
namespace {

using nlohmann::ordered_json;
using syscalls::ArgInfo;
using syscalls::ArgKind;
using syscalls::Constant;
using syscalls::Group;

constexpr const char* kSyscallsHelp =
    "Looks things up in sysfence's built-in tables (the same ones policies are checked against):\n"
    "\n"
    "  sysfence syscalls                  every syscall of the native ABI: number, name, arguments\n"
    "  sysfence syscalls --arch aarch64   ... of another ABI (x86_64 x86 x32 aarch64 arm riscv64\n"
    "                                     ppc64le s390x; aliases such as amd64, i386, arm64 work)\n"
    "  sysfence syscalls openat           its number on every ABI, its arguments with their widths\n"
    "                                     (32-bit arguments are compared on their low half only),\n"
    "                                     and the groups that contain it\n"
    "  sysfence syscalls 257              the name of number 257 (native ABI, or --arch; numbers\n"
    "                                     with the x32 bit 0x40000000 resolve on x32)\n"
    "  sysfence syscalls @file-system     a group's description and its members, nested groups\n"
    "                                     expanded (with --arch: their numbers on that ABI)\n"
    "  sysfence syscalls --groups         every group with its description\n"
    "  sysfence syscalls --constants      every symbolic constant (AF_INET, O_CREAT, TIOCSTI, ...)\n"
    "  sysfence syscalls --constants AF   one family; or one constant: --constants TIOCSTI\n"
    "\n"
    "--json prints the same as JSON for scripts. An unknown name, number, group, family or ABI\n"
    "is an error (exit status 2) that suggests the nearest known name.\n"
    "\n"
    "Example:\n"
    "  $ sysfence syscalls ioctl --arch x86_64\n"
    "  ioctl\n"
    "    x86_64    16\n"
    "    arguments on x86_64:\n"
    "      0  fd   unsigned int   32-bit scalar\n"
    "      1  cmd  unsigned int   32-bit scalar\n"
    "      2  arg  unsigned long  64-bit scalar\n"
    "    groups: @system-service\n"
    "\n"
    "docs/syscalls.md describes the tables, the ABIs, how widths are decided and every group.";

struct SyscallsFlags {
  std::string arch_name;
  std::string query;
  bool groups = false;
  bool constants = false;
  std::string family;
  bool json = false;
};

void PrintJson(const ordered_json& json) { std::printf("%s\n", json.dump(2).c_str()); }

std::string_view KindName(ArgKind kind) {
  switch (kind) {
    case ArgKind::kScalar32:
      return "scalar32";
    case ArgKind::kScalar64:
      return "scalar64";
    case ArgKind::kPointer:
      return "pointer";
  }
  return "?";
}

std::string ArgDescription(Arch arch, std::string_view syscall, int index, const ArgInfo& arg) {
  if (arg.kind == ArgKind::kPointer) return "pointer";
  return fmt::format("{}-bit scalar", syscalls::ArgWidthBits(arch, syscall, index));
}

std::string NumberText(Arch arch, uint32_t number) {
  if (arch == Arch::kX32) return fmt::format("{:#x} ({} | x32 bit)", number, number & ~kX32SyscallBit);
  return std::to_string(number);
}

// The groups (direct or through nesting) that contain `name`.
std::vector<std::string_view> GroupsContaining(std::string_view name) {
  std::vector<std::string_view> result;
  for (const Group& group : syscalls::AllGroups()) {
    const auto members = syscalls::ExpandGroup(group);
    if (std::binary_search(members.begin(), members.end(), name)) result.push_back(group.name);
  }
  return result;
}

std::vector<std::string_view> ArchCandidates() {
  std::vector<std::string_view> names;
  for (Arch arch : AllArches()) names.push_back(ArchName(arch));
  for (std::string_view alias : {"amd64", "i386", "arm64", "ppc64el"}) names.push_back(alias);
  return names;
}

std::vector<std::string_view> GroupNames() {
  std::vector<std::string_view> names;
  for (const Group& group : syscalls::AllGroups()) names.push_back(group.name);
  return names;
}

std::vector<std::string_view> FamilyNames() {
  std::set<std::string_view> families;
  for (const Constant& constant : syscalls::AllConstants()) families.insert(constant.family);
  return {families.begin(), families.end()};
}

// Parses a decimal or 0x-hex syscall number; nullopt when `text` is not one.
std::optional<uint32_t> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    base = 16;
    text.remove_prefix(2);
    if (text.empty()) return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
    if (value > 0xffffffffu) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

int ListTable(Arch arch, bool json) {
  const auto entries = syscalls::AllOf(arch);
  if (json) {
    ordered_json out = ordered_json::array();
    for (const syscalls::SyscallEntry& entry : entries) {
      ordered_json args = ordered_json::array();
      const auto signature = syscalls::ArgsOfOn(arch, entry.name);
      for (size_t i = 0; i < signature.size(); ++i) {
        args.push_back({{"name", signature[i].name},
                        {"type", signature[i].type},
                        {"kind", KindName(signature[i].kind)},
                        {"width", syscalls::ArgWidthBits(arch, entry.name, static_cast<int>(i))}});
      }
      out.push_back({{"number", entry.number}, {"name", entry.name}, {"args", args}});
    }
    PrintJson(ordered_json{{"arch", ArchName(arch)}, {"audit_arch", GetArchInfo(arch).audit_arch}, {"syscalls", out}});
    return kExitOk;
  }
  std::printf("# %s (AUDIT_ARCH %#x): %zu syscalls; [32] and [16] mark arguments compared on their low 32 or 16 bits\n",
              std::string(ArchName(arch)).c_str(), GetArchInfo(arch).audit_arch, entries.size());
  for (const syscalls::SyscallEntry& entry : entries) {
    std::string args;
    const auto signature = syscalls::ArgsOfOn(arch, entry.name);
    for (size_t i = 0; i < signature.size(); ++i) {
      if (i > 0) args += ", ";
      args += fmt::format("{} {}", signature[i].type, signature[i].name);
      const int bits = syscalls::ArgWidthBits(arch, entry.name, static_cast<int>(i));
      if (bits < 64 && signature[i].kind != ArgKind::kPointer) args += fmt::format(" [{}]", bits);
    }
    const std::string number = arch == Arch::kX32 ? fmt::format("{:#x}", entry.number) : std::to_string(entry.number);
    std::printf("%10s  %s(%s)\n", number.c_str(), std::string(entry.name).c_str(), args.c_str());
  }
  return kExitOk;
}

int ShowSyscall(std::string_view name, std::optional<Arch> only_arch, bool json) {
  std::vector<Arch> arches;
  if (only_arch) {
    arches.push_back(*only_arch);
  } else {
    arches.assign(AllArches().begin(), AllArches().end());
  }
  const Arch width_arch = only_arch.value_or(Arch::kX86_64);
  const auto signature = only_arch ? syscalls::ArgsOfOn(*only_arch, name) : syscalls::ArgsOf(name);
  const auto groups = GroupsContaining(name);
  if (json) {
    ordered_json numbers = ordered_json::object();
    for (Arch arch : arches) {
      const auto number = syscalls::NumberOf(arch, name);
      numbers[std::string(ArchName(arch))] = number ? ordered_json(*number) : ordered_json(nullptr);
    }
    ordered_json args = ordered_json::array();
    for (size_t i = 0; i < signature.size(); ++i) {
      args.push_back({{"name", signature[i].name},
                      {"type", signature[i].type},
                      {"kind", KindName(signature[i].kind)},
                      {"width", syscalls::ArgWidthBits(width_arch, name, static_cast<int>(i))}});
    }
    PrintJson(ordered_json{{"name", name}, {"numbers", numbers}, {"args", args}, {"groups", groups}});
    return kExitOk;
  }
  std::printf("%s\n", std::string(name).c_str());
  for (Arch arch : arches) {
    const auto number = syscalls::NumberOf(arch, name);
    std::printf("  %-8s  %s\n", std::string(ArchName(arch)).c_str(),
                number ? NumberText(arch, *number).c_str() : "-  (not on this ABI)");
  }
  if (signature.empty()) {
    std::printf("  arguments: none known\n");
  } else {
    if (!only_arch) {
      std::printf("  arguments (as the x86_64 kernel declares them):\n");
    } else {
      std::printf("  arguments on %s%s:\n", std::string(ArchName(width_arch)).c_str(),
                  GetArchInfo(width_arch).is_64bit ? "" : " (32 bits each; none after a 64-bit register pair)");
    }
    size_t name_width = 0;
    size_t type_width = 0;
    for (const ArgInfo& arg : signature) {
      name_width = std::max(name_width, arg.name.size());
      type_width = std::max(type_width, arg.type.size());
    }
    for (size_t i = 0; i < signature.size(); ++i) {
      std::printf("    %zu  %-*s  %-*s  %s\n", i, static_cast<int>(name_width), std::string(signature[i].name).c_str(),
                  static_cast<int>(type_width), std::string(signature[i].type).c_str(),
                  ArgDescription(width_arch, name, static_cast<int>(i), signature[i]).c_str());
    }
  }
  std::string group_list;
  for (std::string_view group : groups) group_list += " " + std::string(group);
  std::printf("  groups:%s\n", groups.empty() ? " none" : group_list.c_str());
  return kExitOk;
}

int ShowNumber(uint32_t number, std::optional<Arch> only_arch, bool json) {
  const Arch arch = only_arch.value_or((number & kX32SyscallBit) != 0 ? Arch::kX32 : NativeArch());
  const auto name = syscalls::NameOf(arch, number);
  if (!name) {
    std::string hint;
    if (arch == Arch::kX32 && (number & kX32SyscallBit) == 0) hint = " (x32 numbers carry the x32 bit 0x40000000)";
    return BadInput(fmt::format("no syscall number {} on {}{}", number, ArchName(arch), hint));
  }
  if (!json) std::printf("%s %s = ", std::string(ArchName(arch)).c_str(), NumberText(arch, number).c_str());
  return ShowSyscall(*name, only_arch, json);
}

int ShowGroup(const Group& group, std::optional<Arch> only_arch, bool json) {
  const auto members = syscalls::ExpandGroup(group);
  std::vector<std::string_view> nested;
  for (std::string_view member : group.members) {
    if (member.starts_with('@')) nested.push_back(member);
  }
  if (json) {
    ordered_json out{{"name", group.name}, {"description", group.description}, {"includes", nested},
                     {"members", members}};
    if (only_arch) {
      ordered_json numbers = ordered_json::object();
      for (std::string_view member : members) {
        if (auto number = syscalls::NumberOf(*only_arch, member)) numbers[std::string(member)] = *number;
      }
      out["arch"] = ArchName(*only_arch);
      out["numbers"] = numbers;
    }
    PrintJson(out);
    return kExitOk;
  }
  std::printf("%s: %s\n", std::string(group.name).c_str(), std::string(group.description).c_str());
  if (!nested.empty()) {
    std::string list;
    for (std::string_view name : nested) list += " " + std::string(name);
    std::printf("  includes:%s\n", list.c_str());
  }
  if (!only_arch) {
    std::printf("  %zu syscalls:\n", members.size());
    std::string line = "   ";
    for (std::string_view member : members) {
      if (line.size() + member.size() + 1 > 100) {
        std::printf("%s\n", line.c_str());
        line = "   ";
      }
      line += " " + std::string(member);
    }
    std::printf("%s\n", line.c_str());
    return kExitOk;
  }
  std::vector<std::string_view> absent;
  std::printf("  on %s:\n", std::string(ArchName(*only_arch)).c_str());
  for (std::string_view member : members) {
    if (auto number = syscalls::NumberOf(*only_arch, member)) {
      std::printf("    %10s  %s\n", NumberText(*only_arch, *number).c_str(), std::string(member).c_str());
    } else {
      absent.push_back(member);
    }
  }
  if (!absent.empty()) {
    std::string list;
    for (std::string_view name : absent) list += " " + std::string(name);
    std::printf("  not on %s:%s\n", std::string(ArchName(*only_arch)).c_str(), list.c_str());
  }
  return kExitOk;
}

int ListGroups(bool json) {
  if (json) {
    ordered_json out = ordered_json::array();
    for (const Group& group : syscalls::AllGroups()) {
      std::vector<std::string_view> direct(group.members.begin(), group.members.end());
      out.push_back({{"name", group.name},
                     {"description", group.description},
                     {"direct", direct},
                     {"members", syscalls::ExpandGroup(group)}});
    }
    PrintJson(out);
    return kExitOk;
  }
  for (const Group& group : syscalls::AllGroups()) {
    std::printf("%-16s %4zu  %s\n", std::string(group.name).c_str(), syscalls::ExpandGroup(group).size(),
                std::string(group.description).c_str());
  }
  return kExitOk;
}

int ListConstants(const std::string& filter, bool json) {
  std::vector<const Constant*> selected;
  if (filter.empty() || filter == "all") {  // --help offers "all"; a bare --constants means it too
    for (const Constant& constant : syscalls::AllConstants()) selected.push_back(&constant);
  } else if (const Constant* constant = syscalls::FindConstant(filter)) {
    selected.push_back(constant);
  } else {
    for (const Constant& c : syscalls::AllConstants()) {
      if (c.family == filter) selected.push_back(&c);
    }
    if (selected.empty()) {
      std::vector<std::string_view> candidates = FamilyNames();
      for (const Constant& c : syscalls::AllConstants()) candidates.push_back(c.name);
      return BadInput(fmt::format("no constant or constant family '{}'{}", filter, DidYouMean(filter, candidates)));
    }
  }
  if (json) {
    ordered_json out = ordered_json::array();
    for (const Constant* c : selected) out.push_back({{"name", c->name}, {"value", c->value}, {"family", c->family}});
    PrintJson(out);
    return kExitOk;
  }
  for (const Constant* c : selected) {
    std::printf("%-36s %#20llx  %-20llu %s\n", std::string(c->name).c_str(), static_cast<unsigned long long>(c->value),
                static_cast<unsigned long long>(c->value), std::string(c->family).c_str());
  }
  return kExitOk;
}

int SyscallsCommand(const SyscallsFlags& flags) {
  std::optional<Arch> arch;
  if (!flags.arch_name.empty()) {
    arch = ArchFromName(flags.arch_name);
    if (!arch) {
      return BadInput(fmt::format("unknown arch '{}'{} (known: x86_64 x86 x32 aarch64 arm riscv64 ppc64le s390x)",
                                  flags.arch_name, DidYouMean(flags.arch_name, ArchCandidates())));
    }
  }
  const int modes = (flags.groups ? 1 : 0) + (flags.constants ? 1 : 0) + (flags.query.empty() ? 0 : 1);
  if (modes > 1) return BadInput("give one of NAME|NUMBER|@group, --groups and --constants");
  if (flags.groups) return ListGroups(flags.json);
  if (flags.constants) return ListConstants(flags.family, flags.json);
  if (flags.query.empty()) return ListTable(arch.value_or(NativeArch()), flags.json);

  const std::string_view query = flags.query;
  if (query.starts_with('@')) {
    const Group* group = syscalls::FindGroup(query);
    if (group == nullptr) {
      return BadInput(fmt::format("unknown group '{}'{}", query, DidYouMean(query, GroupNames())));
    }
    return ShowGroup(*group, arch, flags.json);
  }
  if (auto number = ParseNumber(query)) return ShowNumber(*number, arch, flags.json);
  if (!syscalls::IsKnownName(query)) {
    return BadInput(fmt::format("unknown syscall '{}'{}", query, DidYouMean(query, syscalls::AllNames())));
  }
  return ShowSyscall(query, arch, flags.json);
}

const CommandRegistration kRegistration(70, [](CLI::App& app, int* exit_status) {
  CLI::App* sub = app.add_subcommand("syscalls", "List and resolve syscall names, numbers, arguments, groups, constants");
  sub->footer(kSyscallsHelp);
  auto flags = std::make_shared<SyscallsFlags>();
  sub->add_option("query", flags->query, "A syscall NAME, a NUMBER (decimal or 0x hex) or an @group");
  sub->add_option("--arch,-a", flags->arch_name, "ABI to list or resolve on (default: the native one)");
  sub->add_flag("--groups", flags->groups, "List every built-in group with its description");
  sub->add_option("--constants", flags->family, "List symbolic constants: all, one FAMILY (AF, O, ioctl ...) or one NAME")
      ->expected(0, 1);
  sub->add_flag("--json", flags->json, "Print JSON instead of text");
  sub->callback([flags, sub, exit_status] {
    if (sub->count("--constants") > 0) flags->constants = true;
    *exit_status = SyscallsCommand(*flags);
  });
});

}  // namespace
}  // namespace sysfence::cli
